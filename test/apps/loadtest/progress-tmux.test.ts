/**
 * The load test's progress bar in a real, narrow terminal (tmux, 60
 * columns): one line that never wraps, and gone after Ctrl-C, with the
 * interruption message and the report in its place; a second Ctrl-C quits
 * at once (130), leaving no bar either.
 */
import { createServer, type AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, startApp } from "../helpers.ts";
import { boucleCommand, Terminals, TMUX_MISSING } from "../tmux.ts";

const WIDTH = 60;
const term = new Terminals("progress-test");

afterAll(async () => {
  term.close();
  await cleanup();
});

describe.skipIf(TMUX_MISSING !== null)(`boucle loadtest's progress bar (tmux)${TMUX_MISSING === null ? "" : `: skipped, ${TMUX_MISSING}`}`, () => {
  it("fits a 60-column terminal and is erased on Ctrl-C", async () => {
    const { port } = await startApp("echo-server", ["--quiet"]);
    const command = boucleCommand("loadtest", "--mode", "echo", "--port", String(port), "--clients", "2", "--duration", "30", "--rate", "200");
    term.open("lt", `${command}; echo "EXIT=$?"; sleep 600`, WIDTH, 50);
    const isBar = (line: string) => /\brecv \S+/.test(line);
    const running = await term.waitFor("lt", "a progress bar", (lines) => lines.some(isBar));
    expect(running.filter(isBar)).toHaveLength(1);
    expect(running.every((line) => line.length < WIDTH)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500)); // a few redraws: none may leave a copy behind
    expect(term.screen("lt").filter((line) => line.includes("sent "))).toHaveLength(1);

    term.press("lt", "C-c");
    const done = await term.shows("lt", "EXIT=1");
    expect(done.filter(isBar), done.join("\n")).toEqual([]);
    expect(done[0]).toMatch(/^boucle loadtest: interrupted: no more sends/); // nothing left above it
    expect(done.join("")).toContain("boucle loadtest: interrupted: no more sends; waiting for what is in flight (Ctrl-C again to quit)");
    expect(done).toContain("FAIL: 1 interrupted error");
  });

  it("quits at once on a second Ctrl-C while in-flight lines are still awaited, exit 130, the bar erased", async () => {
    const silent = createServer(() => {}); // accepts, never echoes: the first Ctrl-C leaves lines in flight
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const command = boucleCommand("loadtest", "--mode", "echo", "--port", String(port), "--clients", "2", "--duration", "30", "--drain-timeout", "60");
      term.open("twice", `${command}; echo "EXIT=$?"; sleep 600`, WIDTH, 50);
      await term.waitFor("twice", "a progress bar", (lines) => lines.some((line) => /\bsent \S+/.test(line)));
      term.press("twice", "C-c");
      await term.waitFor("twice", "the interruption", (lines) => lines.join("").includes("waiting for what is in flight"));
      term.press("twice", "C-c");
      const done = await term.shows("twice", "EXIT=130");
      expect(done.filter((line) => /\bsent \S+/.test(line))).toEqual([]);
      expect(done).toContain("boucle loadtest: quit before the end");
    } finally {
      silent.close();
    }
  });
});
