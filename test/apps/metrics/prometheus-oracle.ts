/**
 * The test oracle for the metrics endpoint: a scrape body parsed by
 * parse-prometheus-text-format (a port of the official Python client's
 * parser), plus the checks it is lenient about: every line is a HELP, a
 * TYPE or a sample of the grammar, every value a number, and every family
 * has both HELP and TYPE, before its samples.
 */
import parsePrometheusTextFormat, { type ParsedFamily } from "parse-prometheus-text-format";

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*)?\})? (\S+)$/;
const NUMBER = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf|NaN)$/;

export type Families = Map<string, ParsedFamily>;

/** Parse a scrape; throws with the offending line on anything malformed. */
export function parseScrape(body: string): Families {
  if (!body.endsWith("\n")) throw new Error("the body does not end with a newline");
  const described = new Map<string, { help: boolean; type: boolean }>();
  for (const line of body.slice(0, -1).split("\n")) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta !== null) {
      const entry = described.get(meta[2]!) ?? { help: false, type: false };
      entry[meta[1] === "HELP" ? "help" : "type"] = true;
      described.set(meta[2]!, entry);
      continue;
    }
    const sample = SAMPLE.exec(line);
    if (sample === null) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    if (!NUMBER.test(sample[3]!)) throw new Error(`not a number: ${JSON.stringify(line)}`);
    const family = sample[1]!.replace(/_(bucket|sum|count)$/, "");
    const entry = described.get(sample[1]!) ?? described.get(family);
    if (entry === undefined || !entry.help || !entry.type) throw new Error(`sample before its HELP and TYPE: ${JSON.stringify(line)}`);
  }
  const families: Families = new Map();
  for (const family of parsePrometheusTextFormat(body)) families.set(family.name, family);
  return families;
}

/** The value of a plain sample of `name` whose labels include `labels`. */
export function sampleValue(families: Families, name: string, labels: Record<string, string> = {}): number {
  const family = families.get(name);
  if (family === undefined) throw new Error(`no family ${name}`);
  const sample = family.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  if (sample === undefined || !("value" in sample)) throw new Error(`no sample of ${name} with ${JSON.stringify(labels)}`);
  return Number(sample.value);
}

/** The sum of every sample of a labelled counter or gauge. */
export function sampleSum(families: Families, name: string): number {
  const family = families.get(name);
  if (family === undefined) throw new Error(`no family ${name}`);
  return family.metrics.reduce((sum, m) => sum + ("value" in m ? Number(m.value) : 0), 0);
}
