package cache

import (
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestTTL_EntriesExpireAfterTheirLifetime(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	c := New[string, int](2*time.Second, 10, clk.now)
	c.Put("a", 1)
	clk.t = clk.t.Add(2*time.Second - time.Nanosecond)
	if v, ok := c.Get("a"); !ok || v != 1 {
		t.Fatalf("before the lifetime: %v, %v", v, ok)
	}
	clk.t = clk.t.Add(time.Nanosecond)
	if _, ok := c.Get("a"); ok {
		t.Fatal("entry outlived its lifetime")
	}
}

func TestTTL_PutUntilShortensTheLifetime(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	c := New[string, int](time.Minute, 10, clk.now)
	c.PutUntil("a", 1, clk.t.Add(time.Second))
	c.PutUntil("b", 2, clk.t.Add(time.Hour)) // later than the lifetime: the lifetime wins
	clk.t = clk.t.Add(time.Second)
	if _, ok := c.Get("a"); ok {
		t.Fatal("entry outlived its own expiry")
	}
	clk.t = clk.t.Add(time.Minute)
	if _, ok := c.Get("b"); ok {
		t.Fatal("entry outlived the cache's lifetime")
	}
}

func TestTTL_StaysWithinItsBound(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	c := New[int, int](time.Minute, 100, clk.now)
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
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	c := New[string, int](time.Minute, 10, clk.now)
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
