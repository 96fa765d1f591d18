import { describe, expect, it } from "vitest";
import { ChatCounters, DISCONNECT_REASONS, disconnectReason } from "../../src/apps/chat-server/counters.ts";
import { BAN_REASON, kickReason, NO_LINE_REASON, PING_TIMEOUT_REASON, quitReason, SLOW_READER_REASON } from "../../src/apps/chat/replies.ts";

describe("disconnectReason", () => {
  it.each([
    ["eof", "eof"],
    ["reset", "reset"],
    ["shutdown", "shutdown"],
    ["closed", "closed"],
    [quitReason(""), "quit"],
    [quitReason("lunch"), "quit"],
    [kickReason("ada", ""), "kicked"],
    [kickReason("ada", "spam"), "kicked"],
    [BAN_REASON, "banned"],
    [SLOW_READER_REASON, "slow_reader"],
    [PING_TIMEOUT_REASON, "ping_timeout"],
    [NO_LINE_REASON, "first_line_timeout"],
    ["EPIPE", "error"],
    ["ETIMEDOUT", "error"],
    ["chat service unavailable (Redis at 127.0.0.1:6379 is not answering)", "broker_unavailable"],
    ["something new", "closed"],
    ["quitter", "closed"],
  ])("labels %j as %j", (ended, label) => {
    expect(disconnectReason(ended)).toBe(label);
  });

  it("gives each label a counter from zero, so a scrape shows every reason", () => {
    expect(Object.keys(new ChatCounters().disconnects)).toEqual([...DISCONNECT_REASONS]);
    expect(Object.values(new ChatCounters().disconnects).every((n) => n === 0)).toBe(true);
  });
});
