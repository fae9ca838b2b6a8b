package subjects

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// checkEntry fails t unless AppendEntry gives what encoding/json gives.
func checkEntry(t *testing.T, e Entry) {
	t.Helper()
	want, wantErr := json.Marshal(e)
	got, err := AppendEntry([]byte("prefix"), &e)
	switch {
	case (err == nil) != (wantErr == nil):
		t.Fatalf("%+v: error %v, encoding/json %v", e, err, wantErr)
	case err == nil && !bytes.Equal(got, append([]byte("prefix"), want...)):
		t.Fatalf("%+v:\n got %s\nwant prefix%s", e, got, want)
	}
}

func TestAppendEntry(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC)
	tests := []Entry{
		{Subject: "3f2a", Key: "conv-1/ev-1", ConversationID: "conv-1", SentAt: at, Channel: "chat", Locale: "nl-NL",
			Views: []View{{Name: "analytics", Topic: "conversations.analytics"}, {Name: "support", Topic: "conversations.support"}}},
		{Subject: "s", Key: "k", SentAt: at.In(time.FixedZone("", 5400)), Channel: "email", Views: []View{}},
		{Key: "<a&b>\"\\\u2028\x01\xff", ConversationID: "é😀"},
		{SentAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{SentAt: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, e := range tests {
		checkEntry(t, e)
	}
}

func FuzzAppendEntry(f *testing.F) {
	f.Add("3f2a", "conv-1/ev-1", "conv-1", "analytics", "chat", "nl-NL", int64(1767322800), int64(600), 0)
	f.Add("", "<&>", "\u2029\x7f", "", "", "", int64(-62167219200), int64(0), 3600)
	f.Fuzz(func(t *testing.T, subject, key, conv, view, channel, locale string, sec, nsec int64, zone int) {
		e := Entry{Subject: subject, Key: key, ConversationID: conv, Channel: channel, Locale: locale,
			SentAt: time.Unix(sec, nsec).In(time.FixedZone("", zone%100000))}
		if view != "" {
			e.Views = []View{{Name: view, Topic: "conversations." + view}, {Name: view}}
		}
		checkEntry(t, e)
	})
}
