package changelog

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestRepeats: a line repeated thousands of times within a minute is logged
// once, then once more a minute later with the count of those left out;
// another kind is logged at once.
func TestRepeats(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := &Repeats{Now: func() time.Time { return now }}
	for range 5000 {
		r.Warn(log, "keys/0/dial", "fetch error", "partition", 0)
		now = now.Add(time.Millisecond)
	}
	r.Warn(log, "keys/1/dial", "fetch error", "partition", 1)
	now = now.Add(time.Minute)
	r.Warn(log, "keys/0/dial", "fetch error", "partition", 0)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3:\n%s", len(lines), buf.String())
	}
	if !strings.Contains(lines[1], "partition=1") || !strings.Contains(lines[2], "repeats_not_logged=4999") {
		t.Errorf("lines = %q, want partition 1 at once and 4999 repeats counted", lines)
	}
}
