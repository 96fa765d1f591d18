import { describe, expect, it } from "vitest";
import { parseRequestHead } from "../../../src/apps/metrics/http-request.ts";

const HOST = ["Host: 127.0.0.1:9464"];

describe("parseRequestHead", () => {
  it("parses a scraper's GET: path without query, lower-case headers, kept alive", () => {
    const request = parseRequestHead("GET /metrics?x=1 HTTP/1.1", [...HOST, "Accept: text/plain", "X-Twice: a", "X-Twice: b"]);
    expect(request).toMatchObject({ method: "GET", path: "/metrics", version: "1.1", keepAlive: true, hasBody: false });
    expect("headers" in request && Object.fromEntries(request.headers)).toEqual({ host: "127.0.0.1:9464", accept: "text/plain", "x-twice": "a, b" });
  });

  it("keeps HTTP/1.1 alive unless Connection: close, HTTP/1.0 only with keep-alive", () => {
    expect(parseRequestHead("GET / HTTP/1.1", [...HOST, "Connection: Close"])).toMatchObject({ keepAlive: false });
    expect(parseRequestHead("GET / HTTP/1.0", [])).toMatchObject({ keepAlive: false, version: "1.0" });
    expect(parseRequestHead("GET / HTTP/1.0", ["Connection: keep-alive"])).toMatchObject({ keepAlive: true });
  });

  it("takes the path of an absolute-form target", () => {
    expect(parseRequestHead("GET http://localhost:9464/metrics HTTP/1.1", HOST)).toMatchObject({ path: "/metrics" });
  });

  it("says whether a body follows", () => {
    expect(parseRequestHead("POST /metrics HTTP/1.1", [...HOST, "Content-Length: 5"])).toMatchObject({ hasBody: true });
    expect(parseRequestHead("POST /metrics HTTP/1.1", [...HOST, "Content-Length: 0"])).toMatchObject({ hasBody: false });
    expect(parseRequestHead("POST /metrics HTTP/1.1", [...HOST, "Transfer-Encoding: chunked"])).toMatchObject({ hasBody: true });
  });

  it.each([
    ["GET /metrics", HOST, /request line/],
    ["GET  /metrics HTTP/1.1", HOST, /request line/],
    ["G(T /metrics HTTP/1.1", HOST, /method/],
    ["GET /metrics HTTP/1", HOST, /version/],
    ["GET metrics HTTP/1.1", HOST, /target/],
    ["GET /metrics HTTP/1.1", [], /needs a Host/],
    ["GET /metrics HTTP/1.1", [...HOST, ...HOST], /more than one Host/],
    ["GET /metrics HTTP/1.1", [...HOST, "Bad Name: x"], /malformed header/],
    ["GET /metrics HTTP/1.1", [...HOST, "Accept : x"], /malformed header/],
    ["GET /metrics HTTP/1.1", [...HOST, "no colon"], /malformed header/],
    ["GET /metrics HTTP/1.1", [...HOST, " folded"], /folded/],
    ["GET /metrics HTTP/1.1", [...HOST, "X: a\u0000b"], /control character/],
    ["GET /metrics HTTP/1.1", [...HOST, "Content-Length: 5", "Transfer-Encoding: chunked"], /together/],
    ["GET /metrics HTTP/1.1", [...HOST, "Content-Length: 5", "Content-Length: 6"], /Content-Length/],
    ["GET /metrics HTTP/1.1", [...HOST, "Content-Length: -1"], /Content-Length/],
  ])("answers %j with headers %j: 400", (line, headers, reason) => {
    const result = parseRequestHead(line, headers);
    expect(result).toMatchObject({ status: 400 });
    expect("reason" in result && result.reason).toMatch(reason);
  });

  it("answers another HTTP major version with a 505", () => {
    expect(parseRequestHead("GET /metrics HTTP/2.0", HOST)).toMatchObject({ status: 505 });
  });
});
