package cache

import (
	"testing"
	"time"

	"hoc/testkit"
)

func TestTTL_EntriesExpireAfterTheirLifetime(t *testing.T) {
	t.Parallel()
	clk := testkit.NewClock(time.Unix(1_700_000_000, 0))
	c := New[string, int](2*time.Second, 10, clk.Now)
	c.Put("a", 1)
	clk.Advance(2*time.Second - time.Nanosecond)
	if v, ok := c.Get("a"); !ok || v != 1 {
		t.Fatalf("before the lifetime: %v, %v", v, ok)
	}
	clk.Advance(time.Nanosecond)
	if _, ok := c.Get("a"); ok {
		t.Fatal("entry outlived its lifetime")
	}
}

func TestTTL_PutUntilShortensTheLifetime(t *testing.T) {
	t.Parallel()
	clk := testkit.NewClock(time.Unix(1_700_000_000, 0))
	c := New[string, int](time.Minute, 10, clk.Now)
	c.PutUntil("a", 1, clk.Now().Add(time.Second))
	c.PutUntil("b", 2, clk.Now().Add(time.Hour)) // later than the lifetime: the lifetime wins
	clk.Advance(time.Second)
	if _, ok := c.Get("a"); ok {
		t.Fatal("entry outlived its own expiry")
	}
	clk.Advance(time.Minute)
	if _, ok := c.Get("b"); ok {
		t.Fatal("entry outlived the cache's lifetime")
	}
}

func TestTTL_StaysWithinItsBound(t *testing.T) {
	t.Parallel()
	clk := testkit.NewClock(time.Unix(1_700_000_000, 0))
	c := New[int, int](time.Minute, 100, clk.Now)
	for i := range 1000 {
		c.Put(i, i)
		if n := len(c.entries); n > 100 {
			t.Fatalf("%d entries, bound 100", n)
		}
	}
	if v, ok := c.Get(999); !ok || v != 999 {
		t.Fatal("the newest entry is missing")
	}
}

func TestTTL_DeleteAndClear(t *testing.T) {
	t.Parallel()
	clk := testkit.NewClock(time.Unix(1_700_000_000, 0))
	c := New[string, int](time.Minute, 10, clk.Now)
	c.Put("a", 1)
	c.Put("b", 2)
	c.Delete("a")
	if _, ok := c.Get("a"); ok {
		t.Fatal("deleted entry still there")
	}
	c.Clear()
	if _, ok := c.Get("b"); ok {
		t.Fatal("cleared entry still there")
	}
}
