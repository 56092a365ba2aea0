package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"hoc/l2_api/client"
)

// reportOptions are the flags of `hocd report`.
type reportOptions struct {
	url, key, file string
	batchSize      int
}

// reportSummary is what `hocd report` prints at the end.
type reportSummary struct {
	Lines        int     `json:"lines"`         // lines read (blank ones not counted)
	InvalidLines int     `json:"invalid_lines"` // lines that are not a JSON record; not sent
	Sent         int     `json:"sent"`
	Accepted     int64   `json:"accepted"`
	Duplicates   int64   `json:"duplicates"`
	Conflicts    int64   `json:"conflicts"`
	Rejected     int64   `json:"rejected"`
	Failed       int64   `json:"failed"` // not delivered: retries ran out, or the server refused the key
	Retries      int64   `json:"retries"`
	Seconds      float64 `json:"seconds"`
}

// maxReportedProblems bounds the per-record problems written to stderr.
const maxReportedProblems = 20

func newReportCmd(stdout, stderr io.Writer) *cobra.Command {
	opts := reportOptions{url: "http://localhost:8080", batchSize: client.MaxBatch}
	c := &cobra.Command{
		Use:   "report --key KEY [--url URL] [--file records.jsonl]",
		Short: "Send telemetry records from a JSON-lines file or stdin through the API",
		Long: `Send LLM usage records, one JSON object per line (the fields of
POST /api/v1/telemetry/llm-usage), from --file or stdin to a running hocd,
through the Go client (l2_api/client): batched, retried with backoff, and
idempotent by call_id, so a report run twice stores every record once and
the second run counts duplicates. For backfills and smoke tests.

A progress line is shown on a terminal; at the end one JSON summary is
printed: lines, invalid_lines, sent, accepted, duplicates, conflicts,
rejected, failed. The first rejected records are named on stderr. Exits 1
when a record could not be delivered (failed) or a line was not a record.`,
		Example: `  hocd report --key "$KEY" --file backfill.jsonl
  ./export-calls | hocd report --url https://hoc.example.com --key "$KEY"`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			if opts.key == "" {
				opts.key = os.Getenv("HOC_REPORT_KEY")
			}
			if opts.key == "" {
				return usageErrorf("missing --key (or HOC_REPORT_KEY)")
			}
			if err := inRange("batch-size", opts.batchSize, 1, client.MaxBatch); err != nil {
				return err
			}
			in := io.Reader(os.Stdin)
			if opts.file != "" && opts.file != "-" {
				f, err := os.Open(opts.file)
				if err != nil {
					return err
				}
				defer f.Close()
				in = f
			}
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			sum, err := runReport(ctx, opts, in, stderr)
			if perr := printJSON(stdout, sum); err == nil {
				err = perr
			}
			if err == nil && (sum.Failed > 0 || sum.InvalidLines > 0) {
				err = fmt.Errorf("report: %d record(s) not delivered, %d invalid line(s)", sum.Failed, sum.InvalidLines)
			}
			return err
		},
	}
	f := c.Flags()
	f.StringVar(&opts.url, "url", opts.url, "hocd's base URL")
	f.StringVar(&opts.key, "key", "", "an integration key, or an aos_ API key with telemetry:write ($HOC_REPORT_KEY)")
	f.StringVar(&opts.file, "file", "", "JSON-lines file of records (default: stdin)")
	f.IntVar(&opts.batchSize, "batch-size", opts.batchSize, "records per request, 1..1000")
	return c
}

// runReport sends every record of in and waits for every result.
func runReport(ctx context.Context, opts reportOptions, in io.Reader, stderr io.Writer) (reportSummary, error) {
	start := time.Now()
	var mu sync.Mutex
	problems := 0
	cfg := client.Config{BaseURL: opts.url, BatchSize: opts.batchSize, OnResult: func(r client.Result) {
		if r.Outcome == client.Accepted || r.Outcome == client.Duplicate {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if problems++; problems <= maxReportedProblems {
			fmt.Fprintf(stderr, "hocd report: %s %s: %s\n", r.CallID, r.Outcome, describeResult(r))
		}
	}}
	if strings.HasPrefix(opts.key, "aos_") {
		cfg.APIKey = opts.key
	} else {
		cfg.IntegrationKey = opts.key
	}
	c, err := client.New(cfg)
	if err != nil {
		return reportSummary{}, usageError{err}
	}
	var sum reportSummary
	progress := newProgress(stderr, c)
	defer progress.stop()

	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 8<<20)
	var readErr error
	for sc.Scan() && ctx.Err() == nil {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		sum.Lines++
		var rec client.Record
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			sum.InvalidLines++
			if sum.InvalidLines <= maxReportedProblems {
				fmt.Fprintf(stderr, "hocd report: line %d is not a JSON record: %v\n", sum.Lines, err)
			}
			continue
		}
		if _, err := c.Send(ctx, rec); err != nil {
			readErr = err
			break
		}
		sum.Sent++
	}
	if err := sc.Err(); err != nil && readErr == nil {
		readErr = fmt.Errorf("read the records: %w", err)
	}
	closeErr := c.Close(context.WithoutCancel(ctx))
	s := c.Stats()
	sum.Accepted, sum.Duplicates, sum.Conflicts, sum.Rejected, sum.Failed, sum.Retries =
		s.Accepted, s.Duplicates, s.Conflicts, s.Rejected, s.Failed, s.Retries
	sum.Seconds = time.Since(start).Round(time.Millisecond).Seconds()
	if ctx.Err() != nil && readErr == nil {
		readErr = errors.New("interrupted: the records read so far were delivered")
	}
	return sum, errors.Join(readErr, closeErr)
}

// describeResult says why a record was not stored.
func describeResult(r client.Result) string {
	msg := r.Message
	if r.Code != "" {
		msg = r.Code + ": " + msg
	}
	for _, f := range r.Fields {
		msg += fmt.Sprintf(" [%s %s]", f.Field, f.Message)
	}
	if r.Err != nil && r.Code == "" {
		msg = r.Err.Error()
	}
	return msg
}

// progress rewrites one line on a terminal with the counts so far; off a
// terminal it writes nothing.
type progress struct {
	done chan struct{}
	wg   sync.WaitGroup
}

func newProgress(w io.Writer, c *client.Client) *progress {
	p := &progress{done: make(chan struct{})}
	if f, ok := w.(*os.File); !ok || !isTerminal(f) {
		return p
	}
	p.wg.Go(func() {
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				s := c.Stats()
				fmt.Fprintf(w, "\rsent %d  accepted %d  duplicates %d  rejected %d  failed %d ",
					s.Accepted+s.Duplicates+s.Conflicts+s.Rejected+s.Failed, s.Accepted, s.Duplicates, s.Rejected+s.Conflicts, s.Failed)
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
