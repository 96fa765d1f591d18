/**
 * Narrowing a RedisReply to the shape a command documents, with a clear
 * error when the server answers otherwise (instead of a cast that lies).
 */
import { RedisReplyTypeError } from "./errors.ts";
import type { RedisReply } from "./resp.ts";

function describe(reply: RedisReply): string {
  if (reply === null) return "nil";
  if (Array.isArray(reply)) return `an array of ${reply.length}`;
  if (reply instanceof Error) return `an error (${reply.message})`;
  return `${typeof reply} ${JSON.stringify(reply).slice(0, 40)}`;
}

/**
 * The reply as a string.
 * @throws RedisReplyTypeError if it is not one.
 * @example
 * const value = asString(yield* redis.call("GET", "greeting"));
 */
export function asString(reply: RedisReply): string {
  if (typeof reply !== "string") throw new RedisReplyTypeError(`expected a string reply, got ${describe(reply)}`);
  return reply;
}

/**
 * The reply as a string, or null for nil.
 * @example
 * const maybe = asNullableString(yield* redis.call("GET", "missing")); // null
 */
export function asNullableString(reply: RedisReply): string | null {
  return reply === null ? null : asString(reply);
}

/**
 * The reply as an integer.
 * @throws RedisReplyTypeError if it is not one.
 * @example
 * const n = asInteger(yield* redis.call("INCR", "visits"));
 */
export function asInteger(reply: RedisReply): number {
  if (typeof reply !== "number") throw new RedisReplyTypeError(`expected an integer reply, got ${describe(reply)}`);
  return reply;
}

/**
 * The reply as an array (nil as an empty one: XREAD's "nothing new").
 * @throws RedisReplyTypeError if it is something else.
 * @example
 * const members = asArray(yield* redis.call("SMEMBERS", "room")).map(asString);
 */
export function asArray(reply: RedisReply): RedisReply[] {
  if (reply === null) return [];
  if (!Array.isArray(reply)) throw new RedisReplyTypeError(`expected an array reply, got ${describe(reply)}`);
  return reply;
}
