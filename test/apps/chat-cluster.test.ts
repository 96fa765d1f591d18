/**
 * Several `boucle chat-server --redis` processes on one real redis-server
 * are one chat: checked end to end with plain TCP clients.
 */
import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { useRedisServer } from "../helpers/redis-server.ts";
import { cleanup, delay, LineClient, runApp, startApp, type AppProcess } from "./helpers.ts";

const redis = useRedisServer();
afterEach(cleanup);

/** Start `n` chat servers on the test Redis; returns their ports and processes. */
async function nodes(n: number, extra: string[] = []): Promise<{ app: AppProcess; port: number }[]> {
  return Promise.all(Array.from({ length: n }, () => startApp("chat-server", ["--quiet", "--no-flood-limit", "--max-per-ip", "0", "--connect-rate", "0", "--redis", redis().url, ...extra])));
}

/** The test's members so far, in #lobby. */
let lobby: LineClient[] = [];
afterEach(() => {
  lobby = [];
});

/**
 * Connect to `port` and take the welcome and own join notice; every earlier
 * member takes the newcomer's join notice too (it may come later than the
 * newcomer's own: it travels through Redis to their servers). Returns the
 * client and its nickname.
 */
async function member(port: number): Promise<[LineClient, string]> {
  const [client, nick] = await LineClient.joined(port);
  for (const other of lobby) await other.until(`* ${nick} joined #lobby`);
  lobby.push(client);
  return [client, nick];
}

/** A history line with its time stamp as `HH:MM` (the time depends on when the test runs). */
function unstamped(line: string): string {
  return line.replace(/^~ \d\d:\d\d /, "~ HH:MM ");
}

/** Every line `client` gets until its /sync reply, after the others have all been synced. */
async function drain(...clients: LineClient[]): Promise<void> {
  for (const client of clients) await client.sync(10_000);
}

describe("chat across servers", () => {
  it("delivers a message to the room's members on another server, not back to its sender", async () => {
    const [one, two] = await nodes(2);
    const [ada, adaNick] = await member(one!.port);
    const [bob, bobNick] = await member(two!.port);
    ada.send("hello from one");
    await bob.expect(`<${adaNick}> hello from one`);
    bob.send("/me waves");
    await bob.expect(`** ${bobNick} waves`);
    await ada.expect(`** ${bobNick} waves`);
    expect(await ada.sync()).toEqual([]); // ada never got her own message back.
  });

  it("shows every receiver one order, each line once, each sender's lines in order (3 servers)", async () => {
    const servers = await nodes(3);
    const clients: [LineClient, string][] = [];
    for (const server of servers) for (let i = 0; i < 2; i++) clients.push(await member(server.port));
    await drain(...clients.map(([c]) => c));
    const PER_SENDER = 25;
    for (let k = 0; k < PER_SENDER; k++) for (const [client] of clients) client.send(`n ${k}`);
    const received = new Map<string, string[]>();
    for (const [client, nick] of clients) {
      const lines: string[] = [];
      while (lines.length < PER_SENDER * (clients.length - 1)) lines.push(await client.next(15_000));
      received.set(nick, lines);
    }
    await delay(200);
    for (const [client] of clients) expect(client.lines).toEqual([]); // Nothing doubled.
    const nicks = clients.map(([, nick]) => nick);
    for (const a of nicks) {
      for (const b of nicks) {
        if (a === b) continue;
        // Lines neither a nor b sent: both got them, in one order.
        const others = (lines: string[]): string[] => lines.filter((l) => !l.startsWith(`<${a}> `) && !l.startsWith(`<${b}> `));
        expect(others(received.get(a)!)).toEqual(others(received.get(b)!));
      }
      for (const sender of nicks) {
        if (sender === a) continue;
        const ks = received.get(a)!.filter((l) => l.startsWith(`<${sender}> `)).map((l) => Number(l.split(" ")[2]));
        expect(ks).toEqual(Array.from({ length: PER_SENDER }, (_, k) => k));
      }
    }
  });

  it("answers a command only after the line before it came back from Redis (the reply barrier)", async () => {
    const [one] = await nodes(1);
    const [ada, nick] = await member(one!.port);
    for (let i = 0; i < 20; i++) ada.send(`/me step ${i}`, "/nope");
    for (let i = 0; i < 20; i++) {
      await ada.expect(`** ${nick} step ${i}`);
      await ada.expect("! unknown command /nope (try /help)");
    }
  });

  it("lets one of two clients on two servers racing for a nickname have it", async () => {
    const [one, two] = await nodes(2);
    // Why new clients each trial: a client may change its nickname 3 times at once, then once per 10 s.
    for (let trial = 0; trial < 12; trial++) {
      const [ada] = await LineClient.joined(one!.port);
      const [bob] = await LineClient.joined(two!.port);
      ada.send(`/nick Racer${trial}`, "/sync");
      bob.send(`/nick racer${trial}`, "/sync");
      const [adaLines, bobLines] = await Promise.all([ada.until("! unknown command /sync (try /help)"), bob.until("! unknown command /sync (try /help)")]);
      const taken = [adaLines, bobLines].map((lines) => lines.some((l) => /^! nickname racer\d+ is taken$/i.test(l)));
      expect(taken.filter(Boolean)).toHaveLength(1);
      const winner = taken[0] ? bobLines : adaLines;
      expect(winner.some((l) => / is now known as racer\d+$/i.test(l))).toBe(true);
      ada.close();
      bob.close();
    }
  });

  it("announces across servers after the admission delay, never a /ping probe, and tallies a quiet room over both servers", async () => {
    const [one, two] = await nodes(2, ["--quiet-room-size", "3"]);
    const [ada] = await member(one!.port);
    const probe = await LineClient.connect(two!.port);
    const probeNick = /you are (\S+)/.exec(await probe.next())![1]!;
    probe.send("/ping");
    await probe.until("* pong");
    probe.close();
    const silent = await LineClient.connect(two!.port);
    const silentNick = /you are (\S+)/.exec(await silent.next())![1]!;
    const seen = await ada.until(`* ${silentNick} joined #lobby`, 5000); // Said nothing: announced after 1 s.
    expect(seen.join("\n")).not.toContain(probeNick);
    await member(one!.port); // 3 members: still told one by one (member() waits for ada to be told).
    await LineClient.joined(two!.port); // 4 and 5: counted.
    await LineClient.joined(one!.port);
    const lines = await ada.until("* 2 joined #lobby (5 members)", 5000);
    expect(lines.filter((l) => / joined #lobby$/.test(l))).toEqual([]);
    expect(lines.join("\n")).not.toContain(probeNick);
  });

  it("tells the rooms on the other servers when a server shuts down", async () => {
    const [one, two] = await nodes(2);
    const [ada] = await member(one!.port);
    const [bob, bobNick] = await member(two!.port);
    await drain(ada, bob);
    two!.app.child.kill("SIGTERM");
    expect((await two!.app.exited).code).toBe(0);
    await ada.expect(`* ${bobNick} left (server shutting down)`);
  });

  it("answers /who, /rooms and /msg for members on every server", async () => {
    const [one, two] = await nodes(2);
    const [ada] = await member(one!.port);
    const [bob, bobNick] = await member(two!.port);
    ada.send("/nick ada");
    await ada.until(/is now known as ada$/);
    await bob.until(/is now known as ada$/);
    bob.send("/join #Rust");
    await bob.until(`* ${bobNick} joined #Rust`);
    await ada.until(`* ${bobNick} left #lobby`);
    ada.send("/who", "/rooms", `/msg ${bobNick.toUpperCase()} psst`, "/msg nobody hi");
    await ada.expect("* #lobby has 1 member: ada");
    await ada.expect("* 2 rooms: #lobby (1), #Rust (1)");
    await ada.expect(`* to ${bobNick}: psst`);
    await ada.expect("! no such nick nobody");
    await bob.expect("[ada] psst");
  });
});

describe("chat across servers when something fails", () => {
  it("replays a room's last --history lines, marked ~ HH:MM, to a member joining it on another server", async () => {
    const [one, two] = await nodes(2, ["--history", "3"]);
    const [ada, adaNick] = await member(one!.port);
    ada.send("/join #talk");
    await ada.expect(`* ${adaNick} joined #talk`);
    for (let i = 1; i <= 4; i++) ada.send(`line ${i}`);
    ada.send("/me waves");
    await ada.expect(`** ${adaNick} waves`); // All five are in Redis now (the reply barrier).
    const [bob, bobNick] = await LineClient.joined(two!.port);
    bob.send("/join #talk");
    await bob.expect(`* ${bobNick} joined #talk`);
    const replay = [await bob.next(), await bob.next(), await bob.next()];
    expect(replay.map(unstamped)).toEqual([`~ HH:MM <${adaNick}> line 3`, `~ HH:MM <${adaNick}> line 4`, `~ HH:MM ** ${adaNick} waves`]);
    ada.send("after");
    await bob.expect(`<${adaNick}> after`); // Live, not replayed: each line once.
    expect(await bob.sync()).toEqual([]);
  });

  it("replays #lobby's history to a newcomer on any server, and drops a room's with its last member", async () => {
    const [one, two] = await nodes(2);
    const [ada, adaNick] = await member(one!.port);
    ada.send("hi lobby");
    await drain(ada);
    const cy = await LineClient.connect(two!.port);
    const cyNick = /you are (\S+)/.exec(await cy.next())![1]!;
    await cy.expect(`* ${cyNick} joined #lobby`);
    expect(unstamped(await cy.next())).toBe(`~ HH:MM <${adaNick}> hi lobby`);
    expect(await cy.sync()).toEqual([]);
    ada.send("/join #brief", "said to #brief");
    await drain(ada);
    ada.send("/quit");
    await ada.waitClosed(); // The server closes after Redis has its leave: #brief is empty, so gone.
    cy.send("/join #brief");
    await cy.until(`* ${cyNick} joined #brief`);
    expect(await cy.sync()).toEqual([]);
  });

  it("keeps no history with --history 0", async () => {
    const [one, two] = await nodes(2, ["--history", "0"]);
    const [ada] = await member(one!.port);
    ada.send("lost to newcomers");
    await drain(ada);
    const cy = await LineClient.connect(two!.port);
    await cy.next(); // The welcome.
    await cy.until(/joined #lobby$/);
    expect(await cy.sync()).toEqual([]);
  });

  it("removes a SIGKILLed server's members once when its lease expires", async () => {
    const [one, two, three] = await nodes(3, ["--lease-ms", "1000"]);
    const [ada] = await member(one!.port);
    const [bob] = await member(two!.port);
    const [victim, victimNick] = await member(three!.port);
    await drain(ada, bob, victim);
    three!.app.child.kill("SIGKILL");
    await ada.until(`* ${victimNick} left (node lost)`, 10_000);
    await bob.until(`* ${victimNick} left (node lost)`, 10_000);
    await delay(1500); // Both survivors have run their reaper again by now.
    expect(await ada.sync()).toEqual([]);
    expect(await bob.sync()).toEqual([]);
    ada.send(`/nick ${victimNick}`); // The nickname is free again.
    await ada.until(new RegExp(`is now known as ${victimNick}$`));
  });

  it("gives a clear error while Redis is down, then says messages may have been missed", async () => {
    const [one] = await nodes(1);
    const [ada] = await member(one!.port);
    await redis().kill({ hard: true });
    ada.send("anyone there?");
    await ada.expect(/^! chat service unavailable/, 10_000);
    await redis().startAgain();
    await ada.expect("* some messages may have been missed", 10_000);
    ada.send("/me is back");
    await ada.expect(/is back$/, 10_000);
  });

  it("loses and doubles nothing when Redis drops the servers' connections", async () => {
    const [one, two] = await nodes(2);
    const [ada, adaNick] = await member(one!.port);
    const [bob] = await member(two!.port);
    await drain(ada, bob);
    for (let k = 0; k < 30; k++) {
      ada.send(`line ${k}`);
      if (k === 10 || k === 20) await redis().command("CLIENT", "KILL", "TYPE", "normal");
    }
    for (let k = 0; k < 30; k++) await bob.expect(`<${adaNick}> line ${k}`, 10_000);
    expect(await bob.sync()).toEqual([]);
  });

  it("holds lines while Redis is paused and delivers them once after", async () => {
    const [one, two] = await nodes(2);
    const [ada, adaNick] = await member(one!.port);
    const [bob] = await member(two!.port);
    await drain(ada, bob);
    await redis().command("CLIENT", "PAUSE", "500", "WRITE");
    ada.send("during the pause");
    await bob.expect(`<${adaNick}> during the pause`, 10_000);
    expect(await bob.sync()).toEqual([]);
  });
});

describe("loadtest --targets", () => {
  it("spreads its clients over two servers and finds one order at every receiver", async () => {
    const [one, two] = await nodes(2);
    const targets = `127.0.0.1:${one!.port},127.0.0.1:${two!.port}`;
    const { code, stdout } = await runApp(["loadtest", "--targets", targets, "--clients", "6", "--messages", "40", "--json", "--no-progress"], 60_000);
    const result = JSON.parse(stdout) as { errors: Record<string, number>; lost: number; duplicated: number; expected: number; host: string };
    expect(result.errors).toEqual({});
    expect(code).toBe(0);
    expect(result.expected).toBe(6 * 40 * 5);
    expect([result.lost, result.duplicated]).toEqual([0, 0]);
    expect(result.host).toBe(targets);
  });
});

describe("chat-server --workers", () => {
  it("runs workers on one port sharing the chat, and exits 0 on SIGTERM", async () => {
    const { app, port } = await startApp("chat-server", ["--redis", redis().url, "--workers", "2"]);
    await app.waitForStderr(/listening on \S+\n[\s\S]*listening on \S+\n/, 15_000); // Both workers.
    const clients: [LineClient, string][] = [];
    for (let i = 0; i < 4; i++) clients.push(await member(port));
    await drain(...clients.map(([c]) => c));
    clients[0]![0].send("to everyone");
    for (const [client] of clients.slice(1)) await client.until(`<${clients[0]![1]}> to everyone`);
    app.child.kill("SIGTERM");
    const { code } = await app.exited;
    expect(code).toBe(0);
    expect(app.stderr.match(/shutting down/g)?.length, app.stderr).toBe(2);
  });

  it("starts another worker when one dies", async () => {
    const { app } = await startApp("chat-server", ["--redis", redis().url, "--workers", "2"]);
    await app.waitForStderr(/listening on \S+\n[\s\S]*listening on \S+\n/, 15_000);
    const workers = childPids(app.child.pid!);
    expect(workers).toHaveLength(2);
    process.kill(workers[0]!, "SIGKILL");
    await app.waitForStderr(new RegExp(`worker ${workers[0]} exited \\(SIGKILL\\); starting another`), 5000);
    await app.waitForStderr(/(listening on \S+\n[\s\S]*){3}/, 15_000);
    app.child.kill("SIGTERM");
    expect((await app.exited).code).toBe(0);
  });
});

describe("chat-server --redis on the command line", () => {
  it("refuses a bad URL and --workers without --redis as usage errors", async () => {
    const bad = await runApp(["chat-server", "--redis", "http://x"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^boucle chat-server: --redis: unknown Redis URL scheme http:/);
    const workers = await runApp(["chat-server", "--workers", "2"]);
    expect(workers.code).toBe(1);
    expect(workers.stderr).toMatch(/--workers needs --redis/);
  });

  it("exits 1 with one clear line when Redis can't be reached", async () => {
    const port = redis().port;
    await redis().kill();
    try {
      const { code, stderr } = await runApp(["chat-server", "--port", "0", "--redis", `redis://127.0.0.1:${port}`]);
      expect(code).toBe(1);
      expect(stderr).toMatch(new RegExp(`^boucle chat-server: cannot connect to Redis at 127\\.0\\.0\\.1:${port}: .+\n$`));
    } finally {
      await redis().startAgain();
    }
  });
});

/** The pids of a process's children (the workers of a --workers primary). */
function childPids(pid: number): number[] {
  const out = spawnSync("ps", ["--ppid", String(pid), "-o", "pid="], { encoding: "utf8" }).stdout;
  return out.split("\n").map(Number).filter((n) => n > 0);
}
