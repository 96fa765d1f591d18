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
          hub.announce(member); // As the server does after the admission delay.
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

/** A server as ChatServer builds it, with a small quiet room size for crowd tests. */
function crowdServer(shared: MemorySharedChat, quietRoomSize: number, delayMs = 0): ClusterHub {
  const hub = new ClusterHub();
  hub.attach(new MemoryBroker(shared, hub.listener, { delayMs, quietRoomSize }));
  return hub;
}

describe("ClusterHub crowd features on in-memory brokers", () => {
  it("announces a newcomer at its first line or when the server says so, once; never for /ping or one that leaves first", async () => {
    await onVirtualClock(function* () {
      const shared = new MemorySharedChat();
      const [one, two] = [server(shared, 0), server(shared, 2)];
      const ada = new FakeMember(1);
      yield* one.join(ada);
      one.announce(ada);
      const [probe, quiet, talker] = [new FakeMember(1), new FakeMember(2), new FakeMember(3)];
      for (const member of [probe, quiet, talker]) yield* two.join(member);
      expect(probe.lines).toEqual([`* welcome, you are ${probe.nick} - type /help for commands`, `* ${probe.nick} joined #lobby`]);
      yield* type(two, probe, "/ping");
      expect(probe.lines.at(-1)).toBe("* pong");
      two.leave(probe);
      yield* type(two, talker, "hi");
      two.announce(quiet); // The admission delay is over.
      two.announce(quiet);
      yield* sleep(10);
      expect(ada.lines.filter((l) => l.endsWith("joined #lobby"))).toEqual([`* ${ada.nick} joined #lobby`, `* ${talker.nick} joined #lobby`, `* ${quiet.nick} joined #lobby`]);
      expect(ada.lines).toContain(`<${talker.nick}> hi`);
      expect(ada.lines.indexOf(`* ${talker.nick} joined #lobby`)).toBeLessThan(ada.lines.indexOf(`<${talker.nick}> hi`));
      expect(ada.lines.join("\n")).not.toContain(probe.nick); // Neither joined nor left.
      expect(talker.lines.filter((l) => l === `* ${talker.nick} joined #lobby`)).toHaveLength(1); // Its own copy only.
    });
  });

  it("renames a newcomer quietly, then announces it under its new name only", async () => {
    await onVirtualClock(function* () {
      const shared = new MemorySharedChat();
      const [one, two] = [server(shared, 0), server(shared, 1)];
      const ada = new FakeMember(1);
      yield* one.join(ada);
      one.announce(ada);
      yield* sleep(5);
      const bob = new FakeMember(1);
      yield* two.join(bob);
      const guest = bob.nick;
      yield* type(two, bob, "/nick bob");
      yield* sleep(5);
      expect(bob.lines.at(-1)).toBe(`* ${guest} is now known as bob`);
      expect(ada.lines.at(-1)).toBe("* bob joined #lobby");
      expect(ada.lines.join("\n")).not.toContain(guest);
    });
  });

  it("tallies joins, leaves and renames of a quiet room across servers and tells it once, whichever servers flush", async () => {
    await onVirtualClock(function* () {
      const shared = new MemorySharedChat();
      const [one, two] = [crowdServer(shared, 3), crowdServer(shared, 3, 2)];
      const members: [ClusterHub, FakeMember][] = [];
      for (let i = 0; i < 6; i++) {
        const hub = i % 2 === 0 ? one : two;
        const member = new FakeMember(i);
        yield* hub.join(member);
        yield* type(hub, member, "/me arrives");
        members.push([hub, member]);
      }
      const [first] = members[0]!;
      const watcher = members[0]![1];
      // Members 1 to 3 were told one by one (the room had 3 or fewer); 4 to 6 are tallied.
      expect(watcher.lines.filter((l) => / joined #lobby$/.test(l))).toHaveLength(1 + 2);
      yield* type(members[5]![0], members[5]![1], "/nick renamed5");
      members[4]![0].leave(members[4]![1]);
      yield* sleep(5);
      watcher.lines.length = 0;
      first.flushCrowdNotices();
      two.flushCrowdNotices(); // Both servers flush: the tally is told once.
      yield* sleep(10);
      const crowd = "* 3 joined, 1 left, 1 renamed #lobby (5 members)";
      for (const [, member] of members.slice(0, 4)) expect(member.lines.filter((l) => l === crowd)).toHaveLength(1);
      expect(watcher.lines).toEqual([crowd]);
      expect(members[5]![1].lines).toContain("* guest6 is now known as renamed5"); // Its own copy.
    });
  });

  it("limits nickname changes to 3 at once, then one per 10 s; a taken name costs no change", async () => {
    await onVirtualClock(function* () {
      const shared = new MemorySharedChat();
      const [one, two] = [server(shared, 0), server(shared, 0)];
      const [ada, bob] = [new FakeMember(1), new FakeMember(1)];
      yield* one.join(ada);
      yield* two.join(bob);
      yield* type(two, bob, "/nick bob");
      yield* type(one, ada, "/nick bob", "/nick a1", "/nick a2", "/nick a3", "/nick a4");
      expect(ada.lines.slice(-5)).toEqual([
        "! nickname bob is taken",
        "* guest1 is now known as a1",
        "* a1 is now known as a2",
        "* a2 is now known as a3",
        "! slow down: too many nickname changes, try again in a few seconds",
      ]);
      yield* sleep(10_000);
      yield* type(one, ada, "/nick a4");
      expect(ada.lines.at(-1)).toBe("* a3 is now known as a4");
    });
  });

  it("charges a line what ChatHub charges: 1, and more for long replies", async () => {
    await onVirtualClock(function* () {
      const shared = new MemorySharedChat();
      const hub = server(shared, 0);
      const ada = new FakeMember(1);
      yield* hub.join(ada);
      expect(yield* hub.handleLine(ada, "hello")!).toBe(1);
      expect(yield* hub.handleLine(ada, "/help")!).toBe(2); // ~600 bytes of help.
    });
  });

  it("pages /who over members on every server, and says when a page is past the last", async () => {
    await onVirtualClock(function* () {
      const shared = new MemorySharedChat();
      const [one, two] = [server(shared, 0), server(shared, 0)];
      const all: FakeMember[] = [];
      for (let i = 0; i < 130; i++) {
        const member = new FakeMember(i);
        yield* (i % 2 === 0 ? one : two).join(member);
        all.push(member);
      }
      const ada = all[0]!;
      yield* type(one, ada, "/who 2");
      const page = ada.lines.slice(2);
      expect(page).toHaveLength(2);
      expect(page[0]).toBe(`* #lobby has 130 members, page 2 of 2: ${all.slice(100, 120).map((m) => m.nick).join(", ")}`);
      expect(page[1]).toBe(`* ${all.slice(120).map((m) => m.nick).join(", ")}`);
      yield* type(one, ada, "/who 3", "/rooms 2");
      expect(ada.lines.slice(-2)).toEqual(["! no page 3: there are 2 pages", "! no page 2: there is 1 page"]);
    });
  });

  it("gives a member joining a busy room on a slower server its history, then every later line live: each once, in order", async () => {
    await onVirtualClock(function* () {
      const shared = new MemorySharedChat();
      const at = Date.UTC(2026, 0, 1, 14, 2);
      const hub = (delayMs: number): ClusterHub => {
        const h = new ClusterHub();
        h.attach(new MemoryBroker(shared, h.listener, { delayMs, historyLines: 5, wallClock: () => at }));
        return h;
      };
      const [one, two] = [hub(0), hub(7)];
      const [ada, bob] = [new FakeMember(1), new FakeMember(2)];
      yield* one.join(ada);
      yield* two.join(bob);
      yield* type(one, ada, "/join #talk");
      const talking = (function* (): Coro<void> {
        for (let n = 0; n < 30; n++) {
          yield* type(one, ada, `/me says ${n}`);
          yield* sleep(1);
        }
      })();
      const joining = (function* (): Coro<void> {
        yield* sleep(12); // Mid-flood: some lines before the entry, some after, some in flight on the slow server.
        bob.lines.length = 0;
        yield* type(two, bob, "/join #talk");
      })();
      yield* gather(talking, joining);
      yield* sleep(20);
      const [notice, ...rest] = bob.lines;
      expect(notice).toBe("* guest2 joined #talk");
      const replayed = rest.filter((l) => l.startsWith("~ "));
      expect(replayed).toHaveLength(5);
      expect(rest.slice(0, 5)).toEqual(replayed); // The history first, then the live lines.
      for (const l of replayed) expect(l).toMatch(/^~ 14:02 \*\* guest1 says \d+$/);
      const said = rest.map((l) => Number(l.split(" ").at(-1)));
      const first = said[0]!;
      expect(first).toBeGreaterThan(0); // Some lines fell out of the 5 kept.
      expect(said).toEqual(Array.from({ length: 30 - first }, (_, k) => first + k));
    });
  });

  it("replays #lobby's history to a newcomer, and none with historyLines 0", async () => {
    await onVirtualClock(function* () {
      for (const historyLines of [20, 0]) {
        const shared = new MemorySharedChat();
        const one = new ClusterHub();
        one.attach(new MemoryBroker(shared, one.listener, { historyLines, wallClock: () => Date.UTC(2026, 0, 1, 9, 30) }));
        const [ada, bob] = [new FakeMember(1), new FakeMember(2)];
        yield* one.join(ada);
        yield* type(one, ada, "good morning");
        yield* one.join(bob);
        expect(bob.lines.slice(1)).toEqual(["* guest2 joined #lobby", ...(historyLines > 0 ? ["~ 09:30 <guest1> good morning"] : [])]);
      }
    });
  });
});
