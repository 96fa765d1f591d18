/**
 * With JSON logs, the loop's reports of errors nobody caught (by default
 * printed with console.error, across several lines) become one JSON
 * `exception` event each, with the stack in `reason`.
 */
import type { EventLoop } from "../../loop/index.ts";
import type { Logger } from "./logger.ts";

/**
 * @example
 * reportLoopExceptions(getRunningLoop(), createLogger({ format: "json" }));
 */
export function reportLoopExceptions(loop: EventLoop, log: Logger): void {
  loop.setExceptionHandler(({ message, exception }) => {
    const reason = exception instanceof Error ? (exception.stack ?? exception.message) : exception === undefined ? undefined : String(exception);
    log.error("exception", `boucle: ${message}`, { reason });
  });
}
