package protection

import "sync"

// minSweepSize is the size below which a shard never sweeps on growth.
const minSweepSize = 1024

// memoryShard is one independently locked part of Memory.
type memoryShard struct {
	mu sync.Mutex
	// buckets holds each bucket's log of the requests inside its window.
	buckets   map[string]windowLog
	anomalies map[string]anomalyCounter
	// marks holds each mark's expiry (µs).
	marks map[string]int64
	// nextSweep is the size at which the shard sweeps: twice its size after
	// the last sweep, so that sweeping costs O(1) per new entry.
	nextSweep int
	// The padding keeps neighbouring shards' mutexes off one cache line.
	_ [64]byte
}

func (s *memoryShard) init() {
	s.buckets = make(map[string]windowLog)
	s.anomalies = make(map[string]anomalyCounter)
	s.marks = make(map[string]int64)
	s.nextSweep = minSweepSize
}

func (s *memoryShard) size() int { return len(s.buckets) + len(s.anomalies) + len(s.marks) }

// sweep deletes the entries that are equivalent to absent at now (µs) and
// returns how many it deleted. The caller holds s.mu.
func (s *memoryShard) sweep(now int64) int64 {
	deleted := int64(0)
	for k, w := range s.buckets {
		if len(w) == 0 || w[len(w)-1] <= now {
			delete(s.buckets, k)
			deleted++
		}
	}
	w := anomalyWindowOf(now)
	for k, a := range s.anomalies {
		if a.idle(w) {
			delete(s.anomalies, k)
			deleted++
		}
	}
	for k, expiry := range s.marks {
		if expiry <= now {
			delete(s.marks, k)
			deleted++
		}
	}
	s.nextSweep = max(minSweepSize, 2*s.size())
	return deleted
}

// sweepIfGrown sweeps the shard when it has reached its next sweep size.
// The caller holds s.mu.
func (s *memoryShard) sweepIfGrown(m *Memory, now int64) {
	if s.size() >= s.nextSweep {
		m.keys.Add(-s.sweep(now))
	}
}

// lockOrder inserts shard into order, which lists the shards one decision
// touches, distinct and ascending: the one order in which every decision
// locks, so that none deadlock.
func lockOrder(order []uint32, shard uint32) []uint32 {
	i := 0
	for i < len(order) && order[i] < shard {
		i++
	}
	if i < len(order) && order[i] == shard {
		return order
	}
	order = append(order, 0)
	copy(order[i+1:], order[i:])
	order[i] = shard
	return order
}

func (m *Memory) lock(order []uint32) {
	for _, i := range order {
		m.shards[i].mu.Lock()
	}
}

func (m *Memory) unlock(order []uint32) {
	for _, i := range order {
		m.shards[i].mu.Unlock()
	}
}

// sweepGrown sweeps those of the locked shards that have grown enough.
func (m *Memory) sweepGrown(order []uint32, now int64) {
	for _, i := range order {
		m.shards[i].sweepIfGrown(m, now)
	}
}
