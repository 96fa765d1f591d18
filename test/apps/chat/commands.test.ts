import { describe, expect, it } from "vitest";
import { announcesSender, immediateReply, parseCommand } from "../../../src/apps/chat/commands.ts";
import { HELP, PONG } from "../../../src/apps/chat/replies.ts";

describe("parseCommand", () => {
  it("ignores empty and blank lines", () => {
    expect(parseCommand("")).toBeUndefined();
    expect(parseCommand("   \t ")).toBeUndefined();
  });

  it("takes a plain line as a message, kept as typed", () => {
    expect(parseCommand("hello")).toEqual({ kind: "message", text: "hello" });
    expect(parseCommand("  indented  ")).toEqual({ kind: "message", text: "  indented  " });
  });

  it("takes //text as the message /text", () => {
    expect(parseCommand("//text")).toEqual({ kind: "message", text: "/text" });
    expect(parseCommand("// x")).toEqual({ kind: "message", text: "/ x" });
  });

  it.each([
    ["/nick bob", { kind: "nick", name: "bob" }],
    ["/NICK  bob ", { kind: "nick", name: "bob" }],
    ["/join #rust", { kind: "join", room: "#rust", key: "" }],
    ["/join #rust s3cret", { kind: "join", room: "#rust", key: "s3cret" }],
    ["/rooms", { kind: "rooms", page: 1 }],
    ["/rooms 3", { kind: "rooms", page: 3 }],
    ["/who", { kind: "who", page: 1 }],
    ["/who 2", { kind: "who", page: 2 }],
    ["/ping", { kind: "ping" }],
    ["/pong 3fa9", { kind: "pong", token: "3fa9" }],
    ["/oper  hunter2 ", { kind: "oper", password: "hunter2" }],
    ["/kick bob  go away", { kind: "kick", nick: "bob", reason: "go away" }],
    ["/ban 10.0.0.7 30", { kind: "ban", target: "10.0.0.7", minutes: 30 }],
    ["/ban bob", { kind: "ban", target: "bob", minutes: undefined }],
    ["/mute bob 5", { kind: "mute", nick: "bob", minutes: 5 }],
    ["/unban 10.0.0.7", { kind: "unban", target: "10.0.0.7" }],
    ["/wall  hello all", { kind: "wall", text: "hello all" }],
    ["/topic", { kind: "topic", text: "" }],
    ["/key", { kind: "key", key: "" }],
    ["/msg bob  hi there ", { kind: "msg", nick: "bob", text: "hi there" }],
    ["/msg\tbob\thi", { kind: "msg", nick: "bob", text: "hi" }],
    ["/me waves", { kind: "me", text: "waves" }],
    ["/help", { kind: "help" }],
    ["/quit", { kind: "quit", reason: "" }],
    ["/quit  see you later ", { kind: "quit", reason: "see you later" }],
  ])("parses %j", (line, command) => {
    expect(parseCommand(line)).toEqual(command);
  });

  it.each([
    ["/nick", "! usage: /nick NAME"],
    ["/join", "! usage: /join #room [KEY]"],
    ["/join #a b c", "! usage: /join #room [KEY]"],
    ["/oper", "! usage: /oper PASSWORD"],
    ["/ban", "! usage: /ban NICK|ADDRESS [MINUTES]"],
    ["/ban bob 0", "! usage: /ban NICK|ADDRESS [MINUTES]"],
    ["/mute bob 1x", "! usage: /mute NICK [MINUTES]"],
    ["/kick", "! usage: /kick NICK [reason]"],
    ["/wall", "! usage: /wall text"],
    ["/key a b", "! usage: /key [KEY]"],
    ["/who 0", "! usage: /who [PAGE]"],
    ["/who x", "! usage: /who [PAGE]"],
    ["/who 0x2", "! usage: /who [PAGE]"],
    ["/rooms -1", "! usage: /rooms [PAGE]"],
    ["/join rust", "! invalid room name rust: # then 1 to 32 letters, digits, _ or -"],
    ["/join #", "! invalid room name #: # then 1 to 32 letters, digits, _ or -"],
    [`/join #${"r".repeat(33)}`, `! invalid room name #${"r".repeat(33)}: # then 1 to 32 letters, digits, _ or -`],
    ["/join #a.b", "! invalid room name #a.b: # then 1 to 32 letters, digits, _ or -"],
    ["/msg", "! usage: /msg NICK text"],
    ["/msg bob", "! usage: /msg NICK text"],
    ["/me", "! usage: /me action"],
    ["/x", "! unknown command /x (try /help)"],
    ["/", "! unknown command / (try /help)"],
    ["/nickname bob", "! unknown command /nickname (try /help)"],
  ])("answers %j with an error", (line, error) => {
    expect(parseCommand(line)).toEqual({ kind: "error", line: error });
  });

  it("accepts a 32-character room name", () => {
    const room = `#${"R".repeat(32)}`;
    expect(parseCommand(`/join ${room}`)).toEqual({ kind: "join", room, key: "" });
  });
});

describe("what both hubs decide from the command alone", () => {
  it("answers /help, /ping and usage errors without the chat's state", () => {
    expect(immediateReply(parseCommand("/help")!)).toBe(HELP);
    expect(immediateReply(parseCommand("/PING")!)).toEqual([PONG]);
    expect(immediateReply(parseCommand("/nope")!)).toEqual(["! unknown command /nope (try /help)"]);
    expect(immediateReply(parseCommand("hello")!)).toBeNull();
    expect(immediateReply(parseCommand("/who")!)).toBeNull();
  });

  it("announces a newcomer before any first line but a probe, a quit, a move or a rename", () => {
    const announcing = ["hello", "/me waves", "/who", "/rooms", "/help", "/msg bob hi", "/nope"];
    for (const line of announcing) expect(announcesSender(parseCommand(line)!), line).toBe(true);
    for (const line of ["/ping", "/quit", "/join #rust", "/nick ada"]) expect(announcesSender(parseCommand(line)!), line).toBe(false);
  });
});
