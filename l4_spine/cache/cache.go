// Package cache keeps short-lived copies of the facts that every request
// needs — a verified credential, its tenant's lifecycle, an integration's
// status — so that the per-request path does not read them from the
// database each time (ARCHITECTURE §2). Every entry expires after a fixed,
// documented lifetime, which is therefore the longest a change made on
// another replica goes unnoticed; the replica that makes a change drops the
// entries it affects at once.
package cache

import (
	"sync"
	"time"
)

// TTL is a bounded map whose entries expire. It is safe for concurrent use.
// The bound is crude on purpose: past max entries, the expired ones are
// dropped and, if that is not enough, all of them. Facts are cheap to read
// again, and a cache that never grows past its bound needs no eviction
// policy.
type TTL[K comparable, V any] struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu      sync.Mutex
	entries map[K]entry[V]
}

type entry[V any] struct {
	value   V
	expires time.Time
}

// New returns a cache whose entries live for ttl, holding at most max of
// them, on the clock now.
func New[K comparable, V any](ttl time.Duration, max int, now func() time.Time) *TTL[K, V] {
	return &TTL[K, V]{ttl: ttl, max: max, now: now, entries: make(map[K]entry[V])}
}

// Get returns the value stored for k if it has not expired.
func (c *TTL[K, V]) Get(k K) (V, bool) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[k]
	c.mu.Unlock()
	if !ok || !now.Before(e.expires) {
		var zero V
		return zero, false
	}
	return e.value, true
}

// Put stores v for k for the cache's lifetime.
func (c *TTL[K, V]) Put(k K, v V) { c.PutUntil(k, v, time.Time{}) }

// PutUntil stores v for k for the cache's lifetime, or until the earlier
// instant until when it is not zero (a credential that expires sooner).
func (c *TTL[K, V]) PutUntil(k K, v V, until time.Time) {
	now := c.now()
	expires := now.Add(c.ttl)
	if !until.IsZero() && until.Before(expires) {
		expires = until
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		for key, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, key)
			}
		}
		if len(c.entries) >= c.max {
			clear(c.entries)
		}
	}
	c.entries[k] = entry[V]{value: v, expires: expires}
}

// Delete drops k.
func (c *TTL[K, V]) Delete(k K) {
	c.mu.Lock()
	delete(c.entries, k)
	c.mu.Unlock()
}

// Clear drops every entry.
func (c *TTL[K, V]) Clear() {
	c.mu.Lock()
	clear(c.entries)
	c.mu.Unlock()
}
