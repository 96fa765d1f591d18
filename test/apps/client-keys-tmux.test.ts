/**
 * `boucle connect` in real terminals (tmux), for what only a terminal
 * shows: the cursor over a grapheme cluster, Up recalling a sent line,
 * Ctrl-Z handing the terminal back to the shell and `fg` taking it again in
 * raw mode, a server shutdown ending with exit 0, and colours: on with
 * NO_COLOR set but empty, never in output written to a file.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { nickColor } from "../../src/apps/client/colors.ts";
import { cleanup, LineClient, startApp } from "./helpers.ts";
import { boucleCommand, shellQuote, Terminals, TMUX_MISSING } from "./tmux.ts";

const term = new Terminals("client-keys-test");
const scratch = mkdtempSync(join(tmpdir(), "boucle-client-keys-"));
/** After the client exits, its window shows the exit code and whether the tty is in cooked mode again. */
const AFTER = `; echo "EXIT=$? $(stty -a | grep -o -- '-*icanon')"; sleep 600`;

afterEach(cleanup);
afterAll(() => {
  term.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** A chat server, and a member of #lobby who reads what the terminal client sends. */
async function serverAndListener(): Promise<{ port: number; listener: LineClient; stop: () => void }> {
  const { app, port } = await startApp("chat-server", ["--quiet"]);
  const [listener] = await LineClient.joined(port);
  return { port, listener, stop: () => app.child.kill("SIGTERM") };
}

describe.skipIf(TMUX_MISSING !== null)(`boucle connect keys in terminals (tmux)${TMUX_MISSING === null ? "" : `: skipped, ${TMUX_MISSING}`}`, () => {
  it("moves and deletes by grapheme cluster: 👍🏽 stays whole", async () => {
    const { port, listener } = await serverAndListener();
    term.open("emoji", `${boucleCommand("connect", `127.0.0.1:${port}`)}${AFTER}`);
    await term.waitFor("emoji", "the welcome", (lines) => lines.some((l) => l.startsWith("* welcome")));
    await listener.until(/ joined #lobby$/);
    term.type("emoji", "a👍🏽b");
    term.press("emoji", "Left", "BSpace"); // deletes the whole 👍🏽, not just its skin tone
    await term.waitFor("emoji", "the edited line", (lines) => lines.at(-1) === "> ab");
    expect(term.cursor("emoji")[0]).toBe("> a".length);
    term.press("emoji", "Left", "Right", "Right");
    term.type("emoji", "👍🏽");
    term.press("emoji", "Enter");
    await listener.until(/^<guest\d+> ab👍🏽$/);
  });

  it("recalls the line sent before with Up", async () => {
    const { port, listener } = await serverAndListener();
    term.open("history", `${boucleCommand("connect", `127.0.0.1:${port}`)}${AFTER}`);
    await term.waitFor("history", "the welcome", (lines) => lines.some((l) => l.startsWith("* welcome")));
    term.type("history", "first line");
    term.press("history", "Enter");
    await listener.until(/^<guest\d+> first line$/);
    term.press("history", "Up");
    await term.waitFor("history", "the recalled line", (lines) => lines.at(-1) === "> first line");
    term.type("history", " again");
    term.press("history", "Enter");
    await listener.expect(/^<guest\d+> first line again$/);
  });

  it("suspends on Ctrl-Z with the terminal in cooked mode, and fg resumes in raw mode", async () => {
    const { port, listener } = await serverAndListener();
    // An interactive shell, for job control; the client is its foreground job.
    term.open("suspend", "env -i PATH=/usr/bin:/bin TERM=xterm PS1='$ ' bash --norc --noprofile -i");
    await term.waitFor("suspend", "the shell prompt", (lines) => lines.at(-1) === "$");
    term.type("suspend", `${boucleCommand("connect", `127.0.0.1:${port}`)}\n`);
    await term.waitFor("suspend", "the welcome", (lines) => lines.some((l) => l.startsWith("* welcome")));
    term.type("suspend", "kept");
    term.press("suspend", "C-z");
    await term.waitFor("suspend", "the job stopped", (lines) => lines.some((l) => /Stopped/.test(l)) && lines.at(-1) === "$");
    term.type("suspend", "stty -a | grep -o -- '-*icanon'\n");
    await term.waitFor("suspend", "cooked mode while stopped", (lines) => lines.at(-2) === "icanon" && lines.at(-1) === "$");
    term.type("suspend", "fg\n");
    await term.waitFor("suspend", "the input line redrawn", (lines) => lines.at(-1) === "> kept");
    term.type("suspend", "!"); // raw mode: drawn by the client at once, no Enter needed
    await term.waitFor("suspend", "a key taken in raw mode", (lines) => lines.at(-1) === "> kept!");
    term.press("suspend", "Enter");
    await listener.until(/^<guest\d+> kept!$/);
  });

  it("exits 0 when the server shuts down (its notice, then the close)", async () => {
    const { port, stop } = await serverAndListener();
    term.open("shutdown", `${boucleCommand("connect", `127.0.0.1:${port}`)}${AFTER}`);
    await term.waitFor("shutdown", "the welcome", (lines) => lines.some((l) => l.startsWith("* welcome")));
    stop();
    const screen = await term.shows("shutdown", "EXIT=0 icanon");
    expect(screen).toContain("* server shutting down");
    expect(screen).toContain("the server shut down");
  });

  it("colours with NO_COLOR set but empty, not with NO_COLOR=1, and never in a file", async () => {
    const { port, listener } = await serverAndListener();
    const client = (env: string) => `env ${env} ${boucleCommand("connect", `127.0.0.1:${port}`)}${AFTER}`;
    term.open("empty", client("NO_COLOR="));
    term.open("set", client("NO_COLOR=1"));
    const file = join(scratch, "out.txt");
    term.open("file", `env -u NO_COLOR ${boucleCommand("connect", `127.0.0.1:${port}`)} > ${shellQuote(file)}${AFTER}`);
    for (const name of ["empty", "set"]) await term.waitFor(name, "the welcome", (lines) => lines.some((l) => l.startsWith("* welcome")));
    await listener.until(/ joined #lobby$/);
    await listener.until(/ joined #lobby$/);
    await listener.until(/ joined #lobby$/);
    listener.send("/nick ada", "hello all");
    for (const name of ["empty", "set"]) await term.shows(name, "<ada> hello all");
    expect(term.screen("empty", true).join("\n")).toContain(`${nickColor("ada")}ada`);
    expect(term.screen("set", true).join("\n")).not.toContain("\x1b[");
    term.type("file", "/quit\n"); // stdout is a file: the line mode, as with a pipe
    await term.shows("file", "EXIT=0 icanon");
    const written = readFileSync(file, "utf8");
    expect(written).toContain("<ada> hello all");
    expect(written).not.toContain("\x1b");
  });
});
