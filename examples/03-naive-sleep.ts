/**
 * Chapter step 3: a naive sleep, by busy-waiting.
 *
 * `sleepUntil(t)` gives the turn back (`yield`) again and again until the
 * wall clock passes `t`; `naiveSleep(ms)` is `sleepUntil(Date.now() + ms)`.
 * Under the chapter's round-robin `runTasks` (no event loop), printMessages
 * uses that naive sleep, so the two tasks interleave by time:
 *
 *   t=0 foo, t=0 aaa, t=700 bbb, t=1000 bar, t=1400 ccc, t=2000 baz
 *
 * Beware: it takes about 3 s and burns a whole CPU core all along, since
 * the "sleeping" tasks never stop being resumed to look at the clock.
 * examples/04-event-loop.ts does the same on the real loop's timers,
 * without burning anything.
 *
 * Run: npx tsx examples/03-naive-sleep.ts
 * Prints: foo, aaa, bbb, bar, ccc, baz
 */
import { printMessages, runTasks } from "../src/loop/chapter.ts";

// Outside a running EventLoop, printMessages sleeps with the naive busy-wait.
runTasks(printMessages("foo", "bar", "baz"), printMessages("aaa", "bbb", "ccc", 700));
