/**
 * What handling one line costs its sender in flood tokens, counted the same
 * way by every hub: the line itself, the replies it gets, the notices it
 * makes a room receive.
 */
import type { Member } from "./hub.ts";

/**
 * Reply bytes that cost one more flood token. Why 512: `/help` costs one
 * more, a full `/who` page (~1.5 KB) three more.
 */
export const REPLY_BYTES_PER_TOKEN = 512;

/** Notice deliveries (one line to one member) that cost one more flood token. */
export const NOTICE_DELIVERIES_PER_TOKEN = 20;

/**
 * The running cost of the line being handled; replies go through it so
 * they are counted.
 *
 * @example
 * const cost = new LineCost();
 * cost.replyAll(member, HELP);
 * cost.tokens; // 2: the line, and its ~600 bytes of help
 */
export class LineCost {
  #replyBytes = 0;
  #noticeDeliveries = 0;

  /** Sends `line` to the sender of the line being handled, and counts it. */
  reply(member: Member, line: string): void {
    this.#replyBytes += Buffer.byteLength(line) + 1;
    member.send(line);
  }

  replyAll(member: Member, lines: readonly string[]): void {
    for (const line of lines) this.reply(member, line);
  }

  /** Counts a notice told to `deliveries` members. */
  notice(deliveries: number): void {
    this.#noticeDeliveries += deliveries;
  }

  /** 1, plus one per {@link REPLY_BYTES_PER_TOKEN} of replies and per {@link NOTICE_DELIVERIES_PER_TOKEN} notices. */
  get tokens(): number {
    return 1 + Math.floor(this.#replyBytes / REPLY_BYTES_PER_TOKEN) + Math.floor(this.#noticeDeliveries / NOTICE_DELIVERIES_PER_TOKEN);
  }
}
