import { describe, expect, it } from "vitest";
import {
  decodeChatPayload,
  decodeChatPayloadBytes,
  emptyDecodedPayload,
  encodeChatPayload,
  encodedSize,
  type DecodedPayload,
} from "../../../src/apps/loadtest/chat-payload.ts";

describe("chat payload codec", () => {
  it("round-trips sender, seq, send time and size", () => {
    const payload = { senderId: 999, seq: 123_456, sentAtMs: 98_765.432, size: 128 };
    const text = encodeChatPayload(payload);
    expect(text).toMatch(/^lt 999 123456 98765\.432 x+$/);
    expect(Buffer.byteLength(text)).toBe(128);
    expect(decodeChatPayload(text)).toEqual(payload);
  });

  it("produces at least size bytes for every size, and the bare header for small sizes", () => {
    for (let size = 0; size <= 64; size++) {
      const text = encodeChatPayload({ senderId: 1, seq: 2, sentAtMs: 3, size });
      expect(text.length).toBeGreaterThanOrEqual(size);
      expect(text.endsWith(" ")).toBe(false);
      expect(decodeChatPayload(text)?.seq).toBe(2);
    }
    expect(encodeChatPayload({ senderId: 1, seq: 2, sentAtMs: 3, size: 0 })).toBe("lt 1 2 3.000");
  });

  it("keeps the send time to the microsecond", () => {
    const decoded = decodeChatPayload(encodeChatPayload({ senderId: 0, seq: 0, sentAtMs: 1.23456789, size: 0 }));
    expect(decoded?.sentAtMs).toBe(1.235);
  });

  it("returns null for lines that are not load-test messages or were altered", () => {
    for (const text of ["hello", "lt", "lt 1 2", "lt 1 2 3", "lt a 2 3.000", "lt 1 2 3.000 xxyx", "lt 1 2 3.000 ", " lt 1 2 3.000"]) {
      expect(decodeChatPayload(text)).toBeNull();
    }
  });

  it("throws RangeError on negative or fractional ids", () => {
    expect(() => encodeChatPayload({ senderId: -1, seq: 0, sentAtMs: 0, size: 0 })).toThrow(RangeError);
    expect(() => encodeChatPayload({ senderId: 0, seq: 0.5, sentAtMs: 0, size: 0 })).toThrow(RangeError);
  });
});

describe("decodeChatPayloadBytes", () => {
  const decodeBytes = (text: string): DecodedPayload | null => {
    const out = emptyDecodedPayload();
    const buf = Buffer.from(`<lt1> ${text}\n`, "latin1");
    return decodeChatPayloadBytes(buf, 6, buf.length - 1, out) ? out : null;
  };

  it("agrees with decodeChatPayload on valid bodies, and gives the header size", () => {
    for (const payload of [
      { senderId: 0, seq: 0, sentAtMs: 0, size: 0 },
      { senderId: 999, seq: 123_456, sentAtMs: 98_765.432, size: 128 },
      { senderId: 12, seq: 7, sentAtMs: 1.5, size: 19 },
      { senderId: 3, seq: 1, sentAtMs: 123_456_789.001, size: 4000 },
    ]) {
      const text = encodeChatPayload(payload);
      const viaString = decodeChatPayload(text)!;
      const viaBytes = decodeBytes(text)!;
      expect(viaBytes).toMatchObject({ senderId: viaString.senderId, seq: viaString.seq, size: viaString.size });
      expect(viaBytes.sentAtMs).toBeCloseTo(viaString.sentAtMs, 6);
      expect(encodedSize(viaBytes.headerSize, payload.size)).toBe(text.length);
    }
  });

  it("refuses whatever decodeChatPayload refuses", () => {
    for (const text of ["hello", "lt", "lt 1 2", "lt 1 2 3", "lt a 2 3.000", "lt 1 2 3.000 xxyx", "lt 1 2 3.000 ", " lt 1 2 3.000", "lt 1 2 3.0000", "lt 1 2 3.00", "lt 1  2 3.000", "lt 1234567890123456 2 3.000"]) {
      expect(decodeChatPayload(text)).toBeNull();
      expect(decodeBytes(text)).toBeNull();
    }
  });
});
