/** The hub's operators, owners, mutes and bans without sockets, on a hand-moved clock. */
import { describe, expect, it } from "vitest";
import { ChatHub } from "../../../src/apps/chat/hub.ts";
import { FakeMember } from "./fake-member.ts";

class AddressedMember extends FakeMember {
  constructor(readonly address: string) {
    super();
  }
}

function setUp(...addresses: string[]) {
  const clock = { now: 0 };
  const hub = new ChatHub({ now: () => clock.now, wallClock: () => Date.UTC(2026, 0, 1, 9, 30), operPassword: "pw" });
  const members = addresses.map((a) => new AddressedMember(a));
  for (const m of members) {
    hub.join(m);
    hub.announce(m);
  }
  for (const m of members) m.take();
  return { hub, clock, members };
}

describe("ChatHub: guard", () => {
  it("a mute for some minutes ends by itself", () => {
    const { hub, clock, members: [op, bob, cy] } = setUp("10.0.0.1", "10.0.0.2", "10.0.0.3");
    hub.handleLine(op!, "/oper pw");
    hub.handleLine(op!, "/mute guest2 2");
    expect(op!.take()).toEqual(["* you are now an operator", "* muted guest2 for 2 minutes"]);
    expect(bob!.take()).toEqual(["* you were muted by guest1 for 2 minutes"]);
    clock.now = 60_000;
    hub.handleLine(bob!, "hi");
    expect(bob!.take()).toEqual(["! you are muted for 1 more minute"]);
    clock.now = 120_000;
    hub.handleLine(bob!, "hi again");
    expect(cy!.take()).toEqual(["<guest2> hi again"]);
  });

  it("a room's owner is whoever made it, while it stays; then only operators manage it", () => {
    const { hub, members: [ada, bob] } = setUp("10.0.0.1", "10.0.0.2");
    hub.handleLine(ada!, "/join #den");
    hub.handleLine(bob!, "/join #den");
    hub.handleLine(ada!, "/join #lobby");
    ada!.take();
    bob!.take();
    hub.handleLine(bob!, "/topic mine");
    expect(bob!.take()).toEqual(["! only the owner of #den or an operator may do that"]);
  });

  it("a ban by address closes every member from it and lasts its minutes", () => {
    const { hub, clock, members: [op, a1, a2, other] } = setUp("10.0.0.1", "10.0.0.9", "10.0.0.9", "10.0.0.3");
    hub.handleLine(op!, "/oper pw");
    hub.handleLine(op!, "/ban 10.0.0.9 1");
    expect(a1!.closes).toEqual(["banned"]);
    expect(a2!.closes).toEqual(["banned"]);
    expect(other!.closes).toEqual([]);
    expect(op!.take().at(-1)).toBe("* banned 10.0.0.9 for 1 minute (2 connections closed)");
    expect(hub.isBanned("10.0.0.9")).toBe(true);
    clock.now = 60_000;
    expect(hub.isBanned("10.0.0.9")).toBe(false);
  });

  it("keeps history per room and replays it with the topic on /join", () => {
    const { hub, members: [ada, bob] } = setUp("10.0.0.1", "10.0.0.2");
    hub.handleLine(ada!, "/join #den");
    hub.handleLine(ada!, "/topic tea");
    hub.handleLine(ada!, "hello");
    hub.handleLine(ada!, "/msg guest2 not kept");
    bob!.take();
    hub.handleLine(bob!, "/join #den");
    expect(bob!.take()).toEqual(["* guest2 joined #den", "* topic of #den: tea", "~ 09:30 <guest1> hello"]);
  });
});
