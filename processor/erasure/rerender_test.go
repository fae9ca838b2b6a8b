package erasure

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor/keyring"
	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

// TestRerender: one view record re-rendered for a target, on every path:
// the identifier redacted with the rest byte for byte, the sidecar, policy
// version, erasure request and redaction counts updated; a record that shows
// none of it left alone (or counted, when this request re-rendered it
// before); and, failing closed, a tombstone for a record without a sidecar,
// with one that does not parse or does not fit its text, or that cannot be
// decoded.
func TestRerender(t *testing.T) {
	codec, _ := schemas.NewCodec(schemas.FormatJSON)
	kr, err := keyring.New(make([]byte, 32), "keys", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := &Service{pl: Pipeline{OutputFormat: schemas.FormatJSON}, views: codec, kr: kr, now: func() time.Time { return now },
		log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	body := "Mail y@example.org, of x@example.nl."
	record := func(body, side string, hasSide bool) *kgo.Record {
		v, err := codec.EncodeRendered(schemas.RenderedEvent{EventID: "e", ConversationID: "c", Body: body, AuthorEmail: "x@example.nl",
			View: "support", PolicyVersion: "support/1", DetectorVersion: "d1", Redactions: map[string]int{"NL_BSN": 1}})
		if err != nil {
			t.Fatal(err)
		}
		r := &kgo.Record{Topic: "support", Key: []byte("c/e"), Value: v,
			Headers: []kgo.RecordHeader{{Key: "veil.view", Value: []byte("support")}, {Key: HeaderPolicyVersion, Value: []byte("support/1")}}}
		if hasSide {
			r.Headers = append(r.Headers, kgo.RecordHeader{Key: HeaderSpans, Value: []byte(side)})
		}
		return r
	}
	good := "1 EMAIL_ADDRESS b0k5+13,0k23+12 e0k0+12"
	tg := &target{key: "c/e", conv: "c", subject: "s", ids: []rules.Identifier{{Type: rules.Email, Value: "Y@example.org"}}}
	tests := []struct {
		name string
		give *kgo.Record
		want outcome
		body string // of the record written; "" for none or a tombstone
	}{
		{"kept e-mail redacted", record(body, good, true), rerendered, "Mail [EMAIL_ADDRESS], of x@example.nl."},
		{"shows none of it", record("Mail [EMAIL_ADDRESS], of x@example.nl.", "1 EMAIL_ADDRESS b0r5+15,0k25+12 e0k0+12", true), unchanged, ""},
		{"no sidecar", record(body, "", false), failClosed, ""},
		{"sidecar does not parse", record(body, "1 EMAIL_ADDRESS b0k5+13,0k2+12", true), failClosed, ""},
		{"sidecar does not fit", record(body, "1 EMAIL_ADDRESS b0k5+120", true), failClosed, ""},
		{"undecodable", &kgo.Record{Topic: "support", Key: []byte("c/e"), Value: []byte("{not json")}, failClosed, ""},
		{"already a tombstone", &kgo.Record{Topic: "support", Key: []byte("c/e")}, alreadyGone, ""},
	}
	for _, tt := range tests {
		got, what := s.rerender(tt.give, tg, "req-1")
		if what != tt.want {
			t.Errorf("%s: outcome %d, want %d", tt.name, what, tt.want)
			continue
		}
		switch tt.want {
		case failClosed:
			if got == nil || got.Value != nil || string(got.Key) != "c/e" || got.Topic != "support" {
				t.Errorf("%s: %+v, want a tombstone of c/e on support", tt.name, got)
			}
		case unchanged, alreadyGone:
			if got != nil {
				t.Errorf("%s: wrote %+v, want nothing", tt.name, got)
			}
		case rerendered:
			checkRerendered(t, codec, got, tt.body)
			// The same request again (a restart): nothing to write, counted.
			again, what := s.rerender(got, tg, "req-1")
			if again != nil || what != rerendered {
				t.Errorf("%s, again: %v, %d; want nothing written, counted", tt.name, again, what)
			}
			if _, what := s.rerender(got, tg, "req-2"); what != unchanged {
				t.Errorf("%s, by another request: %d, want unchanged", tt.name, what)
			}
		}
	}
}

func checkRerendered(t *testing.T, codec *schemas.Codec, r *kgo.Record, body string) {
	t.Helper()
	ev, err := codec.DecodeRendered(r.Value)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Body != body || ev.AuthorEmail != "x@example.nl" || ev.PolicyVersion != "support/1+erased" || ev.DetectorVersion != "d1" ||
		ev.Redactions["EMAIL_ADDRESS"] != 1 || ev.Redactions["NL_BSN"] != 1 {
		t.Errorf("re-rendered %+v; want body %q, the author's e-mail kept, policy support/1+erased, one more redaction", ev, body)
	}
	hs := map[string]string{}
	for _, h := range r.Headers {
		if _, dup := hs[h.Key]; dup {
			t.Errorf("header %s twice", h.Key)
		}
		hs[h.Key] = string(h.Value)
	}
	want := map[string]string{"veil.view": "support", HeaderPolicyVersion: "support/1+erased", HeaderErasure: "req-1",
		HeaderSpans: "1 EMAIL_ADDRESS b0r5+15,0k25+12 e0k0+12"}
	for k, v := range want {
		if hs[k] != v {
			t.Errorf("header %s = %q, want %q", k, hs[k], v)
		}
	}
	if strings.Contains(string(r.Value), "y@example") {
		t.Errorf("the value still holds the erased address: %s", r.Value)
	}
}

// TestReceiptCounts: the receipt of a request adds the records it
// tombstoned failing closed to the subject's tombstones, counts the
// identifier index entries it removes, and is not_found only when it found
// nothing at all.
func TestReceiptCounts(t *testing.T) {
	entries := []*kgo.Record{{}, {}}
	tests := []struct {
		name       string
		t          tally
		ids        identified
		wantTombs  map[string]int
		wantRe     map[string]int
		wantStatus string
	}{
		{"customer only", tally{events: 2, counts: map[string]int{"v": 2, "keys": 1}}, identified{},
			map[string]int{"v": 2, "keys": 1}, nil, StatusCompleted},
		{"identifiers only", tally{counts: map[string]int{}}, identified{rerendered: map[string]int{"v": 3}, tombstoned: map[string]int{"v": 1}, entries: entries},
			map[string]int{"v": 1, "idx": 2}, map[string]int{"v": 3}, StatusCompleted},
		{"nothing found", tally{counts: map[string]int{}}, identified{rerendered: map[string]int{}, tombstoned: map[string]int{}},
			nil, nil, StatusNotFound},
	}
	for _, tt := range tests {
		rc := receipt("r", "s", &tt.t, &tt.ids, "idx")
		if !equalMaps(rc.Tombstones, tt.wantTombs) || !equalMaps(rc.Rerendered, tt.wantRe) || rc.Status != tt.wantStatus || rc.Events != tt.t.events {
			t.Errorf("%s: receipt %+v, want tombstones %v, re-rendered %v, status %s", tt.name, rc, tt.wantTombs, tt.wantRe, tt.wantStatus)
		}
	}
}

func equalMaps(a, b map[string]int) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestPseudonymsOf: the fail-closed matcher of a record the index names but
// no span of matches takes every pseudonym of the identifiers' types, and
// nothing kept, masked or of another type (the record's own values stay).
func TestPseudonymsOf(t *testing.T) {
	m := pseudonymsOf([]rules.Identifier{{Type: rules.Phone, Value: "+31 6 1234 5678"}})
	tests := []struct {
		typ  rules.Type
		form rules.Form
		want bool
	}{
		{rules.Phone, rules.Pseudonymized, true},
		{rules.Phone, rules.Kept, false},
		{rules.Phone, rules.Masked, false},
		{rules.Email, rules.Pseudonymized, false},
	}
	for _, tt := range tests {
		if got := m(tt.typ, tt.form, "PHONE_NUMBER:0123456789ab"); got != tt.want {
			t.Errorf("pseudonymsOf(phone)(%s, %v) = %v, want %v", tt.typ, tt.form, got, tt.want)
		}
	}
}
