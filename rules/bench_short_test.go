package rules

import (
	"bufio"
	"encoding/json"
	"os"
	"syscall"
	"testing"
)

// shortMessage is one line of testdata/short/short.jsonl.
type shortMessage struct {
	Locale string `json:"locale"`
	Text   string `json:"text"`
}

// loadShort reads the short chat messages written by testdata/short/gen.py.
func loadShort(tb testing.TB) ([]shortMessage, int) {
	tb.Helper()
	f, err := os.Open("testdata/short/short.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var msgs []shortMessage
	total := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m shortMessage
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			tb.Fatal(err)
		}
		msgs = append(msgs, m)
		total += len(m.Text)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if len(msgs) == 0 {
		tb.Fatal("no messages in testdata/short/short.jsonl")
	}
	return msgs, total
}

// cpuNanos returns the user+system CPU time of this process in nanoseconds. On a shared
// machine it counts only the time the benchmark ran, not the time it waited for a core.
func cpuNanos(tb testing.TB) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkShort runs Detect and the regexp baseline over the same 400 chat messages
// (50-300 bytes each, NL/EN/DE/FR) in one run; compare their MB/s as a ratio.
// One op is one pass over all messages, each with its own locale.
func BenchmarkShort(b *testing.B) {
	msgs, total := loadShort(b)
	b.Run("veil", func(b *testing.B) {
		e := newTestEngine(b)
		var dst []Finding
		n := 0
		b.SetBytes(int64(total))
		b.ReportAllocs()
		c0 := cpuNanos(b)
		for b.Loop() {
			n = 0
			for _, m := range msgs {
				dst = e.Detect(dst[:0], m.Text, m.Locale)
				n += len(dst)
			}
		}
		b.ReportMetric(float64(cpuNanos(b)-c0)/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(n)/float64(len(msgs)), "findings/msg")
	})
	b.Run("regexp", func(b *testing.B) {
		pats := baselinePatterns()
		b.SetBytes(int64(total))
		b.ReportAllocs()
		c0 := cpuNanos(b)
		for b.Loop() {
			for _, m := range msgs {
				for _, re := range pats {
					re.FindAllStringIndex(m.Text, -1)
				}
			}
		}
		b.ReportMetric(float64(cpuNanos(b)-c0)/float64(b.N), "cpu-ns/op")
	})
}
