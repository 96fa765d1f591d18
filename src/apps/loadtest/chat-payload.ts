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
