package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
)

// TestBenchHistoryRuns runs `astara bench history` small: both modes,
// every checkpoint measured, and the recovery after a kill -9 at each,
// just before a snapshot was due, finds every transfer sent (the command
// fails otherwise) and replays most of a snapshot interval.
func TestBenchHistoryRuns(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"bench", "history", "--checkpoints", "20000,100000",
		"--in-memory-up-to", "20000", "--snapshot-events", "40000", "--accounts", "300", "--quiet", "--dir", t.TempDir()}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, stdout.String(), stderr.String())
	}
	var rows []string
	for _, line := range strings.Split(stdout.String(), "\n") {
		if strings.HasPrefix(line, "history ") || strings.HasPrefix(line, "in memory ") {
			rows = append(rows, line)
		}
	}
	if len(rows) != 3 || !strings.Contains(rows[1], " 100000 ") || !strings.HasPrefix(rows[2], "in memory") {
		t.Fatalf("want rows for 20000 and 100000 with history and 20000 in memory, got:\n%s", stdout.String())
	}
	for _, row := range rows {
		f := strings.Fields(row)
		if replayed, err := strconv.Atoi(f[len(f)-1]); err != nil || replayed < 40000-2*8190 || replayed >= 40000+8190 {
			t.Errorf("the restart replayed %s transfers, want most of a snapshot interval of 40000:\n%s", f[len(f)-1], row)
		}
	}
}

// TestBenchHistoryFailing runs it with one transfer in seven failing: the
// failures are those expected (the command fails otherwise), and the
// recovery finds the transfers created, not those that failed.
func TestBenchHistoryFailing(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"bench", "history", "--checkpoints", "30000", "--failing-every", "7",
		"--in-memory-up-to", "0", "--snapshot-events", "20000", "--accounts", "300", "--quiet", "--dir", t.TempDir()}, &stdout, &stderr)
	if code != 0 || !strings.Contains(stdout.String(), "one transfer in 7 failing") {
		t.Fatalf("exit %d: %s%s", code, stdout.String(), stderr.String())
	}
	if code := Run(context.Background(), []string{"bench", "history", "--failing-every", "-1"}, &stdout, &stderr); code == 0 {
		t.Fatal("--failing-every -1 accepted")
	}
}
