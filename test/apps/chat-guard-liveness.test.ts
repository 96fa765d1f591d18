/**
 * End-to-end liveness with short flags: a real `boucle chat-server`, plain
 * TCP clients and a real `boucle connect`. Silent connections are pinged,
 * then closed with `* nick left (ping timeout)`; any line keeps one alive;
 * a connection that sends no complete line (slowloris) is closed; the
 * terminal client answers pings by itself.
 */
import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, delay, LineClient, ROOT, startApp } from "./helpers.ts";

const children: ReturnType<typeof spawn>[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  await cleanup();
});

async function chatServer(...args: string[]): Promise<number> {
  const { port } = await startApp("chat-server", ["--quiet", ...args]);
  return port;
}

/** The nickname in a client's welcome line. */
function nickOf(client: LineClient): string {
  return /you are (\S+)/.exec(client.all[0]!)![1]!;
}

describe("liveness", () => {
  it("pings a silent connection after --idle-timeout and closes it after another period, telling the room", async () => {
    const port = await chatServer("--idle-timeout", "0.4");
    const [silent, sn] = await LineClient.joined(port);
    const [watcher] = await LineClient.joined(port);
    const started = Date.now();
    await silent.until(`* ${nickOf(watcher)} joined #lobby`);
    await silent.expect(/^\* ping [0-9a-f]{8}$/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    // The watcher stays: it answers its own pings (any line would do).
    const answering = setInterval(() => watcher.send("/pong x"), 100);
    try {
      await silent.expect("! ping timeout, closing the connection");
      await silent.waitClosed();
      await watcher.until(`* ${sn} left (ping timeout)`);
      expect(watcher.ended).toBe(false);
    } finally {
      clearInterval(answering);
    }
  });

  it("keeps a connection that answers with /pong TOKEN, or sends any other line", async () => {
    const port = await chatServer("--idle-timeout", "0.3");
    const [ponger, pn] = await LineClient.joined(port);
    const [talker, tn] = await LineClient.joined(port);
    const [watcher] = await LineClient.joined(port);
    const talking = setInterval(() => {
      talker.send("still here");
      watcher.send("/pong");
    }, 100);
    try {
      for (let i = 0; i < 3; i++) {
        await ponger.until(/^\* ping /);
        const ping = ponger.all.findLast((l) => l.startsWith("* ping "))!;
        ponger.send(`/pong ${ping.slice("* ping ".length)}`);
      }
      expect(ponger.ended).toBe(false);
      expect(talker.all.some((l) => l.startsWith("* ping"))).toBe(false);
      expect(watcher.all).not.toContain(`* ${pn} left (ping timeout)`);
      expect(watcher.all).not.toContain(`* ${tn} left (ping timeout)`);
    } finally {
      clearInterval(talking);
    }
  });

  it("closes a slowloris that dribbles bytes but never a complete line, before it is ever announced", async () => {
    const port = await chatServer("--first-line-timeout", "0.5");
    const [watcher] = await LineClient.joined(port);
    const loris = await LineClient.connect(port);
    const dribble = setInterval(() => loris.sendRaw("x"), 50);
    try {
      await loris.until("! no line received, closing the connection", 3000);
      await loris.waitClosed(3000);
    } finally {
      clearInterval(dribble);
    }
    const seen = await watcher.sync();
    expect(seen).toEqual([]); // Gone before its admission delay: never announced.
  });

  it("the terminal client sends a first line at once and answers pings by itself, showing none", async () => {
    const port = await chatServer("--idle-timeout", "0.3", "--first-line-timeout", "0.5");
    const [watcher] = await LineClient.joined(port);
    const answering = setInterval(() => watcher.send("/pong"), 100);
    // Piped mode, stdin left open: its first line comes from stdin; the
    // interactive mode sends /pong at once (client-tmux covers it running).
    const child = spawn(process.execPath, ["bin/boucle.js", "connect", `127.0.0.1:${port}`], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    children.push(child);
    let stdout = "";
    child.stdout!.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stdin!.write("hello from the client\n"); // Stdin stays open.
    try {
      await watcher.until(/^<guest\d+> hello from the client$/);
      await delay(1500); // Five idle periods.
      expect(child.exitCode).toBe(null);
      expect(stdout).toMatch(/welcome/);
      expect(stdout).not.toMatch(/ping/);
      expect(watcher.all.filter((l) => l.includes("left"))).toEqual([]);
    } finally {
      clearInterval(answering);
    }
  });
});
