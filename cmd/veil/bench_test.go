package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/veil-privacy/veil/processor"
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
			for _, want := range []string{"400 events", "baseline", "veil / baseline, events/s", "conversations.analytics: "} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, out.String())
				}
			}
			if !strings.Contains(out.String(), "conversations.dlq: 0 records") {
				t.Errorf("events went to the DLQ:\n%s", out.String())
			}
		})
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
