/**
 * There is no Docker engine here, so this checks what can be checked:
 * docker-compose.yml refers to CLI subcommands, flags and ports that exist,
 * the Dockerfile's CMD is a command that really starts the chat server, and
 * the compose healthcheck command passes against a live server (and fails
 * without one).
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { COMMANDS } from "../../src/apps/cli.ts";
import { DEFAULT_PORT as CHAT_PORT } from "../../src/apps/chat-server/options.ts";
import { AppProcess, cleanup, ROOT, runApp, startApp } from "../apps/helpers.ts";

interface Service {
  build?: string;
  image?: string;
  command: string[];
  ports?: string[];
  profiles?: string[];
  restart?: string;
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync(join(ROOT, "docker-compose.yml"), "utf8")) as { services: Record<string, Service> };
const services = compose.services;
/** The services that run our image (not redis). */
const boucleServices = Object.values(services).filter((service) => service.build === ".");
const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");

/** `["node", "bin/boucle.js", sub, ...args]` → `[sub, ...args]`, checking the prefix. */
function boucleArgs(command: string[]): string[] {
  expect(command.slice(0, 2)).toEqual(["node", "bin/boucle.js"]);
  return command.slice(2);
}

function flag(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

afterEach(cleanup);

describe("docker-compose.yml", () => {
  it("has chat, echo and a loadtest under a profile, each running a real boucle subcommand", () => {
    expect(Object.keys(services).sort()).toEqual(["chat", "chat-1", "chat-2", "echo", "loadtest", "loadtest-cluster", "redis"]);
    for (const service of boucleServices) expect(Object.keys(COMMANDS)).toContain(boucleArgs(service.command)[0]);
    expect(boucleArgs(services.chat!.command)[0]).toBe("chat-server");
    expect(boucleArgs(services.echo!.command)[0]).toBe("echo-server");
    expect(boucleArgs(services.loadtest!.command)[0]).toBe("loadtest");
    expect(services.loadtest!.profiles).toEqual(["loadtest"]);
    expect(services.chat!.restart).toBe("unless-stopped");
    expect(services.echo!.restart).toBe("unless-stopped");
  });

  it("builds each service on its own, so `up echo` starts nothing else", () => {
    expect(boucleServices).toHaveLength(Object.keys(services).length - 1); // all but redis
    for (const service of boucleServices) {
      expect(service.build).toBe(".");
      expect(service.image).toBeUndefined(); // a shared tag would need a build order, i.e. depends_on
    }
    expect(services.echo!.depends_on).toBeUndefined();
    expect(services.chat!.depends_on).toBeUndefined();
  });

  it("publishes the ports the servers listen on, which are the apps' defaults", () => {
    const chat = boucleArgs(services.chat!.command);
    expect(Number(flag(chat, "--port"))).toBe(CHAT_PORT);
    expect(services.chat!.ports).toEqual([`${CHAT_PORT}:${CHAT_PORT}`, "127.0.0.1:9464:9464"]);
    const echo = boucleArgs(services.echo!.command);
    expect(Number(flag(echo, "--port"))).toBe(7007);
    expect(services.echo!.ports).toEqual(["7007:7007"]);
    expect(flag(chat, "--host")).toBe("0.0.0.0"); // reachable from outside the container
  });

  it("publishes each chat server's metrics port on the host's loopback only", () => {
    for (const [name, hostPort] of [["chat", "9464"], ["chat-1", "9481"], ["chat-2", "9482"]] as const) {
      const args = boucleArgs(services[name]!.command);
      expect(flag(args, "--metrics-host")).toBe("0.0.0.0"); // Inside the container, so Docker can publish it.
      expect(services[name]!.ports).toContain(`127.0.0.1:${hostPort}:${flag(args, "--metrics-port")}`);
    }
  });

  it("points the healthcheck and the loadtest at the chat service's port", () => {
    const health = boucleArgs(services.chat!.healthcheck!.test.slice(1));
    expect(services.chat!.healthcheck!.test[0]).toBe("CMD");
    expect(health).toEqual(["healthcheck", `127.0.0.1:${CHAT_PORT}`]);
    const loadtest = boucleArgs(services.loadtest!.command);
    expect(flag(loadtest, "--host")).toBe("chat");
    expect(Number(flag(loadtest, "--port"))).toBe(CHAT_PORT);
    expect(services.loadtest!.depends_on).toEqual({ chat: { condition: "service_healthy" } });
  });

  it("gives each service flags its subcommand accepts", async () => {
    for (const service of boucleServices) {
      // --help after the real flags: exit 0 only if every flag before it parsed.
      const { code, stderr } = await runApp([...boucleArgs(service.command), "--help"]);
      expect(stderr).toBe("");
      expect(code).toBe(0);
    }
  });
});

/** Why a standalone docker-compose: it validates a file without a Docker engine (none runs here); .ci/run installs it. */
const COMPOSE_MISSING = spawnSync("docker-compose", ["version"], { stdio: "ignore" }).status === 0 ? null : "docker-compose is not installed";

describe.skipIf(COMPOSE_MISSING !== null && process.env["BOUCLE_REQUIRE_COMPOSE"] !== "1")("docker-compose config", () => {
  it("accepts the file with every profile, and lists every service", () => {
    const run = spawnSync("docker-compose", ["--profile", "cluster", "--profile", "loadtest", "config", "--services"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split("\n").sort()).toEqual(Object.keys(services).sort());
  });
});

describe("docker-compose.yml, several servers on one Redis", () => {
  it("runs Redis 7.0 (what Debian ships) with a healthcheck, only under the cluster and loadtest profiles", () => {
    const redis = services.redis!;
    expect(redis.image).toBe("redis:7.0-alpine");
    expect(redis.healthcheck!.test).toEqual(["CMD", "redis-cli", "ping"]);
    for (const name of ["redis", "chat-1", "chat-2"]) expect(services[name]!.profiles).toEqual(["cluster", "loadtest"]);
    expect(services.chat!.profiles).toBeUndefined(); // The single-node chat stays as it is.
  });

  it("has two chat servers on different host ports sharing the redis service, each waiting for it", () => {
    for (const [name, hostPort] of [["chat-1", "7781"], ["chat-2", "7782"]] as const) {
      const service = services[name]!;
      const args = boucleArgs(service.command);
      expect(args[0]).toBe("chat-server");
      expect(flag(args, "--redis")).toBe("redis://redis:6379");
      expect(service.ports![0]).toBe(`${hostPort}:${flag(args, "--port")}`);
      expect(service.depends_on).toMatchObject({ redis: { condition: "service_healthy" } });
    }
  });

  it("spreads the cluster loadtest over both chat servers", () => {
    const args = boucleArgs(services["loadtest-cluster"]!.command);
    expect(flag(args, "--targets")).toBe("chat-1:7777,chat-2:7777");
    expect(services["loadtest-cluster"]!.profiles).toEqual(["loadtest"]);
    expect(services["loadtest-cluster"]!.depends_on).toEqual({ "chat-1": { condition: "service_healthy" }, "chat-2": { condition: "service_healthy" } });
  });
});

describe("echo's healthcheck", () => {
  it("passes against a live echo server and fails without one", async () => {
    const test = services.echo!.healthcheck!.test;
    expect(test[0]).toBe("CMD");
    const args = boucleArgs(test.slice(1));
    expect(Number(flag(args, "--port"))).toBe(7007);
    const { app, port } = await startApp("echo-server");
    const withPort = (p: number) => args.map((a, i) => (args[i - 1] === "--port" ? String(p) : a));
    const healthy = await runApp(withPort(port));
    expect(healthy.stderr).toBe("");
    expect(healthy.code).toBe(0);

    app.child.kill("SIGTERM");
    expect((await app.exited).code).toBe(0);
    const down = await runApp(withPort(port));
    expect(down.code).toBe(1);
  });
});

describe("Dockerfile", () => {
  const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];

  it("builds in a first stage and ships only dist/, bin/ and the runtime dependencies, as a non-root user", () => {
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages).toHaveLength(2);
    expect(stages[0]).toMatch(/^node:\$\{NODE\}-alpine AS build$/m);
    expect(stages[0]).toMatch(/^RUN npm ci\b/m); // prepare = npm run build
    expect(stages[1]).toMatch(/^node:\$\{NODE\}-alpine$/m);
    expect(stages[1]).toMatch(/npm ci --omit=dev --ignore-scripts/);
    const copies = stages[1]!.match(/^COPY .*$/gm)!;
    expect(copies).toEqual([
      "COPY package.json package-lock.json ./",
      "COPY bin ./bin",
      "COPY --from=build /app/dist/src ./dist/src",
      "COPY --from=build /app/dist/examples ./dist/examples",
    ]);
    expect(stages[1]).toMatch(/^USER node$/m);
    expect(stages[1]).toMatch(/BOUCLE_HOST=0\.0\.0\.0/);
  });

  it("ships enough: the final stage's files alone run the chat server, which the healthcheck passes", async () => {
    // The final stage replayed in a temporary folder, COPY by COPY (the build
    // stage's /app is this repository, built by the tests' globalSetup).
    const image = mkdtempSync(join(tmpdir(), "boucle-image-"));
    try {
      const final = dockerfile.split(/^FROM /m).at(-1)!;
      for (const [, from, sources] of final.matchAll(/^COPY (--from=build )?(.+)$/gm)) {
        const words = sources!.split(" ");
        const dest = join(image, words.pop()!);
        for (const source of words) {
          const path = from === undefined ? join(ROOT, source) : join(ROOT, source.replace(/^\/app\//, ""));
          cpSync(path, words.length > 1 ? join(dest, basename(source)) : dest, { recursive: true });
        }
      }
      const install = /^RUN (npm ci [^&]+?)\s*(&&|$)/m.exec(final)![1]!.split(" ");
      execFileSync(install[0]!, [...install.slice(1), "--prefer-offline"], { cwd: image, stdio: "ignore", timeout: 60_000 });
      expect(readdirSync(join(image, "node_modules"))).not.toContain("typescript");
      expect(readdirSync(image).sort()).toEqual(["bin", "dist", "node_modules", "package-lock.json", "package.json"]);

      /** `["node", ...args]` → args, for this test's own Node. */
      const node = (argv: string[]): string[] => {
        expect(argv[0]).toBe("node");
        return argv.slice(1);
      };
      const server = spawn(process.execPath, node(cmd), {
        cwd: image,
        env: { ...process.env, BOUCLE_HOST: "127.0.0.1", BOUCLE_PORT: "0" },
        stdio: ["ignore", "ignore", "pipe"],
      });
      try {
        let stderr = "";
        const port = await new Promise<string>((resolve, reject) => {
          server.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
            stderr += chunk;
            const match = /listening on 127\.0\.0\.1:(\d+)\n/.exec(stderr);
            if (match) resolve(match[1]!);
          });
          server.once("exit", (code) => reject(new Error(`the image's CMD exited ${code}: ${stderr}`)));
        });
        const health = services.chat!.healthcheck!.test.slice(1).map((a) => a.replace(/:7777$/, `:${port}`));
        const probe = spawnSync(process.execPath, node(health), { cwd: image, encoding: "utf8", timeout: 15_000 });
        expect(probe.stderr).toBe("");
        expect(probe.status).toBe(0);
      } finally {
        server.kill("SIGKILL");
      }
    } finally {
      rmSync(image, { recursive: true, force: true });
    }
  }, 90_000);

  it("uses a Node LTS line at least as new as package.json's engines", () => {
    const node = Number(/^ARG NODE=(\d+)$/m.exec(dockerfile)![1]);
    const { engines } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };
    expect(node % 2).toBe(0); // even majors are the LTS lines
    expect(node).toBeGreaterThanOrEqual(Number(/^>=(\d+)$/.exec(engines.node)![1]));
    expect(node).toBeGreaterThanOrEqual(22); // 20 left maintenance in April 2026
  });

  it("ignores dist/ and node_modules/ in the build context, so the image builds its own", () => {
    const ignored = readFileSync(join(ROOT, ".dockerignore"), "utf8").split("\n");
    expect(ignored).toContain("dist");
    expect(ignored).toContain("node_modules");
  });

  it("has a CMD that starts the chat server, and the compose healthcheck passes against it", async () => {
    expect(boucleArgs(cmd)).toEqual(["chat-server"]);
    // The same command; only the env the image sets is narrowed to loopback and a free port.
    const server = new AppProcess(boucleArgs(cmd), { BOUCLE_HOST: "127.0.0.1", BOUCLE_PORT: "0" });
    const [, port] = await server.waitForStderr(/listening on 127\.0\.0\.1:(\d+)\n/, 15_000);
    const healthArgs = boucleArgs(services.chat!.healthcheck!.test.slice(1));
    const healthy = await runApp([healthArgs[0]!, `127.0.0.1:${port}`]);
    expect(healthy.code).toBe(0);

    server.child.kill("SIGTERM");
    expect((await server.exited).code).toBe(0);
    const down = await runApp([healthArgs[0]!, `127.0.0.1:${port}`, "--timeout-ms", "2000"]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^healthcheck: .+\n$/);
  });
});
