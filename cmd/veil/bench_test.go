package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/kafkatest"
	"github.com/veil-privacy/veil/rules"
)

func TestRunBench(t *testing.T) {
	for _, g := range []string{processor.AtLeastOnce, processor.ExactlyOnce} {
		t.Run(g, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := []string{"--events", "400", "--conversations", "30", "--partitions", "2", "--workers", "2", "--guarantee", g, "--body-bytes", "300"}
			if err := runBench(context.Background(), args, &out, &errb); err != nil {
				t.Fatalf("runBench: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errb.String())
			}
			t.Log("\n" + out.String())
			for _, want := range []string{"400 events", "outputs per event: 4", "pass-through", "veil / pass-through, events/s", "conversations.analytics: "} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, out.String())
				}
			}
			if !strings.Contains(out.String(), "conversations.dlq: 0 records") {
				t.Errorf("events went to the DLQ:\n%s", out.String())
			}
			checkSummaryLine(t, out.String())
		})
	}
}

// TestRunBenchOverload runs the overload mode against a broker given with
// --brokers (kfake in this process, which is enough to test the run's
// workings; its memory figures mean nothing here): every reading and the
// overload summary line are printed, the lag is what was produced and not
// committed, and the bench's summary line still comes last.
func TestRunBenchOverload(t *testing.T) {
	if os.Getenv(kafkatest.BrokersEnv) != "" {
		t.Skip("kfake only")
	}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.GroupMinSessionTimeout(500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	var out, errb bytes.Buffer
	args := []string{"--brokers", strings.Join(cluster.ListenAddrs(), ","), "--events", "400", "--conversations", "30",
		"--partitions", "2", "--overload", "3s", "--overload-rate", "3000"}
	if err := runBench(context.Background(), args, &out, &errb); err != nil {
		t.Fatalf("runBench: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errb.String())
	}
	t.Log("\n" + out.String())
	var readings int
	var line string
	for l := range strings.Lines(out.String()) {
		f := strings.Fields(l)
		if len(f) == 6 && strings.HasSuffix(f[0], "s") && f[0] != "elapsed" {
			readings++
		}
		if strings.HasPrefix(l, "overload: seconds=") {
			line = l
		}
	}
	if readings < 2 {
		t.Errorf("%d overload readings, want at least 2 (one a second for 3 s)", readings)
	}
	got := map[string]float64{}
	for f := range strings.FieldsSeq(strings.TrimPrefix(line, "overload: ")) {
		k, v, _ := strings.Cut(f, "=")
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("overload line %q: %s: %v", line, k, err)
		}
		got[k] = x
	}
	for _, k := range []string{"seconds", "produced_eps", "committed_eps", "lag_end", "rss_mb_first_half_max", "rss_mb_second_half_max", "heap_mb_first_half_max", "heap_mb_second_half_max"} {
		if x, ok := got[k]; !ok || x < 0 {
			t.Errorf("overload line %q: %s = %v, %v; want a figure ≥ 0", line, k, x, ok)
		}
	}
	// Paced: never more than the rate asked for.
	if r := got["produced_eps"]; r <= 0 || r > 3300 {
		t.Errorf("produced_eps = %.0f, want some and at most the 3000 asked for", r)
	}
	checkSummaryLine(t, out.String())
}

// checkSummaryLine checks that the last line of a 'veil bench' output holds
// every figure, each positive and finite, and that throughput_ratio is
// veil_eps / base_eps within the rounding of the printed figures.
func checkSummaryLine(t *testing.T, out string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	last := lines[len(lines)-1]
	got := map[string]float64{}
	for f := range strings.FieldsSeq(last) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			t.Fatalf("last line %q: field %q is not key=value", last, f)
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("last line %q: %s: %v", last, k, err)
		}
		got[k] = x
	}
	for _, k := range []string{"throughput_ratio", "cpu_ratio", "veil_eps", "base_eps", "cores", "p99_ms"} {
		x, ok := got[k]
		if !ok {
			t.Errorf("last line %q lacks %s", last, k)
			continue
		}
		if !(x > 0) || math.IsInf(x, 0) {
			t.Errorf("last line %q: %s = %v, want a positive finite number", last, k, x)
		}
	}
	// veil_eps and base_eps are rounded to whole events/s, the ratio to 4
	// decimals.
	if b := got["base_eps"]; b > 0 {
		want := got["veil_eps"] / b
		tol := 0.00005 + want*(0.5/got["veil_eps"]+0.5/b)
		if d := math.Abs(got["throughput_ratio"] - want); d > tol {
			t.Errorf("throughput_ratio %v, want veil_eps/base_eps = %v (±%v)", got["throughput_ratio"], want, tol)
		}
	}
}

func TestBenchSummaryLine(t *testing.T) {
	run := func(events int64, steady, cpu time.Duration) phaseResult {
		return phaseResult{events: events, steady: steady, total: steady, cpu: cpu}
	}
	veil := []phaseResult{run(1000, time.Second, 1500*time.Millisecond), run(1000, 2*time.Second, 3*time.Second), run(1000, 4*time.Second, 6*time.Second)}
	base := []phaseResult{run(1000, 500*time.Millisecond, 250*time.Millisecond), run(1000, time.Second, 500*time.Millisecond), run(1000, time.Second, 500*time.Millisecond)}
	s := summarize(veil, base)
	s.p99 = 12500 * time.Microsecond
	want := "throughput_ratio=0.5000 cpu_ratio=6.0000 veil_eps=500 base_eps=1000 cores=1.500 p99_ms=12.500"
	if got := s.line(); got != want {
		t.Errorf("line() = %q, want %q", got, want)
	}
	checkSummaryLine(t, s.line())
	// Without CPU figures the ratio says so rather than 0 or Inf.
	s.veilCPU = 0
	if got := s.line(); !strings.Contains(got, "cpu_ratio=NaN") {
		t.Errorf("line() = %q, want cpu_ratio=NaN", got)
	}
}

func TestRunBenchFlags(t *testing.T) {
	tests := []struct {
		give []string
		want string
	}{
		{[]string{"--events", "0"}, "--events"},
		{[]string{"--guarantee", "at_most_once"}, "--guarantee"},
		{[]string{"--partitions", "0", "--workers", "0"}, "--workers"},
		{[]string{"--body-bytes", "-1"}, "--body-bytes"},
		{[]string{"--overload", "1m"}, "--overload needs --brokers"},
		{[]string{"--brokers", "127.0.0.1:1", "--overload", "1m", "--overload-factor", "0.5"}, "--overload-factor"},
		{[]string{"--brokers", "127.0.0.1:1", "--overload", "1m", "--overload-rate", "-1"}, "--overload-rate"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		err := runBench(context.Background(), tt.give, &out, &errb)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("runBench(%q) = %v, want an error about %s", tt.give, err, tt.want)
		}
	}
}

// TestEventGen checks that the synthetic events carry personal data that the
// engine finds, of several types, and are deterministic for a seed.
func TestEventGen(t *testing.T) {
	engine, err := rules.NewEngine(rules.Config{})
	if err != nil {
		t.Fatal(err)
	}
	g, h := newEventGen(3), newEventGen(3)
	types := map[rules.Type]int{}
	var findings, size int
	for i := range 500 {
		ev := g.event(i, 40, 600)
		if ev2 := h.event(i, 40, 600); ev2.Body != ev.Body {
			t.Fatalf("event %d differs between two generators with one seed", i)
		}
		if err := ev.Validate(); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if len(ev.Body) < 600 {
			t.Fatalf("event %d: body of %d bytes, want at least 600", i, len(ev.Body))
		}
		size += len(ev.Body)
		for _, f := range engine.Detect(nil, ev.Body, ev.Locale) {
			types[f.Type]++
			findings++
		}
	}
	t.Logf("%d findings in %d KB: %v", findings, size>>10, types)
	for _, want := range []rules.Type{rules.Email, rules.Phone, rules.CreditCard, rules.IBAN, rules.Person} {
		if types[want] == 0 {
			t.Errorf("no %s found in the generated events", want)
		}
	}
	if per := float64(findings) / float64(size>>10); per < 2 {
		t.Errorf("%.1f findings per KB, want at least 2", per)
	}
}
