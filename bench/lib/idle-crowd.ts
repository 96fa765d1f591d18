/**
 * A crowd of idle chat connections for bench:chat's memory and
 * connections rows: each connects, joins one of many small rooms
 * (`#idle-N`, ROOM_SIZE connections each: no server fans the busy room's
 * lines out to it, and none pays O(N²) join notices) and then stays silent
 * until the crowd is closed. Plain Node sockets in the
 * bench process: the C load generator stops at 2 000 connections.
 *
 * Bounded: at most MAX_PENDING connections are being set up at once (the
 * server's SYN queue is not flooded), and `grow` gives up after its
 * timeout, closing nothing it opened (the caller closes the crowd).
 */
import net from "node:net";

/** Idle connections per room: rooms of friends, not one room of thousands. */
const ROOM_SIZE = 50;
/** Connections in their connect-and-join phase at once. */
const MAX_PENDING = 200;

export class IdleCrowd {
  readonly #host: string;
  readonly #port: number;
  readonly #sockets: net.Socket[] = [];

  constructor(host: string, port: number) {
    this.#host = host;
    this.#port = port;
  }

  get size(): number {
    return this.#sockets.length;
  }

  /**
   * Opens connections until the crowd has `total`; resolves once every new
   * one has seen its room's join line.
   * @throws Error when one fails or they are not all in within `timeoutMs`.
   */
  async grow(total: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let next = this.#sockets.length;
    const worker = async (): Promise<void> => {
      while (next < total) {
        if (Date.now() > deadline) throw new Error(`idle crowd: not ${total} connections within ${timeoutMs} ms`);
        await this.#openOne(next++, deadline);
      }
    };
    await Promise.all(Array.from({ length: Math.min(MAX_PENDING, total - next) }, worker));
  }

  /** Closes `count` connections (the newest first), or all of them. */
  shrink(count = this.#sockets.length): void {
    for (const socket of this.#sockets.splice(this.#sockets.length - count)) socket.destroy();
  }

  #openOne(index: number, deadline: number): Promise<void> {
    const room = `#idle-${Math.floor(index / ROOM_SIZE)}`;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.#host, port: this.#port });
      const timer = setTimeout(() => fail(new Error(`idle crowd: connection ${index} not in ${room} in time`)), Math.max(1, deadline - Date.now()));
      let seen = "";
      const fail = (error: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      socket.setEncoding("utf8");
      socket.once("error", fail);
      socket.once("connect", () => socket.write(`/join ${room}\n`));
      const onData = (text: string): void => {
        seen += text;
        // Every server answers a join with a line naming the room (others' join lines come after it).
        if (!seen.includes(`${room}\n`)) return;
        clearTimeout(timer);
        socket.off("data", onData);
        socket.off("error", fail);
        socket.on("error", () => socket.destroy()); // Later errors end only this connection.
        socket.pause(); // Idle from here on: nothing more is read.
        this.#sockets.push(socket);
        resolve();
      };
      socket.on("data", onData);
    });
  }
}
