package protection

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"testing"
	"time"

	"hoc/testkit"

	"github.com/redis/go-redis/v9"
)

// testRedisAddr is the Redis that .ci/run starts and developers run locally.
const testRedisAddr = "127.0.0.1:6379"

// redisClientForTest connects to testRedisAddr. Without a Redis the test is
// skipped locally, but fails under CI=true, where a skip would hide that the
// Redis backend went untested.
func redisClientForTest(t testing.TB) *redis.Client {
	t.Helper()
	client := redis.NewClient(&redis.Options{Addr: testRedisAddr, DialTimeout: time.Second, DialerRetries: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		err = errors.Join(err, client.Close())
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis at %s is required under CI: %v", testRedisAddr, err)
		}
		t.Skipf("Redis at %s is unreachable (%v); start it to run the Redis backend tests", testRedisAddr, err)
	}
	testkit.CloseAtEnd(t, client)
	return client
}

// testRedisPrefix returns a key prefix used by this test alone and deletes
// every key under it when the test ends.
func testRedisPrefix(t testing.TB, client redis.UniversalClient) string {
	t.Helper()
	var raw [6]byte
	if _, err := rand.Read(raw[:]); err != nil {
		t.Fatal(err)
	}
	prefix := "hoc:test:" + hex.EncodeToString(raw[:]) + ":"
	t.Cleanup(func() { deleteRedisPrefix(t, client, prefix) })
	return prefix
}

func deleteRedisPrefix(t testing.TB, client redis.UniversalClient, prefix string) {
	ctx := context.Background()
	iter := client.Scan(ctx, 0, prefix+"*", 500).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Errorf("scan %s*: %v", prefix, err)
		return
	}
	if len(keys) > 0 {
		if err := client.Del(ctx, keys...).Err(); err != nil {
			t.Errorf("delete %s*: %v", prefix, err)
		}
	}
}

// newTestRedis returns a Redis backend with a prefix of its own.
func newTestRedis(t testing.TB) (*Redis, *redis.Client) {
	t.Helper()
	client := redisClientForTest(t)
	return NewRedis(client, RedisOptions{Prefix: testRedisPrefix(t, client)}), client
}
