/**
 * RedisClient against a real redis-server (started by the test, stopped by
 * its PID): commands and typed replies, pipelining in one write, errors,
 * reconnection after CLIENT KILL and after a restart, blocking reads on their
 * own connection, cancelled calls, Lua scripts after SCRIPT FLUSH.
 */
import { createServer, Socket as NodeSocket, type Server } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { fromPromise, gather, sleep, timeout, TimeoutError, type Coro } from "../../src/loop/index.ts";
import {
  asArray,
  asInteger,
  asNullableString,
  asString,
  RedisClient,
  RedisConnectionError,
  RedisError,
  RedisProtocolError,
  RedisScript,
} from "../../src/redis/index.ts";
import { RedisConnection } from "../../src/redis/connection.ts";
import { connect } from "../../src/net/index.ts";
import { until } from "../helpers/eventually.ts";
import { useRedisServer } from "../helpers/redis-server.ts";
import { runNet, within } from "../net/helpers.ts";

const server = useRedisServer();

/** Run `body` with a client on the test server; the client is closed afterwards. */
async function withClient<T>(body: (redis: RedisClient) => Coro<T>, url = server().url): Promise<T> {
  const { value } = await runNet(function* () {
    const redis = yield* within(5000, RedisClient.connect(url, { minBackoffMs: 20, maxBackoffMs: 200 }));
    try {
      return yield* within(15_000, body(redis));
    } finally {
      redis.close();
    }
  });
  return value;
}


describe("RedisClient commands", () => {
  it("sets and gets over TCP with typed replies", async () => {
    const got = await withClient(function* (redis) {
      expect(yield* redis.call("SET", "greeting", "héllo")).toBe("OK");
      expect(asInteger(yield* redis.call("INCRBY", "n", 41))).toBe(41);
      expect(asNullableString(yield* redis.call("GET", "missing"))).toBeNull();
      yield* redis.call("RPUSH", "list", "a", "b", Buffer.from([0x63]));
      expect(asArray(yield* redis.call("LRANGE", "list", 0, -1)).map(asString)).toEqual(["a", "b", "c"]);
      return asString(yield* redis.call("GET", "greeting"));
    });
    expect(got).toBe("héllo");
  });

  it("connects over the unix socket and selects the database of the URL", async () => {
    const db = await withClient(function* (redis) {
      yield* redis.call("SET", "where", "db3");
      const info = asString(yield* redis.call("CLIENT", "INFO"));
      return /\bdb=(\d+)/.exec(info)?.[1];
    }, `${server().unixUrl}?db=3`);
    expect(db).toBe("3");
    expect(await server().command("GET", "where")).toBe("$-1\r\n"); // Not in db 0.
  });

  it("throws RedisError with the server's message and code, and the connection stays usable", async () => {
    await withClient(function* (redis) {
      yield* redis.call("SET", "text", "abc");
      const error = yield* caught(redis.call("INCR", "text"));
      expect(error).toBeInstanceOf(RedisError);
      expect((error as RedisError).code).toBe("ERR");
      expect((error as RedisError).message).toMatch(/not an integer/);
      const unknown = yield* caught(redis.call("NOSUCHCOMMAND"));
      expect((unknown as RedisError).message).toMatch(/unknown command/);
      expect(yield* redis.call("PING")).toBe("PONG");
    });
  });

  it("sends the commands of one loop iteration in one write, and answers each caller in order", async () => {
    const writes = vi.spyOn(NodeSocket.prototype, "write");
    try {
      const replies = await withClient(function* (redis) {
        yield* redis.call("PING");
        writes.mockClear();
        const calls = Array.from({ length: 200 }, () => redis.call("INCR", "counter"));
        return yield* gather(...calls);
      });
      expect(writes).toHaveBeenCalledTimes(1);
      expect(replies).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    } finally {
      writes.mockRestore();
    }
  });

  it("throws RedisConnectionError when nothing listens", async () => {
    const port = await closedPort();
    const { value } = await runNet(function* () {
      return yield* caught(RedisClient.connect(`redis://127.0.0.1:${port}`));
    });
    expect(value).toBeInstanceOf(RedisConnectionError);
    expect((value as Error).message).toContain(`127.0.0.1:${port}`);
  });
});

describe("RedisClient connections", () => {
  it("fails the command in flight when its connection is killed, then reconnects by itself", async () => {
    await withClient(function* (redis) {
      const blocked = redis.send("BLPOP", "never", 10); // Keeps a reply pending while the connection dies.
      yield* sleep(50);
      const admin = yield* RedisClient.connect(server().url);
      yield* admin.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
      admin.close();
      const error = yield* caught(blocked);
      expect(error).toBeInstanceOf(RedisConnectionError);
      expect((error as Error).message).toMatch(/closed the connection|lost/);
      const before = redis.generation;
      yield* until(() => redis.connected && redis.generation > before);
      expect(yield* redis.call("PING")).toBe("PONG");
    });
  });

  it("fails a command written to a socket that broke before the reader noticed with RedisConnectionError", async () => {
    await runNet(function* () {
      const socket = yield* within(5000, connect({ host: "127.0.0.1", port: server().port }));
      const ends: RedisConnectionError[] = [];
      const connection = new RedisConnection(socket, "test", 0, (reason) => ends.push(reason));
      expect(yield* connection.send(["PING"])).toBe("PONG");
      const inFlight = connection.send(["BLPOP", "never", 10]);
      // Why this listener: Node runs the socket's error listeners in order,
      // the selector's first, so here the socket has failed and the reader
      // task has not run yet: the window this test is about.
      let sentThen: unknown = null;
      socket.nodeSocket.once("error", () => {
        try {
          sentThen = connection.send(["PING"]);
        } catch (error) {
          sentThen = error; // What a raw write error would do: escape to the caller.
        }
      });
      socket.nodeSocket.destroy(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }));
      yield* until(() => sentThen !== null);
      expect(sentThen).not.toBeInstanceOf(Error);
      const error = yield* caught(sentThen as Coro<unknown>);
      expect(error).toBeInstanceOf(RedisConnectionError);
      expect((error as Error).message).toMatch(/connection to Redis lost \(test\): .*ECONNRESET/);
      expect(yield* caught(inFlight)).toBe(error); // The command already waiting fails with the same reason.
      expect(connection.ended).toBe(true);
      expect(ends).toEqual([error]); // onEnded once.
      expect(connection.pendingCount).toBe(0);
    });
  });

  it("re-selects its database after a reconnect", async () => {
    await withClient(function* (redis) {
      const admin = yield* RedisClient.connect(server().url);
      yield* admin.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
      admin.close();
      yield* until(() => redis.generation === 2 && redis.connected);
      yield* redis.call("SET", "after", "yes");
    }, `${server().url}/5`);
    expect(await server().command("GET", "after")).toBe("$-1\r\n");
  });

  it("fails fast while Redis is down, and comes back when it restarts", async () => {
    await withClient(function* (redis) {
      yield* fromPromise(server().kill({ hard: true }));
      yield* until(() => !redis.connected);
      const error = yield* caught(redis.call("PING"));
      expect(error).toBeInstanceOf(RedisConnectionError);
      expect((error as Error).message).toMatch(/not connected.*reconnecting/);
      yield* fromPromise(server().startAgain());
      yield* redis.waitConnected();
      expect(yield* redis.call("PING")).toBe("PONG");
    });
  });

  it("gives blocking reads their own connection: XREAD BLOCK doesn't hold up other commands", async () => {
    await withClient(function* (redis) {
      const reader = yield* redis.duplicate();
      try {
        const read = reader.send("XREAD", "BLOCK", 5000, "STREAMS", "s", "$");
        yield* sleep(50);
        const started = Date.now();
        for (let i = 0; i < 5; i++) expect(yield* redis.call("PING")).toBe("PONG");
        expect(Date.now() - started).toBeLessThan(2000);
        yield* redis.call("XADD", "s", "*", "line", "hello");
        const [[stream, entries]] = asArray(yield* read) as [[string, [[string, string[]]]]];
        expect(stream).toBe("s");
        expect(entries[0]![1]).toEqual(["line", "hello"]);
      } finally {
        reader.close();
      }
    });
  });

  it("keeps replies matched to callers after a call was abandoned by a timeout", async () => {
    await withClient(function* (redis) {
      yield* redis.call("SET", "first", "1");
      yield* redis.call("SET", "second", "2");
      const admin = yield* redis.duplicate();
      yield* admin.call("CLIENT", "PAUSE", 300, "ALL");
      admin.close();
      const error = yield* caught(timeout(100, redis.call("GET", "first")));
      expect(error).toBeInstanceOf(TimeoutError);
      expect(yield* redis.call("GET", "second")).toBe("2");
    });
  });

  it("drops the connection on a reply that is not RESP, failing the call with the protocol error as cause", async () => {
    const garbage: Server = createServer((socket) => socket.on("data", () => socket.write("?what\r\n")));
    await new Promise<void>((resolve) => garbage.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = garbage.address() as { port: number };
      const error = await withClient(function* (redis) {
        return yield* caught(redis.call("PING"));
      }, `redis://127.0.0.1:${port}`);
      expect(error).toBeInstanceOf(RedisConnectionError);
      expect((error as Error).cause).toBeInstanceOf(RedisProtocolError);
    } finally {
      garbage.close();
    }
  });

  it("authenticates with the URL's password and reports a wrong one as RedisError", async () => {
    await server().command("CONFIG", "SET", "requirepass", "s3cret");
    try {
      await withClient(function* (redis) {
        expect(yield* redis.call("PING")).toBe("PONG");
      }, `redis://:s3cret@127.0.0.1:${server().port}`);
      const { value } = await runNet(function* () {
        return yield* caught(RedisClient.connect(`redis://:wrong@127.0.0.1:${server().port}`));
      });
      expect(value).toBeInstanceOf(RedisError);
      expect((value as RedisError).code).toBe("WRONGPASS");
    } finally {
      await withClient(function* (redis) {
        yield* redis.call("CONFIG", "SET", "requirepass", "");
      }, `redis://:s3cret@127.0.0.1:${server().port}`);
    }
  });
});

describe("RedisScript", () => {
  it("runs by EVALSHA and loads itself again after SCRIPT FLUSH", async () => {
    await withClient(function* (redis) {
      const incrBy = new RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])");
      expect(yield* incrBy.run(redis, ["n"], [5])).toBe(5);
      yield* redis.call("SCRIPT", "FLUSH");
      expect(asArray(yield* redis.call("SCRIPT", "EXISTS", incrBy.sha1))).toEqual([0]);
      expect(yield* incrBy.run(redis, ["n"], [2])).toBe(7);
      expect(asArray(yield* redis.call("SCRIPT", "EXISTS", incrBy.sha1))).toEqual([1]);
    });
  });

  it("passes the script's own errors through", async () => {
    await withClient(function* (redis) {
      const failing = new RedisScript("return redis.error_reply('NICKTAKEN ada is taken')");
      const error = yield* caught(failing.run(redis));
      expect((error as RedisError).code).toBe("NICKTAKEN");
    });
  });
});

/** The error `work` throws (fails the test if it returns). */
function* caught(work: Coro<unknown> | { [Symbol.iterator](): Iterator<unknown, unknown, unknown> }): Coro<unknown> {
  try {
    yield* work as Coro<unknown>;
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
