package processor_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/schemas"
)

// TestTransactionSpansPolls: under exactly-once, with a backlog, one
// transaction takes several polls (the next poll is handled while the
// outputs of the last are acknowledged), so there are fewer transactions
// than polls of max_poll_records; and the outputs are still exact.
func TestTransactionSpansPolls(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(4)
	cfg.Processing.Guarantee = processor.ExactlyOnce
	cfg.Processing.MaxPollRecords = 25
	evs := genEvents(sized(4000, 2000), 100)
	e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, evs)...)

	reg := prometheus.NewRegistry()
	_, stop := e.startRegistered(cfg, reg)
	e.verify(t, processor.ExactlyOnce, cfg, history(evs), 2*time.Minute) // exact: nothing lost, duplicated or out of order
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var txns float64
	for _, mf := range mfs {
		if mf.GetName() == "veil_commits_total" {
			for _, m := range mf.GetMetric() {
				for _, l := range m.GetLabel() {
					if l.GetValue() == "ok" {
						txns += m.GetCounter().GetValue()
					}
				}
			}
		}
	}
	polls := float64(len(evs)) / float64(cfg.Processing.MaxPollRecords)
	t.Logf("%.0f committed transactions for %d events in polls of at most %d (at least %.0f polls)", txns, len(evs), cfg.Processing.MaxPollRecords, polls)
	if txns == 0 || txns >= polls {
		t.Errorf("%.0f committed transactions, want some and fewer than the %.0f polls: a transaction should span several", txns, polls)
	}
}
