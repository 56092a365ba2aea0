package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// rssSampleEvery is how often the RSS is sampled during a load.
const rssSampleEvery = 100 * time.Millisecond

// rssSampler records the peak resident set size of this process while a
// load runs. It reads VmRSS from /proc/self/status, so it works on Linux
// only; elsewhere it reports the error instead of a figure.
type rssSampler struct {
	stop  chan struct{}
	done  chan struct{}
	maxKB int64
	err   error
}

// startRSSSampler samples until stopped or until ctx ends.
func startRSSSampler(ctx context.Context) *rssSampler {
	s := &rssSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		tick := time.NewTicker(rssSampleEvery)
		defer tick.Stop()
		for {
			kb, err := readVmRSS()
			if err != nil {
				s.err = err
				return
			}
			s.maxKB = max(s.maxKB, kb)
			select {
			case <-tick.C:
			case <-s.stop:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return s
}

// finish stops sampling and returns the peak in MB.
func (s *rssSampler) finish() (float64, error) {
	close(s.stop)
	<-s.done
	return float64(s.maxKB) / 1024, s.err
}

// readVmRSS returns the VmRSS line of /proc/self/status in kB.
func readVmRSS() (int64, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("read RSS: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		if rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmRSS:")); ok {
			kb, err := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte(" kB"))), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("read RSS: VmRSS %q: %w", rest, err)
			}
			return kb, nil
		}
	}
	return 0, errors.New("read RSS: no VmRSS in /proc/self/status")
}
