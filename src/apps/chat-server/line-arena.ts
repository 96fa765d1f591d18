/**
 * Where the server's outgoing lines become bytes: each distinct line once,
 * one right after another in a shared block.
 *
 * Why: a fan-out hands the same line to every member of a room. With the
 * lines written between two turns of Node's loop side by side in one
 * block, what a member gets meanwhile is one or a few *runs* of the block
 * (its own messages, or other rooms' lines, are the gaps), which its
 * ChatClient tracks as two numbers and hands to its socket as one view
 * each: no copy of every line for every member, and no chunk per line per
 * member, which were most of a fan-out's cost and most of the server's
 * garbage.
 *
 * Why bytes rather than strings at all: what is held for a socket is then
 * counted in bytes, which is what the queue bound is about; Node counts a
 * string in UTF-16 units, and CJK text would pass 1.5x the bound.
 *
 * A block is never written twice: views handed to Node (a peer that is
 * behind holds them until it drains) stay valid, and a block is freed once
 * no view of it is left.
 */

/** Bytes per block: about a thousand chat lines. */
const BLOCK_BYTES = 64 * 1024;
/** Lines longer than this get a block of their own, so a block is not left mostly empty. */
const OWN_BLOCK_BYTES = BLOCK_BYTES / 8;
/** The most UTF-8 bytes one UTF-16 unit can need: a quick upper bound before measuring. */
const MAX_BYTES_PER_UNIT = 3;
const NEWLINE = 0x0a;

/** One encoded line: bytes `start` to `end` of `block`, its `\n` included. */
export interface EncodedLine {
  block: Buffer;
  start: number;
  end: number;
}

let block = Buffer.allocUnsafe(BLOCK_BYTES);
let used = 0;
// Why one entry, reused: a fan-out encodes the same line for every member
// in a row, so it is encoded once per broadcast, and no object is made per
// member. Callers read the fields at once; the next call overwrites them.
let lastLine: string | null = null;
const last: EncodedLine = { block, start: 0, end: 0 };

/**
 * `line` and its `\n` as UTF-8 bytes in the current block; the same bytes
 * again for the same line in a row. The result is overwritten by the next
 * call: read its fields at once.
 *
 * @example
 * const { block, start, end } = encodeLine("<ada> hello"); // end - start === 12
 */
export function encodeLine(line: string): EncodedLine {
  if (line === lastLine) return last;
  const free = BLOCK_BYTES - used;
  // Measured only when it may matter: a line that may not fit, or may be a long one.
  if (line.length * MAX_BYTES_PER_UNIT + 1 > Math.min(free, OWN_BLOCK_BYTES)) {
    const bytes = Buffer.byteLength(line) + 1;
    if (bytes > OWN_BLOCK_BYTES) return remember(line, Buffer.from(`${line}\n`), 0, bytes);
    if (bytes > free) {
      block = Buffer.allocUnsafe(BLOCK_BYTES);
      used = 0;
    }
  }
  const start = used;
  used += block.write(line, start, "utf8");
  block[used++] = NEWLINE;
  return remember(line, block, start, used);
}

function remember(line: string, bytes: Buffer, start: number, end: number): EncodedLine {
  lastLine = line;
  last.block = bytes;
  last.start = start;
  last.end = end;
  return last;
}
