/**
 * boucle's Redis client (RESP2) on the loop: `RedisClient.connect(url)`,
 * `yield* redis.call(...)`, pipelining, reconnection, Lua scripts. It knows
 * nothing of chat.
 */
export { RedisClient, type RedisClientOptions } from "./client.ts";
export { RedisConnectionError, RedisError, RedisProtocolError, RedisReplyTypeError } from "./errors.ts";
export { asArray, asInteger, asNullableString, asString } from "./reply.ts";
export { encodeCommand, RespParser, type RedisArg, type RedisReply } from "./resp.ts";
export { RedisScript } from "./script.ts";
export { describeAddress, parseRedisUrl, type RedisAddress } from "./url.ts";
