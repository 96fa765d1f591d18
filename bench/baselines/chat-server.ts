/**
 * Baseline chat server: plain Node `net` with callbacks, speaking enough of
 * the chat protocol (docs/PROTOCOL.md) for load tests and a fair comparison.
 * It is written the way a competent Node developer would, without special
 * batching: one `socket.write` per recipient per message. That IS the
 * baseline our loop's write coalescing is measured against.
 *
 * Supported: guest nicknames and the welcome line, `/nick`, `/join`,
 * `/help`, `/quit`, `//` escapes, room fan-out, join/leave notices, and
 * `! unknown command` for everything else. Not supported (not needed by the
 * benchmarks): `/who`, `/rooms`, `/msg`, `/me`, line limits, flood control,
 * slow-reader eviction, escape stripping.
 *
 * Run: `npx tsx bench/baselines/chat-server.ts --port 7778`
 */
import net from "node:net";
import { createBaselineServer, isMain, listenTracked, runBaselineCli } from "./serve.ts";
import type { BaselineOptions, BaselineServer } from "./serve.ts";

/** Default CLI port: next to our chat server's 7777 so both can run at once. */
const DEFAULT_PORT = 7778;
/** Room every client joins on connect, as in the protocol. */
const LOBBY = "#lobby";
/** The protocol's nickname rule: 1 to 24 letters, digits, `_` or `-`. */
const NICK_PATTERN = /^[A-Za-z0-9_-]{1,24}$/;

interface Client {
  socket: net.Socket;
  nick: string;
  room: string;
}

/**
 * Starts the baseline chat server.
 *
 * @example
 * const server = await startBaselineChatServer({ host: "127.0.0.1", port: 0 });
 * // ... connect clients to server.port ...
 * await server.close();
 */
export function startBaselineChatServer(options: BaselineOptions): Promise<BaselineServer> {
  const rooms = new Map<string, Set<Client>>();
  const nicks = new Map<string, Client>();
  let guestCounter = 0;

  const send = (client: Client, line: string): void => {
    client.socket.write(line + "\n");
  };

  const broadcast = (room: string, from: Client, line: string): void => {
    const members = rooms.get(room);
    if (members === undefined) return;
    for (const member of members) if (member !== from) member.socket.write(line + "\n");
  };

  const enter = (client: Client, room: string): void => {
    client.room = room;
    let members = rooms.get(room);
    if (members === undefined) {
      members = new Set();
      rooms.set(room, members);
    }
    members.add(client);
    broadcast(room, client, `* ${client.nick} joined ${room}`);
  };

  /** Takes the client out of its room, at most once per room: `room` becomes "". */
  const leave = (client: Client, notice: string): void => {
    const members = rooms.get(client.room);
    client.room = "";
    if (members === undefined) return;
    members.delete(client);
    if (members.size === 0) rooms.delete(client.room);
    else for (const member of members) member.socket.write(notice + "\n");
  };

  const freshGuestNick = (): string => {
    let nick: string;
    do nick = `guest${++guestCounter}`;
    while (nicks.has(nick.toLowerCase()));
    return nick;
  };

  const changeNick = (client: Client, wanted: string): void => {
    if (!NICK_PATTERN.test(wanted)) {
      send(client, `! invalid nickname ${JSON.stringify(wanted)} (1 to 24 letters, digits, _ or -)`);
      return;
    }
    const holder = nicks.get(wanted.toLowerCase());
    if (holder !== undefined && holder !== client) {
      send(client, `! nickname ${wanted} is taken`);
      return;
    }
    const old = client.nick;
    nicks.delete(old.toLowerCase());
    nicks.set(wanted.toLowerCase(), client);
    client.nick = wanted;
    send(client, `* you are now known as ${wanted}`);
    broadcast(client.room, client, `* ${old} is now known as ${wanted}`);
  };

  const join = (client: Client, room: string): void => {
    if (!room.startsWith("#") || room.length < 2 || /\s/.test(room)) {
      send(client, `! usage: /join #room`);
      return;
    }
    if (room === client.room) {
      send(client, `* you are already in ${room}`);
      return;
    }
    leave(client, `* ${client.nick} left ${client.room}`);
    enter(client, room);
    send(client, `* you joined ${room}`);
  };

  const command = (client: Client, line: string): void => {
    const space = line.indexOf(" ");
    const name = space === -1 ? line : line.slice(0, space);
    const rest = space === -1 ? "" : line.slice(space + 1).trim();
    switch (name) {
      case "/nick":
        changeNick(client, rest);
        return;
      case "/join":
        join(client, rest);
        return;
      case "/help":
        send(client, "* commands: /nick NAME, /join #room, /help, /quit [reason]");
        return;
      case "/quit":
        client.socket.end();
        leave(client, `* ${client.nick} left ${client.room}${rest === "" ? "" : ` (${rest})`}`);
        return;
      default:
        send(client, `! unknown command ${name} (try /help)`);
    }
  };

  const handleLine = (client: Client, raw: string): void => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.startsWith("/") && !line.startsWith("//")) command(client, line);
    else broadcast(client.room, client, `<${client.nick}> ${line.startsWith("//") ? line.slice(1) : line}`);
  };

  const server = createBaselineServer(options, (socket) => {
    socket.setNoDelay(true);
    socket.setEncoding("utf8");
    const client: Client = { socket, nick: freshGuestNick(), room: "" };
    nicks.set(client.nick.toLowerCase(), client);
    send(client, `* welcome, you are ${client.nick} - type /help for commands`);
    enter(client, LOBBY);

    let partial = "";
    socket.on("data", (chunk: string) => {
      if (!chunk.includes("\n")) {
        partial += chunk;
        return;
      }
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (client.room !== "") handleLine(client, line);
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      leave(client, `* ${client.nick} left ${client.room}`);
      nicks.delete(client.nick.toLowerCase());
    });
  });
  return listenTracked(server, options);
}

if (isMain(import.meta.url)) void runBaselineCli("baseline-chat-server", DEFAULT_PORT, startBaselineChatServer);
