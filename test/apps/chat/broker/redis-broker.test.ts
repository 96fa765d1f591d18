/**
 * The chat broker against a real redis-server: several brokers in one
 * process are several nodes of one chat. Each node records what its reader
 * delivered, which is what its members would receive.
 */
import { describe, expect, it } from "vitest";
import { fromPromise, gather, sleep, type Coro } from "../../../../src/loop/index.ts";
import { BrokerUnavailableError, RedisBroker, type BrokerListener, type RedisBrokerOptions } from "../../../../src/apps/chat/broker/redis-broker.ts";
import { APPLY } from "../../../../src/apps/chat/broker/scripts.ts";
import { RedisClient, RedisScript } from "../../../../src/redis/index.ts";
import { until } from "../../../helpers/eventually.ts";
import { useRedisServer } from "../../../helpers/redis-server.ts";
import { runNet, within } from "../../../net/helpers.ts";

const server = useRedisServer();

/** What one node's reader delivered. */
class Node implements BrokerListener {
  readonly room: { room: string; line: string; except: number | null }[] = [];
  readonly private: { member: number; line: string }[] = [];
  missedCount = 0;
  broker!: RedisBroker;
  roomLine(room: string, line: string, except: number | null): void {
    this.room.push({ room, line, except });
  }
  privateLine(member: number, line: string): void {
    this.private.push({ member, line });
  }
  missed(): void {
    this.missedCount++;
  }
  /** The lines of `room` this node delivered, in order. */
  lines(room = "#lobby"): string[] {
    return this.room.filter((d) => d.room === room).map((d) => d.line);
  }
}

function* startNode(options: RedisBrokerOptions = {}): Coro<Node> {
  const node = new Node();
  node.broker = yield* RedisBroker.start(server().url, node, options);
  return node;
}

/** Admit member `id` on `node` and announce it (what its first line does). */
function* enter(node: Node, id: number): Coro<string> {
  const { nick } = yield* node.broker.admit(id);
  yield* node.broker.announce(id);
  return nick;
}

async function inLoop<T>(body: () => Coro<T>): Promise<T> {
  return (await runNet(() => within(20_000, body()))).value;
}


describe("RedisBroker across nodes", () => {
  it("gives unique guest nicknames and delivers a room's lines to every node, the sender's own line included", async () => {
    await inLoop(function* () {
      const [a, b] = [yield* startNode(), yield* startNode()];
      const ada = yield* enter(a, 1);
      const bob = yield* enter(b, 1);
      expect(ada).not.toBe(bob);
      // The barrier: announce returns once this node delivered the join notice.
      expect(b.lines()).toContain(`* ${bob} joined #lobby`);
      yield* a.broker.say(1, `<${ada}> hi`, true);
      expect(a.room.at(-1)).toEqual({ room: "#lobby", line: `<${ada}> hi`, except: 1 });
      yield* until(() => b.lines().includes(`<${ada}> hi`));
      expect(b.room.at(-1)!.except).toBeNull(); // Not b's member 1: another node's sender.
      yield* a.broker.close();
      yield* b.broker.close();
    });
  });

  it("delivers one order at every node, each line once, each sender's lines in order", async () => {
    await inLoop(function* () {
      const nodes = [yield* startNode(), yield* startNode(), yield* startNode()];
      for (const [i, node] of nodes.entries()) for (let m = 1; m <= 3; m++) yield* enter(node, i * 10 + m);
      const start = nodes.map((n) => n.lines().length);
      const senders = nodes.flatMap((node, i) =>
        [1, 2, 3].map((m) =>
          (function* () {
            for (let k = 0; k < 30; k++) yield* node.broker.say(i * 10 + m, `s${i * 10 + m} ${k}`, false);
          })(),
        ),
      );
      yield* gather(...senders);
      yield* until(() => nodes.every((n, i) => n.lines().length - start[i]! >= 270));
      yield* sleep(100); // Anything doubled would show now.
      const seen = nodes.map((n, i) => n.lines().slice(start[i]).filter((l) => l.startsWith("s")));
      expect(seen[0]).toHaveLength(270);
      expect(seen[1]).toEqual(seen[0]);
      expect(seen[2]).toEqual(seen[0]);
      expect(new Set(seen[0]).size).toBe(270);
      for (const sender of ["s1", "s12", "s23"]) {
        const mine = seen[0]!.filter((l) => l.startsWith(`${sender} `)).map((l) => Number(l.split(" ")[1]));
        expect(mine).toEqual(Array.from({ length: 30 }, (_, k) => k));
      }
      for (const node of nodes) yield* node.broker.close();
    });
  });

  it("lets exactly one of two nodes racing for a nickname have it (many trials)", async () => {
    await inLoop(function* () {
      const [a, b] = [yield* startNode(), yield* startNode()];
      yield* enter(a, 1);
      yield* enter(b, 1);
      for (let trial = 0; trial < 50; trial++) {
        const [wonA, wonB] = yield* gather(a.broker.rename(1, `Nick${trial}`), b.broker.rename(1, `nick${trial}`));
        expect(Number(wonA) + Number(wonB)).toBe(1);
      }
      const nicks = [a.broker.localMembers.get(1)!.nick, b.broker.localMembers.get(1)!.nick];
      expect(nicks.filter((n) => n.toLowerCase() === "nick49")).toHaveLength(1);
      yield* a.broker.close();
      yield* b.broker.close();
    });
  });

  it("keeps a room's last lines in Redis for whoever enters it on any node, and drops them with the room, also when its node is lost", async () => {
    await inLoop(function* () {
      const options = { historyLines: 4, wallClock: () => Date.UTC(2026, 0, 1, 23, 59), leaseMs: 400 };
      const [a, b, c] = [yield* startNode(options), yield* startNode(options), yield* startNode(options)];
      const ada = yield* enter(a, 1);
      for (let k = 1; k <= 6; k++) yield* a.broker.say(1, `<${ada}> ${k}`, true);
      yield* a.broker.say(1, `** ${ada} waves`, false);
      const { history } = yield* b.broker.admit(1);
      expect(history).toEqual([`~ 23:59 <${ada}> 4`, `~ 23:59 <${ada}> 5`, `~ 23:59 <${ada}> 6`, `~ 23:59 ** ${ada} waves`]);
      yield* c.broker.admit(1);
      yield* c.broker.move(1, "#night");
      yield* c.broker.say(1, "<late> hello?", true);
      expect(yield* b.broker.move(1, "#Night")).toEqual(["~ 23:59 <late> hello?"]);
      yield* b.broker.leave(1);
      c.broker.abandon(); // Lost: the reaper empties #night, and its history goes with it.
      const probe = yield* RedisClient.connect(server().url);
      while ((yield* probe.call("EXISTS", `${a.broker.prefix}:room:#night`)) !== 0) yield* sleep(100); // Within the test's 20 s.
      expect(yield* probe.call("EXISTS", `${a.broker.prefix}:history:#night`)).toBe(0);
      expect(yield* a.broker.move(1, "#night")).toEqual([]);
      probe.close();
    });
  });

  it("frees a nickname when its holder leaves, and answers /who and /rooms for every node", async () => {
    await inLoop(function* () {
      const [a, b] = [yield* startNode(), yield* startNode()];
      yield* enter(a, 1);
      yield* a.broker.rename(1, "ada");
      yield* enter(b, 1);
      yield* enter(b, 2);
      yield* b.broker.rename(2, "bob");
      yield* b.broker.move(2, "#Rust");
      expect((yield* a.broker.who("#lobby", 1)).items).toEqual(["ada", b.broker.localMembers.get(1)!.nick]);
      expect((yield* b.broker.rooms(1)).items).toEqual([
        { name: "#lobby", size: 2 },
        { name: "#Rust", size: 1 },
      ]);
      expect(yield* b.broker.rename(1, "ADA")).toBe(false);
      yield* a.broker.leave(1, "quit");
      yield* until(() => b.lines().includes("* ada left (quit)"));
      expect(yield* b.broker.rename(1, "ADA")).toBe(true);
      yield* b.broker.leave(2);
      expect((yield* a.broker.rooms(1)).items).toEqual([{ name: "#lobby", size: 1 }]);
      yield* a.broker.close();
      yield* b.broker.close();
    });
  });

  it("tells the other servers' rooms when a server closes, and frees its nicknames", async () => {
    await inLoop(function* () {
      const [a, b] = [yield* startNode(), yield* startNode()];
      yield* enter(a, 1);
      yield* enter(b, 1);
      yield* b.broker.rename(1, "bob");
      yield* b.broker.close();
      yield* until(() => a.lines().includes("* bob left (server shutting down)"));
      expect((yield* a.broker.who("#lobby", 1)).items).toEqual([a.broker.localMembers.get(1)!.nick]);
      expect(yield* a.broker.rename(1, "bob")).toBe(true);
      yield* a.broker.close();
    });
  });

  it("tallies a quiet room's notices in Redis and tells them once, whichever nodes flush; a dead node's leaves too", async () => {
    await inLoop(function* () {
      const options = { quietRoomSize: 2, leaseMs: 400 };
      const [a, b, c] = [yield* startNode(options), yield* startNode(options), yield* startNode(options)];
      yield* enter(a, 1);
      yield* enter(b, 1);
      yield* enter(b, 2); // The third: tallied.
      yield* enter(c, 1); // Tallied.
      yield* b.broker.rename(2, "bob"); // Tallied.
      expect(a.lines().filter((l) => l.endsWith(" joined #lobby"))).toHaveLength(2);
      yield* gather(a.broker.flushCrowdNotices(), b.broker.flushCrowdNotices());
      const crowd = "* 2 joined, 1 renamed #lobby (4 members)";
      yield* until(() => a.lines().includes(crowd) && c.lines().includes(crowd));
      c.broker.abandon(); // Its member's leave (node lost) is tallied by the reaper.
      yield* sleep(1000);
      yield* b.broker.flushCrowdNotices();
      yield* until(() => a.lines().includes("* 1 left #lobby (3 members)"), 5000);
      yield* sleep(100);
      expect(a.lines().filter((l) => l === crowd)).toHaveLength(1);
      expect(b.lines().filter((l) => l === crowd)).toHaveLength(1);
      expect(a.lines().filter((l) => l.includes("node lost"))).toEqual([]);
      yield* a.broker.close();
      yield* b.broker.close();
    });
  });

  it("reads one page of /who and /rooms from Redis", async () => {
    await inLoop(function* () {
      const [a, b] = [yield* startNode(), yield* startNode()];
      const nicks: string[] = [];
      for (let i = 1; i <= 130; i++) nicks.push((yield* (i % 2 === 0 ? a : b).broker.admit(i)).nick);
      for (let i = 1; i <= 3; i++) yield* a.broker.move(2 * i, `#room${i}`);
      const lobby = nicks.filter((_, k) => ![1, 3, 5].includes(k));
      expect(yield* a.broker.who("#lobby", 1)).toEqual({ total: 127, items: lobby.slice(0, 100) });
      expect(yield* b.broker.who("#LOBBY", 2)).toEqual({ total: 127, items: lobby.slice(100) });
      expect(yield* b.broker.who("#lobby", 3)).toEqual({ total: 127, items: [] });
      expect(yield* b.broker.rooms(1)).toEqual({
        total: 4,
        items: [
          { name: "#lobby", size: 127 },
          { name: "#room1", size: 1 },
          { name: "#room2", size: 1 },
          { name: "#room3", size: 1 },
        ],
      });
      expect(yield* b.broker.rooms(2)).toEqual({ total: 4, items: [] });
      yield* a.broker.close();
      yield* b.broker.close();
    });
  });

  it("sends a private line to the member holding a nickname on another node", async () => {
    await inLoop(function* () {
      const [a, b] = [yield* startNode(), yield* startNode()];
      yield* enter(a, 1);
      yield* enter(b, 7);
      yield* b.broker.rename(7, "Bob");
      expect(yield* a.broker.whisper(1, "bob", "[ada] psst")).toBe("Bob");
      yield* until(() => b.private.length === 1);
      expect(b.private).toEqual([{ member: 7, line: "[ada] psst" }]);
      expect(yield* a.broker.whisper(1, "nobody", "[ada] hello?")).toBeNull();
      yield* a.broker.close();
      yield* b.broker.close();
    });
  });
});

describe("the APPLY script", () => {
  it("applies a step retried under the same node and seq once, and answers the retry with the first result", async () => {
    await inLoop(function* () {
      const redis = yield* RedisClient.connect(server().url);
      const apply = new RedisScript(APPLY);
      const step = ["boucle", "node-a", 1, 100, "claim", "ada", "node-a\t1\tada", "append", "shard:0", "#lobby", "<ada> once", ""];
      const first = yield* apply.run(redis, [], step);
      const retry = yield* apply.run(redis, [], step);
      expect(retry).toEqual(first);
      expect(yield* redis.call("XLEN", "boucle:shard:0")).toBe(1);
      const taken = yield* apply.run(redis, [], ["boucle", "node-b", 1, 100, "claim", "ada", "node-b\t4\tADA", "append", "shard:0", "#lobby", "<ADA> no", ""]);
      expect(taken).toEqual(["taken"]);
      expect(yield* redis.call("XLEN", "boucle:shard:0")).toBe(1); // A refused step writes nothing.
      redis.close();
    });
  });
});

describe("RedisBroker failures", () => {
  it("removes a dead node's members once when its lease expires, with one notice per member", async () => {
    await inLoop(function* () {
      const options = { leaseMs: 400 };
      const [a, b, c] = [yield* startNode(options), yield* startNode(options), yield* startNode(options)];
      yield* enter(a, 1);
      yield* enter(c, 1);
      yield* c.broker.rename(1, "doomed");
      c.broker.abandon(); // As SIGKILL would: nothing cleaned up.
      yield* until(() => a.lines().includes("* doomed left (node lost)"), 5000);
      yield* sleep(600); // Both survivors have run their reaper by now.
      expect(a.lines().filter((l) => l === "* doomed left (node lost)")).toHaveLength(1);
      expect(b.lines().filter((l) => l === "* doomed left (node lost)")).toHaveLength(1);
      expect((yield* a.broker.who("#lobby", 1)).items).toEqual([a.broker.localMembers.get(1)!.nick]);
      yield* enter(b, 5);
      expect(yield* b.broker.rename(5, "doomed")).toBe(true);
      yield* a.broker.close();
      yield* b.broker.close();
    });
  });

  it("retries a leave that failed while Redis was paused, once: the nickname is freed and the room told one time", async () => {
    await inLoop(function* () {
      const options = { leaseMs: 400, stepTimeoutMs: 300 };
      const [a, b] = [yield* startNode(options), yield* startNode(options)];
      yield* enter(a, 1);
      yield* a.broker.rename(1, "ada");
      yield* enter(b, 1);
      const admin = yield* RedisClient.connect(server().url);
      yield* admin.call("CLIENT", "PAUSE", 1000, "ALL");
      let error: unknown = null;
      try {
        yield* a.broker.leave(1, "quit"); // Times out; Redis runs it anyway once unpaused.
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(BrokerUnavailableError);
      yield* until(() => b.lines().includes("* ada left (quit)"), 5000);
      yield* sleep(600); // Past the heartbeat that retries the leave.
      expect(b.lines().filter((l) => l === "* ada left (quit)")).toHaveLength(1);
      expect(a.lines().filter((l) => l === "* ada left (quit)")).toHaveLength(1);
      expect((yield* b.broker.who("#lobby", 1)).items).toEqual([b.broker.localMembers.get(1)!.nick]);
      expect(yield* b.broker.rename(1, "ada")).toBe(true);
      admin.close();
      yield* a.broker.close();
      yield* b.broker.close();
    });
  });

  it("retries a leave that failed while Redis was down once it is back", async () => {
    await inLoop(function* () {
      const options = { leaseMs: 400 };
      const a = yield* startNode(options);
      yield* enter(a, 1);
      yield* a.broker.rename(1, "ada");
      yield* enter(a, 2);
      yield* a.broker.rename(2, "bob");
      yield* fromPromise(server().kill({ hard: true }));
      let error: unknown = null;
      try {
        yield* a.broker.leave(1, "quit");
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(BrokerUnavailableError);
      yield* fromPromise(server().startAgain());
      // Redis came back empty: the node registers bob again, and the kept leave runs (ada is not put back).
      yield* until(() => a.missedCount === 1, 8000);
      yield* until(() => a.lines().includes("* ada left (quit)"), 5000);
      expect((yield* a.broker.who("#lobby", 1)).items).toEqual(["bob"]);
      yield* a.broker.close();
    });
  });

  it("loses nothing and doubles nothing when the broker's Redis connections are killed", async () => {
    await inLoop(function* () {
      const [a, b] = [yield* startNode(), yield* startNode()];
      yield* enter(a, 1);
      yield* enter(b, 1);
      const admin = yield* RedisClient.connect(server().url);
      const sending = (function* () {
        for (let k = 0; k < 100; k++) {
          yield* a.broker.say(1, `line ${k}`, false);
          if (k % 25 === 10) admin.send("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
        }
      })();
      yield* sending;
      yield* until(() => b.lines().filter((l) => l.startsWith("line ")).length >= 100);
      yield* sleep(200);
      const expected = Array.from({ length: 100 }, (_, k) => `line ${k}`);
      expect(a.lines().filter((l) => l.startsWith("line "))).toEqual(expected);
      expect(b.lines().filter((l) => l.startsWith("line "))).toEqual(expected);
      expect(a.missedCount + b.missedCount).toBe(0);
      admin.close();
      yield* a.broker.close();
      yield* b.broker.close();
    });
  });

  it("fails a step with BrokerUnavailableError while Redis is down, then says once that lines may be missed", async () => {
    await inLoop(function* () {
      const a = yield* startNode();
      yield* enter(a, 1);
      yield* a.broker.rename(1, "ada");
      yield* fromPromise(server().kill({ hard: true }));
      let error: unknown = null;
      try {
        yield* a.broker.say(1, "<ada> anyone?", false);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(BrokerUnavailableError);
      expect((error as Error).message).toMatch(/unavailable/);
      yield* fromPromise(server().startAgain());
      yield* until(() => a.missedCount === 1, 8000);
      // The node put its member back: the nickname is held again, the roster has it.
      const who = (yield* a.broker.who("#lobby", 1)).items;
      expect(who).toEqual(["ada"]);
      yield* a.broker.say(1, "<ada> back", false);
      expect(a.lines().at(-1)).toBe("<ada> back");
      expect(a.missedCount).toBe(1);
      yield* a.broker.close();
    });
  });

  it("says lines may be missed when the stream was trimmed past what the node had read, then goes on after the gap", async () => {
    await inLoop(function* () {
      const [a, b] = [yield* startNode(), yield* startNode()];
      yield* enter(a, 1);
      yield* enter(b, 1);
      const shard = a.broker.shardOf("#lobby");
      const admin = yield* RedisClient.connect(server().url);
      // One write: b's reader is cut, then entries it never read are trimmed before it is back.
      const steps = [
        admin.send("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"),
        admin.send("XADD", `boucle:${shard}`, "*", "r", "#lobby", "l", "lost line", "x", ""),
        admin.send("XTRIM", `boucle:${shard}`, "MAXLEN", 0),
        admin.send("XADD", `boucle:${shard}`, "*", "r", "#lobby", "l", "after the gap", "x", ""),
      ];
      for (const step of steps) yield* step;
      yield* until(() => b.missedCount === 1 && a.missedCount === 1, 8000);
      // What is left after the gap is still delivered, once, after the notice.
      yield* until(() => b.lines().includes("after the gap"));
      yield* sleep(100);
      expect(b.lines().filter((l) => l === "after the gap")).toHaveLength(1);
      expect(b.lines()).not.toContain("lost line");
      admin.close();
      yield* a.broker.close();
      yield* b.broker.close();
    });
  });
});
