/** The hub in big rooms: quiet rooms, pages, what a line costs, the nickname limit. */
import { describe, expect, it } from "vitest";
import { ChatHub, NICK_BURST, NOTICE_DELIVERIES_PER_TOKEN, REPLY_BYTES_PER_TOKEN } from "../../../src/apps/chat/hub.ts";
import { PAGE_SIZE } from "../../../src/apps/chat/replies.ts";
import { FakeMember, hubWith } from "./fake-member.ts";

describe("a quiet room (more members than quietRoomSize)", () => {
  it("tells joins, leaves and renames once per interval, in one line", () => {
    const { hub, members } = hubWith(3, { quietRoomSize: 3 });
    const [a, b] = members;
    const newcomers = Array.from({ length: 4 }, () => new FakeMember());
    for (const m of newcomers) {
      hub.join(m);
      hub.announce(m);
    }
    hub.leave(b!);
    hub.handleLine(newcomers[0]!, "/nick zed");
    expect(a!.take()).toEqual([]);
    hub.flushCrowdNotices();
    expect(a!.take()).toEqual(["* 4 joined, 1 left, 1 renamed #lobby (6 members)"]);
    expect(newcomers[3]!.lines.at(-1)).toBe("* 4 joined, 1 left, 1 renamed #lobby (6 members)");
    hub.flushCrowdNotices();
    expect(a!.take()).toEqual([]); // Nothing new, nothing said.
  });

  it("still tells each member its own join and rename", () => {
    const { hub } = hubWith(3, { quietRoomSize: 2 });
    const m = new FakeMember();
    hub.join(m);
    hub.handleLine(m, "/nick zed");
    expect(m.lines).toEqual(["* welcome, you are guest4 - type /help for commands", "* guest4 joined #lobby", "* guest4 is now known as zed"]);
  });

  it("keeps today's notices at and below the threshold", () => {
    const { hub, members } = hubWith(2, { quietRoomSize: 3 });
    const m = new FakeMember();
    hub.join(m);
    hub.announce(m); // 3 members: not above 3.
    expect(members[0]!.take()).toEqual(["* guest3 joined #lobby"]);
    hub.leave(m);
    expect(members[0]!.take()).toEqual(["* guest3 left"]);
  });

  it("costs a join the same whatever the room's size", () => {
    let sends = 0;
    const hub = new ChatHub({ quietRoomSize: 100 });
    const count = (m: FakeMember): FakeMember => {
      m.send = () => void sends++;
      return m;
    };
    const sendsPerJoin = (): number => {
      const before = sends;
      const m = count(new FakeMember());
      hub.join(m);
      hub.announce(m);
      return sends - before;
    };
    for (let i = 0; i < 200; i++) sendsPerJoin();
    const at200 = sendsPerJoin();
    for (let i = 0; i < 2000; i++) sendsPerJoin();
    expect(sendsPerJoin()).toBe(at200);
    expect(at200).toBe(2); // The welcome and its own join notice.
  });

  it("forgets the tally of a room that emptied", () => {
    const { hub, members } = hubWith(2, { quietRoomSize: 1 });
    for (const m of members) hub.leave(m);
    const m = new FakeMember();
    hub.join(m);
    m.take();
    hub.flushCrowdNotices();
    expect(m.take()).toEqual([]);
  });
});

describe("paged /who and /rooms", () => {
  it("answers the first page with the total, and points at the next", () => {
    const { hub, members } = hubWith(PAGE_SIZE + 5);
    const a = members[0]!;
    hub.handleLine(a, "/who");
    const lines = a.take();
    expect(lines[0]).toMatch(/^\* #lobby has 105 members: guest1, guest2, .*guest20$/);
    expect(lines).toHaveLength(PAGE_SIZE / 20 + 1);
    expect(lines.at(-1)).toBe("* page 1 of 2: /who 2 for more");
    hub.handleLine(a, "/who 2");
    expect(a.take()).toEqual(["* #lobby has 105 members, page 2 of 2: guest101, guest102, guest103, guest104, guest105"]);
    hub.handleLine(a, "/who 3");
    expect(a.take()).toEqual(["! no page 3: there are 2 pages"]);
  });

  it("pages /rooms the same way", () => {
    const { hub, members } = hubWith(PAGE_SIZE + 1);
    members.forEach((m, i) => hub.handleLine(m, `/join #r${i}`));
    const a = members[0]!;
    a.take();
    hub.handleLine(a, "/rooms 2");
    expect(a.take()).toEqual([`* 101 rooms, page 2 of 2: #r100 (1)`]);
    hub.handleLine(a, "/rooms 1");
    expect(a.take().at(-1)).toBe("* page 1 of 2: /rooms 2 for more");
  });
});

describe("what a line costs", () => {
  it("is 1 for a message, more for a long reply or a notice to many", () => {
    const { hub, members } = hubWith(PAGE_SIZE);
    const a = members[0]!;
    expect(hub.handleLine(a, "hello")).toBe(1);
    a.take();
    const whoCost = hub.handleLine(a, "/who");
    const whoBytes = a.take().reduce((n, line) => n + line.length + 1, 0);
    expect(whoBytes).toBeGreaterThan(REPLY_BYTES_PER_TOKEN);
    expect(whoCost).toBe(1 + Math.floor(whoBytes / REPLY_BYTES_PER_TOKEN));
    expect(hub.handleLine(a, "/help")).toBe(2);
    expect(hub.handleLine(a, "/nick ada")).toBe(1 + Math.floor(PAGE_SIZE / NOTICE_DELIVERIES_PER_TOKEN));
  });
});

describe("nickname changes", () => {
  it("are limited apart from the flood bucket: a burst, then one per 10 s", () => {
    const clock = { t: 0 };
    const { hub, members: [a, b] } = hubWith(2, { now: () => clock.t });
    for (let i = 0; i < NICK_BURST; i++) hub.handleLine(a!, `/nick n${i}`);
    b!.take();
    hub.handleLine(a!, "/nick late");
    expect(a!.take().at(-1)).toBe("! slow down: too many nickname changes, try again in a few seconds");
    expect(b!.take()).toEqual([]);
    expect(a!.nick).toBe(`n${NICK_BURST - 1}`);
    clock.t += 10_000;
    hub.handleLine(a!, "/nick late");
    expect(a!.nick).toBe("late");
  });
});
