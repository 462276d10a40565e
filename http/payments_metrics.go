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
	expiring *prometheus.Desc
}

func newPaymentsCollector(s *Server) *paymentsCollector {
	return &paymentsCollector{s: s,
		byStatus: prometheus.NewDesc("astara_payments", "Payments by status.", []string{"status"}, nil),
		breached: prometheus.NewDesc("astara_payments_sla_breached", "Payments not completed by their deadline.", nil, nil),
		expiring: prometheus.NewDesc("astara_screening_reviews_expiring", "Held payments whose reservation ends within ReviewExpiringWithin (2 h) of now: decide them, or they expire.", nil, nil)}
}

// Describe implements prometheus.Collector.
func (c *paymentsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.byStatus
	ch <- c.breached
	ch <- c.expiring
}

// Collect implements prometheus.Collector.
func (c *paymentsCollector) Collect(ch chan<- prometheus.Metric) {
	counts := map[payments.Status]int{}
	breached, expiring := 0, 0
	now := c.s.now()
	if !c.s.paymentsView(func(m *payments.Machine) {
		counts, breached = m.StatusCounts()
		for _, p := range m.Held(0) {
			if end, ok := m.ReservationEnd(&p); ok && end.Sub(now) <= ReviewExpiringWithin {
				expiring++
			}
		}
	}) {
		return
	}
	for _, st := range []payments.Status{payments.StatusReceived, payments.StatusHeld, payments.StatusReserved, payments.StatusCompleted,
		payments.StatusRejected, payments.StatusReturned, payments.StatusExpired} {
		ch <- prometheus.MustNewConstMetric(c.byStatus, prometheus.GaugeValue, float64(counts[st]), string(st))
	}
	ch <- prometheus.MustNewConstMetric(c.breached, prometheus.GaugeValue, float64(breached))
	ch <- prometheus.MustNewConstMetric(c.expiring, prometheus.GaugeValue, float64(expiring))
}
