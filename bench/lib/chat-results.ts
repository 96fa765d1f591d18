/**
 * The shape of bench/results/chat.json: everything bench:chat measured,
 * read back by its report (chat-report.ts) and by the plot
 * (bench/plot-chat.ts).
 */
import type { ContenderKey } from "./chat-contenders.ts";
import type { LoadgenChatJson } from "./loadgen.ts";

/** One load generator run's shape. */
export interface ChatCase {
  name: string;
  clients: number;
  /** Closed loop: messages in flight per sender; ignored when `rate` > 0. */
  window: number;
  /** Open loop: messages per second per client; 0 for the closed loop. */
  rate: number;
  /** Idle connections held besides the room (the connections ladder). */
  idle: number;
  /** Seconds of warm-up and of measuring, when not the bench's defaults. */
  warmupS?: number;
  durationS?: number;
}

/** One run of the load generator against one server. */
export interface ChatRun {
  /** Its ChatCase's name. */
  case: string;
  server: ContenderKey;
  round: number;
  /** The server's CPU time over the measured window per delivery, in µs. */
  usPerDelivery: number;
  loadgen: LoadgenChatJson;
}

/** A server's memory: RSS in bytes, idle and with the idle crowd. */
export interface MemoryRow {
  server: ContenderKey;
  idleRss: number;
  crowdRss: number;
  /** (crowdRss - idleRss) / crowd size. */
  perConnection: number;
}

export interface ChatResults {
  /** Date, Node, CPU and pinning lines. */
  environment: string[];
  rounds: number;
  durationS: number;
  servers: { key: ContenderKey; title: string; memoryOnly?: boolean }[];
  /** Why uvloop did not run, or null. */
  uvloopMissing: string | null;
  cases: { freshStart: ChatCase; rooms: ChatCase[]; openLoop: ChatCase; ladder: ChatCase[] };
  /** RSS of each freshly started server, in bytes, one per round. */
  idleRss: Partial<Record<ContenderKey, number[]>>;
  /** Idle connections of the memory row. */
  crowdSize: number;
  crowds: MemoryRow[];
  runs: ChatRun[];
}
