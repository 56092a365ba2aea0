package protection

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// MarkOnce reports whether key is marked for the first time within ttl,
// measured on MemoryOptions.Now.
func (m *Memory) MarkOnce(_ context.Context, key string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, fmt.Errorf("%w: mark ttl %s must be positive", ErrInvalidCheck, ttl)
	}
	now := m.now().UnixMicro()
	first, err := m.mark(key, ttl.Microseconds(), now)
	if errors.Is(err, ErrMemoryFull) && m.sweepAll(now) {
		first, err = m.mark(key, ttl.Microseconds(), now)
	}
	return first, err
}

func (m *Memory) mark(key string, ttl, now int64) (bool, error) {
	s := &m.shards[m.shardOf(key)]
	s.mu.Lock()
	defer s.mu.Unlock()
	expiry, found := s.marks[key]
	if found && expiry > now {
		return false, nil
	}
	if !found {
		if err := m.reserve(1); err != nil {
			return false, err
		}
	}
	s.marks[key] = now + max(ttl, 1)
	if !found {
		s.sweepIfGrown(m, now)
	}
	return true, nil
}
