/**
 * ClusterHub on in-memory brokers (no Redis), on the virtual clock: three
 * servers that see the shared log with different delays still show every
 * member one order; replies wait for the member's own lines; an outage gives
 * a clear error and loses nothing else.
 */
import { describe, expect, it } from "vitest";
import { EventLoop, gather, sleep, Task, type Coro } from "../../../src/loop/index.ts";
import { MemoryBroker, MemorySharedChat } from "../../../src/apps/chat/broker/memory-broker.ts";
import { ClusterHub } from "../../../src/apps/chat/cluster-hub.ts";
import type { Member } from "../../../src/apps/chat/hub.ts";

class FakeMember implements Member {
  nick = "";
  room = "";
  readonly lines: string[] = [];
  closed = false;
  constructor(readonly id: number) {}
  send(line: string): void {
    this.lines.push(line);
  }
  close(): void {
    this.closed = true;
  }
}

/** A server: its hub on its own broker, which sees the shared log `delayMs` late. */
function server(shared: MemorySharedChat, delayMs: number | (() => number)): ClusterHub {
  const hub = new ClusterHub();
  hub.attach(new MemoryBroker(shared, hub.listener, { delayMs }));
  return hub;
}

/** What the server's client task does: one line at a time, each to its end. */
function* type(hub: ClusterHub, member: Member, ...lines: string[]): Coro<void> {
  for (const line of lines) {
    const handling = hub.handleLine(member, line);
    if (handling instanceof Task) yield* handling;
  }
}

function onVirtualClock(body: () => Coro<void>): Promise<void> {
  const loop = new EventLoop({ clock: "virtual" });
  return loop.runUntilComplete(body()).finally(() => loop.close());
}

describe("ClusterHub on in-memory brokers", () => {
  it("shows every member one order of the room's lines, whatever each server's delay", async () => {
    await onVirtualClock(function* () {
      const shared = new MemorySharedChat();
      let seed = 7;
      const jitter = (): number => (seed = (seed * 16807) % 2147483647) % 20; // Deterministic 0..19 ms.
      const hubs = [server(shared, 0), server(shared, 5), server(shared, jitter)];
      const members: [ClusterHub, FakeMember][] = [];
      for (const [i, hub] of hubs.entries()) {
        for (let k = 0; k < 3; k++) {
          const member = new FakeMember(i * 10 + k);
          yield* hub.join(member);
          members.push([hub, member]);
        }
      }
      yield* sleep(100);
      for (const [, member] of members) member.lines.length = 0;
      yield* gather(...members.map(([hub, member]) => type(hub, member, ...Array.from({ length: 20 }, (_, n) => `/me says ${n}`))));
      yield* sleep(100);
      const first = members[0]![1].lines;
      expect(first).toHaveLength(9 * 20);
      for (const [, member] of members) expect(member.lines).toEqual(first);
      for (const [, sender] of members) {
        const own = first.filter((l) => l.startsWith(`** ${sender.nick} says`)).map((l) => Number(l.split(" ").at(-1)));
        expect(own).toEqual(Array.from({ length: 20 }, (_, n) => n));
      }
    });
  });

  it("sends a reply only after the member's earlier line came back, even from a slow server", async () => {
    await onVirtualClock(function* () {
      const shared = new MemorySharedChat();
      const slow = server(shared, 50);
      const ada = new FakeMember(1);
      yield* slow.join(ada);
      yield* type(slow, ada, "/me waves", "/nope", "/me again", "/who");
      expect(ada.lines).toEqual([
        "* welcome, you are guest1 - type /help for commands",
        "* guest1 joined #lobby",
        "** guest1 waves",
        "! unknown command /nope (try /help)",
        "** guest1 again",
        "* #lobby has 1 member: guest1",
      ]);
    });
  });

  it("keeps a message from its sender and gives the rest of the room, on both servers, one copy", async () => {
    await onVirtualClock(function* () {
      const shared = new MemorySharedChat();
      const [one, two] = [server(shared, 0), server(shared, 3)];
      const [ada, bob, cyd] = [new FakeMember(1), new FakeMember(1), new FakeMember(2)];
      yield* one.join(ada);
      yield* two.join(bob);
      yield* two.join(cyd);
      yield* type(one, ada, "hello");
      yield* sleep(10);
      expect(ada.lines.filter((l) => l.startsWith("<"))).toEqual([]);
      expect(bob.lines.filter((l) => l.startsWith("<"))).toEqual(["<guest1> hello"]);
      expect(cyd.lines.filter((l) => l.startsWith("<"))).toEqual(["<guest1> hello"]);
    });
  });

  it("answers with a clear error while the shared chat is away, and goes on once it is back", async () => {
    await onVirtualClock(function* () {
      const shared = new MemorySharedChat();
      const hub = server(shared, 0);
      const ada = new FakeMember(1);
      yield* hub.join(ada);
      shared.available = false;
      yield* type(hub, ada, "lost?", "/who");
      expect(ada.lines.slice(-2)).toEqual([
        "! chat service unavailable (the shared chat is not answering); try again",
        "! chat service unavailable (the shared chat is not answering); try again",
      ]);
      shared.available = true;
      yield* type(hub, ada, "/me is back");
      expect(ada.lines.at(-1)).toBe("** guest1 is back");
    });
  });

  it("turns a newcomer away with the error while the shared chat is away", async () => {
    await onVirtualClock(function* () {
      const shared = new MemorySharedChat();
      const hub = server(shared, 0);
      shared.available = false;
      const ada = new FakeMember(1);
      yield* hub.join(ada);
      expect(ada.lines).toEqual(["! chat service unavailable (the shared chat is not answering); try again"]);
      expect(ada.closed).toBe(true);
      expect(hub.handleLine(ada, "hello?")).toBeUndefined();
    });
  });

  it("tells every member once when lines may have been missed", async () => {
    await onVirtualClock(function* () {
      const shared = new MemorySharedChat();
      const hub = new ClusterHub();
      const broker = new MemoryBroker(shared, hub.listener);
      hub.attach(broker);
      const [ada, bob] = [new FakeMember(1), new FakeMember(2)];
      yield* hub.join(ada);
      yield* hub.join(bob);
      broker.simulateMissed();
      expect(ada.lines.at(-1)).toBe("* some messages may have been missed");
      expect(bob.lines.at(-1)).toBe("* some messages may have been missed");
    });
  });
});
