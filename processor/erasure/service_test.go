package erasure_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/changelog"
	"github.com/veil-privacy/veil/processor/erasure"
	"github.com/veil-privacy/veil/processor/kafkatest"
	"github.com/veil-privacy/veil/processor/keyring"
	"github.com/veil-privacy/veil/processor/subjects"
	"github.com/veil-privacy/veil/schemas"
)

// seed writes view records and index entries for evs as the processor does
// (without running one), so that tests control sent_at, channel and locale
// and can write many events quickly.
func seed(t testing.TB, e *env, pcfg processor.Config, kr *keyring.Keyring, evs []schemas.ConversationEvent) {
	t.Helper()
	recs := make([]*kgo.Record, 0, len(evs)*(len(pcfg.Views)+1))
	flush := func() {
		e.Produce(recs...)
		recs = recs[:0]
	}
	for _, ev := range evs {
		key := viewKey(ev)
		entry := subjects.Entry{Subject: kr.SubjectID(ev.CustomerID), Key: key, ConversationID: ev.ConversationID,
			SentAt: ev.SentAt, Channel: ev.Channel, Locale: ev.Locale}
		for _, v := range pcfg.Views {
			recs = append(recs, &kgo.Record{Topic: v.Topic, Key: []byte(key), Value: []byte(`{"view":"` + v.Name + `"}`),
				Context: changelog.WithPartitionKey(ev.ConversationID)})
			entry.Views = append(entry.Views, subjects.View{Name: v.Name, Topic: v.Topic})
		}
		recs = append(recs, &kgo.Record{Topic: pcfg.Topics.Subjects, Key: []byte(subjects.EntryKey(entry.Subject, key)),
			Value: subjects.MarshalEntry(entry), Context: changelog.WithPartitionKey(ev.CustomerID)})
		if len(recs) >= 20000 {
			flush()
		}
	}
	flush()
}

// rawReceipts reads the receipt topic from the start until it holds n
// records or timeout passes.
func rawReceipts(e *env, cfg erasure.Config, n int, timeout time.Duration) []*kgo.Record {
	return e.ConsumeUntil(cfg.Topics.Receipts, timeout, func(recs []*kgo.Record) bool { return len(recs) >= n })
}

// TestIdempotent sends one request id twice: one round of work, the same
// receipt twice. A service of another group that replays both records does
// no work either.
func TestIdempotent(t *testing.T) {
	e := newEnv(t)
	pcfg, ecfg := e.configs(3)
	kr := e.startKeyring(pcfg)
	evs := genEvents(300, 30, 10, time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC))
	seed(t, e, pcfg, kr, evs)

	reg := prometheus.NewRegistry()
	stop := e.startService(ecfg, pcfg, kr, reg, nil)
	e.request(ecfg, "req-same", "cust-03")
	first := rawReceipts(e, ecfg, 1, 30*time.Second)
	e.request(ecfg, "req-same", "cust-03")
	both := rawReceipts(e, ecfg, 2, 30*time.Second)
	if len(first) != 1 || len(both) != 2 {
		t.Fatalf("got %d then %d receipts, want 1 then 2", len(first), len(both))
	}
	if !bytes.Equal(both[0].Value, both[1].Value) || !bytes.Equal(both[0].Key, both[1].Key) {
		t.Errorf("repeated receipt differs:\n%s\n%s", both[0].Value, both[1].Value)
	}
	kafkatest.WaitFor(t, 10*time.Second, "the repeated request counted", func() bool {
		return counter(t, reg, "veil_erasure_requests_total", "repeated") == 1
	})
	if got := counter(t, reg, "veil_erasure_requests_total", "completed"); got != 1 {
		t.Errorf("completed = %v, want 1", got)
	}
	if got, want := counter(t, reg, "veil_tombstones_total", pcfg.Views[0].Topic), 30.0; got != want {
		t.Errorf("tombstones on %s = %v, want %v (one round of work)", pcfg.Views[0].Name, got, want)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}

	// Another group reads both request records again: the first is the
	// record the completion names (nothing to do), the second a repeat.
	other := ecfg
	other.Group = e.Prefix + "-other"
	reg2 := prometheus.NewRegistry()
	e.startService(other, pcfg, kr, reg2, nil)
	all := rawReceipts(e, ecfg, 3, 30*time.Second)
	kafkatest.WaitFor(t, 10*time.Second, "both records handled", func() bool {
		return counter(t, reg2, "veil_erasure_requests_total", "") == 2
	})
	if got := counter(t, reg2, "veil_erasure_requests_total", "replayed"); got != 1 {
		t.Errorf("replayed = %v, want 1", got)
	}
	if got := counter(t, reg2, "veil_tombstones_total", ""); got != 0 {
		t.Errorf("the replay wrote %v tombstones, want 0", got)
	}
	if len(all) != 3 || !bytes.Equal(all[2].Value, all[0].Value) {
		t.Errorf("got %d receipts, want 3 identical", len(all))
	}
}

// TestUnknownSubject erases a customer Veil never saw: the receipt says so
// (status not_found, no events, no view or index tombstones), and it is still
// a PII-free receipt; the key shred is written all the same, so that late
// events sent before the request are dropped.
func TestUnknownSubject(t *testing.T) {
	e := newEnv(t)
	pcfg, ecfg := e.configs(3)
	kr := e.startKeyring(pcfg)
	seed(t, e, pcfg, kr, genEvents(60, 6, 3, time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)))
	e.startService(ecfg, pcfg, kr, prometheus.NewRegistry(), nil)
	e.request(ecfg, "req-unknown", "cust-never-seen")
	e.request(ecfg, "req-known", "cust-01")
	rcs := e.receipts(ecfg, 2, 30*time.Second)
	if len(rcs) != 2 {
		t.Fatalf("got %d receipts, want 2", len(rcs))
	}
	byID := map[string]schemas.ErasureReceipt{}
	for _, rc := range rcs {
		byID[rc.RequestID] = rc
	}
	tests := []struct {
		give       string
		wantStatus string
		wantEvents bool
	}{
		{"req-unknown", erasure.StatusNotFound, false},
		{"req-known", erasure.StatusCompleted, true},
	}
	for _, tt := range tests {
		rc := byID[tt.give]
		if rc.Status != tt.wantStatus || (rc.Events > 0) != tt.wantEvents {
			t.Errorf("%s: status %q events %d, want %q (events: %v)", rc.RequestID, rc.Status, rc.Events, tt.wantStatus, tt.wantEvents)
		}
		for _, v := range pcfg.Views {
			if n := rc.Tombstones[v.Topic]; (n > 0) != tt.wantEvents {
				t.Errorf("%s: %d tombstones on %s", rc.RequestID, n, v.Topic)
			}
		}
		if strings.Contains(fmt.Sprint(rc), "cust-") {
			t.Errorf("%s: receipt holds the customer id: %+v", rc.RequestID, rc)
		}
	}
}

// TestCrashMidErasure fails every produce to one view topic, stops the
// service in the middle of the erasure, and restarts it: exactly one
// completed receipt, every tombstone present.
func TestCrashMidErasure(t *testing.T) {
	if os.Getenv(kafkatest.BrokersEnv) != "" {
		t.Skip("needs kfake fault injection")
	}
	e := newEnv(t)
	const parts = 3
	pcfg, ecfg := e.configs(parts)
	kr := e.startKeyring(pcfg)
	evs := genEvents(400, 40, 10, time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC))
	seed(t, e, pcfg, kr, evs)
	want := 0
	for _, ev := range evs {
		if ev.CustomerID == "cust-05" {
			want++
		}
	}

	faulty := pcfg.Views[1].Topic
	fault := e.Cluster.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Topic: faulty, Count: -1})
	stop := e.startService(ecfg, pcfg, kr, nil, nil)
	e.request(ecfg, "req-crash", "cust-05")
	kafkatest.WaitFor(t, 30*time.Second, "produce faults", func() bool { return fault.Hits() >= 3 })
	if err := stop(); err != nil {
		t.Fatalf("Run after cancel mid-erasure = %v, want nil", err)
	}
	if n := e.EndOffsets(ecfg.Topics.Receipts); n[0]+n[1]+n[2] != 0 {
		t.Fatalf("a receipt was published for an unfinished erasure")
	}
	// The index entries are still there: nothing is lost for the replay.
	subject := kr.SubjectID("cust-05")
	idx := latest(e.readAll(pcfg.Topics.Subjects))
	left := 0
	for k, v := range idx {
		if s, ok := subjects.SubjectOf(k); ok && s == subject && v != nil {
			left++
		}
	}
	if left != want {
		t.Errorf("%d index entries left after the failed attempt, want %d", left, want)
	}
	fault.Remove()

	e.startService(ecfg, pcfg, kr, nil, nil)
	rcs := e.receipts(ecfg, 1, 30*time.Second)
	// Once the request's offset is committed the service is done with it:
	// every receipt it wrote is below the end offsets.
	e.WaitCommitted(pcfg.Group+"-erasure", ecfg.Topics.Requests, 30*time.Second)
	if n := e.EndOffsets(ecfg.Topics.Receipts); len(rcs) != 1 || n[0]+n[1]+n[2] != 1 {
		t.Fatalf("got %d receipts (end offsets %v), want exactly 1", len(rcs), n)
	}
	if rc := rcs[0]; rc.Status != "completed" || rc.Events != want || rc.Tombstones[faulty] != want {
		t.Errorf("receipt = %+v, want %d events", rc, want)
	}
	e.compact(parts, pcfg.Views[0].Topic, pcfg.Views[1].Topic, pcfg.Views[2].Topic)
	for _, v := range pcfg.Views {
		last := latest(e.readAll(v.Topic))
		for _, ev := range evs {
			if ev.CustomerID == "cust-05" && last[viewKey(ev)] != nil {
				t.Errorf("%s: %s of the erased customer survives", v.Name, viewKey(ev))
			}
			if ev.CustomerID != "cust-05" && last[viewKey(ev)] == nil {
				t.Errorf("%s: %s of another customer is gone", v.Name, viewKey(ev))
			}
		}
	}
}

// TestCrashCountsExact interrupts an erasure of a customer with 4,500
// events (five chunks of tombstones) at points where some tombstones are
// written and others not, restarts the service, and checks the receipt: the
// status is completed and the counts equal the records removed, as if there
// had been no crash. Before progress records, a restart after the last
// chunk reported not_found with 0 events, and one after the first chunk
// reported the events of the later chunks only.
func TestCrashCountsExact(t *testing.T) {
	if os.Getenv(kafkatest.BrokersEnv) != "" {
		t.Skip("needs kfake fault injection")
	}
	tests := []struct {
		name string
		// topic returns the topic whose produce requests fail, after the
		// first ok of them succeed.
		topic func(pcfg processor.Config, ecfg erasure.Config) string
		ok    int
	}{
		{"after every tombstone", func(_ processor.Config, ecfg erasure.Config) string { return ecfg.Topics.Receipts }, 0},
		{"after the first chunk", func(pcfg processor.Config, _ erasure.Config) string { return pcfg.Topics.Subjects }, 2},
		{"in the second chunk's views", func(pcfg processor.Config, _ erasure.Config) string { return pcfg.Views[2].Topic }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			const parts = 3
			pcfg, ecfg := e.configs(parts)
			kr := e.startKeyring(pcfg)
			evs := genEvents(9000, 52, 2, time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC))
			seed(t, e, pcfg, kr, evs)
			want := 0
			for _, ev := range evs {
				if ev.CustomerID == "cust-01" {
					want++
				}
			}

			seen := 0
			fault := e.Cluster.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Topic: tt.topic(pcfg, ecfg), Count: -1,
				When: func(kmsg.Request) bool { seen++; return seen > tt.ok }})
			stop := e.startService(ecfg, pcfg, kr, nil, nil)
			e.request(ecfg, "req-crash", "cust-01")
			kafkatest.WaitFor(t, time.Minute, "produce faults", func() bool { return fault.Hits() >= 3 })
			if err := stop(); err != nil {
				t.Fatalf("Run after cancel mid-erasure = %v, want nil", err)
			}
			fault.Remove()

			e.startService(ecfg, pcfg, kr, nil, nil)
			rcs := e.receipts(ecfg, 1, time.Minute)
			rc := rcs[0]
			if rc.Status != erasure.StatusCompleted || rc.Events != want {
				t.Errorf("receipt: status %s, %d events, want completed, %d", rc.Status, rc.Events, want)
			}
			for _, topic := range []string{pcfg.Topics.Subjects, pcfg.Views[0].Topic, pcfg.Views[1].Topic, pcfg.Views[2].Topic} {
				if rc.Tombstones[topic] != want {
					t.Errorf("receipt: %d tombstones on %s, want %d", rc.Tombstones[topic], topic, want)
				}
			}
			e.compact(parts, pcfg.Views[0].Topic)
			last := latest(e.readAll(pcfg.Views[0].Topic))
			for _, ev := range evs {
				if ev.CustomerID == "cust-01" && last[viewKey(ev)] != nil {
					t.Errorf("%s of the erased customer survives", viewKey(ev))
				}
			}
		})
	}
}

// TestRetentionSweep expires records by policy with an injected clock.
func TestRetentionSweep(t *testing.T) {
	e := newEnv(t)
	pcfg, ecfg := e.configs(3)
	kr := e.startKeyring(pcfg)
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	evs := make([]schemas.ConversationEvent, 120)
	for i := range evs {
		evs[i] = schemas.ConversationEvent{
			EventID: fmt.Sprintf("ev-%03d", i), ConversationID: fmt.Sprintf("conv-%02d", i%12),
			CustomerID: fmt.Sprintf("cust-%d", i%5), Channel: []string{"chat", "email"}[i%2],
			Locale: []string{"nl-NL", "en-GB", "de-DE"}[i%3], SentAt: t0.Add(time.Duration(i) * time.Hour),
		}
	}
	seed(t, e, pcfg, kr, evs)
	ecfg.SweepInterval = 100 * time.Millisecond
	ecfg.Retention = erasure.Retention{Rules: []erasure.Rule{
		{Name: "chat-analytics", Channel: "chat", View: "analytics", Keep: 24 * time.Hour},
		{Name: "dutch", Locale: "nl", Keep: 72 * time.Hour},
	}}
	var clock atomic.Pointer[time.Time]
	now := t0.Add(120 * time.Hour)
	clock.Store(&now)
	reg := prometheus.NewRegistry()
	e.startService(ecfg, pcfg, kr, reg, func() time.Time { return *clock.Load() })

	expired := func(ev schemas.ConversationEvent, view string, now time.Time) bool {
		keep := time.Duration(0)
		switch {
		case ev.Channel == "chat" && view == "analytics":
			keep = 24 * time.Hour
		case ev.Locale == "nl-NL":
			keep = 72 * time.Hour
		}
		return keep > 0 && ev.SentAt.Add(keep).Before(now)
	}
	check := func(now time.Time) map[string]int {
		perRule := map[string]int{}
		for _, v := range pcfg.Views {
			last := latest(e.readAll(v.Topic))
			for _, ev := range evs {
				gone := last[viewKey(ev)] == nil
				if want := expired(ev, v.Name, now); gone != want {
					t.Errorf("%s of %s (%s %s, sent %v before now): expired=%v, want %v",
						v.Name, ev.EventID, ev.Channel, ev.Locale, now.Sub(ev.SentAt), gone, want)
				}
				if gone {
					perRule[v.Name]++
				}
			}
		}
		return perRule
	}

	rcs := e.receipts(ecfg, 2, 30*time.Second)
	if len(rcs) != 2 {
		t.Fatalf("got %d receipts, want 2 (one per policy)", len(rcs))
	}
	gone := check(now)
	t.Logf("after the first sweep, expired per view: %v", gone)
	for _, rc := range rcs {
		if rc.Reason != "retention" || rc.Status != "completed" || rc.Events == 0 {
			t.Errorf("receipt %+v", rc)
		}
	}
	byPolicy := map[string]schemas.ErasureReceipt{}
	for _, rc := range rcs {
		byPolicy[rc.Policy] = rc
	}
	if got := byPolicy["chat-analytics"].Tombstones[pcfg.Views[0].Topic]; got == 0 {
		t.Errorf("chat-analytics receipt counts no analytics tombstones: %+v", byPolicy["chat-analytics"])
	}
	// Later sweeps at the same time find nothing new: no more receipts.
	sweeps := counter(t, reg, "veil_retention_sweeps_total", "")
	kafkatest.WaitFor(t, 10*time.Second, "two more sweeps", func() bool {
		return counter(t, reg, "veil_retention_sweeps_total", "") >= sweeps+2
	})
	if n := len(e.receipts(ecfg, 3, time.Second)); n != 2 {
		t.Errorf("%d receipts after idle sweeps, want 2", n)
	}

	// Time passes: the Dutch rule expires everything Dutch.
	later := t0.Add(1000 * time.Hour)
	clock.Store(&later)
	e.receipts(ecfg, 3, 30*time.Second)
	kafkatest.WaitFor(t, 10*time.Second, "a sweep at the later time", func() bool {
		return counter(t, reg, "veil_retention_sweeps_total", "") >= sweeps+4
	})
	check(later)
	// Index entries with every view expired are gone; others list the views left.
	idx := latest(e.readAll(pcfg.Topics.Subjects))
	for _, ev := range evs {
		v := idx[subjects.EntryKey(kr.SubjectID(ev.CustomerID), viewKey(ev))]
		switch {
		case ev.Locale == "nl-NL" && v != nil:
			t.Errorf("index entry of %s (Dutch, all views expired) still there", ev.EventID)
		case ev.Locale != "nl-NL" && ev.Channel == "chat":
			entry, err := subjects.UnmarshalEntry(v)
			if err != nil || len(entry.Views) != len(pcfg.Views)-1 {
				t.Errorf("index entry of %s: %d views (%v), want %d", ev.EventID, len(entry.Views), err, len(pcfg.Views)-1)
			}
		case ev.Locale != "nl-NL" && v == nil:
			t.Errorf("index entry of %s gone", ev.EventID)
		}
	}
}

// TestEraseScale erases one customer with 10,000 events and reports the
// time from request to receipt. VEIL_SCALE_EVENTS overrides the count.
func TestEraseScale(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test")
	}
	n := 10000
	if s := os.Getenv("VEIL_SCALE_EVENTS"); s != "" {
		fmt.Sscan(s, &n)
	}
	e := newEnv(t)
	pcfg, ecfg := e.configs(6)
	kr := e.startKeyring(pcfg)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	big := genEvents(n, 50, 1, t0) // all of cust-00
	for i := range big {
		big[i].CustomerID = "cust-big"
	}
	others := genEvents(2000, 100, 20, t0)
	start := time.Now()
	seed(t, e, pcfg, kr, append(big, others...))
	t.Logf("seeded %d events (%d records) in %v", n+len(others), (n+len(others))*(len(pcfg.Views)+1), time.Since(start))

	e.startService(ecfg, pcfg, kr, nil, nil)
	start = time.Now()
	e.request(ecfg, "req-big", "cust-big")
	rcs := e.receipts(ecfg, 1, 120*time.Second)
	cold := time.Since(start)
	if len(rcs) != 1 || rcs[0].Events != n {
		t.Fatalf("receipts %+v, want one of %d events", rcs, n)
	}
	start = time.Now()
	e.request(ecfg, "req-small", "cust-03")
	rcs = e.receipts(ecfg, 2, 60*time.Second)
	warm := time.Since(start)
	if len(rcs) != 2 {
		t.Fatalf("got %d receipts, want 2", len(rcs))
	}
	t.Logf("erasure of %d events (%d tombstones): %v to receipt, index restore included; then %d events: %v",
		n, n*(len(pcfg.Views)+1)+1, cold, rcs[1].Events, warm)
}

// TestRebalance: two instances share the requests; when one stops, the
// other takes its partitions over, rebuilds their index from the changelog
// alone and erases subjects of every partition completely.
func TestRebalance(t *testing.T) {
	e := newEnv(t)
	const parts = 6
	pcfg, ecfg := e.configs(parts)
	kr := e.startKeyring(pcfg)
	evs := genEvents(1200, 60, 20, time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC))
	seed(t, e, pcfg, kr, evs)
	want := map[string]int{}
	for _, ev := range evs {
		want[ev.CustomerID]++
	}
	a := ecfg
	a.StoreDir = t.TempDir()
	stopA := e.startService(a, pcfg, kr, nil, nil)
	b := ecfg
	b.StoreDir = t.TempDir()
	e.startService(b, pcfg, kr, nil, nil)

	total := 0
	erase := func(ids ...int) {
		t.Helper()
		for _, i := range ids {
			e.request(ecfg, fmt.Sprintf("req-%02d", i), fmt.Sprintf("cust-%02d", i))
		}
		total += len(ids)
		rcs := e.receipts(ecfg, total, time.Minute)
		if len(rcs) != total {
			t.Fatalf("got %d receipts, want %d", len(rcs), total)
		}
		for _, rc := range rcs {
			var i int
			fmt.Sscanf(rc.RequestID, "req-%d", &i)
			if w := want[fmt.Sprintf("cust-%02d", i)]; rc.Events != w || rc.Tombstones[pcfg.Views[0].Topic] != w {
				t.Errorf("%s: %d events, %d tombstones on %s; want %d", rc.RequestID, rc.Events, rc.Tombstones[pcfg.Views[0].Topic], pcfg.Views[0].Name, w)
			}
		}
	}
	erase(0, 1, 2, 3, 4) // shared by both instances
	if err := stopA(); err != nil {
		t.Fatalf("stopping one instance: %v", err)
	}
	erase(5, 6, 7, 8, 9, 10, 11, 12, 13, 14) // now all on the other one
	t.Logf("15 subjects erased across a rebalance; %d events each", want["cust-05"])
}
