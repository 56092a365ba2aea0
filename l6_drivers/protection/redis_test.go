package protection

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hoc/testkit"

	"github.com/redis/go-redis/v9"
)

// On the server's clock, as in production (no injected clock): a full
// bucket refuses, says how long until it admits again, and admits again once
// that wait has passed. Nothing here depends on how fast the machine is: a
// period of an hour cannot pass between two calls, and where real time has
// to pass, the test waits what the server said and asserts the outcome,
// retrying only to get a refusal in the first place (on a machine too busy
// to send three requests within a second, the bucket recovers in between).
func TestRedis_ServerClockRecovers(t *testing.T) {
	t.Parallel()
	r, _ := newTestRedis(t)
	ctx := context.Background()
	take := func(c Check) Outcome {
		t.Helper()
		out, err := r.Take(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	hour := buckets(bucket("hour", 5, time.Hour))
	for i := range 5 {
		if out := take(hour); !out.Allowed {
			t.Fatalf("request %d refused: %+v", i+1, out)
		}
	}
	out := take(hour)
	if s := out.States[0]; out.Allowed || out.Refused != 0 || s.Remaining != 0 ||
		s.RetryAfter <= 0 || s.RetryAfter > time.Hour || s.ResetAfter < s.RetryAfter || s.ResetAfter > time.Hour {
		t.Fatalf("sixth request: got %+v, want a refusal with 0 < RetryAfter <= ResetAfter <= 1h", out)
	}

	second := buckets(bucket("second", 2, time.Second))
	var refusal Outcome
	for attempt := 1; ; attempt++ {
		if refusal = take(second); !refusal.Allowed {
			break
		}
		if attempt == 100 {
			t.Fatal("100 requests to a bucket of 2 a second and none refused")
		}
	}
	wait := refusal.States[0].RetryAfter
	if wait <= 0 || wait > time.Second {
		t.Fatalf("refusal: got %+v, want 0 < RetryAfter <= 1s", refusal)
	}
	time.Sleep(wait) // real time: Redis's clock, not the test's, must move at least as far
	if out := take(second); !out.Allowed {
		t.Fatalf("after waiting the RetryAfter of %s: got %+v, want admitted", wait, out)
	}
}

// Two clients (two replicas) hammering one bucket together admit exactly
// its limit.
func TestRedis_TwoClientsAdmitExactlyTheLimit(t *testing.T) {
	t.Parallel()
	first := redisClientForTest(t)
	prefix := testRedisPrefix(t, first)
	second := redisClientForTest(t)
	replicas := []*Redis{NewRedis(first, RedisOptions{Prefix: prefix}), NewRedis(second, RedisOptions{Prefix: prefix})}
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for g := range 20 {
		wg.Go(func() {
			for range 10 {
				out, err := replicas[g%2].Take(context.Background(), buckets(bucket("tenant", 50, time.Minute)))
				if err != nil {
					t.Error(err)
					return
				}
				if out.Allowed {
					admitted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if got := admitted.Load(); got != 50 {
		t.Fatalf("admitted %d, want exactly 50", got)
	}
}

func TestRedis_UnreachableServerFailsQuicklyWithAnError(t *testing.T) {
	t.Parallel()
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond, MaxRetries: -1, DialerRetries: 1})
	testkit.CloseAtEnd(t, client)
	r := NewRedis(client, RedisOptions{})
	start := time.Now()
	_, err := r.Take(context.Background(), buckets(fivePerMinute))
	if err == nil || !strings.Contains(err.Error(), "redis take") {
		t.Fatalf("got %v, want a wrapped Redis error", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Fatalf("took %s to fail", elapsed)
	}
	if _, err := r.MarkOnce(context.Background(), "warn", time.Hour); err == nil {
		t.Fatal("MarkOnce: got no error")
	}
}

// Idle state disappears on its own: buckets a period after their newest
// request, anomaly counters after a day, marks after their ttl. The TTLs
// are checked against the time the test itself measured, not a guess of how
// fast Redis answers.
func TestRedis_KeysExpire(t *testing.T) {
	t.Parallel()
	r, client := newTestRedis(t)
	ctx := context.Background()
	start := time.Now()
	c := Check{Buckets: []Bucket{fivePerMinute}, AnomalyKey: "tenant", AnomalyFactor: 10, AnomalyFloor: 100}
	if _, err := r.Take(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := r.MarkOnce(ctx, "warn", 1500*time.Millisecond+500*time.Microsecond); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]time.Duration{
		r.prefix + "w:route":  time.Minute,
		r.prefix + "a:tenant": anomalyIdle,
		r.prefix + "m:warn":   1501 * time.Millisecond, // rounded up to whole ms
	} {
		ttl, err := client.PTTL(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		// Redis counts down in whole milliseconds from when it set the key.
		if elapsed := time.Since(start); ttl < want-elapsed-time.Millisecond || ttl > want {
			t.Errorf("%s: ttl %s %s after the writes, want %s less at most that", key, ttl, elapsed, want)
		}
	}
}

// After SCRIPT FLUSH (a restart, a failover) EVALSHA fails and the script
// is sent again.
func TestRedis_ScriptReloadsAfterFlush(t *testing.T) {
	t.Parallel()
	r, client := newTestRedis(t)
	ctx := context.Background()
	if _, err := r.Take(ctx, buckets(fivePerMinute)); err != nil {
		t.Fatal(err)
	}
	if err := client.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	out, err := r.Take(ctx, buckets(fivePerMinute))
	if err != nil || out.States[0].Remaining != 3 {
		t.Fatalf("after SCRIPT FLUSH: got %+v, %v", out, err)
	}
}

func TestNewRedis_DefaultsThePrefixAndRefusesNilClient(t *testing.T) {
	t.Parallel()
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	testkit.CloseAtEnd(t, client)
	if got := NewRedis(client, RedisOptions{}).prefix; got != DefaultRedisPrefix {
		t.Fatalf("prefix %q, want %q", got, DefaultRedisPrefix)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("NewRedis(nil) did not panic")
		}
	}()
	NewRedis(nil, RedisOptions{})
}

func TestParseRedisURL_ReadsTheURLAndFailsFastByDefault(t *testing.T) {
	t.Parallel()
	client, err := ParseRedisURL("redis://:s3cret@127.0.0.1:6379/2")
	if err != nil {
		t.Fatal(err)
	}
	testkit.CloseAtEnd(t, client)
	opts := client.(*redis.Client).Options()
	if opts.Addr != "127.0.0.1:6379" || opts.DB != 2 || opts.Password != "s3cret" {
		t.Fatalf("got addr %q db %d", opts.Addr, opts.DB)
	}
	// A built client reports "no retries" (-1 when configured) as 0.
	if opts.DialTimeout != redisDialTimeout || opts.ReadTimeout != redisReadTimeout || opts.MaxRetries != 0 {
		t.Fatalf("got dial %s read %s retries %d, want the request-path defaults", opts.DialTimeout, opts.ReadTimeout, opts.MaxRetries)
	}
}

func TestParseRedisURL_QueryOverridesTheDefaults(t *testing.T) {
	t.Parallel()
	client, err := ParseRedisURL("redis://127.0.0.1:6379?dial_timeout=2s&read_timeout=1s&max_retries=2")
	if err != nil {
		t.Fatal(err)
	}
	testkit.CloseAtEnd(t, client)
	opts := client.(*redis.Client).Options()
	if opts.DialTimeout != 2*time.Second || opts.ReadTimeout != time.Second || opts.MaxRetries != 2 {
		t.Fatalf("got dial %s read %s retries %d, want the URL's", opts.DialTimeout, opts.ReadTimeout, opts.MaxRetries)
	}
}

func TestParseRedisURL_ErrorsNeverShowThePassword(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"http://127.0.0.1", "redis://:s3cret@127.0.0.1:6379/x", "redis://:s3cret@[::1"} {
		_, err := ParseRedisURL(bad)
		if err == nil {
			t.Errorf("%q: got no error", bad)
		} else if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%q: error leaks the password: %v", bad, err)
		}
	}
}

// A client from ParseRedisURL gives up on a dead server quickly, so that
// protection fails open without holding the request.
func TestParseRedisURL_DeadServerFailsWithinASecond(t *testing.T) {
	t.Parallel()
	client, err := ParseRedisURL("redis://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	testkit.CloseAtEnd(t, client)
	start := time.Now()
	if _, err := NewRedis(client, RedisOptions{}).Take(context.Background(), buckets(fivePerMinute)); err == nil {
		t.Fatal("got no error")
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Fatalf("took %s to fail", elapsed)
	}
}
