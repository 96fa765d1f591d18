/**
 * A scenario's figures as people read them: the probe at rest and under
 * attack, side by side, with the ratio that the crowds issue's goals are
 * about (attack p99 at most 2x the rest's).
 */
import type { Percentiles } from "./histogram.ts";
import type { ScenarioResult } from "./scenarios.ts";

/** Ratio from which the summary flags a phase: the goal is "within 2x of rest". */
export const GOAL_RATIO = 2;

/**
 * The summary table of a scenario run.
 * @example
 * process.stdout.write(formatScenario(yield* runScenario(options)));
 */
export function formatScenario(result: ScenarioResult): string {
  const { rest, attack, attackers } = result;
  const lines = [`scenario ${result.scenario}: ${result.clients} clients`, "", `${"".padEnd(16)}${"rest".padStart(12)}${"attack".padStart(12)}${"ratio".padStart(9)}`];
  const row = (label: string, a: Percentiles, b: Percentiles, pick: (p: Percentiles) => number): void => {
    const r = pick(a) > 0 ? pick(b) / pick(a) : NaN;
    const flag = r > GOAL_RATIO ? "  > 2x" : "";
    lines.push(`${label.padEnd(16)}${ms(pick(a)).padStart(12)}${ms(pick(b)).padStart(12)}${(Number.isFinite(r) ? `${r.toFixed(1)}x` : "-").padStart(9)}${flag}`);
  };
  row("line p50", rest.line, attack.line, (p) => p.p50);
  row("line p99", rest.line, attack.line, (p) => p.p99);
  row("line max", rest.line, attack.line, (p) => p.max);
  row("welcome p50", rest.welcome, attack.welcome, (p) => p.p50);
  row("welcome p99", rest.welcome, attack.welcome, (p) => p.p99);
  lines.push(`${"samples".padEnd(16)}${String(rest.line.count).padStart(12)}${String(attack.line.count).padStart(12)}`, "");
  const parts = [`${attackers.connected} connected`, `${attackers.failed} failed`];
  if (result.scenario !== "silent" && result.scenario !== "slow-readers") parts.push(`${attackers.welcomed} welcomed`);
  if (attackers.evicted !== null) parts.push(`${attackers.evicted} dropped as slow readers`);
  lines.push(`attackers: ${parts.join(", ")}`);
  if (attackers.lastWelcomeAfterLastConnectMs !== null) lines.push(`last welcome ${ms(attackers.lastWelcomeAfterLastConnectMs)} after the last connect`);
  const errors = Object.entries(result.errors);
  if (errors.length > 0) lines.push(`errors: ${errors.map(([k, n]) => `${k} x${n}`).join(", ")}`);
  return `${lines.join("\n")}\n`;
}

function ms(value: number): string {
  return value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(2)} ms`;
}
