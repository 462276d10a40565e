package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
)

// testWatchList is a list in Astara's CSV format.
const testWatchList = `# published: 2026-11-30
id,name,type,aliases,countries,dates_of_birth,programs,remarks
W-1,"SOLEIMANI, Qasem",individual,قاسم سلیمانی,IR,1957-03-11,IRGC,
W-2,Kish Tanker Trading LLC,entity,,IR;AE,,SHIPPING,
`

// TestListsOutliveARestart imports a list with `astara lists import`,
// searches it, restarts the node and searches again; `astara verify`
// checks the list's file, and finds it when it is altered; a node whose
// list file is gone refuses payments rather than pass them unscreened.
func TestListsOutliveARestart(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(t.TempDir(), "watch.csv")
	if err := os.WriteFile(file, []byte(testWatchList), 0o600); err != nil {
		t.Fatal(err)
	}
	c := startChild(t, "serve", "--data", dir, "--listen", "127.0.0.1:0")
	run := func(args ...string) (string, string, int) {
		var out, errOut bytes.Buffer
		code := Run(context.Background(), append([]string{"lists", "--server", c.url, "--token", testToken}, args...), &out, &errOut)
		return out.String(), errOut.String(), code
	}
	out, progress, code := run("--list", "WATCH", "import", file)
	if code != 0 || !strings.Contains(out, "WATCH@1 imported: 2 records, published 2026-11-30") {
		t.Fatalf("import: exit %d\n%s%s", code, out, progress)
	}
	if !strings.Contains(progress, "watch.csv [") || !strings.Contains(progress, "100%") {
		t.Errorf("import: got progress %q, want a bar that reaches 100%%", progress)
	}
	if out, _, code := run("--list", "WATCH", "--quiet", "import", file); code != 0 || !strings.Contains(out, "WATCH@1 unchanged") {
		t.Errorf("import again: exit %d\n%s", code, out)
	}
	if out, errOut, code := run("--format", "un-xml", "import", file); code != 1 || !strings.Contains(errOut, "list_invalid") {
		t.Errorf("import as the wrong format: exit %d, want 1 with list_invalid\n%s%s", code, out, errOut)
	}
	search := func() string {
		t.Helper()
		out, errOut, code := run("search", "Касем Сулеймани")
		if code != 0 {
			t.Fatalf("search: exit %d\n%s%s", code, out, errOut)
		}
		return out
	}
	if out := search(); !strings.Contains(out, "W-1") || !strings.Contains(out, "WATCH") {
		t.Fatalf("search: got\n%s\nwant W-1 of WATCH", out)
	}
	if out, _, code := run("show"); code != 0 || !strings.Contains(out, "WATCH") || !strings.Contains(out, "2026-11-30") {
		t.Errorf("show: exit %d\n%s", code, out)
	}

	// A restart rebuilds the index from the kept file.
	c.cmd.Process.Signal(syscall.SIGTERM)
	<-c.done
	c = startChild(t, "serve", "--data", dir, "--listen", "127.0.0.1:0")
	if out := search(); !strings.Contains(out, "W-1") {
		t.Fatalf("search after a restart: got\n%s\nwant W-1", out)
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	<-c.done

	var vout, verr bytes.Buffer
	if code := Run(context.Background(), []string{"verify", "--data", dir}, &vout, &verr); code != 0 || !strings.Contains(vout.String(), "lists ok: 1 list versions") {
		t.Fatalf("verify: exit %d\n%s%s", code, vout.String(), verr.String())
	}
	sum := sha256.Sum256([]byte(testWatchList))
	path := filepath.Join(dir, listsDir, hex.EncodeToString(sum[:]))
	if err := os.WriteFile(path, []byte(strings.Replace(testWatchList, "Qasem", "Kasem", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	vout.Reset()
	verr.Reset()
	if code := Run(context.Background(), []string{"verify", "--data", dir}, &vout, &verr); code != 1 || !strings.Contains(verr.String(), "WATCH@1") || !strings.Contains(verr.String(), "altered") {
		t.Fatalf("verify of an altered list file: exit %d, want 1 naming WATCH@1\n%s%s", code, vout.String(), verr.String())
	}

	// The node starts, says why it cannot screen, and refuses payments.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	c = startChild(t, "serve", "--data", dir, "--listen", "127.0.0.1:0")
	var lists struct {
		ScreeningError string `json:"screening_error"`
	}
	if code := c.get(t, "/v1/lists", &lists); code != 200 || !strings.Contains(lists.ScreeningError, "WATCH@1") {
		t.Errorf("lists: got %d %q, want the screening error naming WATCH@1", code, lists.ScreeningError)
	}
	if !strings.Contains(c.output(), "payments are refused") {
		t.Errorf("the node's log does not say payments are refused:\n%s", c.output())
	}
	if code := c.call("POST", "/v1/payments", testToken, "k", `{}`, nil); code == 201 {
		t.Errorf("a payment was taken by a node that cannot screen")
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	<-c.done
}

// TestListsKeptInPostgreSQL: on PostgreSQL a list's file is kept in the
// database, so that another node of it, with a data directory of its own
// (a standby taking over), screens against the same list, and `astara
// verify --store` checks the file there.
func TestListsKeptInPostgreSQL(t *testing.T) {
	dsn := astaraDatabase(t)
	file := filepath.Join(t.TempDir(), "watch.csv")
	if err := os.WriteFile(file, []byte(testWatchList), 0o600); err != nil {
		t.Fatal(err)
	}
	c := startChild(t, "serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--store", dsn)
	run := func(args ...string) (string, int) {
		var out, errOut bytes.Buffer
		code := Run(context.Background(), append([]string{"lists", "--server", c.url, "--token", testToken}, args...), &out, &errOut)
		return out.String() + errOut.String(), code
	}
	if out, code := run("--list", "WATCH", "--quiet", "import", file); code != 0 || !strings.Contains(out, "WATCH@1 imported") {
		t.Fatalf("import: exit %d\n%s", code, out)
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	<-c.done
	c = startChild(t, "serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--store", dsn)
	if out, code := run("search", "Касем Сулеймани"); code != 0 || !strings.Contains(out, "W-1") {
		t.Fatalf("search on another node of the database: exit %d\n%s", code, out)
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	<-c.done
	if code, out := verifyStore(t, dsn); code != 0 || !strings.Contains(out, "lists ok: 1 list versions") {
		t.Fatalf("verify: exit %d\n%s", code, out)
	}
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "UPDATE list_files SET data = convert_to(replace(convert_from(data, 'UTF8'), 'Qasem', 'Kasem'), 'UTF8')"); err != nil {
		t.Fatal(err)
	}
	if code, out := verifyStore(t, dsn); code != 1 || !strings.Contains(out, "WATCH@1") || !strings.Contains(out, "altered") {
		t.Errorf("verify of an altered list file: exit %d, want 1 naming WATCH@1\n%s", code, out)
	}

	// A node that kept its files in its data directory, before they were
	// kept in the database: the file is read there and copied in.
	if _, err := conn.Exec(context.Background(), "DELETE FROM list_files"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sum := sha256.Sum256([]byte(testWatchList))
	if err := os.MkdirAll(filepath.Join(dir, listsDir), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, listsDir, hex.EncodeToString(sum[:])), []byte(testWatchList), 0o600); err != nil {
		t.Fatal(err)
	}
	c = startChild(t, "serve", "--data", dir, "--listen", "127.0.0.1:0", "--store", dsn)
	if out, code := run("search", "Касем Сулеймани"); code != 0 || !strings.Contains(out, "W-1") {
		t.Fatalf("search on a node with the file in its data directory: exit %d\n%s", code, out)
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	<-c.done
	if code, out := verifyStore(t, dsn); code != 0 || !strings.Contains(out, "lists ok: 1 list versions") {
		t.Errorf("verify after the file was copied into the database: exit %d\n%s", code, out)
	}
}
