/**
 * End-to-end operators, room owners, keyed rooms and history: a real
 * `boucle chat-server` and plain TCP clients on loopback. Bans need two
 * addresses: the server listens on `::`, so 127.0.0.1 and ::1 are two groups.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, LineClient, runApp, startApp } from "./helpers.ts";

afterEach(cleanup);

const PASSWORD = "correct horse";

async function chatServer(args: string[] = [], env: NodeJS.ProcessEnv = { BOUCLE_OPER_PASSWORD: PASSWORD }): Promise<number> {
  const { port } = await startApp("chat-server", ["--quiet", ...args], env);
  return port;
}

/** Connect from `host`, take the welcome and join notice, announce; returns the client and its nick. */
async function member(port: number, nick: string, host = "127.0.0.1"): Promise<LineClient> {
  const client = await LineClient.connect(port, host);
  await client.until(/ joined #lobby$/);
  client.send(`/nick ${nick}`);
  await client.until(/is now known as/);
  await client.sync();
  return client;
}

async function oper(client: LineClient): Promise<void> {
  client.send(`/oper ${PASSWORD}`);
  await client.until("* you are now an operator");
}

describe("operators", () => {
  it("/oper takes the password from BOUCLE_OPER_PASSWORD, limits attempts per address, and only operators may use their commands", async () => {
    const port = await chatServer();
    const a = await member(port, "ada");
    const b = await member(port, "bob");
    b.send("/kick ada", "/ban ada", "/bans", "/unban ::1", "/mute ada", "/unmute ada", "/wall hi");
    for (let i = 0; i < 7; i++) await b.expect("! you are not an operator");
    await oper(a); // One attempt from 127.0.0.1...
    b.send("/oper guess1", "/oper guess2", `/oper ${PASSWORD}`); // ... so two more, then a wait.
    expect(await b.sync()).toEqual(["! wrong operator password", "! wrong operator password", "! slow down: too many /oper attempts, try again in a minute"]);
  });

  it("reads the password from --oper-password-file, refuses it on the command line, and has no operators without one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "boucle-oper-"));
    const file = join(dir, "password");
    writeFileSync(file, "from the file\n", { mode: 0o600 });
    const port = await chatServer(["--oper-password-file", file], {});
    const a = await member(port, "ada");
    a.send("/oper from the file");
    await a.expect("* you are now an operator");
    const none = await member(await chatServer([], {}), "bob");
    none.send("/oper anything");
    await none.expect("! no operator password is set on this server");
    const flag = await runApp(["chat-server", "--port", "0", "--oper-password", "x"]);
    expect(flag.code).not.toBe(0);
    expect(flag.stderr).toMatch(/oper-password/);
  });

  it("/kick sends a member from its room to the lobby, the room told; from the lobby, off the server", async () => {
    const port = await chatServer();
    const a = await member(port, "ada");
    const b = await member(port, "bob");
    const c = await member(port, "cy");
    await oper(a);
    b.send("/join #rust");
    await b.until("* bob joined #rust");
    c.send("/join #rust");
    await c.until("* cy joined #rust");
    a.send("/kick bob spamming");
    await c.until("* bob was kicked from #rust by ada (spamming)");
    await b.until("* you were kicked from #rust by ada (spamming)");
    await b.expect("* bob joined #lobby");
    await a.until("* bob was kicked from #rust by ada (spamming)"); // Not in #rust: told directly.
    await a.until("* bob joined #lobby");
    a.send("/kick bob", "/kick nobody");
    await b.until("! you were kicked by ada");
    await b.waitClosed();
    await a.until("* bob left (kicked by ada)");
    await a.until("! no such nick nobody");
  });

  it("/ban closes every connection of an address and turns it away until /unban; /bans lists bans with the time left", async () => {
    const port = await chatServer(["--host", "::"]);
    const a = await member(port, "ada", "127.0.0.1");
    const v = await member(port, "vic", "::1");
    await oper(a);
    a.send("/ban ada", "/ban 127.0.0.1", "/ban vic 5");
    await a.expect("! you cannot ban your own address");
    await a.expect("! you cannot ban your own address");
    await v.until("! you are banned from this server");
    await v.waitClosed();
    await a.until("* vic left (banned)");
    await a.expect("* banned 0:0:0:0::/64 for 5 minutes (1 connection closed)");
    const again = await LineClient.connect(port, "::1");
    await again.expect("! you are banned from this server");
    await again.waitClosed();
    a.send("/bans", "/unban ::1", "/unban ::1", "/bans", "/ban nobody");
    expect(await a.sync()).toEqual([
      "* 1 ban: 0:0:0:0::/64 (5 min left)",
      "* unbanned 0:0:0:0::/64",
      "! no ban on ::1",
      "* no bans",
      "! no such nick or address nobody",
    ]);
    const back = await LineClient.connect(port, "::1");
    await back.expect(/^\* welcome/);
  });

  it("/mute keeps a member's messages, actions and private messages from anyone until /unmute", async () => {
    const port = await chatServer();
    const a = await member(port, "ada");
    const b = await member(port, "bob");
    const c = await member(port, "cy");
    await oper(a);
    a.send("/mute bob");
    await a.until("* muted bob until /unmute");
    await b.until("* you were muted by ada until unmuted");
    b.send("hello?", "/me waves", "/msg cy psst");
    expect(await b.sync()).toEqual(["! you are muted", "! you are muted", "! you are muted"]);
    a.send("/unmute bob", "/unmute bob");
    await a.expect("* unmuted bob");
    await a.expect("! bob is not muted");
    await b.until("* you may speak again");
    b.send("back");
    await c.until("<bob> back");
    expect(c.all).not.toContain("<bob> hello?");
  });

  it("/wall reaches every member of every room", async () => {
    const port = await chatServer();
    const a = await member(port, "ada");
    const b = await member(port, "bob");
    await oper(a);
    b.send("/join #elsewhere");
    await b.until("* bob joined #elsewhere");
    a.send("/wall restarting at noon");
    await a.until("* wall from ada: restarting at noon");
    await b.until("* wall from ada: restarting at noon");
  });
});

describe("room owners and keys", () => {
  it("the first in a room owns it: it alone (or an operator) sets its topic and key; a keyed room needs the key and shows no count", async () => {
    const port = await chatServer();
    const owner = await member(port, "ada");
    const other = await member(port, "bob");
    const op = await member(port, "cy");
    await oper(op);
    owner.send("/join #den", "/topic a quiet place", "/key s3cret");
    await owner.until("* ada joined #den");
    await owner.expect("* ada set the topic of #den: a quiet place");
    await owner.expect("* ada set a key on #den");
    await other.sync();
    other.send("/join #den", "/join #den nope", "/rooms", "/join #den s3cret");
    await other.expect("! #den needs a key: /join #den KEY");
    await other.expect("! wrong key for #den");
    await other.expect("* 2 rooms: #lobby (2), #den (key)");
    await other.expect("* bob joined #den");
    await other.expect("* topic of #den: a quiet place"); // Shown on join.
    other.send("/topic mine now", "/key", "/topic");
    await other.expect("! only the owner of #den or an operator may do that");
    await other.expect("! only the owner of #den or an operator may do that");
    await other.expect("* topic of #den: a quiet place");
    op.send("/join #den", "/key", "/topic -", "/key x", "/join #lobby");
    await op.until("* cy joined #den"); // An operator needs no key...
    await op.expect("* topic of #den: a quiet place");
    await op.until("* cy removed the key of #den"); // ... and may change both.
    await op.until("* cy cleared the topic of #den");
    await other.until("* cy set a key on #den");
    op.send("/key x");
    await op.until("! #lobby cannot have a key: everyone arrives there");
  });
});

describe("history on join", () => {
  it("replays the last --history lines of a room to a newcomer, each marked ~ HH:MM", async () => {
    const port = await chatServer(["--history", "3"]);
    const a = await member(port, "ada");
    a.send("one", "two", "/me waves", "three", "/who");
    await a.until(/^\* #lobby has/);
    const b = await LineClient.connect(port);
    await b.next(); // The welcome.
    await b.expect(/ joined #lobby$/);
    const replay = [await b.next(), await b.next(), await b.next()];
    expect(replay.map((l) => l.replace(/^~ \d\d:\d\d /, "~ HH:MM "))).toEqual(["~ HH:MM <ada> two", "~ HH:MM ** ada waves", "~ HH:MM <ada> three"]);
    // Stamped with the UTC minute it was said: this one or the one before.
    const minute = (msAgo: number): string => new Date(Date.now() - msAgo).toISOString().slice(11, 16);
    expect([minute(0), minute(60_000)]).toContain(replay[2]!.slice(2, 7));
    expect(await b.sync()).toEqual([]);
  });

  it("replays nothing with --history 0", async () => {
    const port = await chatServer(["--history", "0"]);
    const a = await member(port, "ada");
    a.send("one");
    await a.sync();
    const b = await LineClient.connect(port);
    await b.next();
    await b.expect(/ joined #lobby$/);
    expect(await b.sync()).toEqual([]);
  });
});
