package erasure_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/changelog"
	"github.com/veil-privacy/veil/processor/erasure"
	"github.com/veil-privacy/veil/processor/kafkatest"
	"github.com/veil-privacy/veil/processor/keyring"
	"github.com/veil-privacy/veil/processor/subjects"
	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

// Customer Y's values, which customer X's thread holds too.
const (
	yEmail = "yara.visser@example.org"
	yCard  = "4111 1111 1111 1111"
	yBSN   = "111222333"
)

// identifyEvents are X's thread (Y's e-mail, card and BSN in it, and X's own
// e-mail and phone number) and one event of Y's own.
func identifyEvents(at time.Time) []schemas.ConversationEvent {
	ev := func(id, conv, cust, role, email, body string) schemas.ConversationEvent {
		return schemas.ConversationEvent{EventID: id, ConversationID: conv, CustomerID: cust, Channel: "email", Locale: "nl-NL",
			AuthorRole: role, AuthorEmail: email, SentAt: at, Body: body}
	}
	return []schemas.ConversationEvent{
		ev("x-1", "conv-x", "cust-x", "customer", "xavier@example.nl",
			"Mijn collega mailt vanaf "+yEmail+", haar kaart is "+yCard+" en haar BSN "+yBSN+"."),
		ev("x-2", "conv-x", "cust-x", "customer", "xavier@example.nl", "Mij bereik je op xavier@example.nl of +31 6 87654321."),
		ev("x-3", "conv-x", "cust-x", "agent", "", "Dank, we hebben "+yEmail+" genoteerd; uw eigen adres is xavier@example.nl."),
		ev("y-1", "conv-y", "cust-y", "customer", yEmail, "Hallo, mijn kaart "+yCard+" werkt niet."),
	}
}

// TestEraseByIdentifier is the acceptance test of erasure by identifier:
// after a request for customer Y with Y's e-mail address, card and BSN as
// identifiers, Y's own record is tombstoned, and X's records that held
// Y's values are re-rendered in every view with exactly those spans
// redacted: no view holds Y's values, readable, masked or pseudonymised
// (checked on the values read back, folded by key, and after compaction on
// every value left), X's other content is byte for byte as it was, X's
// records without Y's values are untouched, and the receipt's counts are
// exact. A second request for the same identifiers finds nothing left.
// Under exactly-once the view records and index entries it reads were
// written in transactions.
func TestEraseByIdentifier(t *testing.T) {
	for _, g := range []string{processor.AtLeastOnce, processor.ExactlyOnce} {
		t.Run(g, func(t *testing.T) { testEraseByIdentifier(t, g, -time.Minute) })
	}
}

// TestEraseByIdentifierClockAhead: the same with events whose sent_at is
// three hours ahead of the clock (a sender's clock wrong): their view
// records are stamped before it, so reading the views from sent_at finds
// none of them; they must still be re-rendered. (They were not: the keys were
// taken as missing and only the index entries went.)
func TestEraseByIdentifierClockAhead(t *testing.T) {
	testEraseByIdentifier(t, processor.AtLeastOnce, 3*time.Hour)
}

func testEraseByIdentifier(t *testing.T, guarantee string, ahead time.Duration) {
	e := newEnv(t)
	const parts = 3
	pcfg, ecfg := e.configs(parts)
	pcfg.Processing.Guarantee = guarantee
	p, _ := e.startProcessor(pcfg)
	evs := identifyEvents(time.Now().UTC().Add(ahead).Truncate(time.Millisecond))
	e.Produce(rawRecords(t, pcfg.Topics.Raw, evs)...)
	e.WaitCommitted(pcfg.Group, pcfg.Topics.Raw, 2*time.Minute)
	kr := p.Keyring()
	dekX, ok := kr.DataKey(kr.SubjectID("cust-x"))
	if !ok {
		t.Fatal("customer X has no data key")
	}
	yToken := "EMAIL_ADDRESS:" + keyring.Token(dekX, rules.Email, yEmail)
	before := folded(t, e, pcfg)
	// What the views showed of Y in X's records: the e-mail kept (support)
	// and pseudonymised with X's key (personalization), the card masked to
	// its last four (support); the BSN redacted everywhere.
	masked := "•••• •••• •••• 1111"
	for _, w := range []struct{ view, key, shows string }{
		{"support", "conv-x/x-1", yEmail}, {"support", "conv-x/x-1", masked}, {"support", "conv-x/x-3", yEmail},
		{"personalization", "conv-x/x-1", yToken}, {"personalization", "conv-x/x-3", yToken},
	} {
		if !strings.Contains(before[w.view][w.key].Body, w.shows) {
			t.Fatalf("before erasure, %s %s does not show %q: %q", w.view, w.key, w.shows, before[w.view][w.key].Body)
		}
	}

	// A record of X's from before sidecars existed, that shows Y's e-mail,
	// with its index entry: it cannot be re-rendered, so it is tombstoned.
	e.oldRecord(t, pcfg, kr, "conv-x/x-0", yEmail)

	e.startService(ecfg, pcfg, kr, nil, nil)
	ids := []schemas.Identifier{{Type: "EMAIL_ADDRESS", Value: yEmail}, {Type: "CREDIT_CARD", Value: yCard}, {Type: "NL_BSN", Value: yBSN}}
	e.requestIDs(ecfg, "req-y", "cust-y", ids)
	rcs := e.receipts(ecfg, 1, 90*time.Second)
	if len(rcs) != 1 {
		t.Fatalf("%d receipts, want 1", len(rcs))
	}
	rc := rcs[0]
	topic := func(view string) string { return e.Prefix + "." + view }
	// Y's one record on three views (and X's old record on support, failing
	// closed), its subject index entry and key; the identifier index
	// entries: Y's e-mail in x-0, x-1, x-3 and y-1 (the author's address and
	// the body's are one entry), Y's card in x-1 and y-1.
	wantTomb := map[string]int{topic("analytics"): 1, topic("personalization"): 1, topic("support"): 2,
		pcfg.Topics.Subjects: 1, pcfg.Topics.Keys: 1, pcfg.Topics.Identifiers: 6}
	wantRe := map[string]int{topic("personalization"): 2, topic("support"): 2}
	if rc.Status != "completed" || rc.Events != 1 || rc.SubjectHash != kr.SubjectID("cust-y") ||
		!equalCounts(rc.Tombstones, wantTomb) || !equalCounts(rc.Rerendered, wantRe) {
		t.Errorf("receipt %+v\nwant 1 event, tombstones %v, re-rendered %v", rc, wantTomb, wantRe)
	}
	for _, v := range []string{yEmail, yCard, yBSN, "yara"} {
		if b, _ := schemasJSON().EncodeErasureReceipt(rc); strings.Contains(string(b), v) {
			t.Errorf("the receipt holds %q", v)
		}
	}

	after := folded(t, e, pcfg)
	checkNoY(t, after, yToken)
	for view, recs := range after {
		for _, gone := range []string{"conv-y/y-1", "conv-x/x-0"} {
			if _, ok := recs[gone]; ok {
				t.Errorf("%s: record %s is still there", view, gone)
			}
		}
		for key, was := range before[view] {
			if strings.HasPrefix(key, "conv-y/") || key == "conv-x/x-0" {
				continue
			}
			now, ok := recs[key]
			if !ok {
				t.Errorf("%s: X's record %s is gone", view, key)
				continue
			}
			want := strings.NewReplacer(yEmail, "[EMAIL_ADDRESS]", masked, "[CREDIT_CARD]", yToken, "[EMAIL_ADDRESS]").Replace(was.Body)
			if now.Body != want || now.AuthorEmail != was.AuthorEmail || now.CustomerID != was.CustomerID {
				t.Errorf("%s %s: body %q author %q customer %q\nwant body %q author %q customer %q", view, key,
					now.Body, now.AuthorEmail, now.CustomerID, want, was.AuthorEmail, was.CustomerID)
			}
			changed := want != was.Body
			if got := strings.HasSuffix(now.PolicyVersion, "+erased"); got != changed {
				t.Errorf("%s %s: policy version %q (re-rendered: %v)", view, key, now.PolicyVersion, changed)
			}
			if !changed && now.ProcessedAt != was.ProcessedAt {
				t.Errorf("%s %s holds none of Y's values but was written again", view, key)
			}
		}
	}
	if got := after["support"]["conv-x/x-2"].Body; !strings.Contains(got, "xavier@example.nl") || !strings.Contains(got, "+31 6 87654321") {
		t.Errorf("X's own e-mail and phone were touched: %q", got)
	}

	// After compaction, no old version is left anywhere.
	var topics []string
	for _, v := range pcfg.Views {
		topics = append(topics, v.Topic)
	}
	e.compact(parts, topics...)
	if e.Cluster != nil {
		for _, v := range pcfg.Views {
			for _, r := range readCommitted(t, e, v.Topic) {
				for _, y := range []string{yEmail, yToken, masked, yCard} {
					if strings.Contains(string(r.Value), y) {
						t.Errorf("%s: after compaction, %s@%d still holds %q", v.Name, r.Key, r.Offset, y)
					}
				}
			}
		}
	}

	// The same identifiers again, by identifiers only: nothing is left to do.
	e.requestIDs(ecfg, "req-y-again", "", ids)
	rcs = e.receipts(ecfg, 2, 90*time.Second)
	if len(rcs) != 2 || rcs[1].Status != "not_found" || rcs[1].Rerendered != nil || rcs[1].Tombstones != nil || rcs[1].SubjectHash != "" {
		t.Errorf("second request: receipts %+v, want a not_found receipt without counts", rcs)
	}
}

// folded reads every view topic and returns its records folded by key (the
// last value per key; tombstoned keys left out), decoded.
func folded(t *testing.T, e *env, pcfg processor.Config) map[string]map[string]schemas.RenderedEvent {
	t.Helper()
	codec, _ := schemas.NewCodec(pcfg.Output.Format)
	out := map[string]map[string]schemas.RenderedEvent{}
	for _, v := range pcfg.Views {
		out[v.Name] = map[string]schemas.RenderedEvent{}
		for key, val := range latest(readCommitted(t, e, v.Topic)) {
			if val == nil || strings.HasPrefix(key, "!") || strings.HasPrefix(key, "filler-") {
				continue
			}
			re, err := codec.DecodeRendered(val)
			if err != nil {
				t.Fatalf("%s %s: %v", v.Name, key, err)
			}
			out[v.Name][key] = re
		}
	}
	return out
}

// checkNoY fails if any record of views shows one of Y's values: readable,
// masked to its last digits, or as the pseudonym yToken.
func checkNoY(t *testing.T, views map[string]map[string]schemas.RenderedEvent, yToken string) {
	t.Helper()
	for view, recs := range views {
		for key, re := range recs {
			all := strings.Join([]string{re.Body, re.Subject, re.AuthorEmail, re.AuthorName, re.CustomerID}, " ")
			for _, y := range []string{yEmail, yCard, yBSN, yToken, "•••• 1111", "yara"} {
				if strings.Contains(all, y) {
					t.Errorf("%s %s still shows %q: %q", view, key, y, all)
				}
			}
		}
	}
}

func equalCounts(got, want map[string]int) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

func schemasJSON() *schemas.Codec {
	c, _ := schemas.NewCodec(schemas.FormatJSON)
	return c
}

// requestIDs produces an erasure request for customer (may be "") and ids,
// keyed by the customer id, or else by the request id.
func (e *env) requestIDs(cfg erasure.Config, id, customer string, ids []schemas.Identifier) {
	e.T.Helper()
	v, err := schemasJSON().EncodeErasureRequest(schemas.ErasureRequest{RequestID: id, CustomerID: customer, RequestedAt: time.Now().UTC(), Identifiers: ids})
	if err != nil {
		e.T.Fatal(err)
	}
	key := customer
	if key == "" {
		key = id
	}
	e.Produce(&kgo.Record{Topic: cfg.Topics.Requests, Key: []byte(key), Value: v})
}

// oldRecord writes a support record of X's under key that shows value (an
// e-mail address) and has no sidecar, as records rendered before sidecars
// existed, and the identifier index entry that points to it.
func (e *env) oldRecord(t *testing.T, pcfg processor.Config, kr *keyring.Keyring, key, value string) {
	t.Helper()
	conv, event, _ := strings.Cut(key, "/")
	v, err := schemasJSON().EncodeRendered(schemas.RenderedEvent{EventID: event, ConversationID: conv, Channel: "email",
		Body: "Oud bericht van " + value, View: "support", PolicyVersion: "support/0", SentAt: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	h, err := subjects.NewIdentifierHasher(kr.IdentifierIndexKey())
	if err != nil {
		t.Fatal(err)
	}
	id := h.ID("EMAIL_ADDRESS", value)
	entry, err := subjects.AppendIdentifierEntry(nil, &subjects.IdentifierEntry{Key: key, ConversationID: conv, Type: "EMAIL_ADDRESS",
		// No usable sent_at (the zero time): the view partitions are read from their start.
		Subject: kr.SubjectID("cust-x"), SentAt: time.Time{}, Views: []subjects.IdentifierView{{Name: "support", Forms: subjects.FormKept}}})
	if err != nil {
		t.Fatal(err)
	}
	e.Produce(
		&kgo.Record{Topic: e.Prefix + ".support", Key: []byte(key), Value: v, Context: changelog.WithPartitionKey(conv)},
		&kgo.Record{Topic: pcfg.Topics.Identifiers, Key: []byte(subjects.IdentifierEntryKey(id, key)), Value: entry, Context: changelog.ByKeyPrefix()},
	)
}

// readCommitted reads topic from the start to its current end with
// read_committed, as a consumer of an exactly-once view does, and returns
// its data records. It keeps control records to know it reached the end:
// a partition written in transactions ends with a commit marker.
func readCommitted(t *testing.T, e *env, topic string) []*kgo.Record {
	t.Helper()
	ends := e.EndOffsets(topic)
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.Brokers...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.KeepControlRecords())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pos := map[int32]int64{}
	var out []*kgo.Record
	done := func() bool {
		for p, end := range ends {
			if pos[p] < end {
				return false
			}
		}
		return true
	}
	for !done() {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("reading %s: %v; at %v of %v", topic, ctx.Err(), pos, ends)
		}
		fs.EachRecord(func(r *kgo.Record) {
			pos[r.Partition] = r.Offset + 1
			if !r.Attrs.IsControl() {
				out = append(out, r)
			}
		})
	}
	return out
}

// TestEraseByIdentifierScale measures request -> receipt for a customer with
// 10k records (VEIL_SCALE_EVENTS) whose e-mail address 1k records of other
// customers hold too, next to 2k records that do not; it checks the counts.
func TestEraseByIdentifierScale(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test")
	}
	n := 10000
	if s := os.Getenv("VEIL_SCALE_EVENTS"); s != "" {
		fmt.Sscan(s, &n)
	}
	e := newEnv(t)
	pcfg, ecfg := e.configs(6)
	p, _ := e.startProcessor(pcfg)
	t0 := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	own := genEvents(n, 50, 1, t0)
	for i := range own {
		own[i].CustomerID, own[i].ConversationID = "cust-y", "y-"+own[i].ConversationID
		own[i].Body = "Mijn adres is " + yEmail + "."
	}
	holding := genEvents(n/10, 100, 20, t0)
	for i := range holding {
		holding[i].EventID = "h-" + holding[i].EventID
		holding[i].Body = "Mijn collega is bereikbaar op " + yEmail + "."
	}
	rest := genEvents(n/5, 100, 20, t0)
	start := time.Now()
	e.Produce(rawRecords(t, pcfg.Topics.Raw, append(append(own, holding...), rest...))...)
	e.WaitCommitted(pcfg.Group, pcfg.Topics.Raw, 10*time.Minute)
	t.Logf("processed %d events in %v", len(own)+len(holding)+len(rest), time.Since(start))

	e.startService(ecfg, pcfg, p.Keyring(), nil, nil)
	start = time.Now()
	e.requestIDs(ecfg, "req-scale", "cust-y", []schemas.Identifier{{Type: "EMAIL_ADDRESS", Value: yEmail}})
	rcs := e.receipts(ecfg, 1, 5*time.Minute)
	took := time.Since(start)
	if len(rcs) != 1 {
		t.Fatalf("%d receipts, want 1", len(rcs))
	}
	rc := rcs[0]
	want := map[string]int{e.Prefix + ".personalization": len(holding), e.Prefix + ".support": len(holding)}
	if rc.Events != n || !equalCounts(rc.Rerendered, want) || rc.Tombstones[pcfg.Topics.Identifiers] != n+len(holding) {
		t.Errorf("receipt %+v; want %d events, re-rendered %v, %d identifier entries", rc, n, want, n+len(holding))
	}
	t.Logf("request -> receipt: %v for %d records of the customer (%d tombstones) and %d records of others re-rendered in 2 views, index restores included",
		took, n, n*(len(pcfg.Views)+1)+1, len(holding))
}

// TestEraseByIdentifierCrash: an erasure by identifier stopped after part of
// its work (its re-rendered records of one view written, or all of them but
// the receipt refused) and handled again by a new service completes with
// the same exact counts: the records it re-rendered before say so in their
// veil.erasure.request header. kfake only (fault injection).
func TestEraseByIdentifierCrash(t *testing.T) {
	if os.Getenv(kafkatest.BrokersEnv) != "" {
		t.Skip("needs kfake fault injection")
	}
	tests := []struct {
		name  string
		topic func(pcfg processor.Config, ecfg erasure.Config) string // whose produce requests fail
	}{
		{"receipt refused", func(_ processor.Config, ecfg erasure.Config) string { return ecfg.Topics.Receipts }},
		{"last view refused", func(pcfg processor.Config, _ erasure.Config) string { return pcfg.Views[2].Topic }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			pcfg, ecfg := e.configs(3)
			p, _ := e.startProcessor(pcfg)
			e.Produce(rawRecords(t, pcfg.Topics.Raw, identifyEvents(time.Now().UTC().Add(-time.Minute)))...)
			e.WaitCommitted(pcfg.Group, pcfg.Topics.Raw, 2*time.Minute)

			fault := e.Cluster.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Topic: tt.topic(pcfg, ecfg), Count: -1})
			stop := e.startService(ecfg, pcfg, p.Keyring(), nil, nil)
			e.requestIDs(ecfg, "req-crash", "", []schemas.Identifier{{Type: "EMAIL_ADDRESS", Value: yEmail}, {Type: "CREDIT_CARD", Value: yCard}})
			kafkatest.WaitFor(t, time.Minute, "produce faults", func() bool { return fault.Hits() >= 3 })
			if err := stop(); err != nil {
				t.Fatalf("Run after cancel mid-erasure = %v, want nil", err)
			}
			fault.Remove()

			e.startService(ecfg, pcfg, p.Keyring(), nil, nil)
			rcs := e.receipts(ecfg, 1, time.Minute)
			// Y's e-mail in x-1, x-3 and y-1 (author and body), Y's card in
			// x-1 and y-1; personalization and support show them all.
			want := map[string]int{pcfg.Views[1].Topic: 3, pcfg.Views[2].Topic: 3}
			if len(rcs) != 1 || rcs[0].Status != erasure.StatusCompleted || !equalCounts(rcs[0].Rerendered, want) ||
				!equalCounts(rcs[0].Tombstones, map[string]int{pcfg.Topics.Identifiers: 5}) {
				t.Fatalf("receipts %+v, want one completed, re-rendered %v, 5 identifier entries", rcs, want)
			}
			checkNoY(t, folded(t, e, pcfg), "EMAIL_ADDRESS:"+keyring.Token(mustKey(t, p.Keyring(), "cust-x"), rules.Email, yEmail))
		})
	}
}

func mustKey(t *testing.T, kr *keyring.Keyring, customer string) []byte {
	t.Helper()
	k, ok := kr.DataKey(kr.SubjectID(customer))
	if !ok {
		t.Fatalf("no data key for %s", customer)
	}
	return k
}
