// Types for the devDependency used as the Prometheus text format oracle (the package ships none).
declare module "parse-prometheus-text-format" {
  interface PlainSample {
    value: string;
    labels?: Record<string, string>;
  }
  interface HistogramSample {
    buckets: Record<string, string>;
    count: string;
    sum: string;
    labels?: Record<string, string>;
  }
  interface SummarySample {
    quantiles: Record<string, string>;
    count: string;
    sum: string;
    labels?: Record<string, string>;
  }
  export interface ParsedFamily {
    name: string;
    help: string;
    type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
    metrics: (PlainSample | HistogramSample | SummarySample)[];
  }
  export default function parsePrometheusTextFormat(text: string): ParsedFamily[];
}
