/**
 * End-to-end: `chat-server --redis --metrics-port` on a real redis-server
 * reports the broker's round trips, backlog and connection.
 */
import { afterEach, describe, expect, it } from "vitest";
import { useRedisServer } from "../helpers/redis-server.ts";
import { cleanup, LineClient, runApp, startApp } from "./helpers.ts";
import { expectDocumented, scrape, startObserved } from "./metrics/observed-server.ts";
import { sampleValue } from "./metrics/prometheus-oracle.ts";

const redis = useRedisServer();
afterEach(cleanup);

describe("chat-server --redis --metrics-port", () => {
  it("reports each broker step's round trip, none left in flight, and the connection up", async () => {
    const { port, metricsPort } = await startObserved(["--redis", redis().url]);
    const [[alice], [bob, bobNick]] = await LineClient.room(port, 2);
    bob.send("hello through redis");
    await alice.expect(`<${bobNick}> hello through redis`);
    const families = await scrape(metricsPort);
    expectDocumented(families);
    const steps = families.get("boucle_broker_step_duration_seconds")!;
    expect(steps.type).toBe("HISTOGRAM");
    const [histogram] = steps.metrics as { count: string; sum: string; buckets: Record<string, string> }[];
    expect(Number(histogram!.count)).toBeGreaterThanOrEqual(3); // two admissions and a message at least
    expect(Number(histogram!.sum)).toBeGreaterThan(0);
    expect(Number(histogram!.buckets["+Inf"])).toBe(Number(histogram!.count));
    expect(sampleValue(families, "boucle_broker_steps_in_flight")).toBe(0);
    expect(sampleValue(families, "boucle_broker_connected")).toBe(1);
    expect(sampleValue(families, "boucle_broker_unavailable_total")).toBe(0);
    expect(sampleValue(families, "boucle_chat_clients")).toBe(2);
  });
});

describe("chat-server --workers --metrics-port", () => {
  it("gives each worker a metrics port of its own, each counting its own clients", async () => {
    const { app, port } = await startApp("chat-server", ["--redis", redis().url, "--workers", "2", "--metrics-port", "0"]);
    await app.waitForStderr(/(metrics listening on \S+\n[\s\S]*){2}/, 15_000);
    const metricsPorts = [...app.stderr.matchAll(/metrics listening on http:\/\/127\.0\.0\.1:(\d+)\/metrics\n/g)].map((m) => Number(m[1]));
    expect(new Set(metricsPorts).size).toBe(2);
    for (let i = 0; i < 4; i++) await LineClient.joined(port);
    const counts = await Promise.all(metricsPorts.map(async (p) => sampleValue(await scrape(p), "boucle_chat_clients")));
    expect(counts[0]! + counts[1]!).toBe(4); // Each worker reports its own, none twice.
    app.child.kill("SIGTERM");
    expect((await app.exited).code).toBe(0);
  });

  it("refuses a metrics port with no room for every worker's", async () => {
    const result = await runApp(["chat-server", "--redis", redis().url, "--workers", "3", "--metrics-port", "65534"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--metrics-port 65534 leaves no room for 3 workers' ports/);
  });
});
