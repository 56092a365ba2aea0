package protection

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	engine "hoc/l5_engines/protection"
)

// decisionMetrics are protection's metrics: decisions by dimension and
// outcome, state backend failures, and the decision latency.
type decisionMetrics struct {
	decisions      *prometheus.CounterVec
	backendErrors  prometheus.Counter
	decisionTiming prometheus.Histogram
}

func newDecisionMetrics(reg prometheus.Registerer) (*decisionMetrics, error) {
	m := &decisionMetrics{
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hoc_protection_decisions_total",
			Help: "Protection decisions by dimension (empty for a plain allow) and outcome."}, []string{"dimension", "outcome"}),
		backendErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "hoc_protection_backend_errors_total",
			Help: "Protection decisions made without the state backend, which failed."}),
		decisionTiming: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "hoc_protection_decision_seconds",
			Help: "Time to decide on one request, facts included.", Buckets: prometheus.ExponentialBuckets(0.00005, 2.5, 10)}),
	}
	for _, c := range []prometheus.Collector{m.decisions, m.backendErrors, m.decisionTiming} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *decisionMetrics) observe(d engine.Decision, took time.Duration) {
	m.decisions.WithLabelValues(d.Dimension, string(d.Outcome)).Inc()
	if d.Dimension == engine.DimensionBackendUnavailable {
		m.backendErrors.Inc()
	}
	m.decisionTiming.Observe(took.Seconds())
}
