package processor_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/kafkatest"
	"github.com/veil-privacy/veil/schemas"
)

// TestFieldsChecked: the fields copied into every view and the index are
// checked before anything is published. Free text in channel or
// author_role, a locale that is not a BCP 47 tag and ids holding personal
// data go to the DLQ with a reason; a card typed into author_name is masked
// even in the support view, which keeps names.
func TestFieldsChecked(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(2)
	good := genEvents(1, 1)[0]
	good.EventID, good.ConversationID = "3f2b8c1e-9d4a-4b7e-a1c2-5e6f7a8b9c0d", "conv-7f3a"
	tests := []struct {
		name   string
		edit   func(*schemas.ConversationEvent)
		reason string
	}{
		{"channel free text", func(e *schemas.ConversationEvent) { e.Channel = "chat with jan.jansen@example.nl" }, processor.ReasonField},
		{"channel unknown", func(e *schemas.ConversationEvent) { e.Channel = "fax" }, processor.ReasonField},
		{"role free text", func(e *schemas.ConversationEvent) { e.AuthorRole = "Jan Jansen" }, processor.ReasonField},
		{"locale not bcp47", func(e *schemas.ConversationEvent) { e.Locale = "card 4111 1111 1111 1111" }, processor.ReasonField},
		{"event id with email", func(e *schemas.ConversationEvent) { e.EventID = "jan.jansen@example.nl/1" }, processor.ReasonID},
		{"conversation id with card", func(e *schemas.ConversationEvent) { e.ConversationID = "4111111111111111" }, processor.ReasonID},
	}
	codec, err := schemas.NewCodec(schemas.FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	enc := func(ev schemas.ConversationEvent) *kgo.Record {
		b, err := codec.EncodeEvent(ev)
		if err != nil {
			t.Fatal(err)
		}
		return &kgo.Record{Topic: cfg.Topics.Raw, Key: []byte(ev.ConversationID), Value: b}
	}
	var recs []*kgo.Record
	for i, tt := range tests {
		ev := good
		ev.EventID = fmt.Sprintf("bad-%d", i)
		tt.edit(&ev)
		recs = append(recs, enc(ev))
	}
	named := good
	named.AuthorName = "Jan 4111 1111 1111 1111"
	named.AuthorRole = "customer"
	recs = append(recs, enc(named))
	e.Produce(recs...)
	e.start(cfg)

	dlq := e.Consume(cfg.Topics.DLQ, len(tests), time.Minute)
	got := map[string]int{}
	for _, r := range dlq {
		got[kafkatest.Header(r, processor.HeaderReason)]++
		if strings.Contains(string(r.Value), "4111") || strings.Contains(string(r.Value), "jan.jansen@") {
			t.Errorf("dlq payload %q is not redacted", r.Value)
		}
	}
	if len(dlq) != len(tests) {
		t.Fatalf("dlq holds %d records, want %d: %v", len(dlq), len(tests), got)
	}
	want := map[string]int{}
	for _, tt := range tests {
		want[tt.reason]++
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("dlq reason %s: %d records, want %d (all: %v)", k, got[k], n, got)
		}
	}
	for _, v := range cfg.Views {
		out := e.Consume(v.Topic, 1, time.Minute)
		if len(out) != 1 {
			t.Fatalf("view %s holds %d records, want 1", v.Name, len(out))
		}
		if strings.Contains(string(out[0].Value), "4111") {
			t.Errorf("view %s: author_name shows the card: %s", v.Name, out[0].Value)
		}
	}
}
