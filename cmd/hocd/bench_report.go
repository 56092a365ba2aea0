package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"hoc/l6_drivers/db"
)

// benchReport is the result of one `hocd bench` run, printed as a table or
// as one JSON object.
type benchReport struct {
	Date      string        `json:"date"`
	Machine   benchMachine  `json:"machine"`
	Database  benchDatabase `json:"database"`
	Records   int           `json:"records"`
	Settings  benchSettings `json:"settings"`
	Workloads []benchRow    `json:"workloads"`
}

// benchMachine says where the figures were measured.
type benchMachine struct {
	CPUs      int    `json:"cpus"`
	OS        string `json:"goos"`
	Arch      string `json:"goarch"`
	GoVersion string `json:"go_version"`
}

// benchDatabase is the database the server ran on.
type benchDatabase struct {
	Dialect string `json:"dialect"`
	Version string `json:"version"`
}

// benchSettings are the load settings of the run.
type benchSettings struct {
	Clients      int     `json:"clients"`
	BatchClients int     `json:"batch_clients"`
	DurationS    float64 `json:"duration_s"`
}

// benchRow is one workload: hoc's figures, the baseline's figures measured
// in the same run (none for the micro benchmarks, which have no external
// yardstick), their ratio and the target the ratio or figure should meet.
type benchRow struct {
	Name        string       `json:"name"`
	Description string       `json:"description"`
	Hoc         benchFigures `json:"hoc"`
	Baseline    benchFigures `json:"baseline,omitempty"`
	// Ratio is hoc/baseline for throughputs and baseline/hoc for latencies,
	// so above 1 always means hoc is ahead; RatioOf says which.
	Ratio   float64 `json:"ratio,omitempty"`
	RatioOf string  `json:"ratio_of,omitempty"`
	Target  string  `json:"target"`
	Note    string  `json:"note,omitempty"`
}

// benchFigure is one measured value: its JSON key, which carries the unit,
// and how the table shows it.
type benchFigure struct {
	key    string
	value  float64
	format string
}

// benchFigures keep their order in JSON as in the table.
type benchFigures []benchFigure

// MarshalJSON writes the figures as one object in their order.
func (f benchFigures) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, fig := range f {
		if i > 0 {
			b.WriteByte(',')
		}
		key, err := json.Marshal(fig.key)
		if err != nil {
			return nil, err
		}
		b.Write(key)
		b.WriteByte(':')
		b.WriteString(strconv.FormatFloat(fig.value, 'f', -1, 64))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// String is the figures as a table cell.
func (f benchFigures) String() string {
	if len(f) == 0 {
		return "—"
	}
	cells := make([]string, len(f))
	for i, fig := range f {
		cells[i] = fmt.Sprintf(fig.format, fig.value)
	}
	return strings.Join(cells, ", ")
}

// The figures' constructors, one per unit.

func recordsPerS(v float64) benchFigure {
	return benchFigure{"records_per_s", v, "%.0f records/s"}
}

func rowsPerS(v float64) benchFigure {
	return benchFigure{"rows_per_s", v, "%.0f rows/s"}
}

func p50(d time.Duration) benchFigure {
	return benchFigure{"p50_ms", ms(d), "p50 %.2f ms"}
}

func p99(d time.Duration) benchFigure {
	return benchFigure{"p99_ms", ms(d), "p99 %.2f ms"}
}

func requests(n int) benchFigure {
	return benchFigure{"requests", float64(n), "%.0f requests"}
}

func groupByP50(d time.Duration) benchFigure {
	return benchFigure{"group_by_p50_ms", ms(d), "raw GROUP BY p50 %.2f ms"}
}

func runs(n int) benchFigure {
	return benchFigure{"runs", float64(n), "%.0f runs"}
}

func nsPerOp(v float64) benchFigure {
	return benchFigure{"ns_per_op", v, "%.0f ns/op"}
}

func allocsPerOp(n int64) benchFigure {
	return benchFigure{"allocs_per_op", float64(n), "%.0f allocs/op"}
}

func recordsPerGroup(v float64) benchFigure {
	return benchFigure{"records_per_group_commit", v, "%.1f records per transaction"}
}

func groupWriteMS(v float64) benchFigure {
	return benchFigure{"group_write_ms", v, "%.2f ms per group write"}
}

func rssMaxMB(v float64) benchFigure {
	return benchFigure{"rss_max_mb", v, "max %.0f MB"}
}

// latencyFigures are p50, p99 and the sample size of sorted latencies.
func latencyFigures(sorted []time.Duration) benchFigures {
	return benchFigures{p50(percentile(sorted, 50)), p99(percentile(sorted, 99)), requests(len(sorted))}
}

// newBenchReport describes the machine and the database.
func newBenchReport(ctx context.Context, d *db.DB, opts benchOptions) (benchReport, error) {
	query := "SELECT sqlite_version()"
	if d.Dialect() == db.DialectPostgres {
		query = "SELECT version()"
	}
	var version string
	if err := d.Conn(ctx).Raw(query).Row().Scan(&version); err != nil {
		return benchReport{}, fmt.Errorf("database version: %w", err)
	}
	return benchReport{
		Date:     time.Now().UTC().Format(time.RFC3339),
		Machine:  benchMachine{CPUs: runtime.NumCPU(), OS: runtime.GOOS, Arch: runtime.GOARCH, GoVersion: runtime.Version()},
		Database: benchDatabase{Dialect: string(d.Dialect()), Version: version},
		Records:  opts.records,
		Settings: benchSettings{Clients: opts.clients, BatchClients: opts.batchClients, DurationS: opts.duration.Seconds()},
	}, nil
}

// writeText prints the header line, the aligned table and the rows' notes.
func (r benchReport) writeText(w io.Writer) error {
	fmt.Fprintf(w, "hocd bench %s · %d CPUs · %s/%s · %s · %s %s · %d records · %d clients, %d batch clients, %v per load\n\n",
		r.Date, r.Machine.CPUs, r.Machine.OS, r.Machine.Arch, r.Machine.GoVersion, r.Database.Dialect, r.Database.Version,
		r.Records, r.Settings.Clients, r.Settings.BatchClients, time.Duration(r.Settings.DurationS*float64(time.Second)))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKLOAD\tHOC\tBASELINE\tRATIO\tTARGET")
	for _, row := range r.Workloads {
		ratio := "—"
		if row.RatioOf != "" {
			ratio = fmt.Sprintf("%.2f× (%s)", row.Ratio, row.RatioOf)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", row.Description, row.Hoc, row.Baseline, ratio, row.Target)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, row := range r.Workloads {
		if row.Note != "" {
			if _, err := fmt.Fprintf(w, "\n%s: %s\n", row.Description, row.Note); err != nil {
				return err
			}
		}
	}
	return nil
}
