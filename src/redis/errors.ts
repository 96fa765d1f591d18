/**
 * What can go wrong talking to Redis, as three kinds a caller tells apart:
 * the server refused a command (RedisError: the connection is fine), the
 * connection is down or was lost (RedisConnectionError: the command may or
 * may not have run), or the server sent bytes that are not RESP
 * (RedisProtocolError: the connection is dropped).
 */

/**
 * An error reply from the server, with its message as Redis wrote it.
 * `code` is its first word (`ERR`, `WRONGTYPE`, `NOSCRIPT`, `BUSYGROUP`...).
 * @example
 * try { yield* redis.call("INCR", "not-a-number"); }
 * catch (error) { if (error instanceof RedisError && error.code === "ERR") ... }
 */
export class RedisError extends Error {
  override name = "RedisError";
  readonly code: string;

  constructor(message: string) {
    super(message);
    const space = message.indexOf(" ");
    this.code = space < 0 ? message : message.slice(0, space);
  }
}

/**
 * Redis can't be reached, or the connection dropped while the command was on
 * its way (then it may have run or not). The Node-level error is the `cause`.
 */
export class RedisConnectionError extends Error {
  override name = "RedisConnectionError";
}

/** The server's bytes are not valid RESP2; the client drops the connection. */
export class RedisProtocolError extends Error {
  override name = "RedisProtocolError";
}

/** A reply of another shape than the command's documented one (see the `as*` helpers). */
export class RedisReplyTypeError extends TypeError {
  override name = "RedisReplyTypeError";
}
