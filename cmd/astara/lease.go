package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	nethttp "net/http"
	"os"
	"time"

	"astara/ledger"
	"astara/postgres"
)

// LeaseTTLDefault is how long the writer's lease lasts without a renewal:
// a standby takes over at most this long after the leader's last renewal.
// The leader renews every third of it.
const LeaseTTLDefault = 5 * time.Second

// acquireLease takes the writer's lease on a PostgreSQL store, waiting as
// a standby while another node holds it, with follower following the
// journal the leader writes. It returns when this node holds the lease
// (naming the leader it took over from, if any), or with ctx's error.
func (m *Main) acquireLease(ctx context.Context, st *postgres.Store, follower *ledger.Follower) (string, error) {
	ttl := m.leaseTTL()
	said := ""
	for {
		err := st.Acquire(ctx, m.nodeName(), m.advertise(), ttl)
		var held *postgres.LeaseHeldError
		switch {
		case err == nil:
			if said != "" {
				fmt.Fprintf(m.Stdout, "astara: took over the writer's lease from %s\n", said)
			}
			return said, nil
		case errors.As(err, &held):
			if err := m.queryTablesAgree(held); err != nil {
				return "", err
			}
			m.leader.Store(held)
			if said != held.Holder {
				said = held.Holder
				fmt.Fprintf(m.Stdout, "astara: standby: %s (%s) is the leader; answering on %s with 503 and its address, taking over if its lease lapses (lease %s)\n",
					held.Holder, held.Address, m.URL(), ttl)
			}
		default:
			return "", err
		}
		// Follow the leader's journal, so that taking over replays only
		// what it wrote since.
		if _, err := follower.CatchUp(); err != nil {
			return "", fmt.Errorf("follow the leader's journal: %w", err)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(ttl / 5):
		}
	}
}

// queryTablesAgree refuses to follow a leader that keeps the query tables
// when this node does not, or the other way round, as the leader said when
// it took the lease: a standby that keeps them would write rows behind a
// leader that writes none (and hold in memory the rows it waits for the
// leader to write), and one that does not would, taking over, empty the
// tables the leader's readers use.
func (m *Main) queryTablesAgree(lease *postgres.LeaseHeldError) error {
	if lease.QueryTablesOff == nil || *lease.QueryTablesOff == m.QueryTablesOff {
		return nil
	}
	return fmt.Errorf("%s leads this database with --query-tables=%t, and this node was started with --query-tables=%t: "+
		"every node of a database must say the same (to change it, stop every node, then start them with the new setting)",
		lease.Holder, !*lease.QueryTablesOff, !m.QueryTablesOff)
}

// leaderQueryTablesAgree checks, before recovery, that the live leader of
// the database keeps the query tables as this node does. When it says the
// other, it may be a node stopped to change the setting, whose lease has
// yet to lapse: this node waits for the lease to lapse (and goes on) or to
// be renewed, which a leader does every third of its life (and stops).
func (m *Main) leaderQueryTablesAgree(ctx context.Context, st *postgres.Store) error {
	var first time.Time
	for {
		lease, live, ok, err := st.Leader(ctx)
		if err != nil {
			return fmt.Errorf("read the writer's lease: %w", err)
		}
		if !ok || !live || lease.Holder == m.nodeName() {
			return nil
		}
		disagree := m.queryTablesAgree(&lease)
		switch {
		case disagree == nil:
			return nil
		case first.IsZero():
			first = lease.Expires
			fmt.Fprintf(m.Stdout, "astara: %s holds the writer's lease with --query-tables=%t, this node's is %t: waiting for the lease to be renewed (a live leader: this node stops) or to lapse\n",
				lease.Holder, !*lease.QueryTablesOff, !m.QueryTablesOff)
		case !lease.Expires.Equal(first):
			return disagree
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(m.leaseTTL() / 10):
		}
	}
}

// renewLease renews the lease every third of its life until ctx ends. It
// sends on m.lost and returns when the lease is lost: fenced by a new
// leader, or not renewed for a whole lease (the database unreachable),
// after which a standby may have taken over.
func (m *Main) renewLease(ctx context.Context, st *postgres.Store) {
	ttl := m.leaseTTL()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(ttl / 3):
		}
		err := st.Renew(ctx, ttl)
		switch {
		case err == nil:
			last = time.Now()
			continue
		case ctx.Err() != nil:
			return
		case !errors.Is(err, postgres.ErrFenced) && time.Since(last) < ttl:
			fmt.Fprintf(m.Stdout, "astara: renewing the writer's lease: %v; retrying\n", err)
			continue
		}
		m.lost <- fmt.Errorf("lost the writer's lease: %w", err)
		return
	}
}

// standbyHandler answers every request while the node waits as a
// standby: 503, naming the leader and where it serves, so that a client
// or a load balancer goes there. /healthz answers the same.
func (m *Main) standbyHandler(w nethttp.ResponseWriter, r *nethttp.Request) {
	p := struct {
		Type          string `json:"type"`
		Title         string `json:"title"`
		Status        int    `json:"status"`
		Detail        string `json:"detail"`
		Code          string `json:"code"`
		Leader        string `json:"leader,omitempty"`
		LeaderAddress string `json:"leader_address,omitempty"`
	}{Type: "https://astara.dev/problems/standby", Title: "Standby", Status: nethttp.StatusServiceUnavailable, Code: "standby",
		Detail: "this node is a standby and takes no requests until it leads"}
	if l := m.leader.Load(); l != nil {
		p.Leader, p.LeaderAddress = l.Holder, l.Address
		p.Detail = fmt.Sprintf("this node is a standby; the leader is %s at %s", l.Holder, l.Address)
		w.Header().Set("Astara-Leader", l.Address)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Retry-After", "1")
	w.WriteHeader(nethttp.StatusServiceUnavailable)
	json.NewEncoder(w).Encode(p)
}

// advertise is the address written in the lease for clients to find the
// leader at: --advertise, else the URL this node listens on.
func (m *Main) advertise() string {
	if m.Advertise != "" {
		return m.Advertise
	}
	if m.listener != nil {
		return m.URL()
	}
	return m.Listen
}

func (m *Main) leaseTTL() time.Duration {
	if m.LeaseTTL > 0 {
		return m.LeaseTTL
	}
	return LeaseTTLDefault
}

func (m *Main) nodeName() string {
	if m.NodeName != "" {
		return m.NodeName
	}
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}
