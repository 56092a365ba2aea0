package protection

import (
	"sync"
	"time"

	engine "hoc/l5_engines/protection"
)

// factsTTL is how long the facts of a decision (plan, onboarding, recorded
// cost) are reused for a tenant and credential. Every protected request
// needs them, and reading them costs more than deciding; two seconds keeps
// the per-request path cheap while a plan change, a completed onboarding or
// newly recorded cost still counts within two seconds.
const factsTTL = 2 * time.Second

// maxCachedFacts bounds the cache; past it, expired entries are dropped and,
// if that is not enough, the whole cache is.
const maxCachedFacts = 100_000

// factsCache holds recent facts by tenant, credential and read/write.
type factsCache struct {
	mu      sync.Mutex
	entries map[string]cachedFacts
}

type cachedFacts struct {
	facts   engine.Facts
	expires time.Time
}

func newFactsCache() *factsCache {
	return &factsCache{entries: make(map[string]cachedFacts)}
}

func (c *factsCache) get(key string, now time.Time) (engine.Facts, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !now.Before(e.expires) {
		return engine.Facts{}, false
	}
	return e.facts, true
}

func (c *factsCache) put(key string, f engine.Facts, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCachedFacts {
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= maxCachedFacts {
			clear(c.entries)
		}
	}
	c.entries[key] = cachedFacts{facts: f, expires: now.Add(factsTTL)}
}
