/**
 * A separate process of plain Node clients that flood a chat server until
 * it closes them, then print what they got, as JSON, on stdout. Why a
 * process of its own: the clients must be as fast as a real flooder, not
 * share the test runner's event loop.
 *
 * Usage: node --import tsx test/apps/flooding-peers.ts PORT COUNT
 * Prints `ready` once every client is admitted and flooding, and
 * `{"told":N,"errors":{...}}` once every connection has closed.
 */
import { connect, type Socket } from "node:net";

const [port, count] = process.argv.slice(2).map(Number) as [number, number];
const BURST = `/msg nobody ${"w".repeat(200)}\n`.repeat(20);
const errors: Record<string, number> = {};

function flood(socket: Socket): void {
  const next = (): void => {
    while (!socket.destroyed && !socket.writableEnded) {
      if (!socket.write(BURST)) {
        socket.once("drain", next);
        return;
      }
    }
  };
  next();
}

const peers = await Promise.all(
  Array.from({ length: count }, () => new Promise<{ socket: Socket; received: string; closed: Promise<void> }>((resolve) => {
    const socket = connect({ port, host: "127.0.0.1", allowHalfOpen: true });
    const peer = { socket, received: "", closed: new Promise<void>((done) => socket.once("close", () => done())) };
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (peer.received += chunk));
    socket.on("end", () => socket.end()); // The server's EOF ends the conversation, as nc does.
    socket.on("error", (error: NodeJS.ErrnoException) => (errors[error.code ?? "?"] = (errors[error.code ?? "?"] ?? 0) + 1));
    // Admitted once the lobby's join notice came: flooding starts after it.
    const admitted = (): void => {
      if (!peer.received.includes(" joined #lobby\n")) return;
      socket.off("data", admitted);
      resolve(peer);
    };
    socket.on("data", admitted);
  })),
);
for (const peer of peers) flood(peer.socket);
setTimeout(() => process.stdout.write("ready\n"), 500);
const stop = setTimeout(() => process.exit(2), 30_000); // Bounded, whatever the server does.
await Promise.all(peers.map((p) => p.closed));
clearTimeout(stop);
const told = peers.filter((p) => p.received.includes("* server shutting down\n")).length;
process.stdout.write(`${JSON.stringify({ told, errors })}\n`);
