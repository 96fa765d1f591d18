/**
 * A Lua script run with EVALSHA, so only its 40-byte hash travels per call.
 * A server that doesn't know it (restarted, SCRIPT FLUSH, another replica)
 * answers NOSCRIPT: the script is then loaded once and the call retried.
 */
import { createHash } from "node:crypto";
import type { Coro } from "../loop/index.ts";
import type { RedisClient } from "./client.ts";
import { RedisError } from "./errors.ts";
import type { RedisArg, RedisReply } from "./resp.ts";

/**
 * @example
 * const incrBy = new RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])");
 * const n = yield* incrBy.run(redis, ["counter"], [5]);
 */
export class RedisScript {
  readonly source: string;
  /** The SHA1 Redis knows the script by. */
  readonly sha1: string;

  constructor(source: string) {
    this.source = source;
    this.sha1 = createHash("sha1").update(source).digest("hex");
  }

  /**
   * Run the script with `keys` (KEYS[1..]) and `args` (ARGV[1..]).
   * @throws RedisError from the script (or the server), RedisConnectionError if Redis is away.
   */
  *run(client: RedisClient, keys: readonly RedisArg[] = [], args: readonly RedisArg[] = []): Coro<RedisReply> {
    const command: RedisArg[] = ["EVALSHA", this.sha1, keys.length, ...keys, ...args];
    try {
      return yield* client.call(...command);
    } catch (error) {
      if (!(error instanceof RedisError && error.code === "NOSCRIPT")) throw error;
    }
    yield* client.call("SCRIPT", "LOAD", this.source);
    return yield* client.call(...command);
  }
}
