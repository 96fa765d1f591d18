/**
 * End-to-end: a real chat-server process with `--metrics-port` and
 * `--log-format json`, scraped with fetch, the body parsed as Prometheus
 * text by the oracle, while a bounded `boucle loadtest` and a few real
 * clients talk to it.
 */
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AppProcess, cleanup, delay, LineClient, runApp } from "./helpers.ts";
import { documentedMetrics, expectDocumented, scrape, startObserved } from "./metrics/observed-server.ts";
import { sampleSum, sampleValue, type Families } from "./metrics/prometheus-oracle.ts";

afterEach(cleanup);

const EXPECTED_FAMILIES: [string, string][] = [
  ["boucle_build_info", "GAUGE"],
  ["process_resident_memory_bytes", "GAUGE"],
  ["process_cpu_seconds_total", "COUNTER"],
  ["process_open_fds", "GAUGE"],
  ["boucle_loop_iterations_total", "COUNTER"],
  ["boucle_loop_lag_seconds", "SUMMARY"],
  ["boucle_loop_iteration_duration_seconds", "SUMMARY"],
  ["boucle_chat_clients", "GAUGE"],
  ["boucle_chat_rooms", "GAUGE"],
  ["boucle_chat_connections_total", "COUNTER"],
  ["boucle_chat_disconnects_total", "COUNTER"],
  ["boucle_chat_refused_connections_total", "COUNTER"],
  ["boucle_chat_lines_received_total", "COUNTER"],
  ["boucle_chat_received_bytes_total", "COUNTER"],
  ["boucle_chat_lines_sent_total", "COUNTER"],
  ["boucle_chat_sent_bytes_total", "COUNTER"],
  ["boucle_chat_dropped_lines_total", "COUNTER"],
  ["boucle_chat_output_queue_bytes", "HISTOGRAM"],
];

/** Scrape until `check` holds (a server counts a disconnect once it has seen the EOF). */
async function scrapeUntil(metricsPort: number, check: (families: Families) => boolean, ms = 5000): Promise<Families> {
  const deadline = Date.now() + ms;
  for (;;) {
    const families = await scrape(metricsPort);
    if (check(families) || Date.now() > deadline) return families;
    await delay(50);
  }
}

describe("chat-server --metrics-port", () => {
  it("serves Prometheus text whose counters move while a loadtest runs", async () => {
    const { port, metricsPort } = await startObserved(["--no-flood-limit", "--max-per-ip", "0", "--connect-rate", "0"]);
    const before = await scrape(metricsPort);
    for (const [name, type] of EXPECTED_FAMILIES) {
      expect(before.get(name), name).toMatchObject({ type });
      expect(before.get(name)!.help.length, name).toBeGreaterThan(10);
    }
    expectDocumented(before);
    expect(documentedMetrics().size).toBeGreaterThanOrEqual(before.size + 7); // The broker's 4 and the echo's 3 too.
    expect(sampleValue(before, "boucle_chat_connections_total")).toBe(0);
    const loadtest = new AppProcess(["loadtest", "--port", String(port), "-c", "4", "--duration", "2", "--rate", "20", "--no-progress", "--json"]);
    // Once the 4 are in and have talked a little (a slow machine may take a while to start the loadtest).
    const during = await scrapeUntil(metricsPort, (f) => sampleValue(f, "boucle_chat_clients") === 4 && sampleValue(f, "boucle_chat_lines_received_total") > 8, 10_000);
    const { code } = await loadtest.exited;
    expect(code, loadtest.stderr).toBe(0);
    const after = await scrapeUntil(metricsPort, (f) => sampleSum(f, "boucle_chat_disconnects_total") >= 4);

    expect(sampleValue(during, "boucle_chat_clients")).toBe(4);
    expect(sampleValue(during, "boucle_chat_rooms")).toBeGreaterThanOrEqual(1);
    const received = (f: Families): number => sampleValue(f, "boucle_chat_lines_received_total");
    const sent = (f: Families): number => sampleValue(f, "boucle_chat_lines_sent_total");
    expect(received(during)).toBeGreaterThan(received(before));
    expect(received(after)).toBeGreaterThan(received(during));
    // 4 clients sending 20 lines a second for 2 s; each message reaches the 3 others.
    expect(received(after)).toBeGreaterThanOrEqual(4 * 30);
    expect(sent(after)).toBeGreaterThanOrEqual(3 * received(after) - 50);
    expect(sampleValue(after, "boucle_chat_received_bytes_total")).toBeGreaterThan(64 * received(after) * 0.9);
    expect(sampleValue(after, "boucle_chat_sent_bytes_total")).toBeGreaterThan(sampleValue(after, "boucle_chat_received_bytes_total"));
    expect(sampleValue(after, "boucle_chat_connections_total")).toBe(4);
    expect(sampleSum(after, "boucle_chat_disconnects_total")).toBe(4);
    expect(sampleValue(after, "boucle_chat_clients")).toBe(0);
    expect(sampleValue(after, "boucle_loop_iterations_total")).toBeGreaterThan(sampleValue(during, "boucle_loop_iterations_total"));
    const lagCount = (f: Families): number => Number((f.get("boucle_loop_lag_seconds")!.metrics[0] as { count: string }).count);
    expect(lagCount(after)).toBeGreaterThan(lagCount(before)); // Timers ran meanwhile (the flood buckets', the crowd notices').
    const queues = after.get("boucle_chat_output_queue_bytes")!.metrics[0]!;
    expect("count" in queues && Number(queues.count)).toBeGreaterThanOrEqual(4); // 4 clients sampled at least once a second
  });

  it("counts an over-long line and a quit, and logs one JSON object per line with the fields", async () => {
    const { app, port, metricsPort } = await startObserved();
    const [client, nick] = await LineClient.joined(port);
    client.send("x".repeat(5000));
    await client.expect("! line too long (max 4096 bytes)");
    client.send("/quit lunch");
    await client.waitClosed();
    const families = await scrapeUntil(metricsPort, (f) => sampleValue(f, "boucle_chat_disconnects_total", { reason: "quit" }) === 1);
    expect(sampleValue(families, "boucle_chat_dropped_lines_total", { reason: "line_too_long" })).toBe(1);
    expect(sampleValue(families, "boucle_chat_disconnects_total", { reason: "quit" })).toBe(1);
    expect(sampleValue(families, "boucle_chat_received_bytes_total")).toBeGreaterThan(5000);

    const records = app.stderr.trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const record of records) {
      expect(new Date(record["time"] as string).toISOString()).toBe(record["time"]);
      expect(["info", "warn", "error"]).toContain(record["level"]);
      expect(typeof record["event"]).toBe("string");
      expect(typeof record["msg"]).toBe("string");
    }
    const connect = records.find((r) => r["event"] === "connect");
    expect(connect).toMatchObject({ level: "info", nick, room: "#lobby", msg: expect.stringMatching(new RegExp(`^connect ${nick} from 127\\.0\\.0\\.1:\\d+$`)) });
    expect(connect!["client"]).toEqual(expect.any(Number));
    expect(connect!["address"]).toMatch(/^127\.0\.0\.1:\d+$/);
    const disconnect = records.find((r) => r["event"] === "disconnect");
    expect(disconnect).toMatchObject({ client: connect!["client"], address: connect!["address"], nick, reason: "quit: lunch" });
  });

  it("counts a slow reader's eviction under its reason", async () => {
    const { port, metricsPort } = await startObserved(["--no-flood-limit", "--max-queue", "65536"]);
    const [[slow, slowNick], [flooder], [observer]] = await LineClient.room(port, 3);
    slow.socket.pause(); // Never reads again.
    const leftNotice = `* ${slowNick} left (disconnected: not reading fast enough)`;
    for (let sent = 0; !observer.all.includes(leftNotice) && sent < 20_000; sent += 100) {
      flooder.send(...Array.from({ length: 100 }, (_, i) => `${sent + i} ${"z".repeat(4000)}`));
      await delay(5);
    }
    const families = await scrapeUntil(metricsPort, (f) => sampleValue(f, "boucle_chat_disconnects_total", { reason: "slow_reader" }) === 1);
    expect(sampleValue(families, "boucle_chat_disconnects_total", { reason: "slow_reader" })).toBe(1);
    expect(sampleValue(families, "boucle_chat_clients")).toBe(2);
  });

  it("answers strangers on the metrics port with 404, 405 and 400, and keeps serving", async () => {
    const { metricsPort } = await startObserved();
    const base = `http://127.0.0.1:${metricsPort}`;
    expect((await fetch(`${base}/admin`)).status).toBe(404);
    const post = await fetch(`${base}/metrics`, { method: "POST", body: "x" });
    expect([post.status, post.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
    const bad = await rawRequest(metricsPort, "GET /metrics HTTP/1.1\r\n\r\n");
    expect(bad.split("\r\n", 1)[0]).toBe("HTTP/1.1 400 Bad Request");
    expect(sampleValue(await scrape(metricsPort), "boucle_build_info")).toBe(1);
  });

  it("refuses a metrics port that is taken, releasing the chat port, with one clear line", async () => {
    const taken: Server = await new Promise((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => resolve(server));
    });
    try {
      const port = (taken.address() as { port: number }).port;
      const result = await runApp(["chat-server", "--port", "0", "--metrics-port", String(port)]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`boucle chat-server: cannot serve metrics on 127.0.0.1:${port}: address already in use\n`);
    } finally {
      taken.close();
    }
  });
});

/** One request on a raw socket; what came back once the server closed. */
function rawRequest(port: number, bytes: string): Promise<string> {
  return LineClient.connect(port).then(async (client) => {
    client.socket.write(bytes);
    await client.closed;
    return client.all.join("\n");
  });
}
