/**
 * The HTTP responder on our loop, over real loopback sockets: Node's http
 * client and fetch for what a scraper does, raw sockets for what a stranger
 * does. Timeouts are set small so every test takes well under a second.
 */
import { Agent, request as httpRequest, type IncomingMessage } from "node:http";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startHttpResponder, type HttpResponderOptions } from "../../../src/apps/metrics/http-responder.ts";
import { fromPromise, getRunningLoop, run, type ExceptionContext } from "../../../src/loop/index.ts";
import type { StreamServer } from "../../../src/net/index.ts";

const HOST = "127.0.0.1";
const ROUTES: HttpResponderOptions["routes"] = {
  "/metrics": () => ({ status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: "demo_up 1\n" }),
  "/big": () => ({ status: 200, contentType: "text/plain", body: "x".repeat(64 * 1024) }),
  "/broken": () => {
    throw new Error("route failed");
  },
};

const agents: Agent[] = [];
afterEach(() => {
  for (const agent of agents.splice(0)) agent.destroy();
});

/** Run `body` against a responder on a free port; returns what `body` returns and the loop's exception reports. */
async function withResponder<T>(options: Partial<HttpResponderOptions>, body: (port: number, server: StreamServer) => Promise<T>): Promise<{ result: T; reports: ExceptionContext[] }> {
  const reports: ExceptionContext[] = [];
  const result = await run(
    (function* () {
      getRunningLoop().setExceptionHandler((context) => reports.push(context));
      const server = yield* startHttpResponder({ host: HOST, port: 0, routes: ROUTES, ...options });
      try {
        return yield* fromPromise(body(server.port, server));
      } finally {
        server.close();
        server.closeClients();
        yield* server.waitClosed();
      }
    })(),
  );
  return { result, reports };
}

/** Send `bytes` on a raw connection and collect what comes back until the server closes (or `ms` pass). */
function exchange(port: number, bytes: string, ms = 2000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port });
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, ms);
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
    socket.on("end", () => socket.end());
    if (bytes) socket.write(bytes);
  });
}

function get(port: number, path: string, options: { method?: string; agent?: Agent; headers?: Record<string, string> } = {}): Promise<{ response: IncomingMessage; body: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: HOST, port, path, method: options.method ?? "GET", agent: options.agent, headers: options.headers }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ response, body, reused: req.reusedSocket }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("startHttpResponder", () => {
  it("answers GET with the route's body and framing headers, as fetch reads it", async () => {
    const { result } = await withResponder({}, async (port) => {
      const response = await fetch(`http://${HOST}:${port}/metrics`);
      return { status: response.status, type: response.headers.get("content-type"), length: response.headers.get("content-length"), body: await response.text() };
    });
    expect(result).toEqual({ status: 200, type: "text/plain; version=0.0.4; charset=utf-8", length: "10", body: "demo_up 1\n" });
  });

  it("answers HEAD with the headers only", async () => {
    const { result } = await withResponder({}, (port) => exchange(port, "HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    expect(result.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(result.text).toContain("Content-Length: 10\r\n");
    expect(result.text.endsWith("\r\n\r\n")).toBe(true);
    expect(result.closed).toBe(true);
  });

  it("answers an unknown path with 404 and another method with 405 and Allow", async () => {
    const { result } = await withResponder({}, async (port) => [await get(port, "/nope"), await get(port, "/metrics", { method: "DELETE" })]);
    const [missing, refused] = result;
    expect([missing!.response.statusCode, missing!.body]).toEqual([404, "no such path: /nope\n"]);
    expect([refused!.response.statusCode, refused!.response.headers["allow"]]).toEqual([405, "GET, HEAD"]);
  });

  it("keeps a connection alive across requests, and answers pipelined ones in order", async () => {
    const { result } = await withResponder({}, async (port) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      agents.push(agent);
      const first = await get(port, "/metrics", { agent });
      const second = await get(port, "/metrics", { agent });
      const pipelined = await exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      return { reused: [first.reused, second.reused], pipelined };
    });
    expect(result.reused).toEqual([false, true]);
    const statuses = [...result.pipelined.text.matchAll(/^HTTP\/1\.1 (\d+)/gm)].map((m) => m[1]);
    expect(statuses).toEqual(["200", "404"]);
    expect(result.pipelined.closed).toBe(true);
  });

  it("closes after answering when the client says close, or sends HTTP/1.0, or sends a body", async () => {
    const { result } = await withResponder({}, (port) =>
      Promise.all([
        exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        exchange(port, "GET /metrics HTTP/1.0\r\n\r\n"),
        exchange(port, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"),
      ]),
    );
    for (const { text, closed } of result) {
      expect(text).toContain("Connection: close\r\n");
      expect(closed).toBe(true);
    }
    expect(result[2]!.text).toMatch(/^HTTP\/1\.1 405 /);
  });

  it("answers a malformed request with 400 and closes", async () => {
    const { result } = await withResponder({}, (port) =>
      Promise.all([exchange(port, "GARBAGE\r\n\r\n"), exchange(port, "GET /metrics HTTP/1.1\r\n\r\n"), exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n")]),
    );
    expect(result.map((r) => [r.text.split("\r\n", 1)[0], r.closed])).toEqual([
      ["HTTP/1.1 400 Bad Request", true],
      ["HTTP/1.1 400 Bad Request", true],
      ["HTTP/1.1 400 Bad Request", true],
    ]);
    expect(result[1]!.text).toMatch(/needs a Host header\n$/);
  });

  it("answers a head over the size bound with 431, holding no more of it", async () => {
    const { result } = await withResponder({ maxHeadBytes: 1024 }, (port) =>
      Promise.all([exchange(port, `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(2000)}\r\n\r\n`), exchange(port, `GET /metrics HTTP/1.1\r\n${"X-A: b\r\n".repeat(100)}\r\n`)]),
    );
    for (const { text, closed } of result) {
      expect(text.split("\r\n", 1)[0]).toBe("HTTP/1.1 431 Request Header Fields Too Large");
      expect(closed).toBe(true);
    }
  });

  it("answers a head that comes too slowly with 408, and closes an idle connection without a word", async () => {
    const started = performance.now();
    const { result } = await withResponder({ headTimeoutMs: 200 }, (port) => Promise.all([exchange(port, "GET /metrics HTTP/1.1\r\nHost"), exchange(port, "")]));
    const [slow, idle] = result;
    expect([slow!.text.split("\r\n", 1)[0], slow!.closed]).toEqual(["HTTP/1.1 408 Request Timeout", true]);
    expect(idle).toEqual({ text: "", closed: true });
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it("drops a client that pipelines requests and never reads the answers", async () => {
    const { result } = await withResponder({ headTimeoutMs: 300 }, async (port, server) => {
      const socket = connect({ host: HOST, port });
      socket.on("error", () => {});
      socket.pause(); // Reads nothing, ever.
      await new Promise((resolve) => socket.once("connect", resolve));
      socket.write("GET /big HTTP/1.1\r\nHost: x\r\n\r\n".repeat(2000)); // 128 MB of answers owed: more than any socket buffer
      const tick = (): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, 20));
      for (let i = 0; i < 50 && server.clientCount === 0; i++) await tick(); // Accepted, and answering.
      const served = server.clientCount;
      const started = performance.now();
      while (server.clientCount > 0 && performance.now() - started < 3000) await tick();
      socket.destroy();
      return { served, left: server.clientCount, ms: performance.now() - started };
    });
    expect([result.served, result.left]).toEqual([1, 0]);
    expect(result.ms).toBeLessThan(2000);
  });

  it("turns away connections past the bound with 503", async () => {
    const { result } = await withResponder({ maxConnections: 2, headTimeoutMs: 2000 }, async (port, server) => {
      const held = [exchange(port, "", 1000), exchange(port, "", 1000)];
      for (let i = 0; i < 40 && server.clientCount < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20)); // Both accepted.
      const third = await exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
      await Promise.all(held);
      return third;
    });
    expect(result.text.split("\r\n", 1)[0]).toBe("HTTP/1.1 503 Service Unavailable");
    expect(result.closed).toBe(true);
  });

  it("answers 500 when a route throws, and reports the error to the loop", async () => {
    const { result, reports } = await withResponder({}, (port) => get(port, "/broken"));
    expect(result.response.statusCode).toBe(500);
    expect(reports.map((r) => [r.message, (r.exception as Error).message])).toEqual([["error in the HTTP route /broken", "route failed"]]);
  });
});
