/** A Member that records what the hub sends it, for the hub tests. */
import { ChatHub, type ChatHubOptions, type Member } from "../../../src/apps/chat/hub.ts";

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

/**
 * A hub with `n` joined members, each announced (as after its admission
 * delay), whose lines so far are already taken.
 */
export function hubWith(n: number, options?: ChatHubOptions): { hub: ChatHub; members: FakeMember[] } {
  const hub = new ChatHub(options);
  const members = Array.from({ length: n }, () => new FakeMember());
  for (const m of members) {
    hub.join(m);
    hub.announce(m);
  }
  for (const m of members) m.take();
  return { hub, members };
}
