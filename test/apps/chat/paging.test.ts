import { describe, expect, it } from "vitest";
import { pageOf, pageRange, pageReply } from "../../../src/apps/chat/paging.ts";
import { PAGE_SIZE } from "../../../src/apps/chat/replies.ts";

describe("paging (both hubs)", () => {
  it("cuts pages of PAGE_SIZE from a list, walking no further than the page", () => {
    expect(pageRange(1)).toEqual({ start: 0, end: PAGE_SIZE });
    expect(pageRange(3)).toEqual({ start: 2 * PAGE_SIZE, end: 3 * PAGE_SIZE });
    let walked = 0;
    function* numbers(): Generator<number> {
      for (let i = 0; ; i++) {
        walked++;
        yield i;
      }
    }
    expect(pageOf(numbers(), 2, (n) => n * 2)).toEqual(Array.from({ length: PAGE_SIZE }, (_, k) => (PAGE_SIZE + k) * 2));
    expect(walked).toBe(2 * PAGE_SIZE); // An endless list: only as far as page 2.
  });

  it("answers a page past the last with the error, and never builds it", () => {
    const never = (): string[] => {
      throw new Error("built a page that does not exist");
    };
    expect(pageReply(3, 2 * PAGE_SIZE, never)).toEqual(["! no page 3: there are 2 pages"]);
    expect(pageReply(2, 0, never)).toEqual(["! no page 2: there is 1 page"]);
    expect(pageReply(1, 0, () => ["* empty"])).toEqual(["* empty"]); // Page 1 always exists.
  });
});
