/**
 * Every line the chat server sends, built in one place so the wording of the
 * protocol (docs/PROTOCOL.md) lives in one file.
 *
 * Lines carry their marker (`<nick> `, `[nick] `, `* `, `** `, `! `; see
 * markers.ts) and no trailing
 * newline. Builders take text that is already stripped of controls.
 */
import { ACTION, NOTICE } from "./markers.ts";
import { ROOM_NAME_MAX } from "./room.ts";

/** `<nick> text`: a message from a member of your room. */
export function message(nick: string, text: string): string {
  return `<${nick}> ${text}`;
}

/** `[nick] text`: a private message to you. */
export function privateMessage(from: string, text: string): string {
  return `[${from}] ${text}`;
}

/** Confirms a private message to its sender. */
export function privateSent(to: string, text: string): string {
  return `* to ${to}: ${text}`;
}

/**
 * `/me` as the whole room sees it: `** nick text`, never `* `, which is the
 * server's alone (markers.ts), so `/me joined #lobby` cannot pass for a notice.
 */
export function action(nick: string, text: string): string {
  return `${ACTION}${nick} ${text}`;
}

/** The first line a newcomer receives. */
export function welcome(nick: string): string {
  return `* welcome, you are ${nick} - type /help for commands`;
}

/** Told to a room, the newcomer included. */
export function joined(nick: string, room: string): string {
  return `* ${nick} joined ${room}`;
}

/** Told to the room a member left for another one. */
export function leftRoom(nick: string, room: string): string {
  return `* ${nick} left ${room}`;
}

/** Told to the room of a member who left the chat; `reason` is shown in parentheses. */
export function leftChat(nick: string, reason?: string): string {
  return reason ? `* ${nick} left (${reason})` : `* ${nick} left`;
}

/** The leave reason of a `/quit` with an optional reason of the user's. */
export function quitReason(reason: string): string {
  return reason ? `quit: ${reason}` : "quit";
}

/** Told to a room, the renamed member included. */
export function renamed(from: string, to: string): string {
  return `* ${from} is now known as ${to}`;
}

/** Reply to `/nick` with the nickname one already has. */
export function sameNick(nick: string): string {
  return `* you are already ${nick}`;
}

/** Reply to `/join` of the room one is in. */
export function sameRoom(room: string): string {
  return `* you are already in ${room}`;
}

/** Said to a member who quits, before the connection closes. */
export const GOODBYE = "* goodbye";

/** Sent to everyone when the server stops. */
export const SHUTTING_DOWN = "* server shutting down";

/** `/help`: one line per command. */
export const HELP: readonly string[] = [
  "* commands:",
  "*   /nick NAME      change your nickname (1 to 24 letters, digits, _ or -)",
  "*   /join #room     leave your room for #room (made on demand)",
  "*   /rooms [PAGE]   list the rooms and their member counts, 100 a page",
  "*   /who [PAGE]     list the members of your room, 100 a page",
  "*   /msg NICK text  send a private message",
  "*   /me action      show an action: ** nick action",
  "*   /quit [reason]  leave the chat",
  "*   /help           show this help",
  "*   /ping           answered * pong (a health probe; the room is not told)",
  "*   /pong TOKEN     answer the server's * ping TOKEN (any line does)",
  "*   /join #room KEY join a room that has a key",
  "*   /topic [text]   show the topic, or set it (room owner or operator; - clears)",
  "*   /key [KEY]      set the room's key, or remove it (room owner or operator)",
  "*   /oper PASSWORD  become an operator: /kick /ban /bans /unban /mute /unmute /wall",
  "*   //text          send a message starting with /",
];

/** `! text`: an error meant for the one who caused it. */
export function error(text: string): string {
  return `! ${text}`;
}

/** Reply to an unknown command; `command` is the word as typed, `/` included. */
export function unknownCommand(command: string): string {
  return `! unknown command ${command} (try /help)`;
}

/** Reply to a command missing its arguments. */
export function usage(synopsis: string): string {
  return `! usage: ${synopsis}`;
}

/** Reply to `/join` with a name that is not a valid room name. */
export function invalidRoomName(name: string): string {
  return `! invalid room name ${name}: # then 1 to ${ROOM_NAME_MAX} letters, digits, _ or -`;
}

/** Reply to `/msg` for a nickname nobody holds. */
export function noSuchNick(nick: string): string {
  return `! no such nick ${nick}`;
}

/** Reply to `/nick` for a nickname someone else holds. */
export function nickTaken(nick: string): string {
  return `! nickname ${nick} is taken`;
}

/**
 * Sent once per line longer than `limit` bytes.
 *
 * @example
 * lineTooLong(4096); // "! line too long (max 4096 bytes)"
 */
export function lineTooLong(limit: number): string {
  return `! line too long (max ${limit} bytes)`;
}

/** Sent to the connection refused because the server has its maximum of clients. */
export function serverFull(): string {
  return "! server full";
}

/** Sent to a connection refused because its address holds `--max-per-ip` already. */
export const TOO_MANY_FROM_ADDRESS = "! too many connections from your address";

/** Sent to a connection refused because its address connects faster than `--connect-rate`. */
export const CONNECTING_TOO_FAST = "! too many new connections from your address, try again in a few seconds";

/** Sent for a line dropped by flood control. */
export function floodNotice(): string {
  return "! slow down: too many lines, line dropped";
}

/** The leave reason of a member disconnected because it stopped reading. */
export const SLOW_READER_REASON = "disconnected: not reading fast enough";

/**
 * The notice its room gets when a member is disconnected for not reading;
 * it is what `hub.leave(member, SLOW_READER_REASON)` sends.
 */
export function slowReaderLeft(nick: string): string {
  return leftChat(nick, SLOW_READER_REASON);
}

/** Why: long lists are split so no line grows past about 1 KB. */
const ITEMS_PER_LINE = 20;

/**
 * Entries per page of `/who` and `/rooms`. Why 100: five notice lines, a
 * reply of a few KB whatever the size of the room or the server.
 */
export const PAGE_SIZE = 100;

/** One page of a long list: its entries, its number (from 1) and the total of entries. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly page: number;
  readonly total: number;
}

/** How many pages `total` entries take (at least one, even for none). */
export function pageCount(total: number): number {
  return Math.max(1, Math.ceil(total / PAGE_SIZE));
}

/**
 * `/who [PAGE]`: a page of the room's members, in the order they joined, 20
 * per line, with a last line pointing at the next page when there is one.
 *
 * @example
 * whoLines("#lobby", { items: ["ada", "bob"], page: 1, total: 2 });
 * // ["* #lobby has 2 members: ada, bob"]
 */
export function whoLines(room: string, page: Page<string>): string[] {
  return pageLines(`${room} has ${count(page.total, "member")}`, page, "/who");
}

/**
 * `/rooms [PAGE]`: a page of the rooms with their member counts, oldest
 * room first; a room with a key shows `(key)` instead of its count.
 */
export function roomsLines(page: Page<{ name: string; size: number; keyed?: boolean }>): string[] {
  const items = page.items.map((r) => `${r.name} (${r.keyed ? "key" : r.size})`);
  return pageLines(count(page.total, "room"), { ...page, items }, "/rooms");
}

/** Reply to `/who N` or `/rooms N` past the last page. */
export function noSuchPage(page: number, pages: number): string {
  return `! no page ${page}: there ${pages === 1 ? "is 1 page" : `are ${pages} pages`}`;
}

function pageLines(header: string, page: Page<string>, command: string): string[] {
  const pages = pageCount(page.total);
  const title = page.page === 1 ? header : `${header}, page ${page.page} of ${pages}`;
  const { items } = page;
  const lines = [`* ${title}: ${items.slice(0, ITEMS_PER_LINE).join(", ")}`];
  for (let i = ITEMS_PER_LINE; i < items.length; i += ITEMS_PER_LINE) {
    lines.push(`* ${items.slice(i, i + ITEMS_PER_LINE).join(", ")}`);
  }
  if (page.page < pages) lines.push(`* page ${page.page} of ${pages}: ${command} ${page.page + 1} for more`);
  return lines;
}

/** Reply to `/ping`, a probe that disturbs no one (see docs/PROTOCOL.md). */
export const PONG = "* pong";

/**
 * Sent after a connection's silence; any line answers it, `/pong token` by
 * convention (the bundled client does it by itself).
 *
 * @example
 * ping("3fa9c2d1"); // "* ping 3fa9c2d1"
 */
export function ping(token: string): string {
  return `${NOTICE}ping ${token}`;
}

/** The leave reason of a member that answered no ping: `* nick left (ping timeout)`. */
export const PING_TIMEOUT_REASON = "ping timeout";

/** The leave reason of a connection that sent no complete line in time. */
export const NO_LINE_REASON = "no line received";

/** Said to a connection closed for silence, before it is closed. */
export function silenceError(reason: string): string {
  return `! ${reason}, closing the connection`;
}

/**
 * What a quiet room (one above `--quiet-room-size`) gets once per interval
 * instead of one notice per join, leave or nickname change.
 *
 * @example
 * crowdNotice("#lobby", { joined: 37, left: 12, renamed: 0 }, 5012);
 * // "* 37 joined, 12 left #lobby (5012 members)"
 */
export function crowdNotice(room: string, tally: { joined: number; left: number; renamed: number }, members: number): string {
  const parts: string[] = [];
  if (tally.joined > 0) parts.push(`${tally.joined} joined`);
  if (tally.left > 0) parts.push(`${tally.left} left`);
  if (tally.renamed > 0) parts.push(`${tally.renamed} renamed`);
  return `* ${parts.join(", ")} ${room} (${count(members, "member")})`;
}

// ---- operators, bans, mutes, room owners --------------------------------

export const OPER_GRANTED = "* you are now an operator";
export const OPER_WRONG = "! wrong operator password";
export const OPER_SLOW_DOWN = "! slow down: too many /oper attempts, try again in a minute";
export const OPER_DISABLED = "! no operator password is set on this server";
export const NOT_OPERATOR = "! you are not an operator";

/** Reply to `/topic` or `/key` from a member who neither owns the room nor is an operator. */
export function notOwner(room: string): string {
  return `! only the owner of ${room} or an operator may do that`;
}

/** `reason` in parentheses, or nothing. */
function because(reason: string): string {
  return reason ? ` (${reason})` : "";
}

/** Told to the room a member was kicked out of (to the lobby). */
export function kicked(nick: string, room: string, by: string, reason: string): string {
  return `* ${nick} was kicked from ${room} by ${by}${because(reason)}`;
}

/** Told to the member kicked out of a room, before its lobby join notice. */
export function kickedYou(room: string, by: string, reason: string): string {
  return `* you were kicked from ${room} by ${by}${because(reason)}`;
}

/** The leave reason of a member kicked out of the lobby, hence off the server. */
export function kickReason(by: string, reason: string): string {
  return reason ? `kicked by ${by}: ${reason}` : `kicked by ${by}`;
}

/** Said to a connection from a banned address, or one being banned, before it is closed. */
export const BANNED = "! you are banned from this server";
/** The leave reason of a member whose address was banned. */
export const BAN_REASON = "banned";
export const CANNOT_BAN_SELF = "! you cannot ban your own address";

/** `for 10 minutes` or `until lifted`, for bans and mutes. */
function forMinutes(minutes: number | undefined, until: string): string {
  return minutes === undefined ? until : `for ${count(minutes, "minute")}`;
}

/** Reply to `/ban`: the address group banned, and how many connections it closed. */
export function bannedReply(group: string, minutes: number | undefined, closed: number): string {
  return `* banned ${group} ${forMinutes(minutes, "until lifted")} (${count(closed, "connection")} closed)`;
}

export function noSuchTarget(target: string): string {
  return `! no such nick or address ${target}`;
}

/** `/bans`: each ban with the time it has left, 20 per line. */
export function bansLines(bans: readonly [string, number][]): string[] {
  if (bans.length === 0) return ["* no bans"];
  const items = bans.map(([group, ms]) => `${group} (${ms === Infinity ? "until lifted" : `${Math.ceil(ms / 60_000)} min left`})`);
  const lines = [`* ${count(bans.length, "ban")}: ${items.slice(0, ITEMS_PER_LINE).join(", ")}`];
  for (let i = ITEMS_PER_LINE; i < items.length; i += ITEMS_PER_LINE) lines.push(`* ${items.slice(i, i + ITEMS_PER_LINE).join(", ")}`);
  return lines;
}

export function unbanned(group: string): string {
  return `* unbanned ${group}`;
}

export function noBan(target: string): string {
  return `! no ban on ${target}`;
}

export function mutedReply(nick: string, minutes: number | undefined): string {
  return `* muted ${nick} ${forMinutes(minutes, "until /unmute")}`;
}

export function mutedYou(by: string, minutes: number | undefined): string {
  return `* you were muted by ${by} ${forMinutes(minutes, "until unmuted")}`;
}

/** Reply to a muted member's message, `/me` or `/msg`; nothing is sent. */
export function youAreMuted(remainingMs: number): string {
  return remainingMs === Infinity ? "! you are muted" : `! you are muted for ${count(Math.ceil(remainingMs / 60_000), "more minute")}`;
}

export function unmutedReply(nick: string): string {
  return `* unmuted ${nick}`;
}

export const UNMUTED_YOU = "* you may speak again";

export function notMuted(nick: string): string {
  return `! ${nick} is not muted`;
}

/** `/wall text`, to every member of every room. */
export function wall(by: string, text: string): string {
  return `* wall from ${by}: ${text}`;
}

/** Told to a room whose topic changed. */
export function topicSet(by: string, room: string, topic: string): string {
  return topic ? `* ${by} set the topic of ${room}: ${topic}` : `* ${by} cleared the topic of ${room}`;
}

/** Shown on join (when there is one) and by `/topic`. */
export function topicLine(room: string, topic: string): string {
  return topic ? `* topic of ${room}: ${topic}` : `* ${room} has no topic`;
}

/** Told to a room whose key changed; the key itself is not told. */
export function keySet(by: string, room: string, hasKey: boolean): string {
  return hasKey ? `* ${by} set a key on ${room}` : `* ${by} removed the key of ${room}`;
}

export function needsKey(room: string): string {
  return `! ${room} needs a key: /join ${room} KEY`;
}

export function wrongKey(room: string): string {
  return `! wrong key for ${room}`;
}

export const LOBBY_HAS_NO_KEY = "! #lobby cannot have a key: everyone arrives there";

/** Reply to an operator or room-owner command when several servers share the chat. */
export const NOT_SHARED = "! not available when several servers share the chat (--redis)";

/** Sent for a `/nick` over the nickname-change limit; nothing changes. */
export function nickFlood(): string {
  return "! slow down: too many nickname changes, try again in a few seconds";
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** The leave reason of the members of a server that stopped answering (several servers on one Redis). */
export const NODE_LOST_REASON = "node lost";

/** The leave reason, on the other servers, of the members of a server that stopped normally. */
export const SHUTDOWN_REASON = "server shutting down";

/** Told to everyone on a server that could not resume the shared chat where it left off. */
export const MAYBE_MISSED = "* some messages may have been missed";

/** The error for a line that could not go out because the shared chat (Redis) is unreachable. */
export function chatUnavailable(detail: string): string {
  return `! ${detail}; try again`;
}
