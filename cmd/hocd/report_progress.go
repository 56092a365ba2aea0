package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"hoc/l2_api/client"
)

// progress rewrites one line on a terminal with what `hocd report` has
// done so far; off a terminal it writes nothing.
type progress struct {
	invalid atomic.Int64 // lines not sent, counted by the reading loop
	done    chan struct{}
	wg      sync.WaitGroup
}

// newProgress starts the progress line of c's records read from in. When in
// is a regular file (--file, or stdin redirected from one) its lines are
// counted first, so that the line shows the total, the percentage and the
// time left; a pipe's lines are known only once read.
func newProgress(w io.Writer, c *client.Client, in io.Reader) *progress {
	p := &progress{done: make(chan struct{})}
	if f, ok := w.(*os.File); !ok || !isTerminal(f) {
		return p
	}
	start := time.Now()
	var count func() (int, bool)
	if f, ok := in.(*os.File); ok {
		// The offset is taken now, before the reading loop moves it.
		if at, err := f.Seek(0, io.SeekCurrent); err == nil {
			count = func() (int, bool) { return countRecordLines(f, at) }
		}
	}
	p.wg.Go(func() {
		total := -1
		if count != nil {
			if n, ok := count(); ok {
				total = n
			}
		}
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				fmt.Fprintf(w, "\r%s\033[K", progressLine(c.Stats(), p.invalid.Load(), total, time.Since(start)))
			case <-p.done:
				fmt.Fprint(w, "\r\033[K")
				return
			}
		}
	})
	return p
}

func (p *progress) stop() {
	close(p.done)
	p.wg.Wait()
}

// progressLine is the progress after elapsed: lines done (records with a
// result, and lines not sent) of total, or of an unknown total when total
// is negative, the rate, the time left, and the counts by outcome.
func progressLine(s client.Stats, invalid int64, total int, elapsed time.Duration) string {
	done := s.Accepted + s.Duplicates + s.Conflicts + s.Rejected + s.Failed + invalid
	var b strings.Builder
	if total >= 0 {
		pct := int64(100)
		if total > 0 {
			pct = min(100, done*100/int64(total))
		}
		fmt.Fprintf(&b, "%d/%d lines (%d%%)", done, total, pct)
	} else {
		fmt.Fprintf(&b, "%d lines", done)
	}
	var rate float64
	if elapsed > 0 {
		rate = float64(done) / elapsed.Seconds()
		fmt.Fprintf(&b, "  %.0f/s", rate)
	}
	if left := int64(total) - done; total >= 0 && left > 0 {
		if rate > 0 {
			fmt.Fprintf(&b, "  ETA %s", time.Duration(float64(left)/rate*float64(time.Second)).Round(time.Second))
		} else {
			b.WriteString("  ETA ?")
		}
	}
	fmt.Fprintf(&b, "  accepted %d  duplicates %d  rejected %d  failed %d  invalid %d  retries %d",
		s.Accepted, s.Duplicates, s.Rejected+s.Conflicts, s.Failed, invalid, s.Retries)
	return b.String()
}

// countRecordLines counts the lines of f after offset at that hold more
// than JSON whitespace, as the reading loop counts them, without moving
// f's offset; false when f is not a regular file (a pipe or a terminal
// can be read only once). It reads at the speed of the disk, a small part
// of what sending the records costs.
func countRecordLines(f *os.File, at int64) (int, bool) {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return 0, false
	}
	r := io.NewSectionReader(f, at, max(0, st.Size()-at))
	buf := make([]byte, 256<<10)
	n, content := 0, false
	for {
		k, err := r.Read(buf)
		for _, c := range buf[:k] {
			switch c {
			case '\n':
				if content {
					n++
				}
				content = false
			case ' ', '\t', '\r': // jsonSpace
			default:
				content = true
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, false
		}
	}
	if content {
		n++
	}
	return n, true
}
