/**
 * The README's fenced code blocks, for the tests that run them: each ```ts
 * block is a whole program, and the next block, a ```text one, is exactly
 * what it prints.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../apps/helpers.ts";

export interface CodeBlock {
  /** The fence's info string: "ts", "sh", "text"... */
  lang: string;
  code: string;
  /** 1-based line of the opening fence, for failure messages. */
  line: number;
}

export interface TsExample {
  block: CodeBlock;
  /** The ```text block printed by it. */
  output: CodeBlock;
}

/** Every fenced block of README.md, in order. */
export function readmeBlocks(file = join(ROOT, "README.md")): CodeBlock[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)$/.exec(lines[i]!);
    if (open === null) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== "```"; i++) body.push(lines[i]!);
    blocks.push({ lang: open[1]!, code: body.join("\n") + "\n", line: start + 1 });
  }
  return blocks;
}

/** Each ```ts block with the ```text block that follows it. @throws if a ts block has none */
export function tsExamples(blocks = readmeBlocks()): TsExample[] {
  const examples: TsExample[] = [];
  for (const [i, block] of blocks.entries()) {
    if (block.lang !== "ts") continue;
    const output = blocks[i + 1];
    if (output?.lang !== "text") throw new Error(`README.md:${block.line}: a ts block must be followed by a text block of what it prints`);
    examples.push({ block, output });
  }
  return examples;
}
