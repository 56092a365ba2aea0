package protection

import (
	"context"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultRedisPrefix is the default RedisOptions.Prefix.
const DefaultRedisPrefix = "hoc:prot:"

//go:embed scripts/take.lua
var takeLua string

// takeScript runs by EVALSHA and falls back to EVAL when the server does not
// know the script yet (a restart, a failover, a SCRIPT FLUSH).
var takeScript = redis.NewScript(takeLua)

// Redis-side key namespaces under the prefix. Buckets moved from "g:"
// (GCRA, a string) to "w:" (a sliding-window list) so that, during a rolling
// deploy, neither kind of replica meets a key of the other type.
const (
	redisBucketNS  = "w:"
	redisAnomalyNS = "a:"
	redisMarkNS    = "m:"
)

// RedisOptions configures NewRedis. The zero value is usable.
type RedisOptions struct {
	// Prefix starts every key this backend writes; empty means
	// DefaultRedisPrefix. Keys are the prefix, a namespace ("w:" buckets,
	// "a:" anomaly counters, "m:" marks) and the caller's key verbatim. On
	// Redis Cluster the keys of one Check must hash to one slot, so the
	// caller's keys must then carry a hash tag such as "{tenantID}".
	Prefix string
}

// Redis is the State shared by every replica: each Take is one atomic Lua
// script timed by the Redis server's clock, so N replicas together admit no
// more than the limit. A bucket is a list of at most Limit small integers;
// it expires one Period after its newest request, anomaly counters after a
// day without requests, marks after their ttl, so idle state disappears on
// its own.
type Redis struct {
	client redis.UniversalClient
	prefix string
	// clock, when set (by tests only), replaces the server's clock in Take
	// so that the script can be held to the memory backend's outcomes.
	clock func() time.Time
}

var _ State = (*Redis)(nil)

// NewRedis returns the Redis-backed limiter state. A nil client is a wiring
// error and panics.
func NewRedis(client redis.UniversalClient, opts RedisOptions) *Redis {
	if client == nil {
		panic("protection: NewRedis needs a client")
	}
	if opts.Prefix == "" {
		opts.Prefix = DefaultRedisPrefix
	}
	return &Redis{client: client, prefix: opts.Prefix}
}

// Take decides c in one script call; c.Now is ignored in favour of the
// server's clock. Redis errors are returned wrapped.
func (r *Redis) Take(ctx context.Context, c Check) (Outcome, error) {
	var buf [4]windowLimit
	limits, err := checkLimits(c, buf[:0])
	if err != nil {
		return Outcome{}, err
	}
	keys, args := r.takeArgs(c)
	reply, err := takeScript.Run(ctx, r.client, keys, args...).Slice()
	if err != nil {
		return Outcome{}, fmt.Errorf("protection: redis take: %w", err)
	}
	out, err := parseTakeReply(reply, limits)
	if err != nil {
		return Outcome{}, fmt.Errorf("protection: redis take: %w", err)
	}
	return out, nil
}

// takeArgs lays out KEYS and ARGV as scripts/take.lua documents them.
func (r *Redis) takeArgs(c Check) ([]string, []any) {
	keys := make([]string, 0, len(c.Buckets)+1)
	for _, b := range c.Buckets {
		keys = append(keys, r.prefix+redisBucketNS+b.Key)
	}
	now, anomaly := "", "0"
	if r.clock != nil {
		now = strconv.FormatInt(r.clock().UnixMicro(), 10)
	}
	if c.AnomalyKey != "" {
		keys = append(keys, r.prefix+redisAnomalyNS+c.AnomalyKey)
		anomaly = "1"
	}
	args := make([]any, 0, 11+2*len(c.Buckets))
	args = append(args,
		len(c.Buckets), now, anomaly,
		formatFloat(c.AnomalyFactor), formatFloat(c.AnomalyFloor),
		AnomalyWindow.Microseconds(), formatFloat(BaselineWeight), formatFloat(baselineDecay),
		anomalyIdleWindows, anomalyIdle.Milliseconds())
	for _, b := range c.Buckets {
		args = append(args, b.Limit, b.Period.Microseconds())
	}
	probe := "0"
	if c.Probe {
		probe = "1"
	}
	return keys, append(args, probe)
}

// MarkOnce sets key with SET NX PX: only the first caller within ttl, on any
// replica, gets true. Redis keeps whole milliseconds, so ttl is rounded up.
func (r *Redis) MarkOnce(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, fmt.Errorf("%w: mark ttl %s must be positive", ErrInvalidCheck, ttl)
	}
	ttl = (ttl + time.Millisecond - 1).Truncate(time.Millisecond)
	first, err := r.client.SetNX(ctx, r.prefix+redisMarkNS+key, 1, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("protection: redis mark: %w", err)
	}
	return first, nil
}

// formatFloat writes f so that Lua's tonumber reads back the same double.
func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// RedisHealth is what `hocd doctor` reports about the Redis backend.
type RedisHealth struct {
	ServerVersion string
	// ClockSkew is the server's clock minus this host's, measured at the
	// middle of the round trip. Buckets run on the server's clock (the
	// script reads TIME), so skew between replicas does not matter, but a
	// large one says a clock is wrong.
	ClockSkew time.Duration
}

// Diagnose checks that r's server answers, that it accepts the take script
// (loading it, as the first request would) and how far its clock is from
// this host's.
func (r *Redis) Diagnose(ctx context.Context) (RedisHealth, error) {
	var h RedisHealth
	info, err := r.client.Info(ctx, "server").Result()
	if err != nil {
		return h, fmt.Errorf("ping: %w", err)
	}
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "redis_version:"); ok {
			h.ServerVersion = v
		}
	}
	if err := takeScript.Load(ctx, r.client).Err(); err != nil {
		return h, fmt.Errorf("load the rate-limit script: %w", err)
	}
	before := time.Now()
	server, err := r.client.Time(ctx).Result()
	if err != nil {
		return h, fmt.Errorf("read the server clock: %w", err)
	}
	h.ClockSkew = server.Sub(before.Add(time.Since(before) / 2))
	return h, nil
}
