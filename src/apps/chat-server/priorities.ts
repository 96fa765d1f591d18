/**
 * The chat server's priority rule: answering people outranks fanning out
 * their chatter.
 *
 * Lower runs first (src/loop). A task's priority applies from its next
 * wake-up, and an iteration runs what was ready when it began, most urgent
 * first, so the rule is about which client steps an iteration runs first:
 *
 * - ACCEPT_PRIORITY (-10, src/net): the accept task, so newcomers get in.
 * - INTERACTIVE_PRIORITY (-5): a client task starts here (its first step
 *   sends the welcome; startServer runs that step eagerly, in the accept's
 *   own iteration) and comes back here whenever it waits for fresh
 *   input: an idle client is presumed to be a person, and a person's next
 *   line (often a command such as `/who`) is answered at the top of the
 *   next iteration. A command's replies are also handed to Node at once
 *   rather than when the loop gives Node its turn, behind everyone's fan-out.
 * - MESSAGE_PRIORITY (+1): as soon as a task meets an ordinary message it
 *   drops here and gives the turn back before fanning it out, so the
 *   fan-out runs after every urgent step of the next iteration. A client
 *   with many buffered lines also gives the turn back every LINE_BATCH
 *   lines of any kind (messages, commands, blank, dropped or overlong
 *   lines), which bounds how long one iteration (and so any reply) takes
 *   under a flood.
 *
 * Nothing starves: every ready task runs once per iteration whatever its
 * priority; the order within the iteration is all that changes.
 */

/** The welcome and the replies to commands. */
export const INTERACTIVE_PRIORITY = -5;

/** The fan-out of ordinary messages. */
export const MESSAGE_PRIORITY = 1;

/**
 * Lines a client task handles per step before giving the turn back.
 * Why 8: a reply waits for the rest of the current iteration, i.e. one step
 * per flooding client, so this bounds every reply's delay under a flood.
 * Measured with 100 clients flooding a room of 100 (npm run bench:priorities):
 * at 32 a `/who` took ~55 ms, at 8 ~12 ms, at 2 ~5 ms; below 8 the server
 * spends noticeably more CPU per delivery (smaller batches coalesce fewer
 * messages into each write), above it replies wait longer.
 */
export const LINE_BATCH = 8;
