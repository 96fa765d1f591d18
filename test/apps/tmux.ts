/**
 * Real terminals for tests: commands run in tmux windows on a private tmux
 * server (`tmux -L`), and tests read the screens back.
 *
 * tmux is a test dependency (`.ci/run` installs it). Where it is missing,
 * `TMUX_MISSING` holds the reason, for `describe.skipIf(...)` to show; with
 * BOUCLE_REQUIRE_TMUX=1 (set by .ci/run) a missing tmux fails instead, so
 * CI never passes by skipping.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../../bin/boucle.js", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const WAIT_MS = 10_000;
const POLL_MS = 25;

function missingReason(): string | null {
  const probe = spawnSync("tmux", ["-V"], { encoding: "utf8" });
  if (probe.error === undefined && probe.status === 0) return null;
  const reason = "tmux is not installed (apt-get install tmux; .ci/run does)";
  if (process.env["BOUCLE_REQUIRE_TMUX"] === "1") throw new Error(`BOUCLE_REQUIRE_TMUX=1 but ${reason}`);
  console.warn(`skipping the terminal tests: ${reason}`);
  return reason;
}

/** Why the terminal tests cannot run here, or null when they can. */
export const TMUX_MISSING = missingReason();

/** A shell-quoted word. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The shell command that runs `boucle ARGS`, with this Node. */
export function boucleCommand(...args: string[]): string {
  return [process.execPath, BIN, ...args].map(shellQuote).join(" ");
}

/** One private tmux server with one session; each window runs one command. */
export class Terminals {
  readonly #socket: string;
  readonly #session = "test";
  #started = false;

  constructor(name: string) {
    this.#socket = `boucle-${name}-${process.pid}`;
  }

  tmux(...args: string[]): string {
    return execFileSync("tmux", ["-L", this.#socket, ...args], { encoding: "utf8" });
  }

  /** Run the shell `command` in a new window `name` of `width` x `height`, in the repository. */
  open(name: string, command: string, width = 100, height = 30): void {
    if (!this.#started) {
      this.tmux("new-session", "-d", "-x", String(width), "-y", String(height), "-s", this.#session, "-n", name, "-c", ROOT, command);
      this.#started = true;
    } else {
      this.tmux("new-window", "-d", "-t", this.#session, "-n", name, "-c", ROOT, command);
      this.tmux("resize-window", "-t", `${this.#session}:${name}`, "-x", String(width), "-y", String(height));
    }
  }

  #target(name: string): string {
    return `${this.#session}:${name}`;
  }

  /** The window's visible lines, trailing blank lines removed (`escapes`: with colour codes). */
  screen(name: string, escapes = false): string[] {
    const lines = this.tmux("capture-pane", "-p", ...(escapes ? ["-e"] : []), "-t", this.#target(name)).split("\n").map((l) => l.trimEnd());
    while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
    return lines;
  }

  /** Poll until `check(lines)` holds; fail with the screen if the deadline passes. */
  async waitFor(name: string, what: string, check: (lines: string[]) => boolean, ms = WAIT_MS): Promise<string[]> {
    const deadline = Date.now() + ms;
    for (;;) {
      const lines = this.screen(name);
      if (check(lines)) return lines;
      if (Date.now() > deadline) throw new Error(`window ${name}: never saw ${what}; screen:\n${lines.join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Wait until the screen has `line` as one of its lines. */
  shows(name: string, line: string): Promise<string[]> {
    return this.waitFor(name, JSON.stringify(line), (lines) => lines.includes(line));
  }

  /** Type `text` literally. */
  type(name: string, text: string): void {
    this.tmux("send-keys", "-t", this.#target(name), "-l", text);
  }

  /** Press tmux keys: "Enter", "C-c", "Left", "BSpace"... */
  press(name: string, ...keys: string[]): void {
    this.tmux("send-keys", "-t", this.#target(name), ...keys);
  }

  /** The cursor's column and row in the window. */
  cursor(name: string): [number, number] {
    const [x, y] = this.tmux("display", "-p", "-t", this.#target(name), "#{cursor_x} #{cursor_y}").trim().split(" ").map(Number);
    return [x!, y!];
  }

  /** Stop the tmux server and remove its socket file. */
  close(): void {
    if (!this.#started) return;
    try {
      const socketPath = this.tmux("display", "-p", "#{socket_path}").trim();
      this.tmux("kill-server");
      rmSync(socketPath, { force: true }); // Why: tmux leaves its socket file behind.
    } catch {
      // no server left: nothing to clean
    }
  }
}
