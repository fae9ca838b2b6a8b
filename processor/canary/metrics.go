package canary

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/veil-privacy/veil/rules"
)

// metrics are the canary's metrics; labels are view names and type names.
type metrics struct {
	sent    prometheus.Counter
	checks  *prometheus.CounterVec
	leaks   *prometheus.CounterVec
	latency *prometheus.HistogramVec
}

// newMetrics registers the metrics on reg, with a zero series for every
// view and type so that a leak is an increase from 0.
func newMetrics(reg prometheus.Registerer, views []string, types []rules.Type) *metrics {
	m := &metrics{
		sent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "veil_canary_events_total", Help: "Canary events produced to the raw topic.",
		}),
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "veil_canary_checks_total", Help: "Canary renderings read back from a view topic and checked.",
		}, []string{"view"}),
		leaks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "veil_canary_leaks_total",
			Help: "Canary renderings that show a value of a type the view's policy does not keep, by view and type.",
		}, []string{"view", "type"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "veil_canary_latency_seconds",
			Help:    "Time from sending a canary event to reading its rendering on a view topic.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 15),
		}, []string{"view"}),
	}
	for _, v := range views {
		m.checks.WithLabelValues(v)
		m.latency.WithLabelValues(v)
		for _, t := range types {
			m.leaks.WithLabelValues(v, string(t))
		}
	}
	reg.MustRegister(m.sent, m.checks, m.leaks, m.latency)
	return m
}
