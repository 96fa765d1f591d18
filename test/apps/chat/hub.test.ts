import { describe, expect, it } from "vitest";
import {
  ChatHub,
  floodNotice,
  lineTooLong,
  serverFull,
  SLOW_READER_REASON,
  slowReaderLeft,
} from "../../../src/apps/chat/hub.ts";
import { FakeMember, hubWith } from "./fake-member.ts";

describe("ChatHub.join", () => {
  it("welcomes a newcomer with a guest nickname and /help, then joins #lobby", () => {
    const hub = new ChatHub();
    const a = new FakeMember();
    hub.join(a);
    expect(a.nick).toBe("guest1");
    expect(a.room).toBe("#lobby");
    expect(a.lines[0]).toBe("* welcome, you are guest1 - type /help for commands");
    expect(a.lines[0]).toMatch(/^\* .*guest1.*\/help/);
    expect(a.lines.slice(1)).toEqual(["* guest1 joined #lobby"]);
  });

  it("tells the lobby about the newcomer when it is announced, once", () => {
    const { hub, members: [a] } = hubWith(1);
    const b = new FakeMember();
    hub.join(b);
    expect(a!.take()).toEqual([]);
    hub.announce(b);
    hub.announce(b);
    expect(a!.take()).toEqual(["* guest2 joined #lobby"]);
    expect(b.lines).toEqual(["* welcome, you are guest2 - type /help for commands", "* guest2 joined #lobby"]);
  });

  it("puts the newcomer in the room at once: it receives before it is announced", () => {
    const { hub, members: [a] } = hubWith(1);
    const b = new FakeMember();
    hub.join(b);
    b.take();
    hub.handleLine(a!, "hi");
    expect(b.take()).toEqual(["<guest1> hi"]);
  });

  it("announces the newcomer before handling its first line", () => {
    const { hub, members: [a] } = hubWith(1);
    const b = new FakeMember();
    hub.join(b);
    hub.handleLine(b, "hello");
    expect(a!.take()).toEqual(["* guest2 joined #lobby", "<guest2> hello"]);
  });

  it("never announces a probe: /ping is answered * pong and the room sees nothing", () => {
    const { hub, members: [a] } = hubWith(1);
    const probe = new FakeMember();
    hub.join(probe);
    hub.handleLine(probe, "/ping");
    hub.leave(probe);
    expect(probe.lines.at(-1)).toBe("* pong");
    expect(a!.take()).toEqual([]);
  });

  it("never announces a newcomer that leaves or quits before it was announced", () => {
    const { hub, members: [a] } = hubWith(1);
    const b = new FakeMember();
    const c = new FakeMember();
    hub.join(b);
    hub.join(c);
    hub.leave(b);
    hub.handleLine(c, "/quit bye");
    expect(c.lines.at(-1)).toBe("* goodbye");
    expect(a!.take()).toEqual([]);
  });

  it("announces a first /nick under the new name only", () => {
    const { hub, members: [a] } = hubWith(1);
    const b = new FakeMember();
    hub.join(b);
    b.take();
    hub.handleLine(b, "/nick bob");
    expect(b.take()).toEqual(["* guest2 is now known as bob"]);
    expect(a!.take()).toEqual(["* bob joined #lobby"]);
  });

  it("announces a first /join in the new room only", () => {
    const { hub, members: [a] } = hubWith(1);
    hub.handleLine(a!, "/join #rust");
    a!.take();
    const b = new FakeMember();
    hub.join(b);
    hub.handleLine(b, "/join #rust");
    expect(a!.take()).toEqual(["* guest2 joined #rust"]);
  });

  it("skips a guest nickname someone took with /nick", () => {
    const { hub, members: [a] } = hubWith(1);
    hub.handleLine(a!, "/nick Guest2");
    const b = new FakeMember();
    hub.join(b);
    expect(b.nick).toBe("guest3");
  });

  it("refuses the same member twice", () => {
    const { hub, members: [a] } = hubWith(1);
    expect(() => hub.join(a!)).toThrow(/already joined/);
  });
});

describe("messages", () => {
  it("go to every other member of the room, not back to the sender", () => {
    const { hub, members: [a, b, c] } = hubWith(3);
    hub.handleLine(a!, "hello");
    expect(a!.take()).toEqual([]);
    expect(b!.take()).toEqual(["<guest1> hello"]);
    expect(c!.take()).toEqual(["<guest1> hello"]);
  });

  it("keep one order for all members", () => {
    const { hub, members: [a, b, c] } = hubWith(3);
    hub.handleLine(a!, "1");
    hub.handleLine(b!, "2");
    hub.handleLine(a!, "3");
    expect(c!.take()).toEqual(["<guest1> 1", "<guest2> 2", "<guest1> 3"]);
    expect(b!.take()).toEqual(["<guest1> 1", "<guest1> 3"]);
  });

  it("are stripped of controls and escape sequences", () => {
    const { hub, members: [a, b] } = hubWith(2);
    hub.handleLine(a!, "\x1b[2J\x1b]0;pwned\x07hi\x07 there\u009b31m!");
    expect(b!.take()).toEqual(["<guest1> hi there!"]);
  });

  it("cannot fake a new screen row, reverse a line or hide text: whitespace runs collapsed, bidi and zero-width stripped", () => {
    const { hub, members: [a, b] } = hubWith(2);
    hub.handleLine(a!, `hi${" ".repeat(300)}<admin> please run this`);
    hub.handleLine(a!, "\u202Egnp.exe\u2028next\u2029line");
    hub.handleLine(a!, "/me \u2066waves\u2069\t\t\tslowly");
    hub.handleLine(a!, "/msg guest2 se\u200Bcret");
    expect(b!.take()).toEqual([
      "<guest1> hi <admin> please run this",
      "<guest1> gnp.exe next line",
      "** guest1 waves slowly",
      "[guest1] secret",
    ]);
  });

  it("ignores empty lines and lines that are only escapes", () => {
    const { hub, members: [a, b] } = hubWith(2);
    hub.handleLine(a!, "");
    hub.handleLine(a!, "  ");
    hub.handleLine(a!, "\x1b[0m");
    expect(a!.take()).toEqual([]);
    expect(b!.take()).toEqual([]);
  });

  it("send //text as /text", () => {
    const { hub, members: [a, b] } = hubWith(2);
    hub.handleLine(a!, "//shrug");
    expect(b!.take()).toEqual(["<guest1> /shrug"]);
  });

  it("stay in their room", () => {
    const { hub, members: [a, b, c] } = hubWith(3);
    hub.handleLine(c!, "/join #other");
    b!.take();
    hub.handleLine(a!, "lobby only");
    hub.handleLine(c!, "other only");
    expect(b!.take()).toEqual(["<guest1> lobby only"]);
    expect(c!.take()).toEqual(["* guest3 joined #other"]);
    expect(a!.take()).toEqual(["* guest3 left #lobby"]);
  });

  it("cost one send per recipient, each the same line, and none to the sender", () => {
    const { hub, members } = hubWith(50);
    hub.handleLine(members[0]!, "x");
    const received = members.slice(1).map((m) => m.take());
    expect(received).toEqual(Array(49).fill([`<${members[0]!.nick}> x`]));
    expect(members[0]!.take()).toEqual([]);
  });
});

describe("/nick", () => {
  it("renames, telling the room and the user the new name", () => {
    const { hub, members: [a, b] } = hubWith(2);
    hub.handleLine(a!, "/nick alice");
    expect(a!.nick).toBe("alice");
    expect(a!.take()).toEqual(["* guest1 is now known as alice"]);
    expect(b!.take()).toEqual(["* guest1 is now known as alice"]);
    hub.handleLine(a!, "hi");
    expect(b!.take()).toEqual(["<alice> hi"]);
  });

  it("gives the name inside escape codes", () => {
    const { hub, members: [a] } = hubWith(1);
    hub.handleLine(a!, "/nick \x1b[31mbob\x1b[0m");
    expect(a!.nick).toBe("bob");
  });

  it("strips zero-width and bidi characters from a nickname, so a look-alike is the same name", () => {
    const { hub, members: [a, b] } = hubWith(2);
    hub.handleLine(a!, "/nick admin");
    hub.handleLine(b!, "/nick ad\u200Bmin\u202E");
    expect(b!.take().at(-1)).toBe("! nickname admin is taken");
    hub.handleLine(b!, "/nick \u2066bob\uFEFF");
    expect(b!.take()).toEqual(["* guest2 is now known as bob"]);
  });

  it("refuses 25 characters and bad characters", () => {
    const { hub, members: [a] } = hubWith(1);
    hub.handleLine(a!, `/nick ${"a".repeat(25)}`);
    hub.handleLine(a!, "/nick b@d");
    expect(a!.take()).toEqual([
      "! nickname is longer than 24 characters",
      "! nickname may only contain ASCII letters, digits, _ and -",
    ]);
    expect(a!.nick).toBe("guest1");
    hub.handleLine(a!, `/nick ${"a".repeat(24)}`);
    expect(a!.nick).toBe("a".repeat(24));
  });

  it("refuses a nickname held by someone else, case-insensitively", () => {
    const { hub, members: [a, b] } = hubWith(2);
    hub.handleLine(a!, "/nick Alice");
    b!.take();
    hub.handleLine(b!, "/nick aLICE");
    expect(b!.take()).toEqual(["! nickname aLICE is taken"]);
    expect(b!.nick).toBe("guest2");
  });

  it("lets a member change the case of its own nickname", () => {
    const { hub, members: [a] } = hubWith(1);
    hub.handleLine(a!, "/nick alice");
    hub.handleLine(a!, "/nick Alice");
    expect(a!.nick).toBe("Alice");
    hub.handleLine(a!, "/nick Alice");
    expect(a!.take()).toEqual([
      "* guest1 is now known as alice",
      "* alice is now known as Alice",
      "* you are already Alice",
    ]);
  });

  it("frees the old nickname", () => {
    const { hub, members: [a, b] } = hubWith(2);
    hub.handleLine(a!, "/nick alice");
    hub.handleLine(b!, "/nick guest1");
    expect(b!.nick).toBe("guest1");
  });

  it("frees a nickname as soon as its holder leaves", () => {
    const { hub, members: [a, b] } = hubWith(2);
    hub.handleLine(a!, "/nick alice");
    hub.leave(a!);
    hub.handleLine(b!, "/nick ALICE");
    expect(b!.nick).toBe("ALICE");
  });
});

describe("rooms", () => {
  it("/join tells the old room and the new room, the user included", () => {
    const { hub, members: [a, b, c] } = hubWith(3);
    hub.handleLine(c!, "/join #rust");
    hub.handleLine(b!, "/join #rust");
    expect(a!.take()).toEqual(["* guest3 left #lobby", "* guest2 left #lobby"]);
    expect(c!.take()).toEqual(["* guest3 joined #rust", "* guest2 joined #rust"]);
    expect(b!.take()).toEqual(["* guest3 left #lobby", "* guest2 joined #rust"]);
    expect(b!.room).toBe("#rust");
  });

  it("matches room names case-insensitively, keeping the first spelling", () => {
    const { hub, members: [a, b] } = hubWith(2);
    hub.handleLine(a!, "/join #Rust");
    hub.handleLine(b!, "/join #RUST");
    expect(b!.room).toBe("#Rust");
    expect(b!.take()).toEqual(["* guest1 left #lobby", "* guest2 joined #Rust"]);
  });

  it("/join of one's own room changes nothing", () => {
    const { hub, members: [a, b] } = hubWith(2);
    hub.handleLine(a!, "/join #LOBBY");
    expect(a!.take()).toEqual(["* you are already in #lobby"]);
    expect(b!.take()).toEqual([]);
  });

  it("/rooms lists the rooms with their member counts", () => {
    const { hub, members: [a, b, c] } = hubWith(3);
    hub.handleLine(c!, "/join #rust");
    a!.take();
    hub.handleLine(a!, "/rooms");
    expect(a!.take()).toEqual(["* 2 rooms: #lobby (2), #rust (1)"]);
    hub.handleLine(b!, "/join #rust");
    hub.handleLine(a!, "/join #rust");
    hub.handleLine(a!, "/rooms");
    expect(a!.take().at(-1)).toBe("* 1 room: #rust (3)");
  });

  it("/who lists the members of one's room", () => {
    const { hub, members: [a, b, c] } = hubWith(3);
    hub.handleLine(c!, "/join #rust");
    hub.handleLine(a!, "/nick alice");
    a!.take();
    c!.take();
    hub.handleLine(a!, "/who");
    expect(a!.take()).toEqual(["* #lobby has 2 members: alice, guest2"]);
    hub.handleLine(c!, "/who");
    expect(c!.take()).toEqual(["* #rust has 1 member: guest3"]);
    expect(b!.take()).toEqual(["* guest3 left #lobby", "* guest1 is now known as alice"]);
  });

  it("/who splits a long list over several notice lines", () => {
    const { hub, members } = hubWith(45);
    hub.handleLine(members[0]!, "/who");
    const lines = members[0]!.take();
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.startsWith("* "))).toBe(true);
    expect(lines[0]).toMatch(/^\* #lobby has 45 members: guest1, .*guest20$/);
    expect(lines[2]).toBe("* guest41, guest42, guest43, guest44, guest45");
  });
});

describe("/msg", () => {
  it("sends [nick] text to the target only and confirms to the sender", () => {
    const { hub, members: [a, b, c] } = hubWith(3);
    hub.handleLine(c!, "/join #elsewhere");
    for (const m of [a!, b!, c!]) m.take();
    hub.handleLine(a!, "/msg GUEST3  psst \x1b[5mhey");
    expect(c!.take()).toEqual(["[guest1] psst hey"]);
    expect(a!.take()).toEqual(["* to guest3: psst hey"]);
    expect(b!.take()).toEqual([]);
  });

  it("answers ! no such nick for an unknown nickname", () => {
    const { hub, members: [a] } = hubWith(1);
    hub.handleLine(a!, "/msg nobody hi");
    expect(a!.take()).toEqual(["! no such nick nobody"]);
  });
});

describe("/me, /help and errors", () => {
  it("/me goes to the whole room, the sender included", () => {
    const { hub, members: [a, b] } = hubWith(2);
    hub.handleLine(a!, "/me waves");
    expect(a!.take()).toEqual(["** guest1 waves"]);
    expect(b!.take()).toEqual(["** guest1 waves"]);
  });

  it("/help answers with notice lines naming every command", () => {
    const { hub, members: [a] } = hubWith(1);
    hub.handleLine(a!, "/help");
    const lines = a!.take();
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.every((l) => l.startsWith("* "))).toBe(true);
    for (const cmd of ["/nick", "/join", "/rooms", "/who", "/msg", "/me", "/quit", "/help", "//"]) {
      expect(lines.join("\n")).toContain(cmd);
    }
  });

  it("answers an unknown command with an error, to the sender only", () => {
    const { hub, members: [a, b] } = hubWith(2);
    hub.handleLine(a!, "/x");
    expect(a!.take()).toEqual(["! unknown command /x (try /help)"]);
    expect(b!.take()).toEqual([]);
  });

  it("answers each line in order, synchronously", () => {
    const { hub, members: [a] } = hubWith(1);
    for (const line of ["/who", "/nick z", "/me x", "/bogus"]) hub.handleLine(a!, line);
    expect(a!.take()).toEqual([
      "* #lobby has 1 member: guest1",
      "* guest1 is now known as z",
      "** z x",
      "! unknown command /bogus (try /help)",
    ]);
  });
});

describe("leaving", () => {
  it("/quit tells the room the reason and closes the member", () => {
    const { hub, members: [a, b] } = hubWith(2);
    hub.handleLine(a!, "/quit see you");
    expect(b!.take()).toEqual(["* guest1 left (quit: see you)"]);
    expect(a!.take()).toEqual(["* goodbye"]);
    expect(a!.closes).toEqual(["quit: see you"]);
  });

  it("/quit without a reason", () => {
    const { hub, members: [a, b] } = hubWith(2);
    hub.handleLine(a!, "/quit");
    expect(b!.take()).toEqual(["* guest1 left (quit)"]);
  });

  it("sends the leave notice exactly once, also after /quit", () => {
    const { hub, members: [a, b, c] } = hubWith(3);
    hub.leave(a!);
    hub.leave(a!);
    hub.handleLine(c!, "/quit");
    hub.leave(c!);
    expect(b!.take()).toEqual(["* guest1 left", "* guest3 left (quit)"]);
  });

  it("ignores lines from a member that left", () => {
    const { hub, members: [a, b] } = hubWith(2);
    hub.leave(a!);
    b!.take();
    hub.handleLine(a!, "still here?");
    expect(b!.take()).toEqual([]);
  });

  it("shows the reason given by the server", () => {
    const { hub, members: [a, b] } = hubWith(2);
    hub.leave(a!, SLOW_READER_REASON);
    expect(b!.take()).toEqual([slowReaderLeft("guest1")]);
  });

  it("keeps one order when send() disconnects a slow reader mid fan-out", () => {
    const hub = new ChatHub();
    const [a, b, c, d] = [new FakeMember(), new FakeMember(), new FakeMember(), new FakeMember()];
    for (const m of [a, b, c, d]) {
      hub.join(m);
      hub.announce(m);
    }
    // b's queue "overflows" on the next message: the server leaves it at once.
    b.send = (line) => {
      if (line.startsWith("<")) hub.leave(b, SLOW_READER_REASON);
    };
    for (const m of [a, c, d]) m.take();
    hub.handleLine(a, "flood");
    const expected = ["<guest1> flood", slowReaderLeft("guest2")];
    expect(c.take()).toEqual(expected);
    expect(d.take()).toEqual(expected);
    expect(a.take()).toEqual([slowReaderLeft("guest2")]);
  });

  it("drops an empty room", () => {
    const { hub, members: [a, b] } = hubWith(2);
    hub.handleLine(a!, "/join #tmp");
    hub.leave(a!);
    hub.handleLine(b!, "/rooms");
    expect(b!.take().at(-1)).toBe("* 1 room: #lobby (1)");
  });
});

describe("shutdown", () => {
  it("tells everyone, closes them, and forgets them", () => {
    const { hub, members: [a, b] } = hubWith(2);
    hub.handleLine(b!, "/join #x");
    a!.take();
    b!.take();
    hub.shutdown();
    for (const m of [a!, b!]) {
      expect(m.take()).toEqual(["* server shutting down"]);
      expect(m.closes).toEqual(["* server shutting down"]);
    }
    hub.leave(a!);
    expect(b!.take()).toEqual([]);
  });

  it("turns away a newcomer after shutdown", () => {
    const hub = new ChatHub();
    hub.shutdown();
    const a = new FakeMember();
    hub.join(a);
    expect(a.take()).toEqual(["* server shutting down"]);
    expect(a.closes).toHaveLength(1);
  });
});

describe("builders for the server", () => {
  it("word the server's own errors and notices", () => {
    expect(lineTooLong(4096)).toBe("! line too long (max 4096 bytes)");
    expect(serverFull()).toBe("! server full");
    expect(floodNotice()).toMatch(/^! slow down/);
    expect(slowReaderLeft("bob")).toBe("* bob left (disconnected: not reading fast enough)");
  });
});
