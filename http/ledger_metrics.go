package http

import (
	"github.com/prometheus/client_golang/prometheus"

	"astara/ledger"
)

// ledgerCollector reports what the ledger engine keeps in memory, read at
// each scrape: what an operator watches grow (the id filter, the failed
// ids) beside what stays bounded (the transfers in memory, the id index).
type ledgerCollector struct {
	s         *Server
	transfers *prometheus.Desc
	inMemory  *prometheus.Desc
	pending   *prometheus.Desc
	failed    *prometheus.Desc
	bytes     *prometheus.Desc
}

func newLedgerCollector(s *Server) *ledgerCollector {
	return &ledgerCollector{s: s,
		transfers: prometheus.NewDesc("astara_ledger_transfers", "Transfers created, in memory or in the store.", nil, nil),
		inMemory:  prometheus.NewDesc("astara_ledger_transfers_in_memory", "Transfers kept in memory: the recent ones and the open pending ones (all of them without a store's history).", nil, nil),
		pending:   prometheus.NewDesc("astara_ledger_pending_open", "Pending transfers not yet posted, voided or expired.", nil, nil),
		failed:    prometheus.NewDesc("astara_ledger_failed_ids", "Ids of client transfers that failed for a reason of the moment, held in memory so that a retry answers id_already_failed; with the history in the store, those that failed since its last move.", nil, nil),
		bytes:     prometheus.NewDesc("astara_ledger_memory_bytes", "Memory of the engine's id structures: id_filter (every transfer id, while the history is in the store), id_index (the transfers in memory) and failed_id_filter (every id of a client transfer that failed, while the history is in the store).", []string{"part"}, nil)}
}

// Describe implements prometheus.Collector.
func (c *ledgerCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.transfers
	ch <- c.inMemory
	ch <- c.pending
	ch <- c.failed
	ch <- c.bytes
}

// Collect implements prometheus.Collector.
func (c *ledgerCollector) Collect(ch chan<- prometheus.Metric) {
	if c.s.ledger == nil {
		return
	}
	var transfers, inMemory, pending, failed, filter, index, failedFilter int
	c.s.ledger.View(func(e *ledger.Engine) {
		transfers, inMemory, pending, failed = e.TransfersCount(), e.MemoryTransfersCount(), e.OpenPendingCount(), e.FailedIDsCount()
		filter, index, failedFilter = e.IDFilterBytes(), e.IDIndexBytes(), e.FailedFilterBytes()
	})
	ch <- prometheus.MustNewConstMetric(c.transfers, prometheus.GaugeValue, float64(transfers))
	ch <- prometheus.MustNewConstMetric(c.inMemory, prometheus.GaugeValue, float64(inMemory))
	ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(pending))
	ch <- prometheus.MustNewConstMetric(c.failed, prometheus.GaugeValue, float64(failed))
	ch <- prometheus.MustNewConstMetric(c.bytes, prometheus.GaugeValue, float64(filter), "id_filter")
	ch <- prometheus.MustNewConstMetric(c.bytes, prometheus.GaugeValue, float64(index), "id_index")
	ch <- prometheus.MustNewConstMetric(c.bytes, prometheus.GaugeValue, float64(failedFilter), "failed_id_filter")
}
