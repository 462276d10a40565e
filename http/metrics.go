package http

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"astara/ledger"
)

// Metrics are the Prometheus metrics of a server. They also implement
// ledger.Observer, so the pipeline reports into them.
type Metrics struct {
	Registry *prometheus.Registry

	commits       prometheus.Counter
	commitEntries prometheus.Histogram
	fsyncSeconds  prometheus.Histogram
	commitBytes   prometheus.Counter
	batches       *prometheus.CounterVec
	events        *prometheus.CounterVec
	batchEvents   prometheus.Histogram
	requests      *prometheus.CounterVec
	requestSecs   *prometheus.HistogramVec
}

var _ ledger.Observer = (*Metrics)(nil)

// NewMetrics registers Astara's metrics, and Go's process collectors, in a
// new registry.
func NewMetrics() *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{
		Registry: r,
		commits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "astara_journal_commits_total", Help: "Groups of journal entries made durable with one fsync."}),
		commitEntries: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "astara_journal_commit_entries", Help: "Entries per group commit.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 10)}),
		fsyncSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "astara_journal_fsync_seconds", Help: "Time to write and fsync one group of entries.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16)}),
		commitBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "astara_journal_payload_bytes_total", Help: "Payload bytes written to the journal."}),
		batches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "astara_ledger_batches_total", Help: "Batches applied by the ledger engine, by operation."}, []string{"op"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "astara_ledger_events_total", Help: "Accounts and transfers applied, by operation and outcome (ok or failed)."}, []string{"op", "outcome"}),
		batchEvents: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "astara_ledger_batch_events", Help: "Events (accounts or transfers) per batch.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 8)}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "astara_http_requests_total", Help: "HTTP requests by route and status code."}, []string{"route", "code"}),
		requestSecs: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "astara_http_request_seconds", Help: "HTTP request latency by route.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 18)}, []string{"route"}),
	}
	r.MustRegister(m.commits, m.commitEntries, m.fsyncSeconds, m.commitBytes, m.batches, m.events,
		m.batchEvents, m.requests, m.requestSecs,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// Committed implements ledger.Observer.
func (m *Metrics) Committed(entries, events, bytes int, sync time.Duration) {
	m.commits.Inc()
	m.commitEntries.Observe(float64(entries))
	m.fsyncSeconds.Observe(sync.Seconds())
	m.commitBytes.Add(float64(bytes))
}

// Applied implements ledger.Observer.
func (m *Metrics) Applied(op ledger.Op, events, failed int) {
	name := op.String()
	m.batches.WithLabelValues(name).Inc()
	m.batchEvents.Observe(float64(events))
	m.events.WithLabelValues(name, "ok").Add(float64(events - failed))
	m.events.WithLabelValues(name, "failed").Add(float64(failed))
}
