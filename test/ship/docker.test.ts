/**
 * There is no Docker engine here, so this checks what can be checked:
 * docker-compose.yml refers to CLI subcommands, flags and ports that exist,
 * the Dockerfile's CMD is a command that really starts the chat server, and
 * the compose healthcheck command passes against a live server (and fails
 * without one).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { COMMANDS } from "../../src/apps/cli.ts";
import { DEFAULT_PORT as CHAT_PORT } from "../../src/apps/chat-server/options.ts";
import { AppProcess, cleanup, ROOT, runApp } from "../apps/helpers.ts";

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
const boucleServices = Object.values(services).filter((service) => service.image === "boucle:latest");
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

  it("publishes the ports the servers listen on, which are the apps' defaults", () => {
    const chat = boucleArgs(services.chat!.command);
    expect(Number(flag(chat, "--port"))).toBe(CHAT_PORT);
    expect(services.chat!.ports).toEqual([`${CHAT_PORT}:${CHAT_PORT}`]);
    const echo = boucleArgs(services.echo!.command);
    expect(Number(flag(echo, "--port"))).toBe(7007);
    expect(services.echo!.ports).toEqual(["7007:7007"]);
    expect(flag(chat, "--host")).toBe("0.0.0.0"); // reachable from outside the container
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
      expect(service.ports).toEqual([`${hostPort}:${flag(args, "--port")}`]);
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

describe("Dockerfile", () => {
  const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];

  it("builds from a small official Node image with npm ci and runs as a non-root user", () => {
    expect(dockerfile).toMatch(/^FROM node:20-alpine$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/BOUCLE_HOST=0\.0\.0\.0/);
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
