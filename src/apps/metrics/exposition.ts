/**
 * A registry of metric families and their rendering in the Prometheus text
 * exposition format (version 0.0.4), the one every scraper reads.
 *
 * Why pull, not push: the apps count in plain number fields on their hot
 * paths (a room line reaching 1 000 members adds to a field, it looks
 * nothing up), and a family only says how to read those fields. All the
 * work (names, labels, escaping, formatting) happens when someone scrapes,
 * and nothing at all when nobody does.
 *
 * Invariants, checked when a family is registered: names follow the
 * Prometheus rules (`[a-zA-Z_:][a-zA-Z0-9_:]*`), are unique, and a counter's
 * name ends in `_total`; label names are `[a-zA-Z_][a-zA-Z0-9_]*` and never
 * start with `__` (reserved).
 */
import type { Histogram } from "./histogram.ts";

export type MetricType = "counter" | "gauge" | "histogram" | "summary";

/** One line of a family: `name{suffix}{labels} value`. */
export interface Sample {
  /** Appended to the family's name: `_bucket`, `_sum`, `_count`; none for plain samples. */
  suffix?: string;
  labels?: Readonly<Record<string, string>>;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  /** Called at each scrape; what it returns is rendered at once. */
  collect(): Iterable<Sample>;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * The families an app exposes, in registration order.
 * @example
 * const registry = new MetricsRegistry();
 * registry.counter("boucle_chat_lines_received_total", "Lines received from clients.", () => counters.linesReceived);
 * registry.render(); // "# HELP boucle_chat_lines_received_total ...\n# TYPE ... counter\nboucle_chat_lines_received_total 42\n"
 */
export class MetricsRegistry {
  readonly #families: MetricFamily[] = [];
  readonly #names = new Set<string>();
  readonly #beforeScrape: (() => void)[] = [];

  /**
   * Add a family. @throws Error for a malformed or repeated name, or a
   * counter not named `..._total`: a programming error, caught at start.
   */
  register(family: MetricFamily): void {
    const { name, type } = family;
    if (!METRIC_NAME.test(name)) throw new Error(`metric name ${JSON.stringify(name)} is not a Prometheus name`);
    if (this.#names.has(name)) throw new Error(`metric ${name} is registered twice`);
    if (type === "counter" && !name.endsWith("_total")) throw new Error(`counter ${name} must be named ..._total`);
    this.#names.add(name);
    this.#families.push(family);
  }

  /** Run `prepare` at the start of each scrape: one snapshot that several families read. */
  onScrape(prepare: () => void): void {
    this.#beforeScrape.push(prepare);
  }

  /** A counter read from `read()` (a running total that only goes up). */
  counter(name: string, help: string, read: () => number): void {
    this.register({ name, help, type: "counter", collect: () => [{ value: read() }] });
  }

  /** A gauge read from `read()` (a value that goes up and down). */
  gauge(name: string, help: string, read: () => number): void {
    this.register({ name, help, type: "gauge", collect: () => [{ value: read() }] });
  }

  /**
   * A counter with one label: one sample per entry of `read()`, e.g.
   * disconnects by reason. Keep the label's values a small fixed set.
   */
  labelledCounter(name: string, help: string, label: string, read: () => Iterable<readonly [string, number]>): void {
    checkLabelName(label);
    this.register({ name, help, type: "counter", collect: () => labelled(label, read()) });
  }

  /** A gauge with one label, as {@link labelledCounter}. */
  labelledGauge(name: string, help: string, label: string, read: () => Iterable<readonly [string, number]>): void {
    checkLabelName(label);
    this.register({ name, help, type: "gauge", collect: () => labelled(label, read()) });
  }

  /** A cumulative histogram (see histogram.ts). */
  histogram(name: string, help: string, histogram: Histogram): void {
    this.register({ name, help, type: "histogram", collect: () => histogramSamples(histogram) });
  }

  /** A summary: quantiles (0..1) with their values, and the sum and count of what was observed. */
  summary(name: string, help: string, read: () => { quantiles: readonly (readonly [number, number])[]; sum: number; count: number }): void {
    this.register({
      name,
      help,
      type: "summary",
      collect: () => {
        const { quantiles, sum, count } = read();
        const samples: Sample[] = quantiles.map(([q, value]) => ({ labels: { quantile: formatValue(q) }, value }));
        samples.push({ suffix: "_sum", value: sum }, { suffix: "_count", value: count });
        return samples;
      },
    });
  }

  /** Every family, as the text format's lines (ends with a newline). */
  render(): string {
    for (const prepare of this.#beforeScrape) prepare();
    const lines: string[] = [];
    for (const family of this.#families) {
      lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
      for (const sample of family.collect()) lines.push(formatSample(family.name, sample));
    }
    return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
  }
}

function checkLabelName(label: string): void {
  if (!LABEL_NAME.test(label) || label.startsWith("__")) throw new Error(`label name ${JSON.stringify(label)} is not a Prometheus label name`);
}

function* labelled(label: string, entries: Iterable<readonly [string, number]>): Iterable<Sample> {
  for (const [value, count] of entries) yield { labels: { [label]: value }, value: count };
}

function* histogramSamples(histogram: Histogram): Iterable<Sample> {
  let cumulative = 0;
  const { bounds, counts } = histogram;
  for (let i = 0; i < bounds.length; i++) {
    cumulative += counts[i]!;
    yield { suffix: "_bucket", labels: { le: formatValue(bounds[i]!) }, value: cumulative };
  }
  yield { suffix: "_bucket", labels: { le: "+Inf" }, value: histogram.count };
  yield { suffix: "_sum", value: histogram.sum };
  yield { suffix: "_count", value: histogram.count };
}

function formatSample(name: string, sample: Sample): string {
  const labels = sample.labels === undefined ? [] : Object.entries(sample.labels);
  const rendered = labels.length === 0 ? "" : `{${labels.map(([key, value]) => `${key}="${escapeLabelValue(value)}"`).join(",")}}`;
  return `${name}${sample.suffix ?? ""}${rendered} ${formatValue(sample.value)}`;
}

/** A number as the format spells it: Go's float syntax, with `+Inf`, `-Inf` and `NaN`. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

/** In HELP text, backslash and line feed are escaped. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** In label values, backslash, double quote and line feed are escaped. */
function escapeLabelValue(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
