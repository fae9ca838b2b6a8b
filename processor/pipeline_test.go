package processor_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/kafkatest"
	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

// Canary values: valid by their checksums, so a leak of any of them in an
// output is a real leak.
var (
	canaryCards  = []string{"4111 1111 1111 1111", "5555555555554444", "4012-8888-8888-1881", "378282246310005"}
	canaryIBANs  = []string{"NL91ABNA0417164300", "DE89 3704 0044 0532 0130 00", "GB29NWBK60161331926819"}
	canaryBSNs   = []string{"111222333", "123456782"}
	canaryEmails = []string{"jan.jansen@example.nl", "s.smith@example.co.uk", "klant+42@example.com"}
)

func canaries() []string { return canariesFor(processor.View{}) }

// canariesFor returns the canary values that view must not show: all of
// them, but those of the types its policy keeps (the support view keeps
// e-mail addresses).
func canariesFor(view processor.View) []string {
	var all []string
	for _, set := range []struct {
		t      rules.Type
		values []string
	}{{rules.CreditCard, canaryCards}, {rules.IBAN, canaryIBANs}, {rules.BSN, canaryBSNs}, {rules.Email, canaryEmails}} {
		if view.Policy.Types[set.t].Action == rules.Keep {
			continue
		}
		for _, v := range set.values {
			all = append(all, v, strings.NewReplacer(" ", "", "-", "").Replace(v))
		}
	}
	return all
}

// sized is full, or short under -short (the race pass of deploy/test-all.sh).
func sized(full, short int) int {
	if testing.Short() {
		return short
	}
	return full
}

// genEvents makes n events spread over convs conversations; event ids carry
// the conversation and a per-conversation sequence number.
func genEvents(n, convs int) []schemas.ConversationEvent {
	seq := make([]int, convs)
	t0 := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	evs := make([]schemas.ConversationEvent, n)
	for i := range evs {
		c := i % convs
		seq[c]++
		conv := fmt.Sprintf("conv-%04d", c)
		evs[i] = schemas.ConversationEvent{
			EventID:        fmt.Sprintf("%s/ev-%06d", conv, seq[c]),
			ConversationID: conv,
			CustomerID:     fmt.Sprintf("cust-%04d", c%97),
			Channel:        []string{"chat", "email"}[c%2],
			Locale:         []string{"nl-NL", "en-GB", "en-US"}[c%3],
			AuthorRole:     []string{"customer", "agent"}[i%2],
			SentAt:         t0.Add(time.Duration(i) * time.Second),
			Body: fmt.Sprintf("Bericht %d. Mijn kaart is %s en mijn IBAN is %s. BSN: %s, mail %s. Order 2026-%d.",
				i, canaryCards[i%len(canaryCards)], canaryIBANs[i%len(canaryIBANs)],
				canaryBSNs[i%len(canaryBSNs)], canaryEmails[i%len(canaryEmails)], i),
		}
	}
	return evs
}

func encodeAll(t testing.TB, topic string, f schemas.Format, evs []schemas.ConversationEvent) []*kgo.Record {
	t.Helper()
	codec, err := schemas.NewCodec(f, schemas.WithSchemaID(schemas.RecordConversationEvent, 7))
	if err != nil {
		t.Fatal(err)
	}
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

// TestPipeline: 10,000 events with poison records among them through 8
// partitions and 4 workers; every good event reaches the view in order per
// conversation, every poison record reaches the DLQ with its reason.
func TestPipeline(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(8)
	cfg.Input.MaxEventBytes = 8 << 10
	evs := genEvents(sized(10_000, 3000), 400)
	recs := encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, evs)

	// Poison: bad JSON, missing required fields, oversized. Interleaved.
	type poison struct {
		value  string
		reason string
	}
	var poisons []poison
	for i := range 10 {
		poisons = append(poisons,
			poison{fmt.Sprintf(`{"event_id": "p%d", "body": "card 4111 1111 1111 1111`, i), processor.ReasonDecode},
			poison{fmt.Sprintf(`{"event_id": "p%d", "body": "mail jan.jansen@example.nl"}`, i), processor.ReasonInvalid},
			poison{`{"event_id":"big","conversation_id":"c","customer_id":"x","channel":"chat","sent_at":"2026-01-01T00:00:00Z","body":"` +
				strings.Repeat("IBAN NL91ABNA0417164300 ", 500) + `"}`, processor.ReasonOversized},
		)
	}
	all := make([]*kgo.Record, 0, len(recs)+len(poisons))
	step := len(recs) / len(poisons)
	want := map[string]string{} // partition/offset → reason, filled after produce
	for i, r := range recs {
		all = append(all, r)
		if i%step == 0 && i/step < len(poisons) {
			p := poisons[i/step]
			all = append(all, &kgo.Record{Topic: cfg.Topics.Raw, Key: []byte(fmt.Sprintf("conv-p%d", i)), Value: []byte(p.value), Context: context.WithValue(context.Background(), reasonKey{}, p.reason)})
		}
	}
	e.Produce(all...)
	for _, r := range all {
		if reason, ok := r.Context.Value(reasonKey{}).(string); ok {
			want[fmt.Sprintf("%d/%d", r.Partition, r.Offset)] = reason
		}
	}

	stop := e.start(cfg)
	// No fault: not even at-least-once may duplicate.
	for _, r := range e.verify(t, processor.AtLeastOnce, cfg, history(evs), 2*time.Minute) {
		if r.Duplicates != 0 {
			t.Errorf("%s: %d duplicates without a fault", r.Topic, r.Duplicates)
		}
	}
	dlq := e.Consume(cfg.Topics.DLQ, len(poisons), time.Minute)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Logf("dlq=%d", len(dlq))
	if len(dlq) != len(poisons) {
		t.Fatalf("dlq holds %d records, want %d", len(dlq), len(poisons))
	}
	for _, r := range dlq {
		at := kafkatest.Header(r, processor.HeaderSourcePartition) + "/" + kafkatest.Header(r, processor.HeaderSourceOffset)
		if got := kafkatest.Header(r, processor.HeaderReason); got != want[at] {
			t.Errorf("dlq record from %s: reason %q, want %q", at, got, want[at])
		}
		if got := kafkatest.Header(r, processor.HeaderSourceTopic); got != cfg.Topics.Raw {
			t.Errorf("dlq source topic = %q, want %q", got, cfg.Topics.Raw)
		}
		if kafkatest.Header(r, processor.HeaderError) == "" {
			t.Errorf("dlq record from %s has no error header", at)
		}
		for _, v := range canaries() {
			if strings.Contains(string(r.Value), v) {
				t.Errorf("dlq record from %s leaks a canary value in its payload", at)
			}
		}
	}
}

type reasonKey struct{}

// TestPoisonFormats: undecodable Avro and Confluent input goes to the DLQ
// while good records keep flowing.
func TestPoisonFormats(t *testing.T) {
	tests := []struct {
		format schemas.Format
		bad    [][]byte
	}{
		{schemas.FormatAvro, [][]byte{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, []byte("not avro at all"), {0x02}}},
		{schemas.FormatConfluent, [][]byte{{0x01, 0, 0, 0, 7, 0x02}, {0x00, 0, 0}, []byte(`{"event_id":"json-not-avro"}`)}},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			e := newEnv(t)
			cfg := e.config(4)
			cfg.Input.Format = tt.format
			evs := genEvents(300, 20)
			recs := encodeAll(t, cfg.Topics.Raw, tt.format, evs)
			// A truncated good record is poison too.
			bad := append(tt.bad, recs[0].Value[:len(recs[0].Value)/2])
			for i, b := range bad {
				recs = append(recs[:i*50], append([]*kgo.Record{{Topic: cfg.Topics.Raw, Key: []byte("poison"), Value: b}}, recs[i*50:]...)...)
			}
			e.Produce(recs...)
			e.start(cfg)
			e.verify(t, processor.AtLeastOnce, cfg, history(evs), time.Minute)
			dlq := e.Consume(cfg.Topics.DLQ, len(bad), 30*time.Second)
			if len(dlq) != len(bad) {
				t.Fatalf("dlq holds %d records, want %d", len(dlq), len(bad))
			}
			for _, r := range dlq {
				if got := kafkatest.Header(r, processor.HeaderReason); got != processor.ReasonDecode {
					t.Errorf("reason = %q, want %q", got, processor.ReasonDecode)
				}
			}
		})
	}
}

func sum(m map[int32]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// TestProduceFailureHoldsCommit: while produce to the view fails, nothing is
// committed; once it recovers, everything is delivered and committed.
func TestProduceFailureHoldsCommit(t *testing.T) {
	e := newEnv(t)
	if e.Cluster == nil {
		t.Skip("fault injection needs the in-process kfake broker")
	}
	cfg := e.config(4)
	cfg.Processing.DeliveryTimeout = 10 * time.Second
	evs := genEvents(200, 10)
	e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, evs)...)

	fault := e.Cluster.Fault(kfake.Fault{
		Keys: []kmsg.Key{kmsg.Produce}, Topic: cfg.Views[0].Topic, Err: kerr.NotEnoughReplicas, Count: -1,
	})
	p, reg := newProcessor(t, cfg)
	e.Run(p.Run)
	// Past the client's own retries (the delivery timeout), ours go on:
	// a failed round after the first.
	kafkatest.WaitFor(t, time.Minute, "the processor's own produce retries", func() bool {
		return counterValue(t, reg, "veil_produce_retries_total") >= 2
	})
	if got := e.Committed(cfg.Group, cfg.Topics.Raw); sum(got) != 0 {
		t.Fatalf("committed %v while outputs were failing; want nothing", got)
	}
	if got := sum(e.EndOffsets(cfg.Views[0].Topic)); got != 0 {
		t.Fatalf("view holds %d records while produce fails", got)
	}
	fault.Remove()
	t.Logf("produce attempts failed: %d", fault.Hits())
	e.verify(t, processor.AtLeastOnce, cfg, history(evs), time.Minute)
}

// counterValue returns the sum of the counter name in reg.
func counterValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var v float64
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				v += m.GetCounter().GetValue()
			}
		}
	}
	return v
}
