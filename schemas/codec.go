package schemas

import (
	"context"
	"encoding/binary"
	"fmt"
)

// confluentMagic is the first byte of the Confluent wire format.
const confluentMagic = 0x00

// confluentHeader is the length of the Confluent framing: magic byte and
// 4-byte big-endian schema id.
const confluentHeader = 5

// CodecOption configures a Codec.
type CodecOption func(*codecConfig)

type codecConfig struct {
	writeIDs  map[Record]uint32
	acceptIDs map[Record]map[uint32]bool
	registry  *Registry
}

// WithRegistry makes FormatConfluent decoding resolve each input's schema id
// in reg, cached, and decode with that writer schema resolved against this
// package's (reader) schema: compatible changes by the producer (an added
// field, a removed field with a default, a promoted type) are read; an
// unknown id or an incompatible schema is an error wrapping ErrSchema, and a
// registry that cannot be reached one wrapping ErrRegistryUnavailable.
// Other formats ignore it.
func WithRegistry(reg *Registry) CodecOption {
	return func(c *codecConfig) { c.registry = reg }
}

// WithSchemaID sets the schema id written in the Confluent framing of
// records of type r, as registered in the schema registry. Encoding a record
// type without one is an error in FormatConfluent. Other formats ignore it.
func WithSchemaID(r Record, id uint32) CodecOption {
	return func(c *codecConfig) { c.writeIDs[r] = id }
}

// WithAcceptedSchemaIDs restricts the schema ids accepted when decoding
// records of type r in FormatConfluent; input framed with any other id is
// malformed. It may be given more than once; the ids add up.
//
// Without WithRegistry any id is accepted and the Avro payload is decoded
// with this package's schema of r: writers must then use that schema (or
// one with the identical binary encoding). Other formats ignore this option.
func WithAcceptedSchemaIDs(r Record, ids ...uint32) CodecOption {
	return func(c *codecConfig) {
		if c.acceptIDs[r] == nil {
			c.acceptIDs[r] = make(map[uint32]bool, len(ids))
		}
		for _, id := range ids {
			c.acceptIDs[r][id] = true
		}
	}
}

// Codec encodes and decodes the record types of this package in one wire
// format. It is safe for concurrent use; build one and share it, since
// building the Avro codecs is slow.
type Codec struct {
	format    Format
	writeIDs  map[Record]uint32
	acceptIDs map[Record]map[uint32]bool
	registry  *Registry
	avro      map[Record]*avroType // nil for FormatJSON
}

// NewCodec returns a Codec for format f.
func NewCodec(f Format, opts ...CodecOption) (*Codec, error) {
	if _, err := ParseFormat(string(f)); err != nil {
		return nil, err
	}
	cfg := codecConfig{writeIDs: map[Record]uint32{}, acceptIDs: map[Record]map[uint32]bool{}}
	for _, o := range opts {
		o(&cfg)
	}
	for r := range cfg.writeIDs {
		if r.file() == "" {
			return nil, fmt.Errorf("schema id for unknown record type %q", string(r))
		}
	}
	for r := range cfg.acceptIDs {
		if r.file() == "" {
			return nil, fmt.Errorf("accepted schema ids for unknown record type %q", string(r))
		}
	}
	c := &Codec{format: f, writeIDs: cfg.writeIDs, acceptIDs: cfg.acceptIDs, registry: cfg.registry}
	if f == FormatJSON {
		return c, nil
	}
	c.avro = make(map[Record]*avroType, len(Records()))
	for _, r := range Records() {
		t, err := newAvroType(r)
		if err != nil {
			return nil, err
		}
		c.avro[r] = t
	}
	return c, nil
}

// Format returns the wire format of c.
func (c *Codec) Format() Format { return c.format }

// record is implemented by pointers to the record types.
type record interface {
	toJSON() ([]byte, error)
	fromJSON([]byte) error
	toAvro() *avroWriter
	fromAvro(*avroReader) error
}

func (c *Codec) encode(r Record, v record) ([]byte, error) {
	return c.appendEncoded(nil, r, v)
}

// appendEncoded appends the encoding of v to dst.
func (c *Codec) appendEncoded(dst []byte, r Record, v record) ([]byte, error) {
	switch c.format {
	case FormatJSON:
		if e, ok := v.(*RenderedEvent); ok {
			return e.appendJSON(dst)
		}
		b, err := v.toJSON()
		return append(dst, b...), err
	case FormatAvro:
		return c.avro[r].encode(dst, v.toAvro())
	}
	id, ok := c.writeIDs[r]
	if !ok {
		return nil, fmt.Errorf("no confluent schema id configured for %s", r)
	}
	if dst == nil {
		dst = make([]byte, 0, 256)
	}
	dst = append(dst, confluentMagic)
	dst = binary.BigEndian.AppendUint32(dst, id)
	return c.avro[r].encode(dst, v.toAvro())
}

func (c *Codec) decode(ctx context.Context, r Record, data []byte, v record) error {
	switch c.format {
	case FormatJSON:
		return v.fromJSON(data)
	case FormatConfluent:
		if len(data) < confluentHeader {
			return fmt.Errorf("%w: %d bytes is too short for the confluent framing", ErrMalformed, len(data))
		}
		if data[0] != confluentMagic {
			return fmt.Errorf("%w: confluent magic byte is not 0x00", ErrMalformed)
		}
		id := binary.BigEndian.Uint32(data[1:confluentHeader])
		if ids := c.acceptIDs[r]; ids != nil && !ids[id] {
			return fmt.Errorf("%w: schema id %d is not accepted for %s", ErrMalformed, id, r)
		}
	case FormatAvro:
	default:
		return fmt.Errorf("unknown format %q", string(c.format))
	}
	var rd *avroReader
	var err error
	switch {
	case c.format == FormatAvro:
		rd, err = c.avro[r].decode(data, 0)
	case c.registry == nil:
		rd, err = c.avro[r].decode(data[confluentHeader:], confluentHeader)
	default:
		id := binary.BigEndian.Uint32(data[1:confluentHeader])
		var w *writerType
		if w, err = c.registry.writer(ctx, r, c.avro[r], id); err == nil {
			rd, err = w.decode(data[confluentHeader:], confluentHeader)
		}
	}
	if err != nil {
		return err
	}
	return v.fromAvro(rd)
}

// DecodeEvent decodes a ConversationEvent and validates it. Its errors wrap
// ErrMalformed or ErrInvalid and never quote the input.
func (c *Codec) DecodeEvent(data []byte) (ConversationEvent, error) {
	return c.DecodeEventContext(context.Background(), data)
}

// DecodeEventContext is DecodeEvent with a context for the registry lookup
// of the input's schema id (see WithRegistry); its errors may also wrap
// ErrSchema or ErrRegistryUnavailable.
func (c *Codec) DecodeEventContext(ctx context.Context, data []byte) (ConversationEvent, error) {
	if c.format == FormatJSON {
		// Without the record interface of decode, e stays on the stack.
		var e ConversationEvent
		if err := e.decodeJSON(data); err != nil {
			return ConversationEvent{}, fmt.Errorf("decoding %s: %w", RecordConversationEvent, err)
		}
		if err := c.validated(&e); err != nil {
			return ConversationEvent{}, err
		}
		return e, nil
	}
	var e ConversationEvent
	if err := c.decode(ctx, RecordConversationEvent, data, &e); err != nil {
		return ConversationEvent{}, fmt.Errorf("decoding %s: %w", RecordConversationEvent, err)
	}
	if err := c.validated(&e); err != nil {
		return ConversationEvent{}, err
	}
	return e, nil
}

// validated returns the error of a decoded event that does not validate.
func (c *Codec) validated(e *ConversationEvent) error {
	if err := e.Validate(); err != nil {
		return fmt.Errorf("decoding %s: %w", RecordConversationEvent, err)
	}
	return nil
}

// EncodeEvent encodes a ConversationEvent. It validates it first, so that it
// never writes what DecodeEvent rejects.
func (c *Codec) EncodeEvent(e ConversationEvent) ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, fmt.Errorf("encoding %s: %w", RecordConversationEvent, err)
	}
	b, err := c.encode(RecordConversationEvent, &e)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", RecordConversationEvent, err)
	}
	return b, nil
}

// DecodeRendered decodes a RenderedEvent. Its errors wrap ErrMalformed and
// never quote the input.
func (c *Codec) DecodeRendered(data []byte) (RenderedEvent, error) {
	var e RenderedEvent
	if err := c.decode(context.Background(), RecordRenderedEvent, data, &e); err != nil {
		return RenderedEvent{}, fmt.Errorf("decoding %s: %w", RecordRenderedEvent, err)
	}
	return e, nil
}

// EncodeRendered encodes a RenderedEvent.
func (c *Codec) EncodeRendered(e RenderedEvent) ([]byte, error) {
	return c.AppendRendered(nil, &e)
}

// AppendRendered appends the encoding of *e to dst, so that the records of
// one event can share one buffer. It keeps no reference to e.
func (c *Codec) AppendRendered(dst []byte, e *RenderedEvent) ([]byte, error) {
	b, err := c.appendEncoded(dst, RecordRenderedEvent, e)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", RecordRenderedEvent, err)
	}
	return b, nil
}

// DecodeErasureRequest decodes an ErasureRequest and validates it. Its errors
// wrap ErrMalformed or ErrInvalid and never quote the input.
func (c *Codec) DecodeErasureRequest(data []byte) (ErasureRequest, error) {
	var q ErasureRequest
	if err := c.decode(context.Background(), RecordErasureRequest, data, &q); err != nil {
		return ErasureRequest{}, fmt.Errorf("decoding %s: %w", RecordErasureRequest, err)
	}
	if err := q.Validate(); err != nil {
		return ErasureRequest{}, fmt.Errorf("decoding %s: %w", RecordErasureRequest, err)
	}
	return q, nil
}

// EncodeErasureRequest encodes an ErasureRequest. It validates it first, so
// that it never writes what DecodeErasureRequest rejects.
func (c *Codec) EncodeErasureRequest(q ErasureRequest) ([]byte, error) {
	if err := q.Validate(); err != nil {
		return nil, fmt.Errorf("encoding %s: %w", RecordErasureRequest, err)
	}
	b, err := c.encode(RecordErasureRequest, &q)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", RecordErasureRequest, err)
	}
	return b, nil
}

// DecodeErasureReceipt decodes an ErasureReceipt. Its errors wrap
// ErrMalformed and never quote the input.
func (c *Codec) DecodeErasureReceipt(data []byte) (ErasureReceipt, error) {
	var r ErasureReceipt
	if err := c.decode(context.Background(), RecordErasureReceipt, data, &r); err != nil {
		return ErasureReceipt{}, fmt.Errorf("decoding %s: %w", RecordErasureReceipt, err)
	}
	return r, nil
}

// EncodeErasureReceipt encodes an ErasureReceipt.
func (c *Codec) EncodeErasureReceipt(r ErasureReceipt) ([]byte, error) {
	b, err := c.encode(RecordErasureReceipt, &r)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", RecordErasureReceipt, err)
	}
	return b, nil
}
