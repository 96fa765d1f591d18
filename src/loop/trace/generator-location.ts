/**
 * Where a suspended generator is stopped, asked of V8 through a same-thread
 * `node:inspector` Session: the generator object's internal properties
 * `[[GeneratorLocation]]` (script id, 0-based line and column) and
 * `[[GeneratorFunction]]` (whose name we read). The script's URL comes from
 * the `Debugger.scriptParsed` events that `Debugger.enable` replays for every
 * script loaded; positions are mapped back to the source with
 * `module.findSourceMap` when a source map is registered (tsx registers one
 * per file), and left as V8 gives them otherwise.
 *
 * Only for dumps and slow-step reports: one Session per call, costing a few
 * milliseconds, never on the loop's hot path. Fails soft: without an
 * inspector (a build without it, a worker that refuses it) every location is
 * null. What it cannot see: the generators a `yield*` delegates to. V8 keeps
 * the delegate in the outer generator's registers, which the inspector does
 * not expose, so the location is the outer function's `yield*` line.
 */
import { createRequire } from "node:module";
import type { Session as InspectorSession } from "node:inspector";
import type { SourceMap } from "node:module";
import { shortPath } from "./short-paths.ts";

/** One frame: a function and where in the source it stands. */
export interface CodeLocation {
  /** The function's name; `<anonymous>` for an unnamed one. */
  functionName: string;
  /** The file, relative to the working directory when under it; the URL V8 knows otherwise. */
  file: string;
  /** 1-based, in the original source when a source map says so, else in the code V8 runs. */
  line: number;
  /** 1-based, like `line`. */
  column: number;
}

interface InspectorModule {
  Session: new () => InspectorSession;
}

interface ModuleModule {
  findSourceMap(path: string): SourceMap | undefined;
}

const require = createRequire(import.meta.url);
/** Why a global key: Runtime.evaluate reaches our objects only through the global scope. */
const HANDOFF = "__boucleGeneratorLocations";
const OBJECT_GROUP = "boucle-generator-locations";

/**
 * The suspended location of each generator, in order; null for what is not
 * a suspended generator (a hand-written coroutine, a running or finished
 * generator) or when the inspector is unavailable.
 * @example
 * const [where] = generatorLocations([task.getCoro()]);
 * if (where !== null) console.log(`${where.functionName} (${where.file}:${where.line})`);
 */
export function generatorLocations(generators: readonly object[]): (CodeLocation | null)[] {
  const none = generators.map(() => null);
  if (generators.length === 0) return none;
  let session: InspectorSession;
  try {
    const { Session } = require("node:inspector") as InspectorModule;
    session = new Session();
    session.connect();
  } catch {
    return none;
  }
  const global = globalThis as Record<string, unknown>;
  try {
    const scripts = scriptUrls(session);
    const sourceMaps = new SourceMaps();
    global[HANDOFF] = generators;
    const array = post<{ result: { objectId?: string } }>(session, "Runtime.evaluate", {
      expression: `globalThis.${HANDOFF}`,
      objectGroup: OBJECT_GROUP,
    });
    const elements = post<PropertiesResult>(session, "Runtime.getProperties", {
      objectId: array.result.objectId,
      ownProperties: true,
    });
    const ids = new Map<number, string>();
    for (const element of elements.result) {
      const index = Number(element.name);
      if (Number.isInteger(index) && element.value?.objectId !== undefined) ids.set(index, element.value.objectId);
    }
    return generators.map((_, i) => {
      const objectId = ids.get(i);
      return objectId === undefined ? null : locate(session, objectId, scripts, sourceMaps);
    });
  } catch {
    return none;
  } finally {
    delete global[HANDOFF];
    try {
      session.post("Runtime.releaseObjectGroup", { objectGroup: OBJECT_GROUP });
      session.disconnect();
    } catch {
      // Nothing to undo if the session is gone.
    }
  }
}

/** `name (file:line:column)`, as a stack trace writes a frame. */
export function formatLocation(where: CodeLocation): string {
  return `${where.functionName} (${where.file}:${where.line}:${where.column})`;
}

interface RemoteValue {
  objectId?: string;
  value?: unknown;
}

interface PropertiesResult {
  result: { name: string; value?: RemoteValue }[];
  internalProperties?: { name: string; value?: RemoteValue }[];
}

interface V8Location {
  scriptId: string;
  lineNumber: number;
  columnNumber: number;
}

function locate(session: InspectorSession, objectId: string, scripts: Map<string, string>, sourceMaps: SourceMaps): CodeLocation | null {
  const properties = post<PropertiesResult>(session, "Runtime.getProperties", { objectId, ownProperties: true });
  const internal = new Map((properties.internalProperties ?? []).map((p) => [p.name, p.value]));
  if (internal.get("[[GeneratorState]]")?.value !== "suspended") return null;
  const location = internal.get("[[GeneratorLocation]]")?.value as V8Location | undefined;
  if (location === undefined) return null;
  const fn = internal.get("[[GeneratorFunction]]")?.objectId;
  const name =
    fn === undefined
      ? ""
      : String(
          post<{ result: RemoteValue }>(session, "Runtime.callFunctionOn", {
            objectId: fn,
            functionDeclaration: "function () { return this.name; }",
            returnByValue: true,
          }).result.value ?? "",
        );
  const url = scripts.get(location.scriptId) ?? `script ${location.scriptId}`;
  return { functionName: name === "" ? "<anonymous>" : name, ...sourceMaps.toSource(url, location.lineNumber, location.columnNumber) };
}

/** Script id to URL, from the scriptParsed events `Debugger.enable` replays. */
function scriptUrls(session: InspectorSession): Map<string, string> {
  const scripts = new Map<string, string>();
  const onParsed = (message: { params: { scriptId: string; url: string } }): void => {
    scripts.set(message.params.scriptId, message.params.url);
  };
  session.on("Debugger.scriptParsed", onParsed);
  try {
    post(session, "Debugger.enable", {});
    post(session, "Debugger.disable", {});
  } finally {
    session.off("Debugger.scriptParsed", onParsed);
  }
  return scripts;
}

/** Generated positions to source ones, through each file's source map if any; one lookup per file and dump. */
class SourceMaps {
  readonly #byUrl = new Map<string, SourceMap | undefined>();

  /** 0-based generated position to a 1-based one, in the source when a map knows it. */
  toSource(url: string, line0: number, column0: number): { file: string; line: number; column: number } {
    let map = this.#byUrl.get(url);
    if (!this.#byUrl.has(url)) {
      try {
        map = (require("node:module") as ModuleModule).findSourceMap(url);
      } catch {
        map = undefined; // No source map support: V8's own position.
      }
      this.#byUrl.set(url, map);
    }
    const entry = map?.findEntry(line0, column0);
    if (entry !== undefined && "originalSource" in entry) {
      return { file: shortPath(entry.originalSource), line: entry.originalLine + 1, column: entry.originalColumn + 1 };
    }
    return { file: shortPath(url), line: line0 + 1, column: column0 + 1 };
  }
}

/**
 * One inspector call. Why synchronous: a same-thread Session runs the
 * callback before `post` returns; if it did not, we would have no answer.
 */
function post<T = unknown>(session: InspectorSession, method: string, params: object): T {
  let answer: { error: Error | null; result: unknown } | null = null;
  (session.post as (m: string, p: object, cb: (error: Error | null, result: unknown) => void) => void)(
    method,
    params,
    (error, result) => {
      answer = { error, result };
    },
  );
  if (answer === null) throw new Error(`inspector: ${method} did not answer synchronously`);
  const { error, result } = answer as { error: Error | null; result: unknown };
  if (error !== null) throw error;
  return result as T;
}
