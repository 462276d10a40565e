package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"astara/ledger"
)

// TestStandbyTakesOverFromAKilledLeader runs two `astara serve` on one
// PostgreSQL database: the first holds the writer's lease, the second
// waits as a standby. The leader is killed with SIGKILL under concurrent
// load; the standby takes over, and every acknowledged transfer is there
// once, the totals balance, and the journal verifies.
func TestStandbyTakesOverFromAKilledLeader(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	dsn := astaraDatabase(t)
	const ttl = "1s"
	a := startChild(t, "serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--store", dsn, "--node-name", "node-a", "--lease-ttl", ttl)
	const accounts = 50
	var accs []map[string]any
	for i := 1; i <= accounts; i++ {
		accs = append(accs, map[string]any{"id": ledger.IDFromUint64(uint64(i)).String(), "currency": "RUB", "code": 1})
	}
	if code, err := a.post("/v1/ledger/accounts", map[string]any{"accounts": accs}, &results{}); code != 200 || err != nil {
		t.Fatalf("create accounts: %d %v\n%s", code, err, a.output())
	}

	b, bURL := spawnChild(t, "serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--store", dsn, "--node-name", "node-b", "--lease-ttl", ttl)
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(b.output(), "standby: node-a"); {
		if time.Now().After(deadline) {
			t.Fatalf("the second node does not say it is node-a's standby:\n%s", b.output())
		}
		time.Sleep(20 * time.Millisecond)
	}

	// While it waits, the standby answers with the leader's address.
	standbyURL := regexp.MustCompile(`answering on (\S+) `).FindStringSubmatch(b.output())
	if standbyURL == nil {
		t.Fatalf("the standby does not say where it answers:\n%s", b.output())
	}
	resp, err := http.Get(standbyURL[1] + "/v1/ledger/totals")
	if err != nil {
		t.Fatal(err)
	}
	var standby struct {
		Code          string `json:"code"`
		Leader        string `json:"leader"`
		LeaderAddress string `json:"leader_address"`
	}
	json.NewDecoder(resp.Body).Decode(&standby)
	resp.Body.Close()
	if resp.StatusCode != 503 || standby.Code != "standby" || standby.Leader != "node-a" || standby.LeaderAddress != a.url || resp.Header.Get("Astara-Leader") != a.url {
		t.Fatalf("the standby answered %d %+v (Astara-Leader %q), want 503 standby naming node-a at %s",
			resp.StatusCode, standby, resp.Header.Get("Astara-Leader"), a.url)
	}

	l := &transferLoad{seed: seed, accounts: accounts, acked: map[string]transferJSON{}}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			l.run(a, uint64(w), stop)
		}(w)
	}
	time.Sleep(time.Duration(300+rand.New(rand.NewPCG(seed, 99)).IntN(700)) * time.Millisecond)
	a.kill()
	killed := time.Now()
	close(stop)
	wg.Wait()
	if len(l.acked) == 0 {
		t.Fatalf("nothing was acknowledged before the kill\n%s", a.output())
	}

	select {
	case b.url = <-bURL:
	case <-b.done:
		t.Fatalf("the standby exited:\n%s", b.output())
	case <-time.After(30 * time.Second):
		t.Fatalf("the standby did not take over in 30 s:\n%s", b.output())
	}
	t.Logf("takeover: the standby served %s after the leader's kill (lease %s); %d acknowledged transfers", time.Since(killed).Round(time.Millisecond), ttl, len(l.acked))
	if !strings.Contains(b.output(), "took over the writer's lease from node-a") {
		t.Errorf("the standby does not say whom it took over from:\n%s", b.output())
	}
	// The standby followed the leader's journal while it waited: the
	// takeover replays what the leader wrote since the last catch-up.
	if m := regexp.MustCompile(`leading from entry (\d+); (\d+) entries replayed at the takeover`).FindStringSubmatch(b.output()); m == nil {
		t.Errorf("the standby does not say where it leads from:\n%s", b.output())
	} else if last, _ := strconv.Atoi(m[1]); last < 3 {
		t.Errorf("the standby leads from entry %d, before the load's", last)
	} else if replayed, _ := strconv.Atoi(m[2]); replayed*2 > last {
		t.Errorf("%d of %d entries replayed at the takeover: the standby did not follow", replayed, last)
	} else {
		t.Logf("the standby leads from entry %d, %d of them replayed at the takeover", last, replayed)
	}
	checkAcked(t, b, l.acked)
	retryAcked(t, b, l.acked)
	b.cmd.Process.Signal(syscall.SIGTERM)
	<-b.done
	var out, errOut bytes.Buffer
	if code := Run(context.Background(), []string{"verify", "--data", t.TempDir(), "--store", dsn}, &out, &errOut); code != 0 {
		t.Fatalf("astara verify: exit %d\n%s%s", code, out.String(), errOut.String())
	}
}

// TestAPausedLeaderIsFenced stops the leader (SIGSTOP) long enough for the
// standby to take over, then lets it run again: its lease is gone, its
// writes are refused, and it stops with exit code 1 saying why.
func TestAPausedLeaderIsFenced(t *testing.T) {
	dsn := astaraDatabase(t)
	a := startChild(t, "serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--store", dsn, "--node-name", "node-a", "--lease-ttl", "1s")
	b, bURL := spawnChild(t, "serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--store", dsn, "--node-name", "node-b", "--lease-ttl", "1s")
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(b.output(), "standby: node-a"); {
		if time.Now().After(deadline) {
			t.Fatalf("the second node does not say it is node-a's standby:\n%s", b.output())
		}
		time.Sleep(20 * time.Millisecond)
	}
	a.cmd.Process.Signal(syscall.SIGSTOP)
	select {
	case b.url = <-bURL:
	case <-time.After(30 * time.Second):
		a.cmd.Process.Signal(syscall.SIGCONT)
		t.Fatalf("the standby did not take over from a paused leader in 30 s:\n%s", b.output())
	}
	a.cmd.Process.Signal(syscall.SIGCONT)
	// The old leader may still answer a request before its next renewal
	// finds it fenced, but it cannot write: the transfer is refused.
	accs := map[string]any{"accounts": []map[string]any{{"id": ledger.IDFromUint64(1).String(), "currency": "RUB", "code": 1}}}
	if code, err := a.post("/v1/ledger/accounts", accs, &results{}); err == nil && code == 200 {
		t.Errorf("the fenced leader acknowledged a write")
	}
	select {
	case <-a.done:
	case <-time.After(20 * time.Second):
		t.Fatalf("the fenced leader did not stop:\n%s", a.output())
	}
	if code := a.cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(a.output(), "lost the writer's lease") {
		t.Fatalf("the fenced leader: exit %d, want 1 saying it lost the lease\n%s", code, a.output())
	}
	if code, err := b.post("/v1/ledger/accounts", accs, &results{}); code != 200 || err != nil {
		t.Fatalf("the new leader refuses a write: %d %v\n%s", code, err, b.output())
	}
}
