/**
 * The Redis engine's Lua scripts, plain Redis 6.2+ Lua with nothing Node-specific: any client may run them
 * (`live-progress redis-script append` prints one; Python's `redis.register_script(text)` loads it as is).
 * Every key of a run shares the hash tag `{r:<run>}`, so each script touches one slot (Redis Cluster).
 */

/**
 * Appends a batch to a run in one atomic step.
 * KEYS: 1 meta hash (epoch, head, state, ts), 2 log stream, 3 (optional) the batch's idempotency key.
 * ARGV: 1 epoch the events were staged under, 2 head they follow, 3 "1" to create a missing run at
 * that epoch and head, 4 state JSON after them, 5 log limit, 6 meta TTL ms, 7 log TTL ms (shorter, so trimming
 * never loses the epoch), 8 fan-out channel, 9 ts of the events, 10 idempotency TTL ms, 11… the encoded events
 * (seqs head+1…).
 * Returns {1, epoch, head} when appended; {2, epoch, head} when the idempotency key was already used (the head
 * that batch reached; nothing appended); {0, epoch, head} when the run moved on ({0, "", 0}: no record).
 */
export const APPEND_SCRIPT = `if KEYS[3] then
  local seen = redis.call('GET', KEYS[3])
  if seen then
    local cut = string.find(seen, '\\n', 1, true)
    return {2, string.sub(seen, 1, cut - 1), tonumber(string.sub(seen, cut + 1))}
  end
end
local epoch = redis.call('HGET', KEYS[1], 'epoch')
local head = 0
if epoch then
  head = tonumber(redis.call('HGET', KEYS[1], 'head'))
elseif ARGV[3] == '1' then
  epoch = ARGV[1]
  head = tonumber(ARGV[2])
  -- A log without its meta belongs to a lost epoch: its ids must not block the new one.
  redis.call('DEL', KEYS[2])
else
  return {0, '', 0}
end
if epoch ~= ARGV[1] or head ~= tonumber(ARGV[2]) then
  return {0, epoch, head}
end
local n = #ARGV - 10
for i = 1, n do
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], (head + i) .. '-0', 'e', ARGV[10 + i])
end
head = head + n
redis.call('HSET', KEYS[1], 'epoch', epoch, 'head', head, 'state', ARGV[4], 'ts', ARGV[9])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[7])
if KEYS[3] then
  redis.call('SET', KEYS[3], epoch .. '\\n' .. head, 'PX', ARGV[10])
end
redis.call('PUBLISH', ARGV[8], epoch .. '\\n' .. (head - n + 1) .. '\\n' .. table.concat(ARGV, '\\n', 11))
return {1, epoch, head}
`

/**
 * Replaces a run's epoch when its log lost a tail (compare-and-set: only if the epoch is still ARGV[1]).
 * The old log goes (its events carry the old epoch); the head stays, so seqs never repeat under the new one.
 * KEYS: 1 meta hash, 2 log stream. ARGV: 1 epoch to replace, 2 new epoch, 3 fan-out channel.
 * Returns the epoch in force ("" when the run has no record).
 */
export const ROTATE_SCRIPT = `local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then return '' end
if epoch ~= ARGV[1] then return epoch end
local head = redis.call('HGET', KEYS[1], 'head')
redis.call('HSET', KEYS[1], 'epoch', ARGV[2])
redis.call('DEL', KEYS[2])
redis.call('PUBLISH', ARGV[3], ARGV[2] .. '\\n' .. (tonumber(head) + 1) .. '\\n')
return ARGV[2]
`

export const REDIS_SCRIPTS = { append: APPEND_SCRIPT, rotate: ROTATE_SCRIPT } as const
