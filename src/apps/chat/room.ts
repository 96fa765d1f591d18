/**
 * Room name rules: `#` followed by 1 to 32 letters, digits, `_` or `-`;
 * names compare case-insensitively.
 */

/** Longest room name after its `#`, in characters. */
export const ROOM_NAME_MAX = 32;

/** The room every newcomer joins. */
export const LOBBY = "#lobby";

const ROOM_NAME = new RegExp(`^#[A-Za-z0-9_-]{1,${ROOM_NAME_MAX}}$`);

/**
 * Whether `name` is a valid room name.
 *
 * @example
 * isRoomName("#rust"); // true
 * isRoomName("rust");  // false
 */
export function isRoomName(name: string): boolean {
  return ROOM_NAME.test(name);
}

/**
 * The key under which a room is found: `#Rust` and `#rust` are the same room.
 *
 * @example
 * roomKey("#Rust"); // "#rust"
 */
export function roomKey(name: string): string {
  return name.toLowerCase();
}

/**
 * Rooms with more members than this are *quiet*: their join, leave and
 * nickname notices are counted and told once per interval in one line
 * (`flushCrowdNotices` of either hub). Why 100: below it a notice per join
 * costs ~100 lines, what one chat message costs; above it, N joins would
 * cost N²/2 lines.
 */
export const DEFAULT_QUIET_ROOM_SIZE = 100;
