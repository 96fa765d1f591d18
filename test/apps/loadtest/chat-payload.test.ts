import { describe, expect, it } from "vitest";
import { decodeChatPayload, encodeChatPayload } from "../../../src/apps/loadtest/chat-payload.ts";

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
