/**
 * The first characters of every line the chat server sends, which say who
 * is speaking. Why one file: the server builds lines with them (replies.ts),
 * and a second hub (a cluster mode) must speak the same way.
 *
 * The rule that makes the server unforgeable: a line starting with
 * {@link NOTICE} comes from the server alone. Whatever a member types lands
 * after a marker of its own (`<nick> `, `[nick] `, `** nick `, `~ `) or after
 * fixed server words (`* to nick: `, `* topic of #room: `); nicknames hold
 * only ASCII letters, digits, `_` and `-`, so no member's text or name can
 * start a line with `* `.
 */

/** `* text`: the server speaks (notices, command replies). */
export const NOTICE = "* ";
/** `** nick action`: a member's `/me`. Why two stars: `*` reads as an action in nc, and the doubling sets it apart from every notice. */
export const ACTION = "** ";
/** `! text`: an error meant for you only. */
export const ERROR = "! ";
/** `~ HH:MM line`: a line of a room's history, replayed on join. */
export const HISTORY = "~ ";
