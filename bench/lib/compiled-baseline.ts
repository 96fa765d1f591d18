/**
 * The Node baseline servers (bench/baselines/*.ts) as plain JavaScript, so
 * a benchmark runs them with `node` alone, as it runs ours from dist/.
 *
 * Why: under `--import tsx` a process also holds tsx's loader (a second V8
 * isolate for the module hooks), some 30 MB of RSS that a user's
 * deployed server would not have; a memory row would charge it to the
 * baseline. The files are transpiled one by one (TypeScript's
 * transpileModule: types dropped, `.ts` imports rewritten to `.js`) into
 * node_modules/.cache, afresh on every run (they are small).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { ROOT } from "./processes.ts";

const SOURCE_DIR = path.join(ROOT, "bench/baselines");
const OUT_DIR = path.join(ROOT, "node_modules/.cache/boucle-baselines");

let compiled = false;

/**
 * The path of `name` (e.g. "chat-server.ts") of bench/baselines compiled
 * to JavaScript; the first call compiles the whole folder.
 */
export function compiledBaseline(name: string): string {
  if (!compiled) {
    mkdirSync(OUT_DIR, { recursive: true });
    // A package.json of its own: the output is ESM, whatever the cache folder's parents say.
    writeFileSync(path.join(OUT_DIR, "package.json"), '{ "type": "module" }\n');
    for (const file of readdirSync(SOURCE_DIR).filter((f) => f.endsWith(".ts"))) {
      const { outputText } = ts.transpileModule(readFileSync(path.join(SOURCE_DIR, file), "utf8"), {
        fileName: file,
        compilerOptions: {
          module: ts.ModuleKind.ES2022,
          target: ts.ScriptTarget.ES2022,
          rewriteRelativeImportExtensions: true,
          verbatimModuleSyntax: true,
        },
      });
      writeFileSync(path.join(OUT_DIR, file.replace(/\.ts$/, ".js")), outputText);
    }
    compiled = true;
  }
  return path.join(OUT_DIR, name.replace(/\.ts$/, ".js"));
}
