package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

// benchOptions are the flags of `hocd bench`.
type benchOptions struct {
	records      int
	clients      int
	batchClients int
	batchSize    int // records per batch request and per baseline transaction
	duration     time.Duration
	json         bool
	only         string // comma-separated workload groups; empty runs all
	cpuProfile   string // file for a CPU profile of the run
}

// benchGroups are the workload groups --only can name, in the order they run.
var benchGroups = []string{"batch", "single", "pricing", "queries", "micro"}

// benchBatchSize is the batch workload's default request size: the largest
// batch the API accepts. The seed writes in transactions of this size too.
const benchBatchSize = 1000

// newBenchCmd is `hocd bench`: it starts an in-process hocd on a free
// loopback port, drives every workload over real HTTP next to a baseline
// measured in the same run, prints the table (or one JSON object with
// --json) and deletes every row it created. Only ratios measured together
// mean anything on a shared, noisy machine, hence the baselines.
func newBenchCmd(cfg *Config, stdout, stderr io.Writer) *cobra.Command {
	opts := benchOptions{records: 1_000_000, clients: 64, batchClients: 8, batchSize: benchBatchSize, duration: 10 * time.Second}
	c := &cobra.Command{
		Use:   "bench [--records N] [--clients N] [--batch-clients N] [--batch-size N] [--duration D] [--only groups] [--json]",
		Short: "Measure ingest and reads against baselines on the configured database",
		Long: `Start an in-process hocd on a free loopback port, drive every workload over
real HTTP next to a baseline measured in the same run (raw SQL on the same
database), print the table, and delete every row the run created.

It writes and deletes a million rows, so it never runs on the working
database by default: without --database-url (or HOC_DATABASE_URL) it uses a
fresh SQLite file in a temporary directory, removed afterwards.`,
		Example: `  hocd bench --database-url postgres://hoc@127.0.0.1:5432/hoc --only batch,single
  hocd bench --records 100000 --duration 5s --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			run := *cfg
			if _, fromEnv := os.LookupEnv("HOC_DATABASE_URL"); !fromEnv && !cmd.Flags().Changed("database-url") {
				dir, err := os.MkdirTemp("", "hocd-bench-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(dir)
				run.DatabaseURL = "sqlite:" + filepath.Join(dir, "bench.db")
			}
			return runBench(run, opts, stdout, stderr)
		},
	}
	fs := c.Flags()
	fs.IntVar(&opts.records, "records", opts.records, "records seeded for the query workloads")
	fs.IntVar(&opts.clients, "clients", opts.clients, "concurrent clients of the single-record ingest workload")
	fs.IntVar(&opts.batchClients, "batch-clients", opts.batchClients, "concurrent clients of the batch ingest workload")
	fs.IntVar(&opts.batchSize, "batch-size", opts.batchSize, "records per request of the batch ingest workload (1..1000), and per transaction of its baseline")
	fs.DurationVar(&opts.duration, "duration", opts.duration, "how long each load runs (and at most each query workload)")
	fs.BoolVar(&opts.json, "json", false, "print one JSON object instead of the table")
	fs.StringVar(&opts.only, "only", "", "run only these workload groups, comma-separated: "+strings.Join(benchGroups, ","))
	fs.StringVar(&opts.cpuProfile, "cpuprofile", "", "write a CPU profile of the workloads (server and clients) to this file")
	return c
}

func runBench(cfg Config, opts benchOptions, stdout, stderr io.Writer) error {
	if opts.clients <= 0 || opts.batchClients <= 0 || opts.duration <= 0 {
		return usageErrorf("--clients, --batch-clients and --duration must be positive")
	}
	if opts.batchSize < 1 || opts.batchSize > benchBatchSize {
		return usageErrorf("--batch-size must be between 1 and %d", benchBatchSize)
	}
	if opts.records <= historyPageSize {
		return usageErrorf("--records must be more than one history page (%d), so that there are cursor pages to time", historyPageSize)
	}
	for _, g := range opts.groups() {
		if !slices.Contains(benchGroups, g) {
			return usageErrorf("--only: unknown workload group %q (want %s)", g, strings.Join(benchGroups, ","))
		}
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	if opts.cpuProfile != "" {
		f, err := os.Create(opts.cpuProfile)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := runBenchWorkloads(ctx, cfg, opts, stderr)
	if err != nil {
		return err
	}
	if opts.json {
		return printJSON(stdout, rep)
	}
	return rep.writeText(stdout)
}

// groups lists the workload groups --only names.
func (o benchOptions) groups() []string {
	if o.only == "" {
		return nil
	}
	return strings.Split(o.only, ",")
}

// runBenchWorkloads runs every workload in the order of the report, each
// next to its baseline so that both see the same machine load. The server,
// and with it the cleanup of the bench's rows, is stopped however this
// returns.
func runBenchWorkloads(ctx context.Context, cfg Config, opts benchOptions, stderr io.Writer) (rep benchReport, err error) {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h, err := startBenchHocd(ctx, cfg, log, stderr)
	if err != nil {
		return benchReport{}, err
	}
	defer func() { err = errors.Join(err, h.stop()) }()

	rep, err = newBenchReport(ctx, h.db, opts)
	if err != nil {
		return benchReport{}, err
	}
	ingest, err := h.newTenant(ctx, "ingest")
	if err != nil {
		return benchReport{}, err
	}
	baseTenant, err := h.newTenant(ctx, "baseline")
	if err != nil {
		return benchReport{}, err
	}
	base, err := newBaseline(h.db.Dialect(), cfg.DatabaseURL, baseTenant)
	if err != nil {
		return benchReport{}, err
	}
	client := newBenchClient(h.base, max(opts.clients, opts.batchClients))
	defer client.close()

	steps := map[string]func() ([]benchRow, error){
		"batch":   func() ([]benchRow, error) { return benchBatch(ctx, client, base, ingest, opts) },
		"single":  func() ([]benchRow, error) { return benchSingle(ctx, h, client, base, ingest, opts) },
		"pricing": func() ([]benchRow, error) { return benchPricing(ctx, h, client, opts) },
		"queries": func() ([]benchRow, error) { return benchQueries(ctx, h, client, opts, stderr) },
		// The micro benchmarks come last, long after the server built its
		// registry: the registry one declares an operation (see benchNoop).
		"micro": func() ([]benchRow, error) { return benchMicro() },
	}
	for _, g := range benchGroups {
		if only := opts.groups(); len(only) > 0 && !slices.Contains(only, g) {
			continue
		}
		rows, err := steps[g]()
		if err != nil {
			return benchReport{}, err
		}
		rep.Workloads = append(rep.Workloads, rows...)
	}
	return rep, nil
}
