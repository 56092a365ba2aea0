package telemetry

import (
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	integrationsengine "hoc/l5_engines/integrations"
	pricingengine "hoc/l5_engines/pricing"
	engine "hoc/l5_engines/telemetry"
)

// otherLabel stands for every provider or model outside the known set.
const otherLabel = "other"

// knownProviders are the integrations' provider types.
var knownProviders = integrationsengine.ProviderTypes

// DefaultMetricModels are the model names ingest metrics are labelled with
// when HOC_METRICS_MODELS does not say otherwise: the models of the price
// list hoc ships, which are the widely used public ones. Every other model is
// counted as "other".
func DefaultMetricModels() []string { return pricingengine.ListedModels() }

// MetricLabels is the bounded set of label values of the ingest metrics:
// provider and model are free text a tenant chooses, and /metrics is public,
// so only names from these lists appear there; every other value is "other"
// (SPEC §3.4). The number of series is therefore fixed, whatever tenants send.
type MetricLabels struct {
	// Models are the model names counted under their own name.
	Models []string
}

// ingestMetrics are the telemetry ingest counters of SPEC §3.4, counted for
// accepted records only, labelled by provider and model from a bounded set.
type ingestMetrics struct {
	models  []string
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
func newIngestMetrics(reg prometheus.Registerer, known MetricLabels) (*ingestMetrics, error) {
	labels := []string{"provider", "model"}
	m := &ingestMetrics{
		models: known.Models,
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
		provider, model := m.label(knownProviders, rec.Provider), m.label(m.models, rec.Model)
		m.calls.WithLabelValues(provider, model).Inc()
		m.tokens.WithLabelValues(provider, model, "in").Add(float64(rec.TokensIn))
		m.tokens.WithLabelValues(provider, model, "out").Add(float64(rec.TokensOut))
		m.cost.WithLabelValues(provider, model).Add(float64(r.CostMicros)) // as stored: the client's, or the price table's
		if rec.ErrorCode != nil && *rec.ErrorCode != "" {
			m.errors.WithLabelValues(provider, model).Inc()
		}
		if rec.LatencyMS != nil {
			m.latency.WithLabelValues(provider, model).Observe(float64(*rec.LatencyMS) / 1000)
		}
	}
}

// Queued and Grouped show the telemetry writer's group commit at work
// (engine.WriterObserver): how many records wait for a group, and how many
// each group carried and how long its write took.
func (m *ingestMetrics) Queued(delta int) { m.groupQueue.Add(float64(delta)) }

// Grouped observes one group's write.
func (m *ingestMetrics) Grouped(records int, took time.Duration) {
	m.groupRecords.Observe(float64(records))
	m.groupSeconds.Observe(took.Seconds())
}

// label is value when known holds it, else "other".
func (m *ingestMetrics) label(known []string, value string) string {
	if slices.Contains(known, value) {
		return value
	}
	return otherLabel
}
