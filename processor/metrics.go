package processor

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the processor's Prometheus metrics. Labels come from closed
// sets (topics, views, reasons, types, partitions): never ids or payloads.
type metrics struct {
	eventsIn      *prometheus.CounterVec
	eventsOut     *prometheus.CounterVec
	dlq           *prometheus.CounterVec
	findings      *prometheus.CounterVec
	processing    prometheus.Histogram
	batch         prometheus.Histogram
	commitLag     *prometheus.GaugeVec
	produceErrors prometheus.Counter
	retries       prometheus.Counter
	commits       *prometheus.CounterVec
	lateDropped   prometheus.Counter
	rebuilds      prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		eventsIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "veil_events_in_total", Help: "Records consumed from the raw topic.",
		}, []string{"topic"}),
		eventsOut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "veil_events_out_total", Help: "Rendered events acknowledged per view.",
		}, []string{"view"}),
		dlq: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "veil_dlq_events_total", Help: "Records sent to the dead-letter topic, by reason.",
		}, []string{"reason"}),
		findings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "veil_findings_total", Help: "Personal data found, by type.",
		}, []string{"type"}),
		processing: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "veil_processing_seconds",
			Help:    "Time to decode, detect and render one event.",
			Buckets: prometheus.ExponentialBuckets(10e-6, 4, 10),
		}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "veil_batch_seconds",
			Help:    "Time from poll to commit of one batch.",
			Buckets: prometheus.ExponentialBuckets(1e-3, 4, 9),
		}),
		commitLag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "veil_commit_lag_records", Help: "Records between the committed offset and the high watermark.",
		}, []string{"topic", "partition"}),
		produceErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "veil_produce_errors_total", Help: "Output records whose produce failed (and were retried).",
		}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "veil_produce_retries_total", Help: "Backoff rounds spent re-producing failed outputs.",
		}),
		commits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "veil_commits_total", Help: "Offset commits, by outcome.",
		}, []string{"outcome"}),
		lateDropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "veil_late_events_dropped_total", Help: "Events of erased subjects, sent before the erasure, dropped unpublished.",
		}),
		rebuilds: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "veil_kafka_session_rebuilds_total", Help: "Kafka clients rebuilt after their session failed (a broker crash under exactly-once).",
		}),
	}
	reg.MustRegister(m.rebuilds, m.lateDropped, m.eventsIn, m.eventsOut, m.dlq, m.findings, m.processing, m.batch,
		m.commitLag, m.produceErrors, m.retries, m.commits)
	return m
}
