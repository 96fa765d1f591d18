/**
 * End-to-end: the chat server under a small open-file limit (`ulimit -n
 * 64`). Regression test: past the limit, accepted connections were closed
 * at once (EMFILE) with no `! server full` and nothing logged.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { delay, LineClient, ROOT } from "./helpers.ts";

const BIN = fileURLToPath(new URL("../../bin/boucle.js", import.meta.url));
let server: ChildProcess | null = null;

afterEach(() => {
  server?.kill("SIGKILL");
  server = null;
});

/** The first line a connection gets, or how it ended without one. */
function firstLine(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    let data = "";
    const done = (result: string): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done("no line within 5 s"), 5000);
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      data += chunk;
      if (data.includes("\n")) done(data.slice(0, data.indexOf("\n")));
    });
    socket.on("error", (error: NodeJS.ErrnoException) => done(`error ${error.code}`));
    socket.on("close", () => done(`closed with ${JSON.stringify(data)}`));
  });
}

describe("chat-server under ulimit -n 64", () => {
  it("answers connections past the open-file limit with ! server full, logs them, and serves again once clients leave", async () => {
    server = spawn("bash", ["-c", `ulimit -n 64; exec "${process.execPath}" "${BIN}" chat-server --port 0 --max-per-ip 0 --connect-rate 0`], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    server.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    for (let waited = 0; !/listening on \S+:\d+\n/.test(stderr); waited += 20) {
      if (waited > 15_000) throw new Error(`no listening line; stderr: ${stderr}`);
      await delay(20);
    }
    const port = Number(/listening on \S+:(\d+)\n/.exec(stderr)![1]);
    const slots = Number(/at most (\d+) clients: the open-file limit/.exec(stderr)?.[1]);
    expect(slots).toBeGreaterThan(5); // Node itself holds some 25 descriptors.
    expect(slots).toBeLessThan(64);

    // Members first, kept open; then 60 more connections, in waves of 12 at
    // once (within the headroom of 16 kept for refusals).
    const members = await Promise.all(Array.from({ length: slots }, () => LineClient.connect(port)));
    for (const member of members) await member.expect(/^\* welcome, you are guest\d+ /);
    const extra: string[] = [];
    for (let wave = 0; wave < 5; wave++) extra.push(...(await Promise.all(Array.from({ length: 12 }, () => firstLine(port)))));
    const counts: Record<string, number> = {};
    for (const line of extra) counts[line] = (counts[line] ?? 0) + 1;
    expect(counts).toEqual({ "! server full": 60 });
    await delay(100);
    expect(stderr.match(/refused 127\.0\.0\.1:\d+: server full \(open-file limit\)\n/g)).toHaveLength(60);

    // Members leave: room again.
    for (const member of members) member.close();
    await delay(500);
    expect(await firstLine(port)).toMatch(/^\* welcome, you are guest\d+ /);

    // 300 at once is past the headroom too: the system closes some unanswered
    // (EMFILE), which is logged; the server lives on.
    const burst = await Promise.all(Array.from({ length: 300 }, () => firstLine(port)));
    expect(burst.filter((line) => /^(\* welcome|! server full)/.test(line)).length).toBeGreaterThan(slots);
    await delay(500);
    expect(stderr).toContain("out of file descriptors: more connections are closed unanswered until some close\n");
    expect(await firstLine(port)).toMatch(/^\* welcome, you are guest\d+ /);
  });
});
