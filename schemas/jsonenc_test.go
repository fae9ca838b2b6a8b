package schemas

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// referenceJSON is what encoding/json makes of e: the hand-written encoder
// must produce the same bytes.
func referenceJSON(t *testing.T, e *RenderedEvent) []byte {
	t.Helper()
	var w timeWriter
	b, err := json.Marshal(&renderedJSON{
		EventID: e.EventID, ConversationID: e.ConversationID, CustomerID: e.CustomerID, Channel: e.Channel,
		Locale: e.Locale, AuthorRole: e.AuthorRole, AuthorName: e.AuthorName, AuthorEmail: e.AuthorEmail,
		SentAt: w.format("sent_at", e.SentAt), ProcessedAt: w.format("processed_at", e.ProcessedAt),
		Subject: e.Subject, Body: e.Body, View: e.View, PolicyVersion: e.PolicyVersion,
		DetectorVersion: e.DetectorVersion, Redactions: e.Redactions,
	})
	if err != nil || w.err != nil {
		t.Fatal(err, w.err)
	}
	return b
}

func FuzzRenderedJSON(f *testing.F) {
	f.Add("ev-1", "Mail [EMAIL_ADDRESS] <b>&amp;</b> \"quoted\" \\ \n\t\x01", "Re: ", "nl-NL", "PERSON", 3, int64(1700000000123456789))
	f.Add("\xff\xfe", "line\u2028sep\u2029 é ✓ \x7f", "", "", "", 0, int64(0))
	f.Fuzz(func(t *testing.T, id, body, subject, locale, typ string, n int, ns int64) {
		e := &RenderedEvent{
			EventID: id, ConversationID: id + "/c", CustomerID: typ, Channel: "chat", Locale: locale,
			AuthorName: subject, Subject: subject, Body: body, View: "analytics",
			PolicyVersion: "p/1", DetectorVersion: "d/1",
			SentAt:      time.Unix(0, ns%(1<<62)).UTC(),
			ProcessedAt: time.Unix(0, ns/3).UTC(),
		}
		if n != 0 {
			e.Redactions = map[string]int{typ: n, "EMAIL_ADDRESS": 1}
		}
		got, err := e.appendJSON(nil)
		if err != nil {
			// Only years outside RFC 3339 are refused, as the reference does.
			var w timeWriter
			w.format("sent_at", e.SentAt)
			w.format("processed_at", e.ProcessedAt)
			if w.err == nil {
				t.Fatalf("appendJSON: %v", err)
			}
			return
		}
		if want := referenceJSON(t, e); !bytes.Equal(got, want) {
			t.Fatalf("hand-written JSON differs from encoding/json\n got %s\nwant %s", got, want)
		}
	})
}
