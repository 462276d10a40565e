package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"astara/http"
	"astara/iso20022"
	"astara/journal"
	"astara/ledger"
	"astara/payments"
	"astara/postgres"
	"astara/web"
)

// Main is one running node: the journal, the ledger service and the HTTP
// server. Tests run it in-process on port 0 with a temp directory.
type Main struct {
	DataDir string
	// Store, when set, is the URL of the PostgreSQL database that keeps the
	// journal and snapshots (postgres.Open); empty for the embedded store
	// in DataDir/journal. DataDir keeps the lists and the operator token
	// either way.
	Store string
	// NodeName names this node in the writer's lease of a PostgreSQL
	// store (default host/pid); LeaseTTL is the lease's life
	// (LeaseTTLDefault when zero).
	NodeName string
	LeaseTTL time.Duration
	// Advertise is the URL clients reach this node at, written in the
	// lease so that a standby can name the leader (default: the URL it
	// listens on).
	Advertise string
	Listen    string
	// HotTransfers is how many recent transfers the ledger keeps in memory
	// before it moves the oldest closed ones to the store
	// (ledger.HotTransfersDefault when zero).
	HotTransfers int
	// QueryTablesOff keeps a PostgreSQL store's query tables unwritten
	// (--query-tables=false), and empties them when the node leads.
	QueryTablesOff bool
	Demo           bool
	Stdout         io.Writer
	// Settlement is when settlement windows close by themselves.
	Settlement http.SettlementSchedule
	// SwitchBIC and SettlementBankBIC name the switch and the bank that
	// settles its windows in ISO 20022 messages; empty for the defaults.
	SwitchBIC, SettlementBankBIC string
	// TLSCertFile and TLSKeyFile, when set, make the node serve HTTPS with
	// that certificate (PEM, its chain after it) and key; ClientCAFile,
	// when set too, holds the CAs whose client certificates the node asks
	// for and verifies (http.TLSConfig).
	TLSCertFile, TLSKeyFile, ClientCAFile string

	// AdminToken is the operator's token when it was generated or given;
	// empty when only its hash is known.
	AdminToken string
	// Limits bound the server's clients: timeouts, connections, rates
	// (limits.go); zero fields take the defaults.
	Limits Limits

	store    ledgerStore
	service  *ledger.Service
	server   *nethttp.Server
	listener net.Listener
	metrics  *http.Metrics
	stopDemo context.CancelFunc
	demoDone chan struct{}

	stopSchedule context.CancelFunc
	scheduleDone chan struct{}

	stopLease context.CancelFunc
	lost      chan error    // the writer's lease lost (lease.go)
	leaseDone chan struct{} // closed when renewLease has returned
	// handler is what the server answers with: standbyHandler until the
	// node leads and has recovered, then the API.
	handler atomic.Pointer[handlerBox]
	leader  atomic.Pointer[postgres.LeaseHeldError] // while a standby
}

type handlerBox struct{ nethttp.Handler }

// startServing listens and serves: the standby's answer until Open stores
// the API's handler.
func (m *Main) startServing(tlsConfig *tls.Config) error {
	l, err := net.Listen("tcp", m.Listen)
	if err != nil {
		return err
	}
	m.listener = limitConnections(l, m.Limits.withDefaults().ConnectionsMax)
	m.handler.Store(&handlerBox{nethttp.HandlerFunc(m.standbyHandler)})
	m.server = m.Limits.newServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		m.handler.Load().ServeHTTP(w, r)
	}))
	if tlsConfig != nil {
		m.server.TLSConfig = tlsConfig
		go m.server.ServeTLS(m.listener, "", "")
	} else {
		go m.server.Serve(m.listener)
	}
	return nil
}

// ledgerStore is where the ledger is kept: the embedded journal or
// PostgreSQL.
type ledgerStore interface {
	ledger.Store
	io.Closer
	VerifyMachine(ledger.Machine) (journal.Report, error)
}

// openStore opens the store a --store flag names: the embedded journal in
// dir/journal when url is empty, else the PostgreSQL database of url.
func openStore(ctx context.Context, url, dir string) (ledgerStore, error) {
	if url == "" {
		return journal.Open(filepath.Join(dir, "journal"), journal.Options{})
	}
	return postgres.Open(ctx, url)
}

// checkStoreURL refuses a --store that is not a PostgreSQL URL.
func checkStoreURL(url string) error {
	if url != "" && !strings.HasPrefix(url, "postgres://") && !strings.HasPrefix(url, "postgresql://") {
		return usageError{fmt.Sprintf("--store %q: want a PostgreSQL URL (postgres://user@host:port/db), or nothing for the embedded store", redactURL(url))}
	}
	return nil
}

// redactURL hides a password in a connection URL before it is printed.
func redactURL(s string) string {
	u, err := neturl.Parse(s)
	if err != nil {
		return "(a URL that does not parse)"
	}
	return u.Redacted()
}

// adminTokenFile keeps the hash of a generated operator token.
const adminTokenFile = "admin-token.sha256"

// Open opens the store, recovers the ledger and starts listening.
func (m *Main) Open(ctx context.Context) error {
	// The TLS files first: a first start that failed on them after making
	// the operator's token would keep its hash and never print it.
	var tlsConfig *tls.Config
	if m.TLSCertFile != "" {
		var err error
		if tlsConfig, err = http.LoadTLSConfig(m.TLSCertFile, m.TLSKeyFile, m.ClientCAFile); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(m.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	hash, err := m.adminTokenHash()
	if err != nil {
		return err
	}
	m.store, err = openStore(ctx, m.Store, m.DataDir)
	if err != nil {
		return err
	}
	m.lost = make(chan error, 1)
	fail := func(err error) error {
		if m.server != nil {
			m.server.Close()
		} else if m.listener != nil {
			m.listener.Close()
		}
		if m.service != nil {
			m.service.Close()
		}
		m.releaseLease()
		m.store.Close()
		return err
	}
	m.metrics = http.NewMetrics()
	engineOpts := ledger.Options{HotTransfers: m.HotTransfers}
	opts := ledger.ServiceOptions{Observer: m.metrics, QueryTablesOff: m.QueryTablesOff,
		NewMachine: func() ledger.Machine { return payments.NewMachine(engineOpts) },
		RestoreMachine: func(r io.Reader) (ledger.Machine, error) {
			return payments.RestoreMachine(r, engineOpts)
		}}
	if pg, ok := m.store.(*postgres.Store); ok {
		// One writer per database: recover the ledger, then wait as a
		// standby until this node holds the lease, following the leader's
		// journal and answering clients with the leader's address; then
		// replay what the last leader committed since the last catch-up.
		if err := m.startServing(tlsConfig); err != nil {
			return fail(err)
		}
		// Before recovery, which writes the query tables when the node
		// keeps them: a node that says otherwise than the live leader
		// stops here.
		pg.SetQueryTablesOff(m.QueryTablesOff)
		if err := m.leaderQueryTablesAgree(ctx, pg); err != nil {
			return fail(err)
		}
		if m.QueryTablesOff {
			fmt.Fprintln(m.Stdout, "astara: the query tables are off (--query-tables=false): emptied when this node leads, and not written")
		} else if behind, through, snap, err := pg.QueryBehind(); err != nil {
			return fail(err)
		} else if behind {
			fmt.Fprintf(m.Stdout, "astara: the query tables hold entry %d, behind the snapshot at %d: filling them by replaying the whole journal\n", through, snap)
			if through == 0 {
				// Empty tables are also what a leader with the tables off
				// leaves, and this node would then fill them in vain.
				fmt.Fprintln(m.Stdout, "astara: (empty tables at position 0 are also what a node with --query-tables=false leaves: every node of a database must say the same)")
			}
		}
		follower, err := ledger.Follow(m.store, opts)
		if err != nil {
			return fail(fmt.Errorf("recover the ledger: %w", err))
		}
		from, err := m.acquireLease(ctx, pg, follower)
		if err != nil {
			return fail(err)
		}
		lctx, cancel := context.WithCancel(context.Background())
		m.stopLease, m.leaseDone = cancel, make(chan struct{})
		go func() {
			defer close(m.leaseDone)
			m.renewLease(lctx, pg)
		}()
		var replayed int
		if m.service, replayed, err = follower.Open(); err != nil {
			m.service = nil
			return fail(fmt.Errorf("recover the ledger: %w", err))
		}
		if from != "" {
			fmt.Fprintf(m.Stdout, "astara: leading from entry %d; %d entries replayed at the takeover, the rest followed as a standby\n", follower.Seq(), replayed)
		}
	} else if m.service, err = ledger.Open(m.store, opts); err != nil {
		m.service = nil
		return fail(fmt.Errorf("recover the ledger: %w", err))
	}
	if m.server == nil {
		if err := m.startServing(tlsConfig); err != nil {
			return fail(err)
		}
	}
	cals, err := m.openCalendars()
	if err != nil {
		return fail(err)
	}
	handler := http.NewServer(http.Config{Ledger: m.service, Metrics: m.metrics, AdminTokenHash: hash, Dashboard: web.Handler(),
		Calendars: cals, RecordCalendarChange: m.recordCalendarChange, SwitchBIC: m.SwitchBIC, SettlementBankBIC: m.SettlementBankBIC,
		Lists: listStore(m.store, m.DataDir), Limits: m.Limits.API})
	if err := handler.ScreeningErr(); err != nil {
		// The node serves, so that the operator can look and mend, but
		// takes no payment until the lists can be screened again.
		fmt.Fprintf(m.Stdout, "astara: WARNING: payments are refused (503 screening_unavailable) until this is mended: %v\n", err)
	}
	m.handler.Store(&handlerBox{handler})
	sctx, cancel := context.WithCancel(context.Background())
	m.stopSchedule, m.scheduleDone = cancel, make(chan struct{})
	sch := m.Settlement
	if sch.Logf == nil {
		sch.Logf = func(format string, args ...any) { fmt.Fprintf(m.Stdout, "astara: "+format+"\n", args...) }
	}
	go func() {
		defer close(m.scheduleDone)
		handler.RunSettlementSchedule(sctx, sch)
	}()
	if m.Demo {
		dctx, cancel := context.WithCancel(context.Background())
		m.stopDemo = cancel
		m.demoDone = make(chan struct{})
		go func() {
			defer close(m.demoDone)
			runDemoTraffic(dctx, m.URL(), m.AdminToken, m.Stdout)
		}()
	}
	return nil
}

// URL returns the base URL the node listens on.
func (m *Main) URL() string {
	if m.TLSCertFile != "" {
		return "https://" + m.listener.Addr().String()
	}
	return "http://" + m.listener.Addr().String()
}

// adminTokenHash decides the operator's token: ASTARA_ADMIN_TOKEN if set;
// else the hash kept from a first start; else a new token, printed once,
// of which only the hash is kept.
func (m *Main) adminTokenHash() ([32]byte, error) {
	if t := os.Getenv("ASTARA_ADMIN_TOKEN"); t != "" {
		m.AdminToken = t
		return http.HashToken(t), nil
	}
	path := filepath.Join(m.DataDir, adminTokenFile)
	if b, err := os.ReadFile(path); err == nil && !m.Demo {
		var h [32]byte
		n, err := hex.Decode(h[:], []byte(trimSpace(string(b))))
		if err != nil || n != 32 {
			return h, fmt.Errorf("%s does not hold a SHA-256 in hex", path)
		}
		return h, nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return [32]byte{}, err
	}
	var raw [24]byte
	rand.Read(raw[:])
	m.AdminToken = "adm_" + hex.EncodeToString(raw[:])
	h := http.HashToken(m.AdminToken)
	if err := writeFileSync(path, []byte(hex.EncodeToString(h[:])+"\n")); err != nil {
		return h, err
	}
	return h, nil
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == ' ' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}

func writeFileSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// releaseLease stops renewing the writer's lease, if this node holds one,
// and ends it: the node writes no more, and a standby need not wait out
// the lease to take over. It is called once the ledger is closed.
func (m *Main) releaseLease() error {
	if m.stopLease == nil {
		return nil
	}
	m.stopLease()
	<-m.leaseDone
	m.stopLease = nil
	pg, ok := m.store.(*postgres.Store)
	if !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return pg.Release(ctx)
}

// Close stops the node gracefully: no new connections, in-flight requests
// finish, the ledger drains and writes a snapshot, the store syncs.
func (m *Main) Close() error {
	var errs []error
	if m.stopDemo != nil {
		m.stopDemo()
		<-m.demoDone
	}
	if m.stopSchedule != nil {
		m.stopSchedule()
		<-m.scheduleDone
	}
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		errs = append(errs, m.server.Shutdown(ctx))
		cancel()
	}
	if m.service != nil {
		errs = append(errs, m.service.Close())
	}
	errs = append(errs, m.releaseLease())
	if m.store != nil {
		errs = append(errs, m.store.Close())
	}
	return errors.Join(errs...)
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer, demo bool) error {
	name := "serve"
	if demo {
		name = "demo"
	}
	fs := newFlagSet(name, stderr)
	dataDefault := "./astara-data"
	if demo {
		dataDefault = ""
	}
	data := fs.String("data", dataDefault, "data directory (the demo uses a fresh temporary one unless given)")
	store := fs.String("store", "", "keep the journal and snapshots in this PostgreSQL database (postgres://user@host:port/db) instead of --data/journal")
	nodeName := fs.String("node-name", "", "this node's name in the writer's lease of a PostgreSQL store (default host/pid)")
	advertise := fs.String("advertise", "", "the URL clients reach this node at, which a standby names when it answers them (default: the address listened on)")
	leaseTTL := fs.Duration("lease-ttl", LeaseTTLDefault, "the writer's lease on a PostgreSQL store: a standby takes over this long after the leader's last renewal")
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on")
	queryTables := fs.Bool("query-tables", true, "with --store, keep the query tables (query_accounts, query_transfers, query_balances, query_payments) in the journal's transactions; false writes the journal alone, faster, and empties them")
	hot := fs.Int("hot-transfers", ledger.HotTransfersDefault, "recent transfers the ledger keeps in memory; older closed ones and balance history live in the store")
	everyDefault := time.Duration(0)
	if demo {
		everyDefault = 2 * time.Minute
	}
	closeEvery := fs.Duration("settlement-close-every", everyDefault, "close each settlement window this long after it opened (0: never by time)")
	closeDayEnd := fs.Bool("settlement-close-at-day-end", true, "close each settlement window at the cut-off of each business day of its currency's country")
	switchBIC := fs.String("bic", http.SwitchBICDefault, "the switch's own BIC in the ISO 20022 messages it writes")
	settlementBIC := fs.String("settlement-bank-bic", "", "the BIC of the bank that settles the windows, the addressee of pacs.009 (default: the switch's)")
	// The demo's own traffic speaks plain HTTP to it: TLS is serve's.
	var tlsCert, tlsKey, clientCA string
	if !demo {
		fs.StringVar(&tlsCert, "tls-cert", "", "serve HTTPS (TLS 1.2 at least) with this certificate, PEM, its chain after it; needs --tls-key")
		fs.StringVar(&tlsKey, "tls-key", "", "the private key of --tls-cert, PEM")
		fs.StringVar(&clientCA, "client-ca", "", "the CA certificates (PEM) whose client certificates banks may authenticate with; needs --tls-cert")
	}
	limits := limitFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	lim, err := limits()
	if err != nil {
		return err
	}
	switch {
	case (tlsCert == "") != (tlsKey == ""):
		return usageError{"--tls-cert and --tls-key go together"}
	case clientCA != "" && tlsCert == "":
		return usageError{"--client-ca needs --tls-cert and --tls-key: client certificates are a TLS handshake's"}
	}
	if fs.NArg() != 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if err := checkStoreURL(*store); err != nil {
		return err
	}
	if !*queryTables && *store == "" {
		return usageError{"--query-tables=false is for a PostgreSQL store (--store): the embedded store keeps no query tables"}
	}
	for _, b := range []struct{ flag, value string }{{"bic", *switchBIC}, {"settlement-bank-bic", *settlementBIC}} {
		if b.value != "" && !iso20022.IsBIC(b.value) {
			return usageError{fmt.Sprintf("--%s %q is not a BIC (8 or 11 letters and digits)", b.flag, b.value)}
		}
	}
	if *hot < 1 || *hot > 1<<30 {
		return usageError{fmt.Sprintf("--hot-transfers %d: from 1 to %d", *hot, 1<<30)}
	}
	if *leaseTTL < 300*time.Millisecond {
		return usageError{fmt.Sprintf("--lease-ttl %s: at least 300ms", *leaseTTL)}
	}
	m := &Main{DataDir: *data, Store: *store, NodeName: *nodeName, LeaseTTL: *leaseTTL, Advertise: *advertise, Listen: *listen, HotTransfers: *hot, QueryTablesOff: !*queryTables, Demo: demo, Stdout: stdout, SwitchBIC: *switchBIC, SettlementBankBIC: *settlementBIC, Limits: lim,
		// The demo plays the settlement bank too: it confirms each window as
		// soon as it closes.
		Settlement: http.SettlementSchedule{Every: *closeEvery, AtBusinessDayEnd: *closeDayEnd, Settle: demo}}
	m.TLSCertFile, m.TLSKeyFile, m.ClientCAFile = tlsCert, tlsKey, clientCA
	if m.DataDir == "" {
		dir, err := os.MkdirTemp("", "astara-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		m.DataDir = dir
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	if m.Store != "" {
		fmt.Fprintf(stdout, "astara: listening on %s (journal in %s, lists in %s)\n", m.URL(), redactURL(m.Store), m.DataDir)
	} else {
		fmt.Fprintf(stdout, "astara: listening on %s (data in %s)\n", m.URL(), m.DataDir)
	}
	if m.AdminToken != "" && os.Getenv("ASTARA_ADMIN_TOKEN") == "" {
		fmt.Fprintf(stdout, "astara: operator token (shown once; only its hash is kept): %s\n", m.AdminToken)
	}
	if demo {
		fmt.Fprintf(stdout, "astara: open %s/#token=%s for the dashboard\n", m.URL(), m.AdminToken)
		fmt.Fprintf(stdout, "astara: try  curl -H 'Authorization: Bearer %s' %s/v1/ledger/totals\n", m.AdminToken, m.URL())
	}
	var lost error
	select {
	case <-ctx.Done():
	case lost = <-m.lost:
		fmt.Fprintf(stdout, "astara: %v; stopping\n", lost)
	}
	fmt.Fprintln(stdout, "astara: stopping")
	if err := m.Close(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "astara: stopped")
	return lost
}

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("verify", stderr)
	data := fs.String("data", "", "data directory to verify")
	store := fs.String("store", "", "the PostgreSQL database (postgres://...) that keeps the journal, when it is not in --data")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *data == "" {
		return usageError{"--data is required"}
	}
	if err := checkStoreURL(*store); err != nil {
		return err
	}
	if *store == "" {
		dir := filepath.Join(*data, "journal")
		if _, err := os.Stat(dir); err != nil {
			return fmt.Errorf("no journal at %s: %w", dir, err)
		}
	}
	st, err := openStore(ctx, *store, *data)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	machine := payments.NewMachine(ledger.Options{})
	rep, err := st.VerifyMachine(machine)
	if err != nil {
		return fmt.Errorf("FAULT: %w", err)
	}
	fmt.Fprintf(stdout, "journal ok: %d entries (%d events) through entry %d, chain head %x\n", rep.Entries, rep.Events, rep.LastSeq, rep.LastHash[:8])
	if rep.SnapshotSeq != 0 {
		fmt.Fprintf(stdout, "snapshot ok: at entry %d, identical to the replayed state\n", rep.SnapshotSeq)
	}
	fmt.Fprintf(stdout, "double entry ok: %d accounts, %d transfers, %d open pending; every currency balances\n", rep.Accounts, rep.Transfers, rep.OpenPending)
	if pg, ok := st.(*postgres.Store); ok {
		said, err := verifyQueryTables(pg, machine, rep.LastSeq)
		if err != nil {
			return fmt.Errorf("FAULT: %w", err)
		}
		fmt.Fprintln(stdout, said)
	}
	records, head, err := machine.VerifyAudit()
	if err != nil {
		return fmt.Errorf("FAULT: %w", err)
	}
	if records > 0 {
		fmt.Fprintf(stdout, "audit ok: %d operator actions, chained, head %s\n", records, head[:16])
	}
	lists, err := verifyLists(listStore(st, *data), machine)
	if err != nil {
		return fmt.Errorf("FAULT: %w", err)
	}
	fmt.Fprintf(stdout, "lists ok: %d list versions, each file present and as journaled\n", lists)
	fmt.Fprintf(stdout, "verified in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}
