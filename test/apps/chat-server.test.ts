/**
 * End-to-end: the real `boucle chat-server` process on an ephemeral port,
 * driven by plain TCP clients. The protocol is docs/PROTOCOL.md.
 */
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, LineClient, startApp } from "./helpers.ts";

afterEach(cleanup);

async function chatServer(...args: string[]): Promise<number> {
  const { port } = await startApp("chat-server", ["--quiet", ...args]);
  return port;
}

describe("chat-server protocol", () => {
  it("welcomes a newcomer with a notice naming its guest nickname and /help, in #lobby", async () => {
    const port = await chatServer();
    const a = await LineClient.connect(port);
    const welcome = await a.next();
    expect(welcome).toMatch(/^\* .*guest1.*\/help/);
    await a.expect("* guest1 joined #lobby");
    const [, b] = await LineClient.joined(port);
    expect(b).toBe("guest2");
    await a.expect("* guest2 joined #lobby");
  });

  it("applies the nickname rules: valid, too long, bad characters, taken case-insensitively, escapes stripped, free after disconnect", async () => {
    const port = await chatServer();
    const [a] = await LineClient.joined(port);
    const [b] = await LineClient.joined(port);
    await a.expect("* guest2 joined #lobby");
    a.send("/nick alice");
    await a.expect("* guest1 is now known as alice");
    await b.expect("* guest1 is now known as alice");
    b.send("/nick ALICE", `/nick ${"x".repeat(25)}`, "/nick bad!name", "/nick");
    await b.expect("! nickname ALICE is taken");
    await b.expect("! nickname is longer than 24 characters");
    await b.expect("! nickname may only contain ASCII letters, digits, _ and -");
    await b.expect("! usage: /nick NAME");
    b.send("/nick \x1b[1mbob\x1b[0m");
    await b.expect("* guest2 is now known as bob");
    await a.expect("* guest2 is now known as bob");
    a.send("/nick Alice"); // A change of case only is allowed.
    await a.expect("* alice is now known as Alice");
    a.close();
    await b.expect("* alice is now known as Alice");
    await b.expect("* Alice left");
    b.send("/nick alice"); // Free again once its holder is gone.
    await b.expect("* bob is now known as alice");
  });

  it("moves between rooms: a leave notice in the old room, a join notice in the new one", async () => {
    const port = await chatServer();
    const [a, an] = await LineClient.joined(port);
    const [b, bn] = await LineClient.joined(port);
    await a.expect(`* ${bn} joined #lobby`);
    a.send("/join #rust");
    await a.expect(`* ${an} joined #rust`);
    await b.expect(`* ${an} left #lobby`);
    a.send("/join rust", "/join #Rust", "/rooms");
    await a.expect(/^! invalid room name rust/);
    await a.expect("* you are already in #rust");
    await a.expect("* 2 rooms: #lobby (1), #rust (1)");
    b.send("hello lobby");
    a.send("hello rust");
    await a.sync();
    await b.sync();
    b.send("/join #RUST");
    await b.expect(`* ${bn} joined #rust`);
    await a.expect(`* ${bn} joined #rust`);
    a.send("/who");
    await a.expect(`* #rust has 2 members: ${an}, ${bn}`);
    // Neither saw the other's message from the other room.
    expect(a.all.some((l) => l.includes("hello lobby"))).toBe(false);
    expect(b.all).not.toContain(`<${an}> hello rust`);
  });

  it("sends messages to the others of the room, /me to everyone, /msg privately", async () => {
    const port = await chatServer();
    const [a, an] = await LineClient.joined(port);
    const [b, bn] = await LineClient.joined(port);
    const [c, cn] = await LineClient.joined(port);
    await a.until(`* ${cn} joined #lobby`);
    await b.until(`* ${cn} joined #lobby`);
    a.send("hi all", "//slash", "/me waves", `/msg ${bn.toUpperCase()} psst`, "/msg nobody hey", "/msg", "   ");
    expect(await a.sync()).toEqual([`** ${an} waves`, `* to ${bn}: psst`, "! no such nick nobody", "! usage: /msg NICK text"]);
    expect(await b.sync()).toEqual([`<${an}> hi all`, `<${an}> /slash`, `** ${an} waves`, `[${an}] psst`]);
    expect(await c.sync()).toEqual([`<${an}> hi all`, `<${an}> /slash`, `** ${an} waves`]);
  });

  it("answers /who, /rooms and /help with notices", async () => {
    const port = await chatServer();
    const [a, an] = await LineClient.joined(port);
    const [b, bn] = await LineClient.joined(port);
    b.send("/join #b");
    await b.expect(`* ${bn} joined #b`);
    a.send("/who", "/rooms", "/help");
    const lines = await a.sync();
    expect(lines).toContain(`* #lobby has 1 member: ${an}`);
    expect(lines).toContain("* 2 rooms: #lobby (1), #b (1)");
    expect(lines.filter((l) => l.includes("/quit"))).toHaveLength(1);
    expect(lines.every((l) => l.startsWith("* "))).toBe(true);
  });

  it("/quit [reason]: goodbye, then the server closes; the room gets the reason", async () => {
    const port = await chatServer();
    const [a, an] = await LineClient.joined(port);
    const [b, bn] = await LineClient.joined(port);
    const [c] = await LineClient.joined(port);
    a.send("/quit off to lunch");
    await a.until("* goodbye");
    await a.waitClosed();
    await b.until(`* ${an} left (quit: off to lunch)`);
    b.send("/QUIT");
    await b.expect("* goodbye");
    await b.waitClosed();
    await c.until(`* ${bn} left (quit)`);
  });

  it("answers an unknown command after the replies to everything sent before it", async () => {
    const port = await chatServer();
    const [a, an] = await LineClient.joined(port);
    a.send("/nick first", "/who", "/join #x", "/me nods", "/frobnicate now", "/nick second");
    await a.expect(`* ${an} is now known as first`);
    await a.expect("* #lobby has 1 member: first");
    await a.expect("* first joined #x");
    await a.expect("** first nods");
    await a.expect("! unknown command /frobnicate (try /help)");
    await a.expect("* first is now known as second");
  });

  it("turns invalid UTF-8 into U+FFFD, strips control characters and escape sequences, and a TAB becomes a space", async () => {
    const port = await chatServer();
    const [a, an] = await LineClient.joined(port);
    const [b] = await LineClient.joined(port);
    a.sendRaw(Buffer.from([0x68, 0xff, 0x69, 0xc3, 0x0a])); // h, bad byte, i, truncated sequence
    a.sendRaw("\x1b[31mred\x1b[0m \x07bell\x1b]0;title\x07 \x9b2Jdone\ttab\r\n");
    a.send("/me \x1b[2Jclears", "\x1b[H\x1b[2J"); // The last is empty once stripped: ignored.
    await a.sync();
    expect(await b.sync()).toEqual([`<${an}> h\uFFFDi\uFFFD`, `<${an}> red bell done tab`, `** ${an} clears`]);
  });

  it("collapses whitespace padding and strips bidi and zero-width characters, in messages and nicknames", async () => {
    const port = await chatServer();
    const [a] = await LineClient.joined(port);
    const [b, bn] = await LineClient.joined(port);
    await a.until(`* ${bn} joined #lobby`);
    a.send("/nick ad\u200Bmin\u202E");
    await a.until("* guest1 is now known as admin");
    a.send(`look${" ".repeat(500)}<root> please run curl x | sh`, "\u202Eexe.gnp\u2028\u2029!");
    await a.sync();
    expect(await b.sync()).toEqual(["* guest1 is now known as admin", "<admin> look <root> please run curl x | sh", "<admin> exe.gnp !"]);
  });

  it("treats a half-close as leaving: lines before the EOF are handled and answered, then the room is told", async () => {
    const port = await chatServer();
    const [a, an] = await LineClient.joined(port);
    const [b] = await LineClient.joined(port);
    a.send("last words", "/who");
    a.endInput();
    await a.until(/^\* #lobby has 2 members/);
    await a.waitClosed();
    await b.until(`<${an}> last words`);
    await b.expect(`* ${an} left`);
  });

  it("tells the room once when a connection is reset", async () => {
    const port = await chatServer();
    const [a, an] = await LineClient.joined(port);
    const [b] = await LineClient.joined(port);
    a.socket.resetAndDestroy();
    await b.until(`* ${an} left`);
    expect(await b.sync()).toEqual([]);
  });
});
