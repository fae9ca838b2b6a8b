package erasure

import "github.com/prometheus/client_golang/prometheus"

// Outcomes of an erasure request (label of veil_erasure_requests_total).
const (
	outcomeCompleted = "completed" // erased, receipt published
	outcomeRepeated  = "repeated"  // a request id seen before: receipt published again
	outcomeReplayed  = "replayed"  // the same request record again after a restart: nothing to do
	outcomeInvalid   = "invalid"   // undecodable or incomplete request, skipped
	outcomeFailed    = "failed"    // not completed; will be handled again
)

// metrics are the erasure service's Prometheus metrics. Labels come from
// closed sets (outcomes, configured topic names, reasons): never ids.
type metrics struct {
	requests   *prometheus.CounterVec
	tombstones *prometheus.CounterVec
	rerendered *prometheus.CounterVec
	seconds    prometheus.Histogram
	sweeps     prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "veil_erasure_requests_total", Help: "Erasure requests handled, by outcome.",
		}, []string{"outcome"}),
		tombstones: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "veil_tombstones_total", Help: "Tombstones acknowledged, by topic and reason (request or retention).",
		}, []string{"topic", "reason"}),
		rerendered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "veil_rerendered_records_total", Help: "View records written again with erased identifiers redacted, by topic.",
		}, []string{"topic"}),
		seconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "veil_erasure_seconds",
			Help:    "Time from an erasure request record to its published receipt.",
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 10),
		}),
		sweeps: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "veil_retention_sweeps_total", Help: "Retention sweeps completed.",
		}),
	}
	reg.MustRegister(m.requests, m.tombstones, m.rerendered, m.seconds, m.sweeps)
	return m
}
