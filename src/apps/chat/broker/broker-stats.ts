/**
 * What a Redis broker counts for the metrics endpoint: each step's round
 * trip (sent to Redis, answered, and what it appended delivered back here:
 * the time a member's line takes through the shared chat), the steps in
 * flight (the backlog waiting on Redis), and the steps Redis failed.
 * Plain fields and one histogram, updated once per step.
 */
import { exponentialBounds, Histogram } from "../../metrics/histogram.ts";

/** Step round trips from 0.25 ms to about 4 s: loopback Redis answers in well under a millisecond, a stalled one in seconds. */
const STEP_BOUNDS_SECONDS = exponentialBounds(0.00025, 2, 15);

export class BrokerStats {
  /** Round trip of each step that succeeded, in seconds. */
  readonly stepSeconds = new Histogram(STEP_BOUNDS_SECONDS);
  /** Steps sent and not yet done. */
  inFlight = 0;
  /** Steps given up as Redis unavailable (each one a `! chat service unavailable` somewhere). */
  unavailable = 0;
  /** Whether the broker's connection to Redis is up now. */
  connected: () => boolean = () => false;
}
