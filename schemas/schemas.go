// Package schemas defines Veil's records (conversation events in, rendered
// events out, erasure requests and receipts), their Avro schemas, and their
// encodings on the wire: JSON, plain Avro binary and Avro binary in the
// Confluent wire format.
//
// Decoding errors never quote the input: they name fields and byte offsets
// only, because the input holds PII. Callers tell the two kinds of failure
// apart with errors.Is: ErrMalformed (the bytes cannot be decoded) and
// ErrInvalid (decoded, but required fields are missing).
package schemas

import (
	"embed"
	"errors"
	"fmt"
)

// ErrMalformed marks input that cannot be decoded: bad JSON, bad Avro
// binary, bad Confluent framing or an unaccepted schema id.
var ErrMalformed = errors.New("malformed record")

// ErrInvalid marks a record that was decoded but lacks required fields, or a
// value that cannot be encoded.
var ErrInvalid = errors.New("invalid record")

//go:embed *.avsc
var schemaFiles embed.FS

// Record names a record type of this package by its Avro full name.
type Record string

// The record types.
const (
	RecordConversationEvent Record = "veil.ConversationEvent"
	RecordRenderedEvent     Record = "veil.RenderedEvent"
	RecordErasureRequest    Record = "veil.ErasureRequest"
	RecordErasureReceipt    Record = "veil.ErasureReceipt"
)

// Records lists every record type, e.g. for registering their schemas.
func Records() []Record {
	return []Record{RecordConversationEvent, RecordRenderedEvent, RecordErasureRequest, RecordErasureReceipt}
}

func (r Record) file() string {
	switch r {
	case RecordConversationEvent:
		return "conversation_event.avsc"
	case RecordRenderedEvent:
		return "rendered_event.avsc"
	case RecordErasureRequest:
		return "erasure_request.avsc"
	case RecordErasureReceipt:
		return "erasure_receipt.avsc"
	}
	return ""
}

// Schema returns the Avro schema (.avsc JSON) of a record type, e.g. to
// register it with a schema registry.
func Schema(r Record) (string, error) {
	name := r.file()
	if name == "" {
		return "", fmt.Errorf("unknown record type %q", string(r))
	}
	b, err := schemaFiles.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("reading schema %s: %w", name, err)
	}
	return string(b), nil
}

// Format is a wire format.
type Format string

// The wire formats.
const (
	// FormatJSON is one JSON object per record; times are RFC 3339.
	FormatJSON Format = "json"
	// FormatAvro is plain Avro binary of a single, known schema.
	FormatAvro Format = "avro"
	// FormatConfluent is the Confluent wire format: magic byte 0x00, a
	// 4-byte big-endian schema id, then Avro binary.
	FormatConfluent Format = "confluent"
)

// ParseFormat parses a format name: "json", "avro" or "confluent".
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatJSON, FormatAvro, FormatConfluent:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q (want json, avro or confluent)", s)
}

// String returns the format name.
func (f Format) String() string { return string(f) }
