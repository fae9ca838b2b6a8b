package schemas

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/linkedin/goavro/v2"
)

// avroType pairs the goavro codec of one record type with the scanner that
// guards it. Both are built once and are safe for concurrent use.
type avroType struct {
	record  Record
	codec   *goavro.Codec
	scanner *scanner
}

func newAvroType(r Record) (*avroType, error) {
	schema, err := Schema(r)
	if err != nil {
		return nil, err
	}
	codec, err := goavro.NewCodec(schema)
	if err != nil {
		return nil, fmt.Errorf("compiling schema of %s: %w", r, err)
	}
	sc, err := newScanner([]byte(schema))
	if err != nil {
		return nil, fmt.Errorf("compiling schema of %s: %w", r, err)
	}
	return &avroType{record: r, codec: codec, scanner: sc}, nil
}

// decode checks buf with the scanner, then decodes it with goavro. goavro's
// own errors are not passed on: they may quote input. Errors give byte
// offsets from base, the offset of buf in the whole input.
func (t *avroType) decode(buf []byte, base int) (*avroReader, error) {
	if err := t.scanner.check(buf, base); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	native, _, err := t.codec.NativeFromBinary(buf)
	if err != nil {
		return nil, fmt.Errorf("%w: avro binary rejected by the %s decoder", ErrMalformed, t.record)
	}
	m, ok := native.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: avro binary did not decode to a record", ErrMalformed)
	}
	return &avroReader{m: m}, nil
}

func (t *avroType) encode(buf []byte, w *avroWriter) ([]byte, error) {
	if w.err != nil {
		return nil, w.err
	}
	out, err := t.codec.BinaryFromNative(buf, w.m)
	if err != nil {
		// The datum is built here from typed fields, so this is a bug;
		// goavro's message may quote values and is not passed on.
		return nil, fmt.Errorf("%w: %s cannot be encoded as Avro", ErrInvalid, t.record)
	}
	return out, nil
}

// avroReader reads typed fields from a decoded goavro record. The first
// field of an unexpected Go type is kept in err.
type avroReader struct {
	m   map[string]any
	err error
}

func (r *avroReader) fail(field string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: avro field %s has an unexpected type", ErrMalformed, field)
	}
}

// unwrap returns the value of a union branch, or v itself if it is no union.
func unwrap(v any) any {
	if u, ok := v.(map[string]any); ok && len(u) == 1 {
		for _, x := range u {
			return x
		}
	}
	return v
}

func (r *avroReader) str(field string) string {
	v := unwrap(r.m[field])
	if v == nil {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		r.fail(field)
	}
	// Avro does not check that a string is UTF-8; like the JSON decoder,
	// invalid bytes read as U+FFFD, so that offsets into the text (the
	// sidecar of a view record) hold in every output format.
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s
}

func (r *avroReader) time(field string) time.Time {
	v := unwrap(r.m[field])
	if v == nil {
		return time.Time{}
	}
	t, ok := v.(time.Time)
	if !ok {
		r.fail(field)
	}
	return t.UTC()
}

func (r *avroReader) long(field string) int {
	v, ok := r.m[field].(int64)
	if !ok {
		r.fail(field)
	}
	return int(v)
}

// optCounts is counts of a field that older writer schemas lack: missing
// is none.
func (r *avroReader) optCounts(field string) map[string]int {
	if _, ok := r.m[field]; !ok {
		return nil
	}
	return r.counts(field)
}

func (r *avroReader) counts(field string) map[string]int {
	m, ok := r.m[field].(map[string]any)
	if !ok {
		r.fail(field)
		return nil
	}
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]int, len(m))
	for k, v := range m {
		n, ok := v.(int64)
		if !ok {
			r.fail(field)
			return nil
		}
		out[k] = int(n)
	}
	return out
}

// avroWriter builds the goavro datum of a record. The first field that
// cannot be encoded is kept in err.
type avroWriter struct {
	m   map[string]any
	err error
}

func newAvroWriter(fields int) *avroWriter {
	return &avroWriter{m: make(map[string]any, fields)}
}

func (w *avroWriter) str(field, s string) { w.m[field] = s }

// optStr writes a ["null", "string"] union: null for "".
func (w *avroWriter) optStr(field, s string) {
	if s == "" {
		w.m[field] = nil
		return
	}
	w.m[field] = goavro.Union("string", s)
}

func (w *avroWriter) time(field string, t time.Time) {
	ms, ok := unixMilli(t)
	if !ok && w.err == nil {
		w.err = fmt.Errorf("%w: %s out of the range of timestamp-millis", ErrInvalid, field)
	}
	w.m[field] = ms
}

// optTime writes a ["null", timestamp-millis] union: null for the zero time.
func (w *avroWriter) optTime(field string, t time.Time) {
	if t.IsZero() {
		w.m[field] = nil
		return
	}
	w.time(field, t)
	w.m[field] = goavro.Union("long.timestamp-millis", w.m[field])
}

func (w *avroWriter) long(field string, n int) { w.m[field] = int64(n) }

func (w *avroWriter) counts(field string, c map[string]int) {
	m := make(map[string]any, len(c))
	for k, v := range c {
		m[k] = int64(v)
	}
	w.m[field] = m
}

// unixMilli returns t in milliseconds since the Unix epoch, and false if that
// does not fit an int64.
func unixMilli(t time.Time) (int64, bool) {
	const maxSec = math.MaxInt64 / 1000
	const minSec = math.MinInt64/1000 - 1
	s := t.Unix()
	if s > maxSec || s < minSec {
		return 0, false
	}
	if s == maxSec || s == minSec {
		// Near the edges, compare exactly.
		if t.Before(time.UnixMilli(math.MinInt64)) || t.After(time.UnixMilli(math.MaxInt64)) {
			return 0, false
		}
	}
	return t.UnixMilli(), true
}

func (e *ConversationEvent) toAvro() *avroWriter {
	w := newAvroWriter(11)
	w.str("event_id", e.EventID)
	w.str("conversation_id", e.ConversationID)
	w.str("customer_id", e.CustomerID)
	w.str("channel", e.Channel)
	w.optStr("locale", e.Locale)
	w.optStr("author_role", e.AuthorRole)
	w.optStr("author_name", e.AuthorName)
	w.optStr("author_email", e.AuthorEmail)
	w.time("sent_at", e.SentAt)
	w.optStr("subject", e.Subject)
	w.str("body", e.Body)
	return w
}

func (e *ConversationEvent) fromAvro(r *avroReader) error {
	*e = ConversationEvent{
		EventID:        r.str("event_id"),
		ConversationID: r.str("conversation_id"),
		CustomerID:     r.str("customer_id"),
		Channel:        r.str("channel"),
		Locale:         r.str("locale"),
		AuthorRole:     r.str("author_role"),
		AuthorName:     r.str("author_name"),
		AuthorEmail:    r.str("author_email"),
		SentAt:         r.time("sent_at"),
		Subject:        r.str("subject"),
		Body:           r.str("body"),
	}
	return r.err
}

func (e *RenderedEvent) toAvro() *avroWriter {
	w := newAvroWriter(16)
	w.str("event_id", e.EventID)
	w.str("conversation_id", e.ConversationID)
	w.optStr("customer_id", e.CustomerID)
	w.str("channel", e.Channel)
	w.optStr("locale", e.Locale)
	w.optStr("author_role", e.AuthorRole)
	w.optStr("author_name", e.AuthorName)
	w.optStr("author_email", e.AuthorEmail)
	w.time("sent_at", e.SentAt)
	w.time("processed_at", e.ProcessedAt)
	w.optStr("subject", e.Subject)
	w.str("body", e.Body)
	w.str("view", e.View)
	w.str("policy_version", e.PolicyVersion)
	w.str("detector_version", e.DetectorVersion)
	w.counts("redactions", e.Redactions)
	return w
}

func (e *RenderedEvent) fromAvro(r *avroReader) error {
	*e = RenderedEvent{
		EventID:         r.str("event_id"),
		ConversationID:  r.str("conversation_id"),
		CustomerID:      r.str("customer_id"),
		Channel:         r.str("channel"),
		Locale:          r.str("locale"),
		AuthorRole:      r.str("author_role"),
		AuthorName:      r.str("author_name"),
		AuthorEmail:     r.str("author_email"),
		SentAt:          r.time("sent_at"),
		ProcessedAt:     r.time("processed_at"),
		Subject:         r.str("subject"),
		Body:            r.str("body"),
		View:            r.str("view"),
		PolicyVersion:   r.str("policy_version"),
		DetectorVersion: r.str("detector_version"),
		Redactions:      r.counts("redactions"),
	}
	return r.err
}

func (q *ErasureRequest) toAvro() *avroWriter {
	w := newAvroWriter(5)
	w.str("request_id", q.RequestID)
	w.str("customer_id", q.CustomerID)
	w.time("requested_at", q.RequestedAt)
	w.optStr("reason", q.Reason)
	ids := make([]any, len(q.Identifiers))
	for i, id := range q.Identifiers {
		ids[i] = map[string]any{"type": id.Type, "value": id.Value}
	}
	w.m["identifiers"] = ids
	return w
}

func (q *ErasureRequest) fromAvro(r *avroReader) error {
	*q = ErasureRequest{
		RequestID:   r.str("request_id"),
		CustomerID:  r.str("customer_id"),
		RequestedAt: r.time("requested_at"),
		Reason:      r.str("reason"),
		Identifiers: r.identifiers("identifiers"),
	}
	return r.err
}

// identifiers reads an array of Identifier records; a missing field (a
// writer schema without it) is none.
func (r *avroReader) identifiers(field string) []Identifier {
	v, ok := r.m[field]
	if !ok || v == nil {
		return nil
	}
	items, ok := v.([]any)
	if !ok {
		r.fail(field)
		return nil
	}
	if len(items) == 0 {
		return nil
	}
	out := make([]Identifier, len(items))
	for i, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			r.fail(field)
			return nil
		}
		item := avroReader{m: m}
		out[i] = Identifier{Type: item.str("type"), Value: item.str("value")}
		if item.err != nil {
			r.fail(field)
			return nil
		}
	}
	return out
}

func (c *ErasureReceipt) toAvro() *avroWriter {
	w := newAvroWriter(10)
	w.str("request_id", c.RequestID)
	w.str("subject", c.SubjectHash)
	w.str("reason", c.Reason)
	w.optStr("policy", c.Policy)
	w.counts("tombstones", c.Tombstones)
	w.counts("rerendered", c.Rerendered)
	w.long("events", c.Events)
	w.time("started_at", c.StartedAt)
	w.optTime("completed_at", c.CompletedAt)
	w.str("status", c.Status)
	return w
}

func (c *ErasureReceipt) fromAvro(r *avroReader) error {
	*c = ErasureReceipt{
		RequestID:   r.str("request_id"),
		SubjectHash: r.str("subject"),
		Reason:      r.str("reason"),
		Policy:      r.str("policy"),
		Tombstones:  r.counts("tombstones"),
		Rerendered:  r.optCounts("rerendered"),
		Events:      r.long("events"),
		StartedAt:   r.time("started_at"),
		CompletedAt: r.time("completed_at"),
		Status:      r.str("status"),
	}
	return r.err
}
