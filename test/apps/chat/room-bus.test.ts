import { describe, expect, it } from "vitest";
import { ChatHub } from "../../../src/apps/chat/hub.ts";
import type { Deliver, RoomBusFactory } from "../../../src/apps/chat/room-bus.ts";
import { FakeMember } from "./fake-member.ts";

/** A bus that holds every published line until `flush()`, as a broker would. */
function heldBus(): { factory: RoomBusFactory; published: [string, string, number | undefined][]; flush: () => void } {
  const published: [string, string, number | undefined][] = [];
  let deliver: Deliver = () => {};
  const factory: RoomBusFactory = (d) => {
    deliver = d;
    return { publish: (room, line, exceptId) => void published.push([room, line, exceptId]) };
  };
  const flush = (): void => {
    for (const [room, line, exceptId] of published.splice(0)) deliver(room, line, exceptId);
  };
  return { factory, published, flush };
}

/** A hub on `bus` with two members, joined and announced. */
function twoMembers(bus: RoomBusFactory): { hub: ChatHub; a: FakeMember; b: FakeMember } {
  const hub = new ChatHub({ bus });
  const a = new FakeMember();
  const b = new FakeMember();
  for (const m of [a, b]) {
    hub.join(m);
    hub.announce(m);
  }
  return { hub, a, b };
}

describe("the room bus", () => {
  it("carries every room-wide line, and only those", () => {
    const bus = heldBus();
    const { hub, a, b } = twoMembers(bus.factory);
    hub.handleLine(a, "hello");
    hub.handleLine(a, "/me waves");
    hub.handleLine(a, "/msg guest2 psst");
    hub.handleLine(b, "/nick bob");
    hub.handleLine(b, "/join #rust");
    hub.leave(a, "quit");
    expect(bus.published).toEqual([
      ["#lobby", "* guest1 joined #lobby", a.id],
      ["#lobby", "* guest2 joined #lobby", b.id],
      ["#lobby", "<guest1> hello", a.id],
      ["#lobby", "** guest1 waves", undefined],
      ["#lobby", "* guest2 is now known as bob", undefined],
      ["#lobby", "* bob left #lobby", b.id],
      ["#rust", "* bob joined #rust", b.id],
      ["#lobby", "* guest1 left (quit)", a.id],
    ]);
    // Nothing room-wide reached anyone before the bus delivered it.
    expect(a.lines).toEqual(["* welcome, you are guest1 - type /help for commands", "* guest1 joined #lobby", "* to guest2: psst"]);
  });

  it("delivers what comes back to the room's local members, the sender excepted", () => {
    const bus = heldBus();
    const { hub, a, b } = twoMembers(bus.factory);
    bus.flush();
    a.take();
    b.take();
    hub.handleLine(a, "hello");
    expect(b.lines).toEqual([]);
    bus.flush();
    expect(a.take()).toEqual([]);
    expect(b.take()).toEqual(["<guest1> hello"]);
  });

  it("runs a member's leave caused during a delivery after that delivery", () => {
    let deliver: Deliver = () => {};
    const hub = new ChatHub({
      bus: (d) => {
        deliver = d;
        return { publish: () => {} };
      },
    });
    const order: string[] = [];
    const a = new FakeMember();
    const b = new FakeMember();
    hub.join(a);
    hub.join(b);
    // a drops itself on the next line it is sent, as a slow reader would.
    a.send = (line) => {
      order.push(`a ${line}`);
      hub.leave(a, "slow");
    };
    b.send = (line) => void order.push(`b ${line}`);
    deliver("#lobby", "x");
    expect(order).toEqual(["a x", "b x"]);
  });
});
