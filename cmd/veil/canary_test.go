package main

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor/canary"
)

// TestDevRunsCanary: veil dev runs the PII canary without being asked; its
// renderings reach every view, none leaks, and /metrics shows it. Every
// canary view record carries the canary header, and no canary event is in
// the subject index.
func TestDevRunsCanary(t *testing.T) {
	d := startDev(t, "--canary-every", "300ms") // the default rate (10s), faster
	c := defaultConfig()
	waitFor(t, "/readyz", 60*time.Second, func() bool {
		resp, err := http.Get("http://" + d.http + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	v := &veilRun{http: d.http}
	var m map[string]float64
	waitFor(t, "canary checks in every view", 60*time.Second, func() bool {
		m = v.metrics(t)
		for _, view := range c.Views {
			if m[`veil_canary_checks_total{view="`+view.Name+`"}`] < 2 {
				return false
			}
		}
		return true
	})
	for _, view := range c.Views {
		n := m[`veil_canary_latency_seconds_count{view="`+view.Name+`"}`]
		if n < 2 {
			t.Errorf("view %s: latency count %v, want the checked renderings", view.Name, n)
		}
		for k, val := range m {
			if s := parseSeries(k); s.name == "veil_canary_leaks_total" && val != 0 {
				t.Errorf("%s = %v: the dev views leak canary values", k, val)
			}
		}
	}
	if m["veil_canary_events_total"] < 2 {
		t.Errorf("veil_canary_events_total = %v", m["veil_canary_events_total"])
	}
	if n := len(canarySeries(m, "veil_canary_leaks_total")); n != len(c.Views)*14 {
		t.Errorf("%d leak series, want one per view and type (%d)", n, len(c.Views)*14)
	}

	// What consumers see: the header on every canary record; nothing of
	// the canary in the subject index.
	cl, err := kgo.NewClient(kgo.SeedBrokers(d.broker), kgo.ConsumeTopics(c.Views[0].Topic, c.Topics.Subjects),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var marked, index int
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for marked == 0 || index < 16 {
		f := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("canary records on %s: %d, index entries: %d", c.Views[0].Topic, marked, index)
		}
		f.EachRecord(func(r *kgo.Record) {
			isCanary := false
			for _, h := range r.Headers {
				isCanary = isCanary || h.Key == canary.Header
			}
			switch {
			case r.Topic == c.Topics.Subjects:
				index++
				if isCanary || containsCanary(r.Key) || containsCanary(r.Value) {
					t.Errorf("subject index holds a canary entry: key %q", r.Key)
				}
			case isCanary:
				marked++
			case containsCanary(r.Key):
				t.Errorf("canary record %q on %s without the %s header", r.Key, r.Topic, canary.Header)
			}
		})
	}
	t.Logf("canary: %v events, checks %v; %d marked records on %s, %d index entries (samples only)",
		m["veil_canary_events_total"], canarySeries(m, "veil_canary_checks_total"), marked, c.Views[0].Topic, index)
}

func containsCanary(b []byte) bool { return bytes.Contains(b, []byte(canary.CustomerID)) }

// canarySeries returns the samples of metric name in m.
func canarySeries(m map[string]float64, name string) map[string]float64 {
	out := map[string]float64{}
	for k, v := range m {
		if parseSeries(k).name == name {
			out[k] = v
		}
	}
	return out
}
