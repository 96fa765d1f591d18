/**
 * Small helpers for bench/loop.bench.ts: repeated trials with warm-up and a
 * median, heap measurement after a full GC, and a markdown table.
 */
import os from "node:os";

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Run `cases` (functions returning one measurement each) `warmup` times
 * unmeasured, then `trials` times, interleaved (a, b, a, b, ...) so that
 * drift (CPU frequency, GC pressure) hits every case alike. Returns the
 * median measurement of each case.
 */
export async function interleaved(
  cases: readonly (() => Promise<number> | number)[],
  { warmup, trials }: { warmup: number; trials: number },
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) for (const run of cases) await run();
  const samples: number[][] = cases.map(() => []);
  for (let i = 0; i < trials; i++) {
    for (const [k, run] of cases.entries()) {
      collectGarbage();
      samples[k]!.push(await run());
    }
  }
  return samples.map(median);
}

const gc = (globalThis as { gc?: () => void }).gc;

/** True when the process runs with --expose-gc (memory rows need it). */
export const canCollect = typeof gc === "function";

/** A full collection (twice: the first may leave finalizable garbage behind). */
export function collectGarbage(): void {
  gc?.();
  gc?.();
}

/** heapUsed in bytes after a full collection. */
export function heapAfterGc(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** Where and when the numbers were taken. */
export function environment(): string[] {
  const cpus = os.cpus();
  return [
    `date: ${new Date().toISOString()}`,
    `node: ${process.version} (${process.platform} ${process.arch}), V8 ${process.versions.v8}`,
    `cpu: ${cpus[0]?.model.trim() ?? "unknown"} (${cpus.length} logical cores)`,
  ];
}

/** A markdown table, columns padded so it also reads well in a terminal. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: readonly number[] = []): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const cell = (text: string, c: number): string =>
    rightAligned.includes(c) ? text.padStart(widths[c]!) : text.padEnd(widths[c]!);
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(" | ")} |`;
  const rule = `|${widths.map((w, c) => (rightAligned.includes(c) ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** 12345678 -> "12.35 M"; 1234 -> "1.23 k". */
export function si(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(2)} k`;
  return value.toFixed(2);
}
