package accuracy

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/veil-privacy/veil/rules"
)

// maxLine bounds one JSONL line.
const maxLine = 64 << 20

// goldLine is one line of a gold corpus.
type goldLine struct {
	EventID        string            `json:"event_id"`
	ConversationID string            `json:"conversation_id"`
	AuthorRole     string            `json:"author_role"`
	AuthorName     string            `json:"author_name"`
	SentAt         string            `json:"sent_at"`
	Locale         string            `json:"locale"`
	Body           *string           `json:"body"`
	Subject        *string           `json:"subject"`
	Spans          []goldSpan        `json:"spans"`
	Tags           map[string]string `json:"tags"`
}

type goldSpan struct {
	Field *string `json:"field"`
	Start *int    `json:"start"`
	End   *int    `json:"end"`
	Type  string  `json:"type"`
}

// predLine is one line of a findings file, as "veil scan" writes it.
type predLine struct {
	EventID  string `json:"event_id"`
	Findings []struct {
		Field *string `json:"field"`
		Start *int    `json:"start"`
		End   *int    `json:"end"`
		Type  string  `json:"type"`
	} `json:"findings"`
}

// eachLine calls fn with the number and bytes of every non-blank line of r.
func eachLine(r io.Reader, name string, fn func(n int, line []byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), maxLine)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if err := fn(n, line); err != nil {
			return fmt.Errorf("%s:%d: %w", name, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("%s:%d: line longer than %d bytes: %w", name, n+1, maxLine, err)
		}
		return fmt.Errorf("reading %s: %w", name, err)
	}
	return nil
}

// ReadGold reads a labelled corpus: one JSON event a line with "event_id",
// "body", optionally "subject", "locale", "tags" and the conversation fields
// ("conversation_id", "author_role" or "author_name", "sent_at" in RFC 3339), and "spans" of
// {"field","start","end","type"}. An event id seen twice keeps its first
// place and its last content, as the reference scorer does. name is used in
// error messages.
func ReadGold(r io.Reader, name string) ([]Event, error) {
	var out []Event
	at := map[string]int{}
	err := eachLine(r, name, func(_ int, line []byte) error {
		var g goldLine
		if err := json.Unmarshal(line, &g); err != nil {
			return fmt.Errorf("not a gold event: %w", err)
		}
		ev := Event{ID: g.EventID, Locale: g.Locale, Text: map[string]string{}, Tags: g.Tags,
			Conversation: g.ConversationID, Author: cmp.Or(g.AuthorRole, g.AuthorName)}
		if at, err := time.Parse(time.RFC3339Nano, g.SentAt); err == nil {
			ev.SentAt = at
		}
		if g.Body != nil {
			ev.Text["body"] = *g.Body
		}
		if g.Subject != nil {
			ev.Text["subject"] = *g.Subject
		}
		for i, s := range g.Spans {
			if s.Field == nil || s.Start == nil || s.End == nil || s.Type == "" {
				return fmt.Errorf("event %s: span %d needs field, start, end and type", g.EventID, i)
			}
			ev.Spans = append(ev.Spans, Span{Field: *s.Field, Start: *s.Start, End: *s.End, Type: rules.Type(s.Type)})
		}
		if i, ok := at[ev.ID]; ok {
			out[i] = ev
			return nil
		}
		at[ev.ID] = len(out)
		out = append(out, ev)
		return nil
	})
	return out, err
}

// ReadPred reads findings: one JSON line per event with "event_id" and
// "findings" of {"field","start","end","type"}; a finding without a field is
// in the body. A later line for the same event id replaces an earlier one.
func ReadPred(r io.Reader, name string) (map[string][]Span, error) {
	out := map[string][]Span{}
	err := eachLine(r, name, func(_ int, line []byte) error {
		var p predLine
		if err := json.Unmarshal(line, &p); err != nil {
			return fmt.Errorf("not a findings line: %w", err)
		}
		spans := make([]Span, 0, len(p.Findings))
		for i, f := range p.Findings {
			if f.Start == nil || f.End == nil || f.Type == "" {
				return fmt.Errorf("event %s: finding %d needs start, end and type", p.EventID, i)
			}
			field := "body"
			if f.Field != nil {
				field = *f.Field
			}
			spans = append(spans, Span{Field: field, Start: *f.Start, End: *f.End, Type: rules.Type(f.Type)})
		}
		out[p.EventID] = spans
		return nil
	})
	return out, err
}
