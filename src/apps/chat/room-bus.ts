/**
 * The one seam every room-wide line goes through: messages, actions and
 * notices are *published* to a room, and the bus decides when they are
 * *delivered* to the members this server holds.
 *
 * Why a seam: on one server, delivery is immediate (the local bus below).
 * When several servers share rooms through a broker, each one publishes to
 * the broker and delivers only what comes back from it, its own members'
 * lines included, so every member of a room, on any server, sees that
 * room's lines in one order. Deciding what goes to a room (the hub) and
 * handing a line to each recipient (queues, memory budget, slow readers:
 * the server's `Member.send`) stay on either side of it.
 */

/**
 * Hands `line` to every local member of the room whose key is `roomKey`
 * (see `roomKey` in room.ts), except the member whose id is `exceptId` (a
 * message's sender does not get it back).
 */
export type Deliver = (roomKey: string, line: string, exceptId?: number) => void;

/** Where the hub sends every line meant for a whole room. */
export interface RoomBus {
  /**
   * Publishes one line to a room. A local bus delivers it before returning;
   * a broker-backed bus delivers it later, in the broker's order.
   */
  publish(roomKey: string, line: string, exceptId?: number): void;
}

/** Makes a bus that delivers through `deliver`; the hub passes its own. */
export type RoomBusFactory = (deliver: Deliver) => RoomBus;

/**
 * The single-server bus: a published line is delivered at once, so replies
 * and notices keep the order of the lines that caused them.
 *
 * @example
 * const hub = new ChatHub({ bus: localRoomBus }); // the default
 */
export const localRoomBus: RoomBusFactory = (deliver) => ({ publish: deliver });
