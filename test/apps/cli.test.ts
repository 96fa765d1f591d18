/**
 * The `boucle` CLI for the servers and the demo: --help, bad flags and a
 * port in use give one clear line and the right exit code.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AppProcess, cleanup, ROOT, runApp } from "./helpers.ts";

let blocker: Server | null = null;

afterEach(async () => {
  await cleanup();
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  blocker = null;
});

function occupyPort(): Promise<number> {
  return new Promise((resolve) => {
    blocker = createServer();
    blocker.listen(0, "127.0.0.1", () => resolve((blocker!.address() as { port: number }).port));
  });
}

describe("boucle CLI", () => {
  it("bare boucle prints the usage on stderr and exits 1", async () => {
    const { code, stdout, stderr } = await runApp([]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^usage: boucle <command> \[options\]\n/);
    expect(stderr).toContain("chat-server");
  });

  for (const flag of ["--help", "-h"]) {
    it(`boucle ${flag} prints the same usage on stdout and exits 0`, async () => {
      const bare = await runApp([]);
      const { code, stdout, stderr } = await runApp([flag]);
      expect(code).toBe(0);
      expect(stderr).toBe("");
      expect(stdout).toBe(bare.stderr);
    });
  }

  it("without a build, says to run npm run build instead of a module stack trace", async () => {
    const clone = mkdtempSync(join(tmpdir(), "boucle-no-dist-"));
    try {
      mkdirSync(join(clone, "bin"));
      copyFileSync(join(ROOT, "bin", "boucle.js"), join(clone, "bin", "boucle.js"));
      writeFileSync(join(clone, "package.json"), JSON.stringify({ name: "boucle", type: "module" }));
      const run = spawnSync(process.execPath, [join(clone, "bin", "boucle.js"), "--version"], { encoding: "utf8" });
      expect(run.status).toBe(1);
      expect(run.stderr).toBe("boucle: the build is missing (dist/): run `npm run build` in the package\n");
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });

  for (const flag of ["--version", "-v"]) {
    it(`boucle ${flag} prints the package's version and exits 0`, async () => {
      const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
      const { code, stdout, stderr } = await runApp([flag]);
      expect(code).toBe(0);
      expect(stderr).toBe("");
      expect(stdout).toBe(`boucle ${version}\n`);
    });
  }

  for (const command of ["chat-server", "echo-server", "demo"]) {
    it(`${command} --help prints its usage and exits 0`, async () => {
      const { code, stdout } = await runApp([command, "--help"]);
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^usage: boucle ${command} \\[options\\]`));
      expect(stdout).toContain("--help");
    });

    it(`${command} with a bad flag prints one line and exits 1`, async () => {
      const { code, stdout, stderr } = await runApp([command, "--bogus"]);
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(stderr).toMatch(/--bogus/);
    });
  }

  it("chat-server --help lists the flags of the issue", async () => {
    const { stdout } = await runApp(["chat-server", "--help"]);
    for (const flag of ["--host", "--port", "--max-clients", "--max-queue", "--no-flood-limit", "--quiet", "BOUCLE_PORT"]) {
      expect(stdout).toContain(flag);
    }
  });

  it("a bad port value is one line and exit 1", async () => {
    const { code, stderr } = await runApp(["chat-server", "--port", "70000"]);
    expect(code).toBe(1);
    expect(stderr).toBe('boucle chat-server: --port must be an integer from 0 to 65535, not "70000"\n');
  });

  it("a negative port gets the range error, not parseArgs' 'argument is ambiguous'", async () => {
    const { code, stderr } = await runApp(["chat-server", "--port", "-1"]);
    expect(code).toBe(1);
    expect(stderr).toBe('boucle chat-server: --port must be an integer from 0 to 65535, not "-1"\n');
  });

  it("a port from BOUCLE_PORT is as strict as --port, and its error names the variable", async () => {
    const app = new AppProcess(["connect"], { BOUCLE_PORT: "0x4269" });
    expect(await app.exited).toEqual({ code: 1, signal: null });
    expect(app.stderr).toBe('boucle connect: BOUCLE_PORT must be an integer from 1 to 65535, not "0x4269"\n');
  });

  it("healthcheck finds the server through BOUCLE_HOST and BOUCLE_PORT, as the server itself does", async () => {
    const server = new AppProcess(["chat-server", "--quiet"], { BOUCLE_HOST: "127.0.0.1", BOUCLE_PORT: "0" });
    const [, port] = await server.waitForStderr(/listening on 127\.0\.0\.1:(\d+)\n/, 15_000);
    const probe = new AppProcess(["healthcheck"], { BOUCLE_HOST: "127.0.0.1", BOUCLE_PORT: port! });
    expect(await probe.exited).toEqual({ code: 0, signal: null });
  });

  for (const command of ["chat-server", "echo-server"]) {
    it(`${command} on a port in use prints one clear line and exits 1`, async () => {
      const port = await occupyPort();
      const { code, stderr } = await runApp([command, "--port", String(port)]);
      expect(code).toBe(1);
      expect(stderr).toBe(`boucle ${command}: cannot listen on 127.0.0.1:${port}: address already in use\n`);
    });
  }

  it("demo runs the chapter's examples and prints what they print", async () => {
    const { code, stdout } = await runApp(["demo"], 30_000);
    expect(code).toBe(0);
    expect(stdout).toContain("== 1. run_task");
    expect(stdout).toContain("Hello\nWorld\nrunTask returned 42");
    expect(stdout).toContain("== 3. the naive sleep");
    expect(stdout).toContain("foo\naaa\nbbb\nbar\nccc\nbaz\n");
    expect(stdout).toContain("[t=75 ms] TaskGroupError: disk full");
    expect(stdout).toContain("the low task finished while the urgent one spun 4 times");
  });

  it("demo --step runs one step only", async () => {
    const { code, stdout } = await runApp(["demo", "--step", "2"]);
    expect(code).toBe(0);
    expect(stdout).toBe("== 2. run_tasks: round-robin at each interruption  (examples/02-run-tasks.ts)\n1\nHello\n2\n3\nWorld\n\n");
  });
});
