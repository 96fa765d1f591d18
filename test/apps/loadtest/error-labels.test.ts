/**
 * The load test names what went wrong: an error that is neither a network
 * error nor an overlong line of ours keeps its message, not only its class
 * name (regression: a server that never sends a newline was reported as a
 * bare "RangeError").
 */
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../../../src/apps/loadtest/main.ts";
import { errorKind } from "../../../src/apps/loadtest/stats.ts";
import type { LoadtestJson } from "../../../src/apps/loadtest/report.ts";

const servers: net.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** A server that answers every connection with bytes and never a newline. */
async function neverANewline(): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    const chunk = Buffer.alloc(16 * 1024, 0x78);
    const send = (): void => {
      while (!socket.destroyed && socket.write(chunk));
      if (!socket.destroyed) socket.once("drain", send);
    };
    send();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as net.AddressInfo).port;
}

describe("load test error labels", () => {
  it("reports a server that never sends a newline with the error's message", async () => {
    const port = await neverANewline();
    let stdout = "";
    const code = await main(["--port", String(port), "--clients", "2", "--messages", "10", "--ramp", "0", "--drain-timeout", "1", "--json"], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { isTTY: false, write: () => {} },
    });
    const json = JSON.parse(stdout) as LoadtestJson;
    expect(code).toBe(1);
    const kinds = Object.keys(json.errors);
    expect(kinds).not.toContain("RangeError");
    expect(kinds.some((kind) => /^RangeError: a line of over \d+ bytes without a newline$/.test(kind))).toBe(true);
  });

  it("keeps the message of a plain error, and the code of a network one", () => {
    expect(errorKind(new TypeError("bad payload"))).toBe("TypeError: bad payload");
    expect(errorKind(new Error(""))).toBe("Error");
    expect(errorKind("a string")).toBe("unknown");
  });
});
