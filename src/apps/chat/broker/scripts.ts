/**
 * The broker's atomic steps, as Lua run by EVALSHA (Redis 7.0's Lua 5.1).
 *
 * Keys are built inside the scripts from a prefix (ARGV[1]) rather than
 * passed as KEYS: a step touches keys it only discovers while running (the
 * holder of a nickname, a dead node's members). That is fine on one Redis
 * server or a replicated one; it is not Redis Cluster, which boucle does not use.
 *
 * Layout (P is the prefix):
 *   P:nicks           hash  nick key -> "node<TAB>member<TAB>nick"
 *   P:members:NODE    hash  member id -> "nickKey<TAB>nick<TAB>roomKey<TAB>roomStream" (for the reaper)
 *   P:room:ROOMKEY    zset  nick, scored by join order
 *   P:rooms           zset  room key, scored by creation order; P:roomnames hash key -> spelling
 *   P:order           counter for those scores; P:guests counter for guest nicknames
 *   P:shard:N         stream of room lines (r room key, l line, x "node/member" not to send to)
 *   P:inbox:NODE      stream of private lines for one node (m member id, l line)
 *   P:lease:NODE      expires unless its node renews it; P:nodes set of nodes known alive
 *   P:results:NODE    hash  step seq -> its result (the last RESULTS_KEPT steps), for idempotent retries
 *   P:tally:ROOMKEY   hash  joined/left/renamed -> notices a quiet room was not told one by one
 *   P:tallied         set   room keys with a tally (what FLUSH_TALLIES takes)
 *   P:history:ROOMKEY list  the room's last lines, `~ HH:MM line`, capped (dropped with the room)
 */

/**
 * Results of a node's steps kept for retries. Why this many: a retry comes
 * within seconds of its step (2 s of reconnecting, 5 s of waiting), and a
 * node does far fewer than 100 000 steps in that time; the hash stays a few
 * MB per node however long the chat runs (a dead node's expires in an hour).
 */
const RESULTS_KEPT = 100_000;

/** Number of arguments after each op name in {@link APPLY}. */
export const OP_ARITY = {
  /** nickKey holder: fails the whole step with "taken" if someone else holds it. */
  claim: 2,
  /** nickKey holder: frees it if `holder` still has it. */
  release: 2,
  /** roomKey roomName nick */
  enter: 3,
  /** roomKey nick */
  exit: 2,
  /** roomKey oldNick newNick: same place in the join order. */
  rename: 3,
  /** memberId record */
  member: 2,
  /** memberId */
  forget: 1,
  /** stream roomKey line except */
  append: 4,
  /**
   * stream roomKey line except field quietSize: an append, unless the room
   * has more than quietSize members: then one more `field` in its tally.
   */
  notice: 6,
  /** nickKey line: fails the step with "nosuch" if nobody holds it; returns the holder's spelling. */
  whisper: 2,
  /** roomKey stampedLine capacity: keep the line in the room's history, the last `capacity` only. */
  keep: 3,
  /** roomKey: returns `recall, json` (the room's history, oldest first), read in the step that enters it. */
  recall: 1,
} as const;

export type OpName = keyof typeof OP_ARITY;

const ARITY_TABLE = `{${Object.entries(OP_ARITY)
  .map(([name, n]) => `${name}=${n}`)
  .join(", ")}}`;

/**
 * Apply a list of ops atomically, once: ARGV = prefix, node, seq, maxlen,
 * then `name arg...` per op. Checks (claim, whisper's target) run
 * before any write, so a refused step changes nothing. Returns
 * `{status, ...}`: "ok" followed by `stream, id` per append and the
 * whisper target's spelling, and `recall, json` per recall; or "taken" / "nosuch". A retry with the same
 * node and seq returns the first result without applying anything again.
 */
export const APPLY = `
local p, node, seq, maxlen = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local results = p .. ':results:' .. node
local cached = redis.call('HGET', results, seq)
if cached then return cjson.decode(cached) end
local arity = ${ARITY_TABLE}
local ops = {}
local i = 5
while i <= #ARGV do
  local name = ARGV[i]
  local n = arity[name]
  if n == nil then return redis.error_reply('ERR unknown broker op ' .. tostring(name)) end
  local op = {name}
  for k = 1, n do op[k + 1] = ARGV[i + k] end
  ops[#ops + 1] = op
  i = i + 1 + n
end
local nicks = p .. ':nicks'
local function holderOf(value) return string.match(value, '^[^\\t]*\\t[^\\t]*') end
local function finish(result)
  redis.call('HSET', results, seq, cjson.encode(result))
  redis.call('HDEL', results, tostring(tonumber(seq) - ${RESULTS_KEPT}))
  redis.call('PEXPIRE', results, 3600000)
  return result
end
local targets = {}
for _, op in ipairs(ops) do
  if op[1] == 'claim' then
    local held = redis.call('HGET', nicks, op[2])
    if held and holderOf(held) ~= holderOf(op[3]) then return finish({'taken'}) end
  elseif op[1] == 'whisper' then
    local held = redis.call('HGET', nicks, op[2])
    if not held then return finish({'nosuch'}) end
    targets[op] = held
  end
end
local result = {'ok'}
local function order() return redis.call('INCR', p .. ':order') end
local function tally(roomKey, field)
  redis.call('HINCRBY', p .. ':tally:' .. roomKey, field, 1)
  redis.call('SADD', p .. ':tallied', roomKey)
end
for _, op in ipairs(ops) do
  local name = op[1]
  if name == 'claim' then
    redis.call('HSET', nicks, op[2], op[3])
  elseif name == 'release' then
    local held = redis.call('HGET', nicks, op[2])
    if held and holderOf(held) == holderOf(op[3]) then redis.call('HDEL', nicks, op[2]) end
  elseif name == 'enter' then
    local room = p .. ':room:' .. op[2]
    if redis.call('EXISTS', room) == 0 then
      redis.call('HSET', p .. ':roomnames', op[2], op[3])
      redis.call('ZADD', p .. ':rooms', order(), op[2])
    end
    redis.call('ZADD', room, order(), op[4])
  elseif name == 'exit' then
    local room = p .. ':room:' .. op[2]
    redis.call('ZREM', room, op[3])
    if redis.call('EXISTS', room) == 0 then
      redis.call('HDEL', p .. ':roomnames', op[2])
      redis.call('ZREM', p .. ':rooms', op[2])
      redis.call('DEL', p .. ':history:' .. op[2])
    end
  elseif name == 'rename' then
    local room = p .. ':room:' .. op[2]
    local score = redis.call('ZSCORE', room, op[3]) or order()
    redis.call('ZREM', room, op[3])
    redis.call('ZADD', room, score, op[4])
  elseif name == 'member' then
    redis.call('HSET', p .. ':members:' .. node, op[2], op[3])
  elseif name == 'forget' then
    redis.call('HDEL', p .. ':members:' .. node, op[2])
  elseif name == 'append' then
    result[#result + 1] = op[2]
    result[#result + 1] = redis.call('XADD', p .. ':' .. op[2], 'MAXLEN', '~', maxlen, '*', 'r', op[3], 'l', op[4], 'x', op[5])
  elseif name == 'notice' then
    if redis.call('ZCARD', p .. ':room:' .. op[3]) > tonumber(op[7]) then
      tally(op[3], op[6])
    else
      result[#result + 1] = op[2]
      result[#result + 1] = redis.call('XADD', p .. ':' .. op[2], 'MAXLEN', '~', maxlen, '*', 'r', op[3], 'l', op[4], 'x', op[5])
    end
  elseif name == 'keep' then
    local history = p .. ':history:' .. op[2]
    redis.call('RPUSH', history, op[3])
    redis.call('LTRIM', history, -tonumber(op[4]), -1)
  elseif name == 'recall' then
    local lines = redis.call('LRANGE', p .. ':history:' .. op[2], 0, -1)
    result[#result + 1] = 'recall'
    -- Why the test: cjson spells an empty table {}, not [].
    result[#result + 1] = #lines == 0 and '[]' or cjson.encode(lines)
  elseif name == 'whisper' then
    local held = targets[op]
    local target, member, spelling = string.match(held, '^([^\\t]*)\\t([^\\t]*)\\t(.*)$')
    local inbox = 'inbox:' .. target
    result[#result + 1] = inbox
    result[#result + 1] = redis.call('XADD', p .. ':' .. inbox, 'MAXLEN', '~', maxlen, '*', 'm', member, 'l', op[3])
    result[#result + 1] = spelling
  end
end
return finish(result)
`;

/**
 * Renew this node's lease: ARGV = prefix, node, leaseMs. Returns 1 when the
 * node was not in P:nodes (its first heartbeat, or it had been reaped or
 * Redis lost its data), so the caller re-registers its members.
 */
export const HEARTBEAT = `
local p, node = ARGV[1], ARGV[2]
redis.call('SET', p .. ':lease:' .. node, '1', 'PX', ARGV[3])
return redis.call('SADD', p .. ':nodes', node)
`;

/**
 * Remove, once, the members of every node whose lease has expired:
 * ARGV = prefix, maxlen, text before the nick, text after it (the notice),
 * quiet room size (above it, a room's tally counts the leave instead).
 * A node leaves P:nodes in the same step, so of several survivors running
 * this at once only one reaps it. Returns `node, count` pairs.
 */
export const REAP = `
local p, maxlen, before, after, quiet = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local nicks = p .. ':nicks'
local reaped = {}
for _, node in ipairs(redis.call('SMEMBERS', p .. ':nodes')) do
  if redis.call('EXISTS', p .. ':lease:' .. node) == 0 then
    redis.call('SREM', p .. ':nodes', node)
    local members = redis.call('HGETALL', p .. ':members:' .. node)
    for k = 1, #members, 2 do
      local nickKey, nick, roomKey, stream = string.match(members[k + 1], '^([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t(.*)$')
      local held = redis.call('HGET', nicks, nickKey)
      if held and string.find(held, node .. '\\t' .. members[k] .. '\\t', 1, true) == 1 then redis.call('HDEL', nicks, nickKey) end
      local room = p .. ':room:' .. roomKey
      local quietRoom = redis.call('ZCARD', room) > quiet
      redis.call('ZREM', room, nick)
      if redis.call('EXISTS', room) == 0 then
        redis.call('HDEL', p .. ':roomnames', roomKey)
        redis.call('ZREM', p .. ':rooms', roomKey)
        redis.call('DEL', p .. ':history:' .. roomKey)
      end
      if quietRoom then
        redis.call('HINCRBY', p .. ':tally:' .. roomKey, 'left', 1)
        redis.call('SADD', p .. ':tallied', roomKey)
      else
        redis.call('XADD', p .. ':' .. stream, 'MAXLEN', '~', maxlen, '*', 'r', roomKey, 'l', before .. nick .. after, 'x', '')
      end
    end
    redis.call('DEL', p .. ':members:' .. node, p .. ':results:' .. node)
    reaped[#reaped + 1] = node
    reaped[#reaped + 1] = #members / 2
  end
end
return reaped
`;

/**
 * One page of the rooms: ARGV = prefix, first index, last index (both
 * included, from 0). Returns the number of rooms, then `spelling, size`
 * pairs in creation order.
 */
export const ROOMS_PAGE = `
local p = ARGV[1]
local out = {redis.call('ZCARD', p .. ':rooms')}
for _, key in ipairs(redis.call('ZRANGE', p .. ':rooms', ARGV[2], ARGV[3])) do
  out[#out + 1] = redis.call('HGET', p .. ':roomnames', key) or key
  out[#out + 1] = redis.call('ZCARD', p .. ':room:' .. key)
end
return out
`;

/**
 * One page of a room's roster: KEYS[1] the room's sorted set, ARGV = first
 * index, last index. Returns its size, then the nicks in join order.
 */
export const WHO_PAGE = `
local out = {redis.call('ZCARD', KEYS[1])}
for _, nick in ipairs(redis.call('ZRANGE', KEYS[1], ARGV[1], ARGV[2])) do out[#out + 1] = nick end
return out
`;

/**
 * Take (read and clear) every quiet room's tally: ARGV = prefix. Returns
 * `key, spelling, size, joined, left, renamed` per room that still exists; of
 * servers taking at once, each tally goes to one.
 */
export const TAKE_TALLIES = `
local p = ARGV[1]
local out = {}
for _, key in ipairs(redis.call('SMEMBERS', p .. ':tallied')) do
  local tally = p .. ':tally:' .. key
  local counts = redis.call('HMGET', tally, 'joined', 'left', 'renamed')
  redis.call('DEL', tally)
  local size = redis.call('ZCARD', p .. ':room:' .. key)
  if size > 0 then
    out[#out + 1] = key
    out[#out + 1] = redis.call('HGET', p .. ':roomnames', key) or key
    out[#out + 1] = size
    for k = 1, 3 do out[#out + 1] = tonumber(counts[k] or '0') end
  end
end
redis.call('DEL', p .. ':tallied')
return out
`;
