package activity

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	engine "hoc/l5_engines/activity"
)

// maxLabelLen bounds provider and model label values, which clients choose:
// the labels are never tenant or record ids (SPEC §3.4), and a long value
// cannot inflate the series.
const maxLabelLen = 64

// ingestMetrics are the telemetry ingest counters of SPEC §3.4, counted for
// accepted records only, labelled by provider and model.
type ingestMetrics struct {
	calls   *prometheus.CounterVec
	tokens  *prometheus.CounterVec
	cost    *prometheus.CounterVec
	errors  *prometheus.CounterVec
	latency *prometheus.HistogramVec
	// groupRecords and groupQueue show group commit at work: how many
	// records each shared transaction carried, and how many wait for one.
	groupRecords prometheus.Histogram
	groupSeconds prometheus.Histogram
	groupQueue   prometheus.Gauge
}

// newIngestMetrics registers the ingest metrics with reg.
func newIngestMetrics(reg prometheus.Registerer) (*ingestMetrics, error) {
	labels := []string{"provider", "model"}
	m := &ingestMetrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hoc_llm_calls_total",
			Help: "LLM calls recorded through telemetry ingest."}, labels),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hoc_llm_tokens_total",
			Help: "LLM tokens recorded, by direction (in or out)."}, append(labels, "direction")),
		cost: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hoc_llm_cost_micros_total",
			Help: "LLM cost recorded, in micro-dollars."}, labels),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hoc_llm_errors_total",
			Help: "LLM calls recorded with an error code."}, labels),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "hoc_llm_latency_seconds",
			Help:    "Latency of the LLM calls recorded, as reported by the SDK.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2, 5, 10, 30, 60, 120}}, labels),
		groupRecords: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "hoc_ingest_group_records",
			Help:    "Single-record ingests committed together in one transaction (group commit).",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256}}),
		groupSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "hoc_ingest_group_seconds",
			Help:    "Duration of one group commit's write, from its first statement to its commit.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, .5, 1}}),
		groupQueue: prometheus.NewGauge(prometheus.GaugeOpts{Name: "hoc_ingest_group_queue",
			Help: "Single-record ingests waiting for a group commit."}),
	}
	for _, c := range []prometheus.Collector{m.calls, m.tokens, m.cost, m.errors, m.latency, m.groupRecords, m.groupSeconds, m.groupQueue} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// observe counts the accepted records of one ingest.
func (m *ingestMetrics) observe(items []engine.Item, res engine.IngestResult) {
	for _, r := range res.Results {
		if r.Status != engine.StatusAccepted {
			continue
		}
		rec := items[r.Index].Record
		provider, model := clip(rec.Provider), clip(rec.Model)
		m.calls.WithLabelValues(provider, model).Inc()
		m.tokens.WithLabelValues(provider, model, "in").Add(float64(rec.TokensIn))
		m.tokens.WithLabelValues(provider, model, "out").Add(float64(rec.TokensOut))
		micros := rec.CostCents * 10_000
		if rec.CostMicros != nil {
			micros = *rec.CostMicros
		}
		m.cost.WithLabelValues(provider, model).Add(float64(micros))
		if rec.ErrorCode != nil && *rec.ErrorCode != "" {
			m.errors.WithLabelValues(provider, model).Inc()
		}
		if rec.LatencyMS != nil {
			m.latency.WithLabelValues(provider, model).Observe(float64(*rec.LatencyMS) / 1000)
		}
	}
}

// clip shortens s to maxLabelLen runes; label values must stay valid UTF-8.
func clip(s string) string {
	s = strings.ToValidUTF8(s, "?")
	for i := range s {
		if i >= maxLabelLen {
			return s[:i]
		}
	}
	return s
}
