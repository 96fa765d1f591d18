/**
 * End-to-end: `chat-server --redis --metrics-port` on a real redis-server
 * reports the broker's round trips, backlog and connection.
 */
import { afterEach, describe, expect, it } from "vitest";
import { useRedisServer } from "../helpers/redis-server.ts";
import { cleanup, LineClient } from "./helpers.ts";
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
