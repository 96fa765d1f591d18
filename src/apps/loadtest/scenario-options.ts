/**
 * The names of `boucle loadtest --scenario` and their default crowd sizes
 * (kept apart from scenarios.ts so parsing options loads no scenario code).
 */

/** crowd: N clients connect at once; churn: a room of N with members leaving and rejoining;
 * slow-readers: N members that never read while flooders talk; silent: N connections that send nothing. */
export const SCENARIOS = ["crowd", "churn", "slow-readers", "silent"] as const;

export type Scenario = (typeof SCENARIOS)[number];

/** `--clients` when not given: big enough to show the effect, small enough for a laptop. */
export const SCENARIO_CLIENTS: Record<Scenario, number> = { crowd: 1000, churn: 1000, "slow-readers": 200, silent: 1000 };
