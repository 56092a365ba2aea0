package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
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
	InvalidLines int     `json:"invalid_lines"` // lines the API would refuse, or with an unknown field; not sent
	Sent         int     `json:"sent"`
	Accepted     int64   `json:"accepted"`
	Duplicates   int64   `json:"duplicates"`
	Conflicts    int64   `json:"conflicts"`
	Rejected     int64   `json:"rejected"`
	Failed       int64   `json:"failed"` // not delivered: the server refused the key, or a second interrupt gave up
	Retries      int64   `json:"retries"`
	Seconds      float64 `json:"seconds"`
}

// maxReportedProblems bounds the per-record problems written to stderr.
const maxReportedProblems = 20

func newReportCmd(cfg *Config, stdout, stderr io.Writer) *cobra.Command {
	opts := reportOptions{batchSize: client.MaxBatch}
	c := &cobra.Command{
		Use:   "report --key KEY [--url URL] [--file records.jsonl]",
		Short: "Send telemetry records from a JSON-lines file or stdin through the API",
		Long: `Send LLM usage records, one JSON object per line (the fields of
POST /api/v1/telemetry/llm-usage), from --file or stdin to a running hocd,
through the Go client (l2_api/client): batched, retried with backoff until
the server answers, and idempotent by call_id, so a report run twice stores
every record once and the second run counts duplicates. For backfills and
smoke tests.

Each line is judged by the API's own rules before it is sent: a line the
API would refuse (a required field missing, a string for a number), or
that has a field the API does not know (tokensIn for tokens_in, which the
API would ignore, storing a zero), is not sent and is named on stderr with
its line number and the API's messages. Without --url, report talks to
the address in $HOC_ADDR, where hocd serve listens (on 127.0.0.1 when the
address names every interface, as :8080 does).

A progress line is shown on a terminal, with the total, percentage and
time left when the input is a file. The first interrupt (Ctrl-C) stops
reading and delivers what was read; a second gives up on what is not yet
delivered. At the end one JSON summary is printed: lines, invalid_lines,
sent, accepted, duplicates, conflicts, rejected, failed. The first rejected
records are named on stderr. Exits 1 when a record could not be delivered
(failed) or a line was not sent.`,
		Example: `  hocd report --key "$KEY" --file backfill.jsonl
  ./export-calls | hocd report --url https://hoc.example.com --key "$KEY"`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.key == "" {
				opts.key = os.Getenv("HOC_REPORT_KEY")
			}
			if opts.key == "" {
				return usageErrorf("missing --key (or HOC_REPORT_KEY)")
			}
			if err := inRange("batch-size", opts.batchSize, 1, client.MaxBatch); err != nil {
				return err
			}
			if !cmd.Flags().Changed("url") {
				u, err := serverURL(cfg.Addr)
				if err != nil {
					return fmt.Errorf("no --url, and HOC_ADDR %q is not host:port: %w", cfg.Addr, err)
				}
				opts.url = u
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
			read, deliver, stop := interrupts()
			defer stop()
			sum, err := runReport(read, deliver, opts, in, stderr)
			if perr := printJSON(stdout, sum); err == nil {
				err = perr
			}
			if err == nil && (sum.Failed > 0 || sum.InvalidLines > 0) {
				err = fmt.Errorf("report: %d record(s) not delivered, %d line(s) not sent", sum.Failed, sum.InvalidLines)
			}
			return err
		},
	}
	f := c.Flags()
	f.StringVar(&opts.url, "url", "", "hocd's base URL (default: http:// and $HOC_ADDR, else http://127.0.0.1:8080)")
	f.StringVar(&opts.key, "key", "", "an integration key, or an aos_ API key with telemetry:write ($HOC_REPORT_KEY)")
	f.StringVar(&opts.file, "file", "", "JSON-lines file of records (default: stdin)")
	f.IntVar(&opts.batchSize, "batch-size", opts.batchSize, "records per request, 1..1000")
	return c
}

// serverURL is the base URL of the hocd that listens on addr (HOC_ADDR);
// an address of every interface (":8080", "0.0.0.0:8080") is reached on
// this host's loopback.
func serverURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", err
	}
	if host == "" || net.ParseIP(host).IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port), nil
}

// interrupts returns the contexts of report's two interrupts (SIGINT or
// SIGTERM): the first ends read, so that the records read so far are
// delivered; the second ends deliver, so that retries against a server that
// stays down, which are otherwise unbounded, give up and the summary is
// still printed.
func interrupts() (read, deliver context.Context, stop func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	read, endRead := context.WithCancel(context.Background())
	deliver, giveUp := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		for _, end := range []context.CancelFunc{endRead, giveUp} {
			select {
			case <-sig:
				end()
			case <-done:
				return
			}
		}
	}()
	return read, deliver, func() {
		signal.Stop(sig)
		close(done)
		endRead()
		giveUp()
	}
}

// runReport sends every record of in and waits for every result. Reading
// stops when ctx ends; delivering, when deliver does.
func runReport(ctx, deliver context.Context, opts reportOptions, in io.Reader, stderr io.Writer) (reportSummary, error) {
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
	progress := newProgress(stderr, c, in)
	defer progress.stop()

	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 8<<20)
	var readErr error
	for n := 1; sc.Scan() && ctx.Err() == nil; n++ {
		line := bytes.Trim(sc.Bytes(), jsonSpace)
		if len(line) == 0 {
			continue
		}
		sum.Lines++
		rec, problem := readReportLine(line)
		if problem != "" {
			sum.InvalidLines++
			progress.invalid.Add(1)
			if sum.InvalidLines <= maxReportedProblems {
				fmt.Fprintf(stderr, "hocd report: line %d %s\n", n, problem)
			}
			continue
		}
		if _, err := c.Send(ctx, rec); err != nil {
			if ctx.Err() == nil { // else interrupted while the buffer was full: said below
				readErr = err
			}
			break
		}
		sum.Sent++
	}
	if err := sc.Err(); err != nil && readErr == nil {
		readErr = fmt.Errorf("read the records: %w", err)
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "hocd report: interrupted: delivering the records read so far (interrupt again to give up on them)")
	}
	closeErr := c.Close(deliver)
	s := c.Stats()
	sum.Accepted, sum.Duplicates, sum.Conflicts, sum.Rejected, sum.Failed, sum.Retries =
		s.Accepted, s.Duplicates, s.Conflicts, s.Rejected, s.Failed, s.Retries
	sum.Seconds = time.Since(start).Round(time.Millisecond).Seconds()
	switch {
	case closeErr != nil:
		closeErr = fmt.Errorf("interrupted again: gave up on the records not yet delivered (counted failed): %w", closeErr)
	case ctx.Err() != nil && readErr == nil:
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
