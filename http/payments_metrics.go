package http

import (
	"github.com/prometheus/client_golang/prometheus"

	"astara/payments"
)

// paymentsCollector reports the payments by status, and those that missed
// their deadline, read from the machine at each scrape.
type paymentsCollector struct {
	s        *Server
	byStatus *prometheus.Desc
	breached *prometheus.Desc
}

func newPaymentsCollector(s *Server) *paymentsCollector {
	return &paymentsCollector{s: s,
		byStatus: prometheus.NewDesc("astara_payments", "Payments by status.", []string{"status"}, nil),
		breached: prometheus.NewDesc("astara_payments_sla_breached", "Payments not completed by their deadline.", nil, nil)}
}

// Describe implements prometheus.Collector.
func (c *paymentsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.byStatus
	ch <- c.breached
}

// Collect implements prometheus.Collector.
func (c *paymentsCollector) Collect(ch chan<- prometheus.Metric) {
	counts := map[payments.Status]int{}
	breached := 0
	if !c.s.paymentsView(func(m *payments.Machine) {
		counts, breached = m.StatusCounts()
	}) {
		return
	}
	for _, st := range []payments.Status{payments.StatusReceived, payments.StatusReserved, payments.StatusCompleted,
		payments.StatusRejected, payments.StatusReturned, payments.StatusExpired} {
		ch <- prometheus.MustNewConstMetric(c.byStatus, prometheus.GaugeValue, float64(counts[st]), string(st))
	}
	ch <- prometheus.MustNewConstMetric(c.breached, prometheus.GaugeValue, float64(breached))
}
