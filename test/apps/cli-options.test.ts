/**
 * The shared option parsing of every `boucle` command: strict decimal
 * ports and counts, empty meaning unset, BOUCLE_HOST / BOUCLE_PORT as the
 * defaults of servers and clients alike, and negative numbers reported as
 * out of range rather than as a parsing puzzle.
 */
import { describe, expect, it } from "vitest";
import { hostOption, intOption, parseCommandArgs, portOption, UsageError, type CommandSpec } from "../../src/apps/cli/args.ts";
import { parseHostPort } from "../../src/apps/cli/host-port.ts";
import { chatServerOptions, parseChatServerArgs } from "../../src/apps/chat-server/options.ts";
import { parseOptions as parseLoadtestOptions } from "../../src/apps/loadtest/options.ts";

const SPEC: CommandSpec = {
  name: "test",
  summary: "",
  options: { port: { type: "string", short: "p", help: "" }, count: { type: "string", help: "" }, quiet: { type: "boolean", short: "q", help: "" } },
};

describe("intOption", () => {
  it("takes plain decimal digits", () => {
    expect(intOption(SPEC, "count", "7777", 1)).toBe(7777);
    expect(intOption(SPEC, "count", "0", 1)).toBe(0);
  });

  for (const raw of ["0x4269", "1.7e4", " 7777", "7777 ", "+7", "7.0", "1_000", "-1", "Infinity"]) {
    it(`refuses ${JSON.stringify(raw)}`, () => {
      expect(() => intOption(SPEC, "count", raw, 1, 0, 65535)).toThrow(new UsageError(`test: --count must be an integer from 0 to 65535, not "${raw}"`));
    });
  }

  it("treats an empty value as unset", () => {
    expect(intOption(SPEC, "count", "", 42)).toBe(42);
    expect(intOption(SPEC, "count", undefined, 42)).toBe(42);
  });
});

describe("portOption and hostOption", () => {
  it("takes the flag first, then the variable, then the default", () => {
    expect(portOption(SPEC, "1234", "BOUCLE_PORT", 7777, 0, { BOUCLE_PORT: "4321" })).toBe(1234);
    expect(portOption(SPEC, undefined, "BOUCLE_PORT", 7777, 0, { BOUCLE_PORT: "4321" })).toBe(4321);
    expect(portOption(SPEC, undefined, "BOUCLE_PORT", 7777, 0, {})).toBe(7777);
  });

  it("treats an empty flag or variable as unset, not as port 0", () => {
    expect(portOption(SPEC, "", "BOUCLE_PORT", 7777, 0, { BOUCLE_PORT: "" })).toBe(7777);
    expect(portOption(SPEC, "", "BOUCLE_PORT", 7777, 0, { BOUCLE_PORT: "4321" })).toBe(4321);
    expect(hostOption("", "127.0.0.1", { BOUCLE_HOST: "" })).toBe("127.0.0.1");
    expect(hostOption(undefined, "127.0.0.1", { BOUCLE_HOST: "::1" })).toBe("::1");
    expect(hostOption("localhost", "127.0.0.1", { BOUCLE_HOST: "::1" })).toBe("localhost");
  });

  it("names the variable when the bad value came from it", () => {
    expect(() => portOption(SPEC, undefined, "BOUCLE_PORT", 7777, 0, { BOUCLE_PORT: "0x4269" })).toThrow(
      'test: BOUCLE_PORT must be an integer from 0 to 65535, not "0x4269"',
    );
  });
});

describe("parseCommandArgs with a negative number", () => {
  for (const argv of [["--port", "-1"], ["-p", "-1"], ["--port=-1"]]) {
    it(`${argv.join(" ")} reaches the range check instead of "argument is ambiguous"`, () => {
      const { values } = parseCommandArgs(SPEC, argv);
      expect(() => intOption(SPEC, "port", values["port"], 7777, 0, 65535)).toThrow('test: --port must be an integer from 0 to 65535, not "-1"');
    });
  }

  it("leaves a boolean flag followed by a dash alone", () => {
    expect(() => parseCommandArgs(SPEC, ["-q", "-1"])).toThrow(UsageError); // -1 is an unknown flag here
  });
});

describe("each command's port and host", () => {
  it("chat-server: --port '' and BOUCLE_PORT='' mean the default 7777; ' 7777' is refused", () => {
    expect(chatServerOptions(parseChatServerArgs(["--port", ""]), { BOUCLE_PORT: "" }).port).toBe(7777);
    expect(() => chatServerOptions(parseChatServerArgs([]), { BOUCLE_PORT: " 7777" })).toThrow(/BOUCLE_PORT must be an integer/);
    expect(() => chatServerOptions(parseChatServerArgs(["--port", "-5"]), {})).toThrow('chat-server: --port must be an integer from 0 to 65535, not "-5"');
  });

  it("connect and healthcheck (parseHostPort): BOUCLE_HOST and BOUCLE_PORT are the defaults", () => {
    const env = { BOUCLE_HOST: "::1", BOUCLE_PORT: "4000" };
    expect(parseHostPort("", { command: "connect", port: 7777 }, env)).toEqual({ host: "::1", port: 4000 });
    expect(parseHostPort(":5000", { command: "connect", port: 7777 }, env)).toEqual({ host: "::1", port: 5000 });
    expect(parseHostPort("example", { command: "connect", port: 7777 }, env)).toEqual({ host: "example", port: 4000 });
    expect(parseHostPort("", { command: "connect", port: 7777 }, { BOUCLE_HOST: "", BOUCLE_PORT: "" })).toEqual({ host: "127.0.0.1", port: 7777 });
    expect(() => parseHostPort("", { command: "healthcheck", port: 7777 }, { BOUCLE_PORT: "1.7e4" })).toThrow(
      'healthcheck: BOUCLE_PORT must be an integer from 1 to 65535, not "1.7e4"',
    );
    expect(parseHostPort("h:1", { command: "connect", port: 7777 }, { BOUCLE_PORT: "junk" })).toEqual({ host: "h", port: 1 });
  });

  it("loadtest: BOUCLE_HOST, and BOUCLE_PORT for chat or BOUCLE_ECHO_PORT for echo", () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { BOUCLE_HOST: "::1", BOUCLE_PORT: "4000", BOUCLE_ECHO_PORT: "4001" });
      expect(parseLoadtestOptions(["--mode", "chat"])).toMatchObject({ host: "::1", port: 4000 });
      expect(parseLoadtestOptions(["--mode", "echo"])).toMatchObject({ host: "::1", port: 4001 });
      expect(parseLoadtestOptions(["--port", "", "--host", ""])).toMatchObject({ host: "::1", port: 4000 });
      expect(() => parseLoadtestOptions(["--port", "-1"])).toThrow('loadtest: --port must be an integer from 1 to 65535, not "-1"');
      expect(() => parseLoadtestOptions(["--port", "0x4269"])).toThrow(/--port must be an integer/);
    } finally {
      for (const name of ["BOUCLE_HOST", "BOUCLE_PORT", "BOUCLE_ECHO_PORT"]) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });
});

describe("the servers' observability flags", () => {
  const options = (argv: string[]) => chatServerOptions(parseChatServerArgs(argv), {});

  it("leave metrics off and logs as text by default", () => {
    expect([options([]).metrics, options([]).logFormat]).toEqual([null, "text"]);
  });

  it("serve metrics on loopback unless --metrics-host says otherwise", () => {
    expect(options(["--metrics-port", "9464"]).metrics).toEqual({ host: "127.0.0.1", port: 9464 });
    expect(options(["--metrics-port", "0", "--metrics-host", "::1"]).metrics).toEqual({ host: "::1", port: 0 });
  });

  it("refuse a bad metrics port, --metrics-host alone, and an unknown log format", () => {
    expect(() => options(["--metrics-port", "70000"])).toThrow('chat-server: --metrics-port must be an integer from 0 to 65535, not "70000"');
    expect(() => options(["--metrics-host", "0.0.0.0"])).toThrow("chat-server: --metrics-host goes with --metrics-port");
    expect(() => options(["--log-format", "xml"])).toThrow('chat-server: --log-format must be text or json, not "xml"');
    expect(() => options(["--log-format", "xml"])).toThrow(UsageError);
  });
});
