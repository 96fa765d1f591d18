/**
 * `boucle connect` with piped stdin, as a real child process against a tiny
 * line server written here with node:net (so these tests do not depend on
 * the chat server): what it sends, what it prints, how it ends.
 */
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { runAppPiped } from "./helpers.ts";

interface LineServer {
  port: number;
  /** What the server saw, in order: `line:...` per line, `eof` at the half-close. */
  events: string[];
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A server that sends `greeting`, calls `onLine` per line, and answers a half-close with `* bye` and a close. */
async function lineServer(greeting: string, onLine: (socket: Socket, line: string) => void): Promise<LineServer> {
  const events: string[] = [];
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.write(greeting);
    let buffered = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buffered += chunk;
      for (let at; (at = buffered.indexOf("\n")) >= 0; ) {
        const line = buffered.slice(0, at);
        buffered = buffered.slice(at + 1);
        events.push(`line:${line}`);
        if (!socket.writableEnded) onLine(socket, line);
      }
    });
    socket.on("end", () => {
      events.push("eof");
      if (!socket.writableEnded) socket.end("* bye\n");
    });
    socket.on("error", () => {});
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as { port: number }).port, events };
}

/** Run the client; `feed` writes to its stdin (and may end it). */
function runClient(args: string[], feed: (stdin: NodeJS.WritableStream) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runAppPiped(["connect", ...args], feed);
}

describe("boucle connect with piped stdin", () => {
  it("sends each line, half-closes at EOF, prints what arrives until the server closes, exits 0", async () => {
    const server = await lineServer("* welcome\n", (socket, line) => socket.write(`* got ${line}\n`));
    const result = await runClient([`127.0.0.1:${server.port}`], (stdin) => stdin.end("hello\nça va ☃\n/nick ada\nno newline"));
    expect(result).toEqual({
      code: 0,
      stdout: "* welcome\n* got hello\n* got ça va ☃\n* got /nick ada\n* got no newline\n* bye\n",
      stderr: "",
    });
    expect(server.events).toEqual(["line:hello", "line:ça va ☃", "line:/nick ada", "line:no newline", "eof"]);
  });

  it("prints server lines without colours or control characters", async () => {
    const server = await lineServer("<ev\x1b[31mil> \x1b]0;title\x07hi\x07\r\n! oops\n", () => {});
    const result = await runClient([`127.0.0.1:${server.port}`], (stdin) => stdin.end());
    expect(result).toEqual({ code: 0, stdout: "<evil> hi\n! oops\n* bye\n", stderr: "" });
  });

  it("stops sending after /quit and exits 0 when the server then closes", async () => {
    const server = await lineServer("* welcome\n", (socket, line) => {
      if (line.startsWith("/quit")) socket.end("* goodbye\n");
    });
    // stdin stays open: the client must not wait for its end.
    const result = await runClient([`127.0.0.1:${server.port}`], (stdin) => stdin.write("hi\n/quit lunch\nnot sent\n"));
    expect(result).toEqual({ code: 0, stdout: "* welcome\n* goodbye\n", stderr: "" });
    expect(server.events.filter((e) => e.startsWith("line:"))).toEqual(["line:hi", "line:/quit lunch"]);
  });

  it("reports a connection the server closes first and exits 1", async () => {
    const server = await lineServer("* welcome\n", (socket) => socket.end("* kicked\n"));
    const result = await runClient([`127.0.0.1:${server.port}`], (stdin) => stdin.write("hi\n"));
    expect(result).toEqual({ code: 1, stdout: "* welcome\n* kicked\n", stderr: "connection closed by server\n" });
  });

  it("exits 0 when the server announces its shutdown and closes, even with input still open", async () => {
    const server = await lineServer("* welcome\n", (socket) => socket.end("* server shutting down\n"));
    const result = await runClient([`127.0.0.1:${server.port}`], (stdin) => stdin.write("hi\n"));
    expect(result).toEqual({ code: 0, stdout: "* welcome\n* server shutting down\n", stderr: "" });
  });

  it("says in one line that the connection was refused and exits 1", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve)); // now nothing listens there
    const result = await runClient([`127.0.0.1:${port}`], (stdin) => stdin.end());
    expect(result).toEqual({ code: 1, stdout: "", stderr: `boucle connect: cannot connect to 127.0.0.1:${port}: connection refused\n` });
  });

  it("refuses a bad address in one line with exit code 1", async () => {
    const result = await runClient(["127.0.0.1:99999"], (stdin) => stdin.end());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^boucle connect: bad port "99999"[^\n]*\n$/);
  });
});
