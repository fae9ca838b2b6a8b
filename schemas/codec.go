package schemas

import (
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
// By default any id is accepted: Veil does not talk to a schema registry, so
// it cannot resolve an id to a writer schema, and decodes the Avro payload
// with this package's schema of r. Writers must therefore use that schema (or
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
	c := &Codec{format: f, writeIDs: cfg.writeIDs, acceptIDs: cfg.acceptIDs}
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
	switch c.format {
	case FormatJSON:
		return v.toJSON()
	case FormatAvro:
		return c.avro[r].encode(nil, v.toAvro())
	}
	id, ok := c.writeIDs[r]
	if !ok {
		return nil, fmt.Errorf("no confluent schema id configured for %s", r)
	}
	buf := make([]byte, confluentHeader, 256)
	buf[0] = confluentMagic
	binary.BigEndian.PutUint32(buf[1:], id)
	return c.avro[r].encode(buf, v.toAvro())
}

func (c *Codec) decode(r Record, data []byte, v record) error {
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
		data = data[confluentHeader:]
	case FormatAvro:
	default:
		return fmt.Errorf("unknown format %q", string(c.format))
	}
	base := 0
	if c.format == FormatConfluent {
		base = confluentHeader
	}
	rd, err := c.avro[r].decode(data, base)
	if err != nil {
		return err
	}
	return v.fromAvro(rd)
}

// DecodeEvent decodes a ConversationEvent and validates it. Its errors wrap
// ErrMalformed or ErrInvalid and never quote the input.
func (c *Codec) DecodeEvent(data []byte) (ConversationEvent, error) {
	var e ConversationEvent
	if err := c.decode(RecordConversationEvent, data, &e); err != nil {
		return ConversationEvent{}, fmt.Errorf("decoding %s: %w", RecordConversationEvent, err)
	}
	if err := e.Validate(); err != nil {
		return ConversationEvent{}, fmt.Errorf("decoding %s: %w", RecordConversationEvent, err)
	}
	return e, nil
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
	if err := c.decode(RecordRenderedEvent, data, &e); err != nil {
		return RenderedEvent{}, fmt.Errorf("decoding %s: %w", RecordRenderedEvent, err)
	}
	return e, nil
}

// EncodeRendered encodes a RenderedEvent.
func (c *Codec) EncodeRendered(e RenderedEvent) ([]byte, error) {
	b, err := c.encode(RecordRenderedEvent, &e)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", RecordRenderedEvent, err)
	}
	return b, nil
}

// DecodeErasureRequest decodes an ErasureRequest and validates it. Its errors
// wrap ErrMalformed or ErrInvalid and never quote the input.
func (c *Codec) DecodeErasureRequest(data []byte) (ErasureRequest, error) {
	var q ErasureRequest
	if err := c.decode(RecordErasureRequest, data, &q); err != nil {
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
	if err := c.decode(RecordErasureReceipt, data, &r); err != nil {
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
