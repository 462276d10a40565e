package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readmeCommands returns the commands the README's "Commands" section
// lists, as their words up to the first flag or argument name: "serve",
// "bench ledger", "calendar RU 2026-03", ...
func readmeCommands(tb testing.TB) [][]string {
	tb.Helper()
	f, err := os.Open("../../README.md")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out [][]string
	in := false
	word := regexp.MustCompile(`^[a-z][a-z0-9-]*$|^[A-Z]{2}$|^[0-9]{4}-[0-9]{2}$`)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## Commands"):
			in = true
			continue
		case strings.HasPrefix(line, "## "):
			in = false
		}
		// The command is what stands before the wide gap (four spaces or
		// more) that precedes its description; its own words may be
		// aligned with two or three.
		command := regexp.MustCompile(`\s{4,}`).Split(strings.TrimSpace(line), 2)[0]
		fields := strings.Fields(command)
		if !in || len(fields) < 2 || fields[0] != "astara" {
			continue
		}
		var cmd []string
		for _, w := range fields[1:] {
			if !word.MatchString(w) {
				break
			}
			cmd = append(cmd, w)
		}
		out = append(out, cmd)
	}
	if len(out) < 8 {
		tb.Fatalf("found %d commands in the README's Commands section, want the whole list", len(out))
	}
	return out
}

// TestREADMECommandsExist runs each command the README lists with -h: each
// must exist and explain itself (exit 0), so that the README cannot name a
// command the binary does not have.
func TestREADMECommandsExist(t *testing.T) {
	for _, cmd := range readmeCommands(t) {
		t.Run(strings.Join(cmd, " "), func(t *testing.T) {
			var args []string
			switch cmd[0] {
			case "calendar":
				// A query, not a command with flags: run it as written.
				args = cmd
			case "settlement", "lists":
				// Their subcommands act on a running node; the command's
				// help names them.
				args = []string{cmd[0], "-h"}
			default:
				args = append(append(args, cmd...), "-h")
			}
			var out, errOut bytes.Buffer
			if code := Run(context.Background(), args, &out, &errOut); code != 0 {
				t.Fatalf("astara %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errOut.String())
			}
			if out.Len()+errOut.Len() == 0 {
				t.Errorf("astara %s printed nothing", strings.Join(args, " "))
			}
		})
	}
}

// TestDemoServesPaymentsAndVerifies runs the README's first command, the
// demo, on a data directory: its traffic completes payments, it stops
// cleanly on SIGTERM, and `astara verify` finds its data clean — the
// journal, the double entry and the list files.
func TestDemoServesPaymentsAndVerifies(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo runs for some seconds; -short skips it")
	}
	dir := t.TempDir()
	c := startChild(t, "demo", "--data", dir, "--listen", "127.0.0.1:0")
	deadline := time.Now().Add(60 * time.Second)
	var page struct {
		Payments []struct {
			Status string `json:"status"`
		} `json:"payments"`
	}
	completed := 0
	for time.Now().Before(deadline) && completed < 3 {
		time.Sleep(500 * time.Millisecond)
		req, _ := http.NewRequest("GET", c.url+"/v1/payments?status=completed&limit=10", nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			continue
		}
		if resp.StatusCode == 200 {
			json.NewDecoder(resp.Body).Decode(&page)
			completed = len(page.Payments)
		}
		resp.Body.Close()
	}
	if completed < 3 {
		t.Fatalf("the demo completed %d payments in a minute, want some\n%s", completed, c.output())
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		c.kill()
		t.Fatalf("the demo did not stop within 30 s of SIGTERM\n%s", c.output())
	}
	if code := c.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("the demo exited %d on SIGTERM, want 0\n%s", code, c.output())
	}
	var out, errOut bytes.Buffer
	if code := Run(context.Background(), []string{"verify", "--data", dir}, &out, &errOut); code != 0 {
		t.Fatalf("astara verify on the demo's data: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	for _, want := range []string{"journal ok", "double entry ok", "audit ok:", "lists ok: 2 list versions"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("verify said\n%s\nwant %q", out.String(), want)
		}
	}
}
