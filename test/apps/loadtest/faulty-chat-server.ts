/**
 * A minimal chat server for the load test's own tests (plain Node
 * callbacks, like bench/baselines/chat-server.ts), correct by default, that
 * can commit exactly one fault on one room-message delivery: drop it,
 * send it twice, or hold it back until the same sender's next message to
 * the same recipient has gone out (a reordering).
 *
 * Protocol subset (docs/PROTOCOL.md): welcome, `/join #room`, `/nick NAME`,
 * room messages to the other members, `! unknown command` for the rest.
 */
import net from "node:net";

export type Fault = "none" | "drop" | "duplicate" | "reorder";

export interface FaultyChatServer {
  port: number;
  /** Room-message deliveries made so far (each copy to each recipient). */
  deliveries(): number;
  /** True once the fault has been committed. */
  faulted(): boolean;
  close(): Promise<void>;
}

interface Member {
  socket: net.Socket;
  nick: string;
  room: string;
  /** A held-back delivery: [sender, line], written after that sender's next line to us. */
  held: [Member, string] | null;
}

/**
 * Start on 127.0.0.1, a free port. `faultAt` is the 1-based number of the
 * delivery that goes wrong.
 * @example
 * const server = await startFaultyChatServer("drop", 5000);
 */
export function startFaultyChatServer(fault: Fault, faultAt = 1): Promise<FaultyChatServer> {
  const rooms = new Map<string, Set<Member>>();
  const sockets = new Set<net.Socket>();
  let guests = 0;
  let deliveries = 0;
  let faulted = false;

  const toRoom = (room: string, line: string, except: Member | null): void => {
    for (const m of rooms.get(room) ?? []) if (m !== except) m.socket.write(line + "\n");
  };
  const enter = (member: Member, room: string): void => {
    if (member.room !== "") {
      rooms.get(member.room)?.delete(member);
      toRoom(member.room, `* ${member.nick} left ${member.room}`, null);
    }
    member.room = room;
    if (!rooms.has(room)) rooms.set(room, new Set());
    rooms.get(room)!.add(member);
    toRoom(room, `* ${member.nick} joined ${room}`, null);
  };
  const deliver = (from: Member, to: Member, line: string): void => {
    deliveries++;
    const now = !faulted && deliveries >= faultAt && fault !== "none";
    if (now) faulted = true;
    if (now && fault === "drop") return;
    if (now && fault === "reorder") {
      to.held = [from, line];
      return;
    }
    to.socket.write(line);
    if (now && fault === "duplicate") to.socket.write(line);
    if (to.held !== null && to.held[0] === from) {
      to.socket.write(to.held[1]);
      to.held = null;
    }
  };
  const handle = (member: Member, line: string): void => {
    if (line.startsWith("/") && !line.startsWith("//")) {
      const [command = "", arg = ""] = line.split(" ", 2);
      if (command === "/join") enter(member, arg);
      else if (command === "/nick") {
        toRoom(member.room, `* ${member.nick} is now known as ${arg}`, null);
        member.nick = arg;
      } else member.socket.write(`! unknown command ${command} (try /help)\n`);
      return;
    }
    const text = `<${member.nick}> ${line.startsWith("//") ? line.slice(1) : line}\n`;
    for (const to of rooms.get(member.room) ?? []) if (to !== member) deliver(member, to, text);
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.setEncoding("utf8");
    const member: Member = { socket, nick: `guest${++guests}`, room: "", held: null };
    socket.write(`* welcome, you are ${member.nick} - type /help for commands\n`);
    enter(member, "#lobby");
    let partial = "";
    socket.on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) handle(member, line);
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      sockets.delete(socket);
      rooms.get(member.room)?.delete(member);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as net.AddressInfo;
      resolve({
        port: address.port,
        deliveries: () => deliveries,
        faulted: () => faulted,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
