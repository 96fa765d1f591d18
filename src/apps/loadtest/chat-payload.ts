/**
 * The body of a chat-mode load-test message: who sent it, its sequence
 * number and its send time, padded to the requested size. Printable ASCII
 * only, so the chat server's control-character stripping leaves it intact.
 *
 * Format: `lt <senderId> <seq> <sentAtMs with 3 decimals>[ x...]`, e.g.
 * `lt 12 345 1234.567 xxxxxxxx`. The padding is all `x`, so a truncated or
 * altered body fails to decode.
 */

/** The fields carried by one load-test chat message. */
export interface ChatPayload {
  /** Sending client's index, 0-based. */
  senderId: number;
  /** Per-sender sequence number, 0-based, +1 per message. */
  seq: number;
  /** Send time in ms on the load tester's monotonic clock; kept to 1 µs (3 decimals). */
  sentAtMs: number;
  /** Body length in bytes: the requested minimum when encoding, the actual length when decoding. */
  size: number;
}

const PATTERN = /^lt (\d{1,15}) (\d{1,15}) (\d{1,15}\.\d{3})(?: (x+))?$/;

/**
 * Encodes a message body of at least `size` bytes (more only when `size`
 * is smaller than the header, or one byte more than it).
 *
 * @throws RangeError if an id, seq or time is negative or not a safe number.
 * @example
 * socket.write(encodeChatPayload({ senderId: 3, seq: 0, sentAtMs: performance.now(), size: 64 }) + "\n");
 */
export function encodeChatPayload({ senderId, seq, sentAtMs, size }: ChatPayload): string {
  if (!isSafeCount(senderId) || !isSafeCount(seq) || !Number.isFinite(sentAtMs) || sentAtMs < 0) {
    throw new RangeError(`invalid payload fields ${senderId} ${seq} ${sentAtMs}`);
  }
  const header = `lt ${senderId} ${seq} ${sentAtMs.toFixed(3)}`;
  const missing = size - header.length;
  if (missing <= 0) return header;
  // Why max 1: the padding is " " plus at least one "x", never a bare trailing space a server might trim.
  return `${header} ${"x".repeat(Math.max(1, missing - 1))}`;
}

/**
 * Decodes a message body made by {@link encodeChatPayload} (the text after
 * `<nick> `). Returns null for any other line, including truncated or
 * altered load-test bodies.
 */
export function decodeChatPayload(text: string): ChatPayload | null {
  const match = PATTERN.exec(text);
  if (match === null) return null;
  const senderId = Number(match[1]);
  const seq = Number(match[2]);
  if (!isSafeCount(senderId) || !isSafeCount(seq)) return null;
  return { senderId, seq, sentAtMs: Number(match[3]), size: text.length };
}

function isSafeCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** What {@link decodeChatPayloadBytes} fills in: the payload plus its header's length. */
export interface DecodedPayload extends ChatPayload {
  /** Bytes of `lt <id> <seq> <time>`, without the padding. */
  headerSize: number;
}

/** A reusable {@link DecodedPayload} to pass to {@link decodeChatPayloadBytes}. */
export function emptyDecodedPayload(): DecodedPayload {
  return { senderId: 0, seq: 0, sentAtMs: 0, size: 0, headerSize: 0 };
}

/**
 * The body length {@link encodeChatPayload} gives for a header of
 * `headerSize` bytes and a requested `size`: what a receiver expects.
 */
export function encodedSize(headerSize: number, size: number): number {
  const missing = size - headerSize;
  return missing <= 0 ? headerSize : headerSize + 1 + Math.max(1, missing - 1);
}

let at = 0; // Why module state: the byte decoder's cursor, without allocating a result per number.
const NO_NUMBER = -1;

/**
 * {@link decodeChatPayload} on raw bytes `buf[start, end)`, without making
 * a string: the load test's receive path. Accepts exactly what
 * decodeChatPayload accepts; fills `out` and returns true, or returns false.
 * @example
 * const out = emptyDecodedPayload();
 * if (decodeChatPayloadBytes(line, 0, line.length, out)) checker.check(me, out.senderId, out.seq);
 */
export function decodeChatPayloadBytes(buf: Uint8Array, start: number, end: number, out: DecodedPayload): boolean {
  // "lt " + digit + " " + digit + " " + digit + ".000" is 12 bytes at least.
  if (end - start < 12 || buf[start] !== 0x6c || buf[start + 1] !== 0x74 || buf[start + 2] !== 0x20) return false;
  at = start + 3;
  const senderId = digitsUntil(buf, end, 0x20);
  if (senderId === NO_NUMBER) return false;
  at++;
  const seq = digitsUntil(buf, end, 0x20);
  if (seq === NO_NUMBER) return false;
  at++;
  const whole = digitsUntil(buf, end, 0x2e);
  if (whole === NO_NUMBER || end - at < 4) return false;
  const d1 = buf[at + 1]! - 48;
  const d2 = buf[at + 2]! - 48;
  const d3 = buf[at + 3]! - 48;
  if (!isDigit(d1) || !isDigit(d2) || !isDigit(d3)) return false;
  at += 4;
  const headerEnd = at;
  if (at < end) {
    // Padding: " " and one or more "x", nothing else.
    if (buf[at] !== 0x20 || end - at < 2) return false;
    for (let i = at + 1; i < end; i++) if (buf[i] !== 0x78) return false;
  }
  out.senderId = senderId;
  out.seq = seq;
  out.sentAtMs = whole + (d1 * 100 + d2 * 10 + d3) / 1000;
  out.size = end - start;
  out.headerSize = headerEnd - start;
  return true;
}

/** Decimal digits from `at` up to `stop` (not consumed): 1 to 15 of them, or NO_NUMBER. */
function digitsUntil(buf: Uint8Array, end: number, stop: number): number {
  let n = 0;
  const first = at;
  for (; at < end; at++) {
    const c = buf[at]!;
    if (c === stop) break;
    const d = c - 48;
    if (!isDigit(d)) return NO_NUMBER;
    n = n * 10 + d;
  }
  const count = at - first;
  if (at >= end || count === 0 || count > 15) return NO_NUMBER;
  return n;
}

function isDigit(d: number): boolean {
  return d >= 0 && d <= 9;
}
