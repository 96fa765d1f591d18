/** A Member that records what the hub sends it, for the hub tests. */
import { ChatHub, type Member } from "../../../src/apps/chat/hub.ts";

export class FakeMember implements Member {
  static #ids = 0;
  readonly id = ++FakeMember.#ids;
  nick = "";
  room = "";
  readonly lines: string[] = [];
  readonly closes: (string | undefined)[] = [];

  send(line: string): void {
    this.lines.push(line);
  }

  close(reason?: string): void {
    this.closes.push(reason);
  }

  /** Returns the lines received since the last call, and forgets them. */
  take(): string[] {
    return this.lines.splice(0);
  }
}

/** A hub with `n` joined members whose welcome lines are already taken. */
export function hubWith(n: number): { hub: ChatHub; members: FakeMember[] } {
  const hub = new ChatHub();
  const members = Array.from({ length: n }, () => new FakeMember());
  for (const m of members) hub.join(m);
  for (const m of members) m.take();
  return { hub, members };
}
