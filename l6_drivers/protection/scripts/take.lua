-- One protection decision, atomic because Redis runs a script alone.
-- The arithmetic mirrors window.go and memory_anomaly.go step by step;
-- change them together. Every time is in whole microseconds (exact in a
-- double).
--
-- KEYS[1..n]  bucket keys (value: a list of the instants, µs, at which the
--             requests admitted inside the window leave it, newest first)
-- KEYS[n+1]   anomaly counter hash {w, c, b, s}, when ARGV[3] == '1'
-- ARGV[1]     n, the number of buckets
-- ARGV[2]     decision time in µs, or '' for the server's clock (production)
-- ARGV[3]     '1' when the check has an anomaly key
-- ARGV[4..10] anomaly factor, floor, window µs, baseline weight, baseline
--             decay, idle windows, counter TTL ms
-- ARGV[11..]  limit and period (µs) of each bucket
-- ARGV[11+2n] '1' to probe: evaluate the buckets without charging them
--
-- Returns {allowed, refused, now, inside_1, retry_at_1, last_1, admits_1,
-- ..., inside_n, retry_at_n, last_n, admits_n, anomaly, observed,
-- baseline}: inside is the number of requests in the window after the
-- decision, last when the newest of them leaves it (0 when none), retry_at
-- when the one whose leaving makes room leaves (0 when the bucket
-- admitted), and baseline is a string so it keeps every bit.

local n = tonumber(ARGV[1])
local now
if ARGV[2] ~= '' then
  now = tonumber(ARGV[2])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end

-- Requests that left the window are dropped from the old end of the list,
-- each once, so a decision costs O(1) amortized.
local limit, period, inside, admits = {}, {}, {}, {}
local allowed, refused = 1, -1
for i = 1, n do
  limit[i] = tonumber(ARGV[9 + 2 * i])
  period[i] = tonumber(ARGV[10 + 2 * i])
  local c = redis.call('LLEN', KEYS[i])
  while c > 0 and tonumber(redis.call('LINDEX', KEYS[i], -1)) <= now do
    redis.call('RPOP', KEYS[i])
    c = c - 1
  end
  inside[i] = c
  admits[i] = c < limit[i]
  if not admits[i] and allowed == 1 then
    allowed, refused = 0, i - 1
  end
end

local probe = ARGV[11 + 2 * n] == '1'
local out = {allowed, refused, now}
for i = 1, n do
  local retry_at, last = 0, 0
  if allowed == 1 and not probe then
    last = now + period[i]
    redis.call('LPUSH', KEYS[i], string.format('%.0f', last))
    redis.call('PEXPIRE', KEYS[i], string.format('%.0f', math.ceil(period[i] / 1000)))
    inside[i] = inside[i] + 1
  elseif inside[i] > 0 then
    last = tonumber(redis.call('LINDEX', KEYS[i], 0))
  end
  if not admits[i] then
    retry_at = tonumber(redis.call('LINDEX', KEYS[i], limit[i] - 1))
  end
  out[#out + 1] = inside[i]
  out[#out + 1] = retry_at
  out[#out + 1] = last
  out[#out + 1] = admits[i] and 1 or 0
end

local signal, observed, baseline = 0, 0, '0'
if ARGV[3] == '1' then
  local key = KEYS[n + 1]
  local factor, floor = tonumber(ARGV[4]), tonumber(ARGV[5])
  local window, weight, decay = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
  local idle, ttl = tonumber(ARGV[9]), ARGV[10]
  local w = math.floor(now / window)
  local st = redis.call('HMGET', key, 'w', 'c', 'b', 's')
  local aw, c, b, s = tonumber(st[1]) or 0, tonumber(st[2]) or 0, tonumber(st[3]) or 0, st[4] == '1'
  if w - aw > idle then
    aw, c, b, s = w, 0, 0, false
  elseif w > aw then
    b = decay * b + weight * c
    for _ = aw + 1, w - 1 do
      b = decay * b
    end
    aw, c, s = w, 0, false
  end
  c = c + 1
  if not s and c > factor * math.max(b, floor) then
    s = true
    signal, observed, baseline = 1, c, string.format('%.17g', b)
  end
  redis.call('HSET', key, 'w', string.format('%.0f', aw), 'c', string.format('%.0f', c),
    'b', string.format('%.17g', b), 's', s and '1' or '0')
  redis.call('PEXPIRE', key, ttl)
end
out[#out + 1] = signal
out[#out + 1] = observed
out[#out + 1] = baseline
return out
