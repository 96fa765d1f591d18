/**
 * The package as a user gets it: `npm pack`, then the tarball installed into
 * two temporary projects outside this repository.
 * - Plain JavaScript, no TypeScript anywhere: `.mjs` files import
 *   `boucle/loop` and `boucle/net`, run a coroutine and an echo round trip
 *   over loopback, and the `boucle` bin answers.
 * - A standard tsconfig (NodeNext, strict, no allowImportingTsExtensions,
 *   skipLibCheck off so the published .d.ts are checked too): the README's
 *   ts examples type-check with zero errors, then run, each printing exactly
 *   the text block the README shows after it.
 * Why --prefer-offline: the dependencies (hdr-histogram-js and its three)
 * come from npm's cache, which `npm ci` has just filled; the tarball itself
 * is a local file.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../apps/helpers.ts";
import { tsExamples } from "./readme-blocks.ts";

const exec = promisify(execFile);
const NPM_TIMEOUT_MS = 60_000;
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string; exports: Record<string, unknown> };

let work: string;
let tarball: string;

/** `npm ...args` in `cwd`; rejects with npm's output on failure. */
async function npm(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, timeout: NPM_TIMEOUT_MS });
  return stdout;
}

/** A fresh project in `work/name` with boucle installed from the tarball. */
async function project(name: string, manifestFields: Record<string, unknown> = {}): Promise<string> {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module", ...manifestFields }));
  await npm(dir, "install", "--prefer-offline", tarball);
  return dir;
}

async function node(cwd: string, file: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return exec(process.execPath, [file, ...args], { cwd, timeout: 20_000 });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "boucle-pack-"));
  // dist/ is fresh (vitest's globalSetup builds it); --ignore-scripts skips prepare's second build.
  const [packed] = JSON.parse(await npm(ROOT, "pack", "--ignore-scripts", "--json", "--pack-destination", work)) as { filename: string }[];
  tarball = join(work, packed!.filename);
}, NPM_TIMEOUT_MS);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the packed tarball", () => {
  it("holds the build, the bin and the README, and no sources, tests or build info", async () => {
    const listing = (await exec("tar", ["-tzf", tarball])).stdout.split("\n").filter(Boolean);
    expect(listing).toContain("package/bin/boucle.js");
    expect(listing).toContain("package/dist/src/loop/index.js");
    expect(listing).toContain("package/dist/src/loop/index.d.ts");
    expect(listing).toContain("package/dist/src/net/index.js");
    expect(listing).toContain("package/dist/src/loop/chapter.js");
    expect(listing).toContain("package/dist/examples/01-run-task.js");
    expect(listing).toContain("package/README.md");
    expect(listing.filter((f) => /^package\/(src|test|bench)\//.test(f) || f.endsWith(".tsbuildinfo") || /\/[^/]+(?<!\.d)\.ts$/.test(f))).toEqual([]);
  });

  it("exports every public layer (each src/<layer>/index.ts), with types first", () => {
    const layers = readdirSync(join(ROOT, "src"), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(ROOT, "src", d.name, "index.ts")))
      .map((d) => d.name);
    for (const layer of layers) {
      expect(manifest.exports[`./${layer}`]).toEqual({ types: `./dist/src/${layer}/index.d.ts`, default: `./dist/src/${layer}/index.js` });
    }
  });
});

describe("installed into a plain JavaScript project", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await project("plain-js");
  }, NPM_TIMEOUT_MS);

  it("has no TypeScript and no tsx to lean on", () => {
    const installed = readdirSync(join(dir, "node_modules"));
    expect(installed).toContain("boucle");
    expect(installed).not.toContain("typescript");
    expect(installed).not.toContain("tsx");
  });

  it("runs a coroutine and an echo round trip from .mjs", async () => {
    writeFileSync(
      join(dir, "main.mjs"),
      `import { run, sleep, gather } from "boucle/loop";
import { openConnection, startServer } from "boucle/net";

function* add(a, b) {
  yield* sleep(5);
  return a + b;
}

const reply = await run(function* () {
  const [x, y] = yield* gather(add(1, 2), add(3, 4));
  console.log("sum", x + y);
  const server = yield* startServer(function* (reader, writer) {
    for (let line; (line = yield* reader.nextLine()) !== null; ) writer.write(line.toString() + "\\n");
  }, { host: "127.0.0.1", port: 0 });
  const [reader, writer] = yield* openConnection("127.0.0.1", server.port);
  writer.write("ping\\n");
  const line = yield* reader.readline();
  writer.close();
  server.close();
  return line.toString();
}());
console.log("echo", JSON.stringify(reply));
`,
    );
    const { stdout, stderr } = await node(dir, "main.mjs");
    expect(stderr).toBe("");
    expect(stdout).toBe('sum 10\necho "ping\\n"\n');
  });

  it("imports the chapter's teaching code from boucle/chapter", async () => {
    writeFileSync(join(dir, "chapter.mjs"), `import { runTask } from "boucle/chapter";\nconsole.log(runTask(function* () { yield; return 42; }()));\n`);
    expect((await node(dir, "chapter.mjs")).stdout).toBe("42\n");
  });

  it("installs the boucle command, which runs from the build", async () => {
    const bin = join(dir, "node_modules", ".bin", "boucle");
    expect((await exec(bin, ["--version"], { cwd: dir })).stdout).toBe(`boucle ${manifest.version}\n`);
    const demo = await exec(bin, ["demo", "--step", "1"], { cwd: dir, timeout: 20_000 });
    expect(demo.stdout).toContain("Hello\nWorld\nrunTask returned 42\n");
  });
});

describe("installed into a TypeScript project with a standard tsconfig", () => {
  let dir: string;
  const examples = tsExamples();

  beforeAll(async () => {
    dir = await project("typed");
    // Why a link: this project's own copy of @types/node would be one more
    // registry download; the repository's is the same package.
    mkdirSync(join(dir, "node_modules", "@types"));
    symlinkSync(join(ROOT, "node_modules", "@types", "node"), join(dir, "node_modules", "@types", "node"), "dir");
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2023"],
          types: ["node"],
          strict: true,
          noUnusedLocals: true,
          noUnusedParameters: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
          verbatimModuleSyntax: true,
          skipLibCheck: false,
          outDir: "out",
        },
        include: ["*.ts"],
      }),
    );
    for (const [i, { block }] of examples.entries()) writeFileSync(join(dir, `readme-${i + 1}.ts`), block.code);
  }, NPM_TIMEOUT_MS);

  it("finds ts examples in the README", () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
  });

  it("type-checks the README's examples against the published types with zero errors", async () => {
    const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const result = await exec(process.execPath, [tsc, "-p", "."], { cwd: dir, timeout: 60_000 }).catch((error: { stdout: string }) => error);
    const where = examples.map(({ block }, i) => `readme-${i + 1}.ts = README.md:${block.line}`).join(", ");
    expect(result.stdout, where).toBe("");
  }, 60_000);

  it("runs each README example, which prints what the README shows", async () => {
    for (const [i, { block, output }] of examples.entries()) {
      const { stdout, stderr } = await node(dir, join("out", `readme-${i + 1}.js`));
      expect({ line: block.line, stdout, stderr }).toEqual({ line: block.line, stdout: output.code, stderr: "" });
    }
  }, 60_000);
});
