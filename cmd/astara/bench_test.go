package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestBenchHistoryRuns runs `astara bench history` small: both modes,
// every checkpoint measured, and the recovery after a kill -9 at the last
// one finds every transfer sent (the command fails otherwise).
func TestBenchHistoryRuns(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"bench", "history", "--checkpoints", "20000,60000",
		"--in-memory-up-to", "20000", "--accounts", "300", "--quiet", "--dir", t.TempDir()}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, stdout.String(), stderr.String())
	}
	var rows []string
	for _, line := range strings.Split(stdout.String(), "\n") {
		if strings.HasPrefix(line, "history ") || strings.HasPrefix(line, "in memory ") {
			rows = append(rows, line)
		}
	}
	if len(rows) != 3 || !strings.Contains(rows[1], " 60000 ") || !strings.HasPrefix(rows[2], "in memory") {
		t.Fatalf("want rows for 20000 and 60000 with history and 20000 in memory, got:\n%s", stdout.String())
	}
}
