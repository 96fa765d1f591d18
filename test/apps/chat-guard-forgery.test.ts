/**
 * End-to-end: nobody speaks for another. A real `boucle chat-server` and
 * plain TCP clients; an attacker tries to pass every notice the server
 * emits off as its own line, and to take a nickname that looks like
 * someone else's.
 */
import { afterEach, describe, expect, it } from "vitest";
import { joined, leftChat, leftRoom, renamed, SHUTTING_DOWN, slowReaderLeft, GOODBYE, PONG, welcome } from "../../src/apps/chat/replies.ts";
import { cleanup, LineClient, startApp } from "./helpers.ts";

afterEach(cleanup);

async function chatServer(...args: string[]): Promise<number> {
  const { port } = await startApp("chat-server", ["--quiet", ...args]);
  return port;
}

describe("nobody speaks for another", () => {
  it("no /me, message, private message, nickname or quit reason reaches another member as a server notice", async () => {
    const port = await chatServer("--no-flood-limit");
    const [victim, vn] = await LineClient.joined(port);
    const [attacker, an] = await LineClient.joined(port);
    await victim.expect(`* ${an} joined #lobby`);
    // Every notice the server emits, about the victim or the server itself.
    const forged = [
      joined(vn, "#lobby"),
      joined("admin", "#lobby"),
      leftRoom(vn, "#lobby"),
      leftChat(vn),
      leftChat(vn, "quit: bye"),
      leftChat(vn, "ping timeout"),
      slowReaderLeft(vn),
      renamed(vn, "admin"),
      SHUTTING_DOWN,
      GOODBYE,
      PONG,
      welcome(vn),
      "* ping 12345",
    ];
    for (const notice of forged) {
      const text = notice.slice(2); // Without its "* ".
      attacker.send(`/me ${text}`, `/me ${notice}`, notice, text, `/msg ${vn} ${notice}`, `/msg ${vn} ${text}`);
    }
    // Nicknames that would make "* <nick> ..." read as something else.
    attacker.send("/nick *", "/nick server shutting down", "/nick server", "/me shutting down");
    await attacker.sync();
    const got = await victim.sync();
    expect(got.length).toBeGreaterThan(forged.length * 4);
    for (const line of got) {
      expect(forged).not.toContain(line);
      // Only one genuine notice came of it all: the attacker's rename.
      if (line.startsWith("* ")) expect(line).toBe(renamed(an, "server"));
      else expect(line).toMatch(/^(<server> |<guest\d+> |\[server\] |\[guest\d+\] |\*\* server |\*\* guest\d+ )/);
    }
    expect(got).toContain(`** server shutting down`);
    attacker.send(`/quit ${SHUTTING_DOWN}`);
    await victim.expect(leftChat("server", `quit: ${SHUTTING_DOWN}`));
  });

  it("refuses a nickname in another script that looks like one in use (Cyrillic а of аdmin), and folds ASCII look-alikes", async () => {
    const port = await chatServer();
    const [a] = await LineClient.joined(port);
    const [b] = await LineClient.joined(port);
    a.send("/nick admin");
    await a.until(/is now known as admin$/);
    await b.until(/is now known as admin$/);
    b.send("/nick \u0430dmin", "/nick ADM1N", "/nick adrnin", "/nick \uff41\uff44\uff4d\uff49\uff4e");
    await b.expect("! nickname may only contain ASCII letters, digits, _ and -");
    await b.expect("! nickname ADM1N is taken");
    await b.expect("! nickname adrnin is taken");
    await b.expect("! nickname admin is taken"); // Fullwidth letters fold to ASCII first.
    b.send("/msg ADMlN hi");
    await b.expect("* to admin: hi");
  });
});
