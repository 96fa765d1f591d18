/**
 * Terminal clients in real terminals: four `boucle connect` processes in
 * tmux windows against the real chat server. Checks from their screens that
 * messages arrive, that a half-typed line survives an incoming message (on
 * screen and in the line buffer), the colours, and each way to leave with
 * its exit code (the terminal left in cooked mode each time).
 *
 * Needs tmux (`.ci/run` installs it; without it these tests are skipped and
 * say why). Every wait polls the screen with a deadline.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nickColor } from "../../src/apps/client/colors.ts";
import { BIN, boucleCommand, Terminals, TMUX_MISSING } from "./tmux.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const WAIT_MS = 10_000;

let server: ChildProcess | undefined;
let port = 0;
const term = new Terminals("client-test");
const screen = (pane: string, escapes = false) => term.screen(pane, escapes);
const waitForScreen = (pane: string, what: string, check: (lines: string[]) => boolean) => term.waitFor(pane, what, check);
const showsLine = (pane: string, line: string) => term.shows(pane, line);
const type = (pane: string, text: string) => term.type(pane, text);
const press = (pane: string, ...keys: string[]) => term.press(pane, ...keys);

/** Start a client in a new window; after it exits, the pane shows its code and whether the tty is back in cooked mode. */
function startClient(name: string): void {
  term.open(name, `env -u NO_COLOR ${boucleCommand("connect", `127.0.0.1:${port}`)}; code=$?; echo "EXIT=$code $(stty -a | grep -o -- '-*icanon')"; sleep 600`);
}

beforeAll(async () => {
  if (TMUX_MISSING !== null) return;
  server = spawn(process.execPath, [BIN, "chat-server", "--port", "0", "--quiet"], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`chat server did not start: ${stderr}`)), WAIT_MS);
    server!.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      const match = /listening on \S+:(\d+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    server!.once("exit", (code) => reject(new Error(`chat server exited (${code}): ${stderr}`)));
  });
});

afterAll(() => {
  term.close();
  if (server !== undefined && server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
});

describe.skipIf(TMUX_MISSING !== null)(`boucle connect in terminals (tmux)${TMUX_MISSING === null ? "" : `: skipped, ${TMUX_MISSING}`}`, () => {
  const names = ["ann", "bob", "cat", "dan"];

  it("joins four clients and names them", async () => {
    names.forEach((name) => startClient(name));
    for (const name of names) {
      await waitForScreen(name, "the welcome", (lines) => lines.some((l) => /^\* welcome, you are guest\d+ - type \/help/.test(l)));
      type(name, `/nick ${name}`);
      press(name, "Enter");
      await waitForScreen(name, "the rename", (lines) => lines.some((l) => l.endsWith(` is now known as ${name}`)));
    }
    // ann joined first, so she sees everyone arrive under their names: a first /nick is
    // announced as the new name's arrival (docs/PROTOCOL.md, "Connecting").
    for (const name of names.slice(1)) {
      await waitForScreen("ann", `${name}'s arrival`, (lines) => lines.some((l) => l === `* ${name} joined #lobby` || l.endsWith(` is now known as ${name}`)));
    }
  });

  it("shows a message to the others while keeping bob's half-typed line intact below it", async () => {
    type("bob", "half-typed li");
    await waitForScreen("bob", "the half-typed line", (lines) => lines.at(-1) === "> half-typed li");

    type("ann", "hello from ann");
    press("ann", "Enter");
    const bob = await waitForScreen("bob", "ann's message above the input line", (lines) => lines.at(-2) === "<ann> hello from ann");
    expect(bob.at(-1)).toBe("> half-typed li");
    expect(bob.filter((l) => l.includes("half-typed"))).toHaveLength(1); // no stale copy left above
    expect(term.cursor("bob")).toEqual(["> half-typed li".length, bob.length - 1]);
    await showsLine("cat", "<ann> hello from ann");
    // ann sees her own line where she typed it, and not twice.
    expect(screen("ann").filter((l) => l.includes("hello from ann"))).toEqual(["> hello from ann"]);

    // The line buffer survived too: finishing the line sends all of it.
    type("bob", "ne");
    press("bob", "Enter");
    await showsLine("ann", "<bob> half-typed line");
    await showsLine("cat", "<bob> half-typed line");
  });

  it("colours nicknames", async () => {
    const coloured = screen("cat", true).find((l) => l.includes("hello from ann"));
    expect(coloured).toContain(`${nickColor("ann")}ann`);
  });

  it("leaves with /quit (exit 0) and with Ctrl-D (exit 0); the others are told", async () => {
    type("ann", "/quit lunch");
    press("ann", "Enter");
    await showsLine("ann", "* goodbye");
    await showsLine("ann", "EXIT=0 icanon");
    await showsLine("cat", "* ann left (quit: lunch)");

    press("bob", "C-d");
    await showsLine("bob", "EXIT=0 icanon");
    await showsLine("cat", "* bob left");
  });

  it("quits at once on Ctrl-C, even mid-line, with exit code 130", async () => {
    type("dan", "never sent");
    press("dan", "C-c");
    await showsLine("dan", "EXIT=130 icanon");
    await showsLine("cat", "* dan left");
  });

  it("reports a connection the server closes without a word (killed) and exits 1", async () => {
    type("cat", "unsent");
    await waitForScreen("cat", "the typed line", (lines) => lines.at(-1) === "> unsent");
    server!.kill("SIGKILL"); // no "* server shutting down": that one is a clean end, exit 0 (client-keys-tmux.test.ts)
    const cat = await showsLine("cat", "EXIT=1 icanon");
    expect(cat).toContain("connection closed by server");
    expect(cat.filter((l) => l.includes("unsent"))).toEqual([]); // the input line was erased, not left garbled
  });
});
