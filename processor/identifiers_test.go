package processor_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/changelog"
	"github.com/veil-privacy/veil/processor/subjects"
	"github.com/veil-privacy/veil/schemas"
)

// TestIdentifierIndex: every identifying finding that some view shows gets
// one identifier index entry per event (a value in the body and in
// author_email is one), with the forms each view shows it in, keyed by the
// keyed hash of its normalised value, in the partition of that hash; values
// that every view redacts (the BSN) get none. Under exactly-once the
// entries are read with read_committed: they are outputs of the event's
// transaction.
func TestIdentifierIndex(t *testing.T) {
	for _, guarantee := range []string{processor.AtLeastOnce, processor.ExactlyOnce} {
		t.Run(guarantee, func(t *testing.T) {
			e := newEnv(t)
			cfg := e.config(4)
			cfg.Processing.Guarantee = guarantee
			ev := schemas.ConversationEvent{
				EventID: "ev-1", ConversationID: "conv-1", CustomerID: "cust-1", Channel: "email", Locale: "nl-NL",
				AuthorRole: "customer", AuthorName: "Anna de Vries", AuthorEmail: "Anna.deVries@example.nl", SentAt: time.Now().UTC().Truncate(time.Millisecond),
				Subject: "Rekening NL91ABNA0417164300",
				Body:    "Mail me at anna.devries@example.nl, card 5555 5555 5555 4444, BSN 111222333. Bel 06 12345678.",
			}
			e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, []schemas.ConversationEvent{ev})...)
			p, _ := e.startProcessor(cfg)
			h, err := subjects.NewIdentifierHasher(p.Keyring().IdentifierIndexKey())
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{ // identifier id -> "TYPE views"
				h.ID("EMAIL_ADDRESS", "anna.devries@example.nl"): "EMAIL_ADDRESS personalization:4 support:1",
				h.ID("CREDIT_CARD", "5555555555554444"):          "CREDIT_CARD support:2",
				h.ID("PHONE_NUMBER", "31612345678"):              "PHONE_NUMBER personalization:4 support:1",
				h.ID("IBAN_CODE", "NL91ABNA0417164300"):          "IBAN_CODE support:2",
			}
			recs := e.Consume(cfg.Topics.Identifiers, len(want), 2*time.Minute)
			got := map[string]string{}
			for _, r := range recs {
				ie, err := subjects.ParseIdentifierEntry(r.Key, r.Value)
				if err != nil {
					t.Fatalf("entry %q: %v", r.Key, err)
				}
				if want := changelog.PartitionFor(ie.ID, 4); int(r.Partition) != want {
					t.Errorf("entry of %s in partition %d, want %d (by identifier id)", ie.Type, r.Partition, want)
				}
				if ie.Key != "conv-1/ev-1" || ie.ConversationID != "conv-1" || !ie.SentAt.Equal(ev.SentAt) || ie.Subject != p.Keyring().SubjectID("cust-1") {
					t.Errorf("entry %+v: want view key conv-1/ev-1, sent_at %v and the subject of cust-1", ie, ev.SentAt)
				}
				views := []string{ie.Type}
				for _, v := range ie.Views {
					views = append(views, fmt.Sprintf("%s:%d", v.Name, v.Forms))
				}
				slices.Sort(views[1:])
				if _, dup := got[ie.ID]; dup {
					t.Errorf("two entries of %s", ie.Type)
				}
				got[ie.ID] = strings.Join(views, " ")
				for _, v := range []string{"anna", "5555", "111222333", "612345678", "NL91", "ABNA"} {
					if strings.Contains(strings.ToLower(string(r.Key)+string(r.Value)), strings.ToLower(v)) {
						t.Errorf("entry of %s holds %q", ie.Type, v)
					}
				}
			}
			for id, w := range want {
				if got[id] != w {
					t.Errorf("entry %s: %q, want %q", id[:8], got[id], w)
				}
			}
			e.WaitCommitted(cfg.Group, cfg.Topics.Raw, time.Minute)
			n := int64(0)
			for _, o := range e.EndOffsets(cfg.Topics.Identifiers) {
				n += o
			}
			if guarantee == processor.ExactlyOnce {
				n -= int64(len(e.EndOffsets(cfg.Topics.Identifiers))) // at most one commit marker per partition
			}
			if len(got) != len(want) || n > int64(len(want)) {
				t.Errorf("%d entries %v (%d offsets), want %d", len(got), got, n, len(want))
			}
		})
	}
}
