package protection

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"math/bits"
	"sync/atomic"
	"time"
)

// ErrMemoryFull reports that the memory backend holds MaxKeys live entries
// and a sweep freed none: the decision was not made. The engine fails open
// on it like on any backend error, and logs it.
var ErrMemoryFull = errors.New("protection: memory limiter is full")

// Defaults of MemoryOptions.
const (
	DefaultMaxKeys = 1_000_000
	DefaultShards  = 64
)

// fullSweepGap is the least time between two sweeps of every shard. When the
// map is full of live keys, each new key would otherwise pay for a sweep of
// up to MaxKeys entries.
const fullSweepGap = int64(time.Second / time.Microsecond)

// MemoryOptions configures NewMemory. The zero value is usable.
type MemoryOptions struct {
	// MaxKeys caps the live entries (buckets, anomaly counters and marks
	// together); zero means DefaultMaxKeys. A decision that needs a new entry
	// beyond the cap first sweeps expired entries (at most once a second)
	// and, if that frees nothing, fails with ErrMemoryFull. Decisions on
	// existing keys go on as usual.
	MaxKeys int
	// Shards is the number of independently locked parts of the state,
	// rounded up to a power of two; zero means DefaultShards, and 1 gives a
	// single mutex.
	Shards int
	// Now is the clock of MarkOnce, which has no Check to take the time
	// from; nil means time.Now. Take uses Check.Now only.
	Now func() time.Time
}

// Memory is the in-process State: sliding-window buckets, anomaly counters
// and marks in sharded maps. A Check locks the shards of its keys in index
// order, so its decision is atomic across buckets without a global lock.
//
// Memory stays bounded: a bucket whose requests have all left its window
// is equivalent to an absent one, as are an anomaly counter idle for a day
// and an expired mark, and each shard sweeps such entries whenever it has
// doubled in size since its last sweep. MaxKeys bounds the entries; a
// bucket's entry holds 8 bytes per request admitted in its last Period, at
// most its Limit of them (see windowLog).
type Memory struct {
	shards  []memoryShard
	mask    uint64
	seed    maphash.Seed
	maxKeys int64
	keys    atomic.Int64
	// lastFullSweep is the Check time (µs) of the last sweep of all shards.
	lastFullSweep atomic.Int64
	now           func() time.Time
	// epoch anchors decision times to the monotonic clock: see micros.
	epoch time.Time
}

var _ State = (*Memory)(nil)

// NewMemory returns an empty in-process limiter state.
func NewMemory(opts MemoryOptions) *Memory {
	if opts.MaxKeys <= 0 {
		opts.MaxKeys = DefaultMaxKeys
	}
	if opts.Shards <= 0 {
		opts.Shards = DefaultShards
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	n := 1 << bits.Len(uint(opts.Shards-1))
	m := &Memory{
		shards:  make([]memoryShard, n),
		mask:    uint64(n - 1),
		seed:    maphash.MakeSeed(),
		maxKeys: int64(opts.MaxKeys),
		now:     opts.Now,
		epoch:   time.Now(),
	}
	for i := range m.shards {
		m.shards[i].init()
	}
	m.lastFullSweep.Store(-fullSweepGap)
	return m
}

// Take decides c at c.Now. See the package's State and Check for the rules.
func (m *Memory) Take(_ context.Context, c Check) (Outcome, error) {
	if c.Now.IsZero() {
		return Outcome{}, fmt.Errorf("%w: check has no Now", ErrInvalidCheck)
	}
	var buf [4]windowLimit
	limits, err := checkLimits(c, buf[:0])
	if err != nil {
		return Outcome{}, err
	}
	now := m.micros(c.Now)
	out, err := m.take(c, limits, now)
	if errors.Is(err, ErrMemoryFull) && m.sweepAll(now) {
		out, err = m.take(c, limits, now)
	}
	return out, err
}

// micros is t in microseconds since the Unix epoch, measured as the distance
// from the backend's creation: for times from time.Now that distance comes
// from the monotonic clock, so a wall-clock step (NTP, a manual change)
// neither frees nor freezes the buckets. Injected test clocks carry no
// monotonic reading and fall back to wall time.
func (m *Memory) micros(t time.Time) int64 {
	return (m.epoch.UnixNano() + int64(t.Sub(m.epoch))) / int64(time.Microsecond)
}

func (m *Memory) take(c Check, limits []windowLimit, now int64) (Outcome, error) {
	// shardOf[i] is the shard of the i-th key (the buckets', then the
	// anomaly key); order lists those shards distinct and ascending.
	var shardBuf, orderBuf [5]uint32
	shardOf, order := shardBuf[:0], orderBuf[:0]
	for _, b := range c.Buckets {
		shardOf = append(shardOf, m.shardOf(b.Key))
		order = lockOrder(order, shardOf[len(shardOf)-1])
	}
	if c.AnomalyKey != "" {
		shardOf = append(shardOf, m.shardOf(c.AnomalyKey))
		order = lockOrder(order, shardOf[len(shardOf)-1])
	}
	m.lock(order)
	defer m.unlock(order)

	out := Outcome{Allowed: true, Refused: -1, States: make([]BucketState, len(c.Buckets))}
	var logBuf [4]windowLog
	var foundBuf [4]bool
	logs, founds := logBuf[:0], foundBuf[:0]
	newKeys := int64(0)
	for i, b := range c.Buckets {
		w, found := m.shards[shardOf[i]].buckets[b.Key]
		w = w.trim(now)
		logs, founds = append(logs, w), append(founds, found)
		out.States[i].Allowed = limits[i].admits(len(w))
		if !out.States[i].Allowed && out.Allowed {
			out.Allowed, out.Refused = false, i
		}
		if !found {
			newKeys++
		}
	}
	charge := out.Allowed && !c.Probe
	if !charge {
		newKeys = 0
	}
	var counter anomalyCounter
	if c.AnomalyKey != "" {
		var found bool
		counter, found = m.shards[shardOf[len(c.Buckets)]].anomalies[c.AnomalyKey]
		if !found {
			newKeys++
		}
	}
	if err := m.reserve(newKeys); err != nil {
		return Outcome{}, err
	}

	for i, b := range c.Buckets {
		if charge {
			logs[i] = logs[i].add(now + limits[i].period)
		}
		if charge || founds[i] {
			m.shards[shardOf[i]].buckets[b.Key] = logs[i]
		}
		out.States[i] = logs[i].state(limits[i], now, out.States[i].Allowed)
	}
	if c.AnomalyKey != "" {
		if counter.observe(anomalyWindowOf(now), c.AnomalyFactor, c.AnomalyFloor) {
			out.Anomaly = &Anomaly{Baseline: counter.baseline, Observed: counter.count, Window: AnomalyWindow}
		}
		m.shards[shardOf[len(c.Buckets)]].anomalies[c.AnomalyKey] = counter
	}
	if newKeys > 0 {
		m.sweepGrown(order, now)
	}
	return out, nil
}

// reserve counts n new entries against MaxKeys, or fails without counting.
func (m *Memory) reserve(n int64) error {
	if n == 0 {
		return nil
	}
	if m.keys.Add(n) > m.maxKeys {
		m.keys.Add(-n)
		return ErrMemoryFull
	}
	return nil
}

// sweepAll sweeps every shard, one at a time, unless another sweep of all
// shards ran less than fullSweepGap before now. It reports whether it swept.
func (m *Memory) sweepAll(now int64) bool {
	last := m.lastFullSweep.Load()
	if now-last < fullSweepGap || !m.lastFullSweep.CompareAndSwap(last, now) {
		return false
	}
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		m.keys.Add(-s.sweep(now))
		s.mu.Unlock()
	}
	return true
}

func (m *Memory) shardOf(key string) uint32 {
	return uint32(maphash.String(m.seed, key) & m.mask)
}

// entries is the number of entries held, swept or not.
func (m *Memory) entries() int {
	n := 0
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		n += s.size()
		s.mu.Unlock()
	}
	return n
}
