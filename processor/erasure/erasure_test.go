package erasure_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/schemas"
)

// genEvents makes n events of customers cust-00..cust-<customers-1>, spread
// over convs conversations (conversation c belongs to customer c%customers).
func genEvents(n, convs, customers int, t0 time.Time) []schemas.ConversationEvent {
	evs := make([]schemas.ConversationEvent, n)
	for i := range evs {
		c := i % convs
		evs[i] = schemas.ConversationEvent{
			EventID:        fmt.Sprintf("ev-%05d", i),
			ConversationID: fmt.Sprintf("conv-%03d", c),
			CustomerID:     fmt.Sprintf("cust-%02d", c%customers),
			Channel:        []string{"chat", "email"}[c%2],
			Locale:         []string{"nl-NL", "en-GB", "de-DE"}[c%3],
			AuthorRole:     []string{"customer", "agent"}[i%2],
			SentAt:         t0.Add(time.Duration(i) * time.Minute),
			Body:           fmt.Sprintf("Bericht %d: mail me op jan.jansen@example.nl of bel 06-12345678.", i),
		}
	}
	return evs
}

func rawRecords(t testing.TB, topic string, evs []schemas.ConversationEvent) []*kgo.Record {
	t.Helper()
	codec, _ := schemas.NewCodec(schemas.FormatJSON)
	recs := make([]*kgo.Record, len(evs))
	for i, ev := range evs {
		v, err := codec.EncodeEvent(ev)
		if err != nil {
			t.Fatal(err)
		}
		recs[i] = &kgo.Record{Topic: topic, Key: []byte(ev.ConversationID), Value: v}
	}
	return recs
}

func viewKey(ev schemas.ConversationEvent) string { return ev.ConversationID + "/" + ev.EventID }

// TestErasePipeline runs events of ten customers through a processor, erases
// three customers and checks, after compaction, that none of their view
// records is left, all of the others' are, the receipts count what was
// erased, and their keys are shredded.
// Under exactly-once the index entries arrive in transactions, so the index
// partitions end with commit markers.
func TestErasePipeline(t *testing.T) {
	for _, g := range []string{processor.AtLeastOnce, processor.ExactlyOnce} {
		t.Run(g, func(t *testing.T) { testErasePipeline(t, g) })
	}
}

func testErasePipeline(t *testing.T, guarantee string) {
	e := newEnv(t)
	const parts = 3
	pcfg, ecfg := e.configs(parts)
	pcfg.Processing.Guarantee = guarantee
	p, _ := e.startProcessor(pcfg)
	evs := genEvents(600, 40, 10, time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC))
	e.Produce(rawRecords(t, pcfg.Topics.Raw, evs)...)
	waitIndexed(t, e, pcfg, len(evs))

	reg := prometheus.NewRegistry()
	e.startService(ecfg, pcfg, p.Keyring(), reg, nil)
	erased := map[string]string{"cust-01": "req-1", "cust-04": "req-4", "cust-07": "req-7"}
	start := time.Now()
	for c, id := range erased {
		e.request(ecfg, id, c)
	}
	rcs := e.receipts(ecfg, len(erased), 60*time.Second)
	t.Logf("3 receipts after %v", time.Since(start))
	if len(rcs) != len(erased) {
		t.Fatalf("got %d receipts, want %d", len(rcs), len(erased))
	}

	perCustomer := map[string]int{}
	for _, ev := range evs {
		perCustomer[ev.CustomerID]++
	}
	kr := p.Keyring()
	for _, rc := range rcs {
		var cust string
		for c, id := range erased {
			if id == rc.RequestID {
				cust = c
			}
		}
		if cust == "" {
			t.Fatalf("receipt for unknown request %q", rc.RequestID)
		}
		want := perCustomer[cust]
		if rc.Status != "completed" || rc.Reason != "request" || rc.Events != want || rc.SubjectHash != kr.SubjectID(cust) {
			t.Errorf("receipt %s = %+v, want completed request of %d events for subject %s", rc.RequestID, rc, want, kr.SubjectID(cust))
		}
		for _, v := range pcfg.Views {
			if got := rc.Tombstones[v.Topic]; got != want {
				t.Errorf("receipt %s: %d tombstones on %s, want %d", rc.RequestID, got, v.Name, want)
			}
		}
		if got := rc.Tombstones[pcfg.Topics.Subjects]; got != want {
			t.Errorf("receipt %s: %d index tombstones, want %d", rc.RequestID, got, want)
		}
		if rc.CompletedAt.Before(rc.StartedAt) || rc.StartedAt.IsZero() {
			t.Errorf("receipt %s: started %v, completed %v", rc.RequestID, rc.StartedAt, rc.CompletedAt)
		}
	}

	var viewTopics []string
	for _, v := range pcfg.Views {
		viewTopics = append(viewTopics, v.Topic)
	}
	e.compact(parts, append(viewTopics, pcfg.Topics.Subjects, pcfg.Topics.Keys)...)
	for _, v := range pcfg.Views {
		recs := e.readAll(v.Topic)
		values := map[string]int{} // non-tombstone records per key, after compaction
		for _, r := range recs {
			if r.Value != nil {
				values[string(r.Key)]++
			}
		}
		last := latest(recs)
		kept, gone := 0, 0
		for _, ev := range evs {
			k := viewKey(ev)
			if _, ok := erased[ev.CustomerID]; ok {
				if last[k] != nil {
					t.Errorf("%s: record %s of erased %s still there", v.Name, k, ev.CustomerID)
				}
				if e.Cluster != nil && values[k] > 0 {
					t.Errorf("%s: %d values of %s of erased %s survive compaction", v.Name, values[k], k, ev.CustomerID)
				}
				gone++
				continue
			}
			if last[k] == nil {
				t.Errorf("%s: record %s of %s missing", v.Name, k, ev.CustomerID)
			}
			kept++
		}
		t.Logf("%s: %d records read, %d events kept, %d erased", v.Name, len(recs), kept, gone)
	}

	keyRecs := e.readAll(pcfg.Topics.Keys)
	keys := latest(keyRecs)
	for c := range erased {
		s := kr.SubjectID(c)
		for _, r := range keyRecs {
			if e.Cluster != nil && string(r.Key) == s && r.Value != nil {
				t.Errorf("wrapped key of %s survives compaction at offset %d", c, r.Offset)
			}
		}
		if v, ok := keys[s]; !ok || v != nil {
			t.Errorf("key of %s: present=%v tombstone=%v, want a tombstone", c, ok, v == nil)
		}
		if keys["erased/"+s] == nil {
			t.Errorf("no erasure marker for %s", c)
		}
		if er, ok := kr.Erased(s); !ok || er.RequestID != erased[c] {
			t.Errorf("keyring: erased(%s) = %+v, %v", c, er, ok)
		}
	}
	if keys[kr.SubjectID("cust-02")] == nil {
		t.Errorf("key of cust-02 (not erased) is gone")
	}
	if got := counter(t, reg, "veil_erasure_requests_total", "completed"); got != 3 {
		t.Errorf("veil_erasure_requests_total{completed} = %v, want 3", got)
	}
}

// waitIndexed waits until the index topic holds n distinct entry keys.
func waitIndexed(t testing.TB, e *env, pcfg processor.Config, n int) {
	t.Helper()
	keys := map[string]bool{}
	seen := 0
	e.ConsumeUntil(pcfg.Topics.Subjects, 120*time.Second, func(recs []*kgo.Record) bool {
		for _, r := range recs[seen:] {
			keys[string(r.Key)] = true
		}
		seen = len(recs)
		return len(keys) >= n
	})
	if len(keys) < n {
		t.Fatalf("index holds %d entries, want %d", len(keys), n)
	}
}

// counter returns the value of a counter with the given label value (or
// the sum over label values when value is "").
func counter(t testing.TB, reg *prometheus.Registry, name, value string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			match := value == ""
			for _, l := range m.GetLabel() {
				match = match || l.GetValue() == value
			}
			if match {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

// TestLateEventRequesterClock: a request stamped an hour early by its
// sender's clock still makes late events sent before it arrived late. The
// erasure counts from the request record's timestamp (the broker's append
// time on a topic Veil creates), not from requested_at: before, an event
// sent half an hour before the request arrived got a fresh key and was
// rendered.
func TestLateEventRequesterClock(t *testing.T) {
	e := newEnv(t)
	const parts = 3
	pcfg, ecfg := e.configs(parts)
	p, _ := e.startProcessor(pcfg)
	e.startService(ecfg, pcfg, p.Keyring(), nil, nil)
	codec, err := schemas.NewCodec(schemas.FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	v, err := codec.EncodeErasureRequest(schemas.ErasureRequest{RequestID: "req-slow", CustomerID: "cust-late",
		RequestedAt: time.Now().UTC().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	e.Produce(&kgo.Record{Topic: ecfg.Topics.Requests, Key: []byte("cust-late"), Value: v})
	e.receipts(ecfg, 1, 30*time.Second)
	late := genEvents(2, 1, 1, time.Now().UTC().Add(-30*time.Minute))
	late[0].CustomerID, late[1].CustomerID = "cust-late", "cust-other"
	late[1].SentAt = time.Now().UTC()
	e.Produce(rawRecords(t, pcfg.Topics.Raw, late)...)
	e.WaitCommitted(pcfg.Group, pcfg.Topics.Raw, 30*time.Second)
	for _, view := range pcfg.Views {
		last := latest(e.readAll(view.Topic))
		if last[viewKey(late[0])] != nil {
			t.Errorf("%s: the late event of the erased customer was rendered", view.Name)
		}
		if last[viewKey(late[1])] == nil {
			t.Errorf("%s: the other customer's event is missing", view.Name)
		}
	}
}
