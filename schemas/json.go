package schemas

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// The JSON wire structs mirror the record types with times as strings, so
// that a bad timestamp is reported by field name without quoting it.

type eventJSON struct {
	EventID        string `json:"event_id"`
	ConversationID string `json:"conversation_id"`
	CustomerID     string `json:"customer_id"`
	Channel        string `json:"channel"`
	Locale         string `json:"locale,omitempty"`
	AuthorRole     string `json:"author_role,omitempty"`
	AuthorName     string `json:"author_name,omitempty"`
	AuthorEmail    string `json:"author_email,omitempty"`
	SentAt         string `json:"sent_at,omitempty"`
	Subject        string `json:"subject,omitempty"`
	Body           string `json:"body"`
}

type renderedJSON struct {
	EventID         string         `json:"event_id"`
	ConversationID  string         `json:"conversation_id"`
	CustomerID      string         `json:"customer_id"`
	Channel         string         `json:"channel"`
	Locale          string         `json:"locale,omitempty"`
	AuthorRole      string         `json:"author_role,omitempty"`
	AuthorName      string         `json:"author_name,omitempty"`
	AuthorEmail     string         `json:"author_email,omitempty"`
	SentAt          string         `json:"sent_at,omitempty"`
	ProcessedAt     string         `json:"processed_at,omitempty"`
	Subject         string         `json:"subject,omitempty"`
	Body            string         `json:"body"`
	View            string         `json:"view"`
	PolicyVersion   string         `json:"policy_version"`
	DetectorVersion string         `json:"detector_version"`
	Redactions      map[string]int `json:"redactions,omitempty"`
}

type requestJSON struct {
	RequestID   string `json:"request_id"`
	CustomerID  string `json:"customer_id"`
	RequestedAt string `json:"requested_at,omitempty"`
	Reason      string `json:"reason,omitempty"`
	// Identifiers is a list: an empty one decodes as nil.
	Identifiers []Identifier `json:"identifiers,omitempty"`
}

type receiptJSON struct {
	RequestID   string         `json:"request_id"`
	SubjectHash string         `json:"subject"`
	Reason      string         `json:"reason"`
	Policy      string         `json:"policy,omitempty"`
	Tombstones  map[string]int `json:"tombstones,omitempty"`
	Rerendered  map[string]int `json:"rerendered,omitempty"`
	Events      int            `json:"events"`
	StartedAt   string         `json:"started_at,omitempty"`
	CompletedAt string         `json:"completed_at,omitempty"`
	Status      string         `json:"status"`
}

// unmarshalJSON decodes one JSON object into v. Its errors wrap ErrMalformed
// and carry byte offsets and field names only: encoding/json's own messages
// may quote input (a character, a number, a time).
func unmarshalJSON(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("%w: invalid JSON at byte %d", ErrMalformed, syn.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		// Field is a path that may go on into map keys, which are input:
		// name the top-level field only, which is one of ours.
		field, _, _ := strings.Cut(typ.Field, ".")
		return fmt.Errorf("%w: JSON field %s at byte %d: want %s", ErrMalformed, field, typ.Offset, jsonKind(typ.Type))
	case errors.As(err, &typ):
		return fmt.Errorf("%w: JSON value at byte %d: want %s", ErrMalformed, typ.Offset, jsonKind(typ.Type))
	}
	return fmt.Errorf("%w: invalid JSON", ErrMalformed)
}

// jsonKind names the JSON kind that decodes into t.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "a boolean"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "another type"
}

// timeReader parses RFC 3339 fields and keeps the first error.
type timeReader struct{ err error }

func (r *timeReader) parse(field, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	var t time.Time
	if err := t.UnmarshalText([]byte(s)); err != nil {
		if r.err == nil {
			r.err = fmt.Errorf("%w: JSON field %s is not an RFC 3339 time", ErrMalformed, field)
		}
		return time.Time{}
	}
	return t.UTC()
}

// timeWriter formats RFC 3339 fields and keeps the first error.
type timeWriter struct{ err error }

func (w *timeWriter) format(field string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	if y := t.Year(); y < 0 || y > 9999 {
		if w.err == nil {
			w.err = fmt.Errorf("%w: %s has a year outside RFC 3339", ErrInvalid, field)
		}
		return ""
	}
	return t.Format(time.RFC3339Nano)
}

func marshalJSON(v any, w *timeWriter) ([]byte, error) {
	if w.err != nil {
		return nil, w.err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding JSON: %w", err)
	}
	return b, nil
}

func (e *ConversationEvent) toJSON() ([]byte, error) {
	var w timeWriter
	return marshalJSON(&eventJSON{
		EventID:        e.EventID,
		ConversationID: e.ConversationID,
		CustomerID:     e.CustomerID,
		Channel:        e.Channel,
		Locale:         e.Locale,
		AuthorRole:     e.AuthorRole,
		AuthorName:     e.AuthorName,
		AuthorEmail:    e.AuthorEmail,
		SentAt:         w.format("sent_at", e.SentAt),
		Subject:        e.Subject,
		Body:           e.Body,
	}, &w)
}

// fromJSON decodes with the hand-written decoder of jsondec.go.
func (e *ConversationEvent) fromJSON(data []byte) error { return e.decodeJSON(data) }

func (e *RenderedEvent) toJSON() ([]byte, error) {
	return e.appendJSON(nil)
}

func (e *RenderedEvent) fromJSON(data []byte) error {
	var j renderedJSON
	if err := unmarshalJSON(data, &j); err != nil {
		return err
	}
	var r timeReader
	*e = RenderedEvent{
		EventID:         j.EventID,
		ConversationID:  j.ConversationID,
		CustomerID:      j.CustomerID,
		Channel:         j.Channel,
		Locale:          j.Locale,
		AuthorRole:      j.AuthorRole,
		AuthorName:      j.AuthorName,
		AuthorEmail:     j.AuthorEmail,
		SentAt:          r.parse("sent_at", j.SentAt),
		ProcessedAt:     r.parse("processed_at", j.ProcessedAt),
		Subject:         j.Subject,
		Body:            j.Body,
		View:            j.View,
		PolicyVersion:   j.PolicyVersion,
		DetectorVersion: j.DetectorVersion,
		Redactions:      nilIfEmpty(j.Redactions),
	}
	return r.err
}

func (q *ErasureRequest) toJSON() ([]byte, error) {
	var w timeWriter
	return marshalJSON(&requestJSON{
		RequestID:   q.RequestID,
		CustomerID:  q.CustomerID,
		RequestedAt: w.format("requested_at", q.RequestedAt),
		Reason:      q.Reason,
		Identifiers: q.Identifiers,
	}, &w)
}

func (q *ErasureRequest) fromJSON(data []byte) error {
	var j requestJSON
	if err := unmarshalJSON(data, &j); err != nil {
		return err
	}
	var r timeReader
	*q = ErasureRequest{
		RequestID:   j.RequestID,
		CustomerID:  j.CustomerID,
		RequestedAt: r.parse("requested_at", j.RequestedAt),
		Reason:      j.Reason,
		Identifiers: nilIfNone(j.Identifiers),
	}
	return r.err
}

func (c *ErasureReceipt) toJSON() ([]byte, error) {
	var w timeWriter
	return marshalJSON(&receiptJSON{
		RequestID:   c.RequestID,
		SubjectHash: c.SubjectHash,
		Reason:      c.Reason,
		Policy:      c.Policy,
		Tombstones:  c.Tombstones,
		Rerendered:  c.Rerendered,
		Events:      c.Events,
		StartedAt:   w.format("started_at", c.StartedAt),
		CompletedAt: w.format("completed_at", c.CompletedAt),
		Status:      c.Status,
	}, &w)
}

func (c *ErasureReceipt) fromJSON(data []byte) error {
	var j receiptJSON
	if err := unmarshalJSON(data, &j); err != nil {
		return err
	}
	var r timeReader
	*c = ErasureReceipt{
		RequestID:   j.RequestID,
		SubjectHash: j.SubjectHash,
		Reason:      j.Reason,
		Policy:      j.Policy,
		Tombstones:  nilIfEmpty(j.Tombstones),
		Rerendered:  nilIfEmpty(j.Rerendered),
		Events:      j.Events,
		StartedAt:   r.parse("started_at", j.StartedAt),
		CompletedAt: r.parse("completed_at", j.CompletedAt),
		Status:      j.Status,
	}
	return r.err
}

func nilIfNone(ids []Identifier) []Identifier {
	if len(ids) == 0 {
		return nil
	}
	return ids
}

func nilIfEmpty(m map[string]int) map[string]int {
	if len(m) == 0 {
		return nil
	}
	return m
}
