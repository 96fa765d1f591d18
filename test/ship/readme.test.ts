/**
 * Every shell block of README.md and docs/loadtest.md, checked against the
 * project so the docs can't drift: each `boucle` command parses (its flags
 * exist: run with `--help` appended, it must exit 0), each `npm run`
 * script and compose service exists, and the samples are the output of the
 * commands shown: the chat transcript, the piped client, and the load-test
 * summary (run as documented, only the port and the measured figures may
 * differ). The ts blocks are run by pack.test.ts, against the tarball.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { cleanup, LineClient, ROOT, runApp, startApp } from "../apps/helpers.ts";
import { BIN } from "../apps/tmux.ts";
import { readmeBlocks, type CodeBlock } from "./readme-blocks.ts";

afterEach(cleanup);

const DOCS = ["README.md", "docs/loadtest.md"] as const;
const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
const services = Object.keys((parse(readFileSync(join(ROOT, "docker-compose.yml"), "utf8")) as { services: object }).services);

/** The words of one shell command: quotes removed, no globbing or variables (the docs use none). */
function words(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** Each simple command of a shell block, with where it is: comments, `&`, `|` and `&&` split off. */
function commands(doc: string, block: CodeBlock): { where: string; argv: string[] }[] {
  const out: { where: string; argv: string[] }[] = [];
  let pending = ""; // a command continued on the next line (`\` at the end)
  let start = 0;
  block.code.split("\n").forEach((line, i) => {
    if (pending === "") start = i;
    const code = line.replace(/(^|\s)# .*$/, "").trim();
    if (code.endsWith("\\")) {
      pending += `${code.slice(0, -1)} `;
      return;
    }
    const whole = pending + code;
    pending = "";
    for (const part of whole.split(/\s*(?:&&|\||&$)\s*/)) {
      if (part.trim() !== "") out.push({ where: `${doc}:${block.line + 1 + start}`, argv: words(part) });
    }
  });
  return out;
}

const shellBlocks = DOCS.flatMap((doc) => readmeBlocks(join(ROOT, doc)).filter((b) => b.lang === "sh").map((block) => ({ doc, block })));
const allCommands = shellBlocks.flatMap(({ doc, block }) => commands(doc, block));

/** `npx boucle ARGS` or `boucle ARGS` → ARGS; null for other programs. */
function boucleArgs(argv: string[]): string[] | null {
  if (argv[0] === "npx" && argv[1] === "boucle") return argv.slice(2);
  if (argv[0] === "boucle") return argv.slice(1);
  return null;
}

/** The block in `doc` holding a line that starts with `prefix`, and the text block right after it. */
function sampleAfter(doc: string, prefix: string): { command: string[]; sample: string } {
  const blocks = readmeBlocks(join(ROOT, doc));
  const at = blocks.findIndex((b) => b.lang === "sh" && b.code.split("\n").some((l) => l.startsWith(prefix)));
  const sample = blocks.slice(at + 1).find((b) => b.lang === "text");
  const line = blocks[at]!.code.split("\n").find((l) => l.startsWith(prefix))!;
  return { command: words(line.replace(/\s+# .*$/, "").replace(/\s*&$/, "")), sample: sample!.code };
}

/** A summary with what changes from run to run masked: the port, the date and every measured figure. */
function summaryShape(text: string): string[] {
  return text
    .trimEnd()
    .split("\n")
    .map((line) =>
      line
        .replace(/against (\S+):\d+ \(.*\)$/, "against $1:PORT (DATE)")
        .replace(/^( {2}(?:duration|throughput|latency ms|connect ms|client cpu) +).*$/, "$1(measured)"),
    );
}

describe("the docs' shell commands", () => {
  it("finds the commands (the parsing of the docs works)", () => {
    expect(allCommands.filter((c) => boucleArgs(c.argv) !== null).length).toBeGreaterThanOrEqual(12);
  });

  it("runs only programs the docs explain", () => {
    const known = new Set(["npx", "boucle", "npm", "docker", "nc", "printf", "openssl", "redis-server"]);
    expect(allCommands.filter((c) => !known.has(c.argv[0]!)).map((c) => `${c.where}: ${c.argv.join(" ")}`)).toEqual([]);
  });

  it("gives every boucle command flags it accepts (it exits 0 with --help appended)", async () => {
    const failures: string[] = [];
    for (const { where, argv } of allCommands) {
      const args = boucleArgs(argv);
      if (args === null || args.length === 0) continue;
      const { code, stderr } = await runApp([...args, "--help"]);
      if (code !== 0 || stderr !== "") failures.push(`${where}: boucle ${args.join(" ")}: exit ${code} ${stderr}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it("names npm scripts and compose services that exist", () => {
    for (const { where, argv } of allCommands) {
      if (argv[0] === "npm" && argv[1] === "run") expect(scripts, where).toHaveProperty([argv[2]!]);
      if (argv[0] === "npm" && ["start", "test"].includes(argv[1]!)) expect(scripts, where).toHaveProperty([argv[1]!]);
      if (argv[0] === "docker") expect(services, where).toContain(argv.at(-1));
    }
  });
});

describe("the docs' samples are what the commands print", () => {
  for (const doc of DOCS) {
    it(`${doc}: the load-test summary is the output of the chat command shown`, async () => {
      const { command, sample } = sampleAfter(doc, doc === "README.md" ? "npx boucle loadtest --mode chat" : "boucle loadtest --mode chat --port");
      const serverLine = sampleAfter(doc, doc === "README.md" ? "npx boucle chat-server --port 7778" : "boucle chat-server").command;
      const serverArgs = boucleArgs(serverLine)!.filter((a, i, all) => a !== "--port" && all[i - 1] !== "--port");
      const { port } = await startApp(serverArgs[0]!, serverArgs.slice(1));
      const args = boucleArgs(command)!.map((a, i, all) => (all[i - 1] === "--port" ? String(port) : a));
      const { code, stdout } = await runApp(args, 60_000);
      expect(code).toBe(0);
      expect(summaryShape(stdout)).toEqual(summaryShape(sample));
    }, 90_000);
  }

  it("docs/loadtest.md: the example for the default server passes against a server with flood control on", async () => {
    const { command } = sampleAfter("docs/loadtest.md", "boucle loadtest --mode chat --clients");
    expect(command).not.toContain("--port");
    const { port } = await startApp("chat-server", ["--quiet"]); // the defaults, flood limit included
    const { code, stdout } = await runApp([...boucleArgs(command)!, "--port", String(port)], 60_000);
    expect(stdout).toMatch(/^PASS: /m);
    expect(code).toBe(0);
  }, 90_000);

  it("README.md: the chat transcript is what a client sees", async () => {
    const blocks = readmeBlocks();
    const transcript = blocks.find((b) => b.lang === "text" && b.code.startsWith("* welcome"))!.code.trimEnd().split("\n");
    const { port } = await startApp("chat-server", ["--quiet"]);
    const you = await LineClient.connect(port);
    const welcome = await you.next();
    const guest = /you are (guest\d+)/.exec(welcome)![1]!;
    const seen = [welcome, await you.next()];
    const [bob] = await LineClient.joined(port);
    await you.until(/ joined #lobby$/);
    bob.send("/nick bob");
    await you.until(/ is now known as bob$/);
    you.send("/nick ada");
    seen.push("/nick ada", await you.next());
    bob.send("hello ada");
    seen.push(await you.next());
    expect(seen.map((l) => l.replaceAll(guest, "guest1"))).toEqual(transcript);
  });

  it("README.md: the piped client sends its lines and exits 0 (BOUCLE_PORT finds the server)", async () => {
    const line = allCommands.find((c) => c.argv[0] === "printf")!;
    const { port } = await startApp("chat-server", ["--quiet"]);
    const input = line.argv[1]!.replaceAll("\\n", "\n");
    const child = spawn(process.execPath, [BIN, "connect"], { cwd: ROOT, env: { ...process.env, BOUCLE_HOST: "", BOUCLE_PORT: String(port) } });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stdin.end(input);
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\* guest\d+ is now known as bot$/m);
    expect(stdout).toMatch(/^\* #lobby has 1 member: bot$/m);
  });
});
