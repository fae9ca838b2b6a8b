package schemas

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Confluent schema ids used in tests.
const (
	testEventID    = 101
	testRenderedID = 102
	testRequestID  = 103
	testReceiptID  = 104
)

func newTestCodec(t testing.TB, f Format, opts ...CodecOption) *Codec {
	t.Helper()
	opts = append([]CodecOption{
		WithSchemaID(RecordConversationEvent, testEventID),
		WithSchemaID(RecordRenderedEvent, testRenderedID),
		WithSchemaID(RecordErasureRequest, testRequestID),
		WithSchemaID(RecordErasureReceipt, testReceiptID),
	}, opts...)
	c, err := NewCodec(f, opts...)
	if err != nil {
		t.Fatalf("NewCodec(%s): %v", f, err)
	}
	return c
}

var allFormats = []Format{FormatJSON, FormatAvro, FormatConfluent}

func sampleEvent() ConversationEvent {
	return ConversationEvent{
		EventID:        "0b7e6c1a-5d2f-4e9b-8a31-7c4d2e1f9a60",
		ConversationID: "chat-004711",
		CustomerID:     "cust-1234",
		Channel:        "chat",
		Locale:         "en-GB",
		AuthorRole:     "customer",
		AuthorName:     "Test Person",
		AuthorEmail:    "test.person@example.invalid",
		SentAt:         time.Date(2025, 3, 1, 10, 22, 33, 125_000_000, time.UTC),
		Subject:        "Re: parcel",
		Body:           "Hello, my parcel has not arrived. Ünïcödé ✓ and \"quotes\" and <b>html</b>.",
	}
}

func sampleRendered() RenderedEvent {
	return RenderedEvent{
		EventID:         "e-1",
		ConversationID:  "email-000001",
		CustomerID:      "ps_9f86d081884c7d65",
		Channel:         "email",
		Locale:          "nl-NL",
		AuthorRole:      "agent",
		SentAt:          time.Date(2025, 9, 24, 6, 52, 0, 0, time.UTC),
		ProcessedAt:     time.Date(2025, 9, 24, 6, 52, 1, 500_000_000, time.UTC),
		Subject:         "Bestelling",
		Body:            "Dag [PERSON], uw IBAN [IBAN_CODE] is gewijzigd.",
		View:            "analytics",
		PolicyVersion:   "2025-09-01",
		DetectorVersion: "rules-1.4.0",
		Redactions:      map[string]int{"PERSON": 1, "IBAN_CODE": 2},
	}
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		give any
	}{
		{name: "event full", give: sampleEvent()},
		{name: "event minimal", give: ConversationEvent{
			EventID: "e", ConversationID: "c", CustomerID: "u", Channel: "other",
			SentAt: time.UnixMilli(1).UTC(),
		}},
		{name: "event before epoch", give: ConversationEvent{
			EventID: "e", ConversationID: "c", CustomerID: "u", Channel: "email",
			SentAt: time.Date(1969, 12, 31, 23, 59, 59, 1_000_000, time.UTC), Body: "",
		}},
		{name: "rendered full", give: sampleRendered()},
		{name: "rendered customer removed", give: func() RenderedEvent {
			r := sampleRendered()
			r.CustomerID, r.Subject, r.Locale, r.Redactions = "", "", "", nil
			return r
		}()},
		{name: "rendered zero", give: RenderedEvent{}},
		{name: "request", give: ErasureRequest{
			RequestID: "req-1", CustomerID: "cust-1234",
			RequestedAt: time.Date(2025, 10, 1, 8, 0, 0, 0, time.UTC), Reason: "ticket 42",
		}},
		{name: "request without time", give: ErasureRequest{RequestID: "req-2", CustomerID: "cust-1"}},
		{name: "request by identifiers", give: ErasureRequest{RequestID: "req-3",
			Identifiers: []Identifier{{Type: "EMAIL_ADDRESS", Value: "anna@example.nl"}, {Type: "CREDIT_CARD", Value: "5555 5555 5555 4444"}}}},
		{name: "request by customer and identifiers", give: ErasureRequest{RequestID: "req-4", CustomerID: "cust-1",
			Identifiers: []Identifier{{Type: "NL_BSN", Value: "111222333"}}}},
		{name: "receipt with re-rendered records", give: ErasureReceipt{
			RequestID: "req-3", Reason: "request", Tombstones: map[string]int{"conversations.support": 1},
			Rerendered: map[string]int{"conversations.support": 3, "conversations.analytics": 1},
			StartedAt:  time.Date(2025, 10, 1, 8, 0, 1, 0, time.UTC), Status: "completed",
		}},
		{name: "receipt completed", give: ErasureReceipt{
			RequestID: "req-1", SubjectHash: "3f5a…", Reason: "request",
			Tombstones: map[string]int{"conversations.analytics": 12, "veil.keys": 1},
			Events:     12,
			StartedAt:  time.Date(2025, 10, 1, 8, 0, 1, 0, time.UTC), CompletedAt: time.Date(2025, 10, 1, 8, 0, 2, 0, time.UTC),
			Status: "completed",
		}},
		{name: "receipt failed", give: ErasureReceipt{
			RequestID: "sweep-7", SubjectHash: "ab", Reason: "retention", Policy: "chat-eu-90d",
			StartedAt: time.Date(2025, 10, 1, 8, 0, 1, 0, time.UTC), Status: "failed",
		}},
	}
	for _, f := range allFormats {
		c := newTestCodec(t, f)
		for _, tt := range tests {
			t.Run(string(f)+"/"+tt.name, func(t *testing.T) {
				var got any
				var err error
				switch give := tt.give.(type) {
				case ConversationEvent:
					var b []byte
					if b, err = c.EncodeEvent(give); err == nil {
						got, err = c.DecodeEvent(b)
					}
				case RenderedEvent:
					var b []byte
					if b, err = c.EncodeRendered(give); err == nil {
						got, err = c.DecodeRendered(b)
					}
				case ErasureRequest:
					var b []byte
					if b, err = c.EncodeErasureRequest(give); err == nil {
						got, err = c.DecodeErasureRequest(b)
					}
				case ErasureReceipt:
					var b []byte
					if b, err = c.EncodeErasureReceipt(give); err == nil {
						got, err = c.DecodeErasureReceipt(b)
					}
				}
				if err != nil {
					t.Fatalf("round trip: %v", err)
				}
				if !reflect.DeepEqual(got, tt.give) {
					t.Errorf("round trip:\n got %+v\nwant %+v", got, tt.give)
				}
			})
		}
	}
}

func TestConfluentFraming(t *testing.T) {
	c := newTestCodec(t, FormatConfluent)
	b, err := c.EncodeEvent(sampleEvent())
	if err != nil {
		t.Fatal(err)
	}
	if b[0] != 0 || binary.BigEndian.Uint32(b[1:5]) != testEventID {
		t.Errorf("header = % x, want 00 and id %d", b[:5], testEventID)
	}
	plain := newTestCodec(t, FormatAvro)
	p, err := plain.EncodeEvent(sampleEvent())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b[5:], p) {
		t.Errorf("confluent payload differs from plain Avro")
	}

	noIDs, err := NewCodec(FormatConfluent)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := noIDs.EncodeRendered(sampleRendered()); err == nil {
		t.Errorf("EncodeRendered without schema id: want error")
	}
	if _, err := noIDs.DecodeEvent(b); err != nil {
		t.Errorf("DecodeEvent with default accept-any: %v", err)
	}
}

func TestConfluentAcceptedIDs(t *testing.T) {
	c := newTestCodec(t, FormatConfluent)
	b, err := c.EncodeEvent(sampleEvent())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		give []uint32
		want error
	}{
		{name: "accepted", give: []uint32{7, testEventID}, want: nil},
		{name: "not accepted", give: []uint32{7, 8}, want: ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := NewCodec(FormatConfluent, WithAcceptedSchemaIDs(RecordConversationEvent, tt.give...))
			if err != nil {
				t.Fatal(err)
			}
			_, err = d.DecodeEvent(b)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("DecodeEvent = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestDecodeEventJSONLines(t *testing.T) {
	c := newTestCodec(t, FormatJSON)
	tests := []struct {
		name string
		give string
		want ConversationEvent
	}{
		{
			name: "chat with spans",
			give: `{"event_id": "11111111-2222-3333-4444-555555555555", "conversation_id": "chat-000099", "customer_id": "tc-cust-00007", "channel": "chat", "locale": "en-US", "author_role": "customer", "sent_at": "2025-04-02T09:15:00Z", "body": "My card 4000 0000 0000 0002 was charged twice.", "spans": [{"start": 8, "end": 27, "type": "CREDIT_CARD", "text": "4000 0000 0000 0002", "field": "body"}]}`,
			want: ConversationEvent{
				EventID: "11111111-2222-3333-4444-555555555555", ConversationID: "chat-000099", CustomerID: "tc-cust-00007",
				Channel: "chat", Locale: "en-US", AuthorRole: "customer",
				SentAt: time.Date(2025, 4, 2, 9, 15, 0, 0, time.UTC),
				Body:   "My card 4000 0000 0000 0002 was charged twice.",
			},
		},
		{
			name: "email with subject and offset",
			give: `{"event_id": "e-2", "conversation_id": "email-000123", "customer_id": "tc-cust-00008", "channel": "email", "locale": "nl-NL", "author_role": "agent", "sent_at": "2025-04-02T11:15:00+02:00", "body": "<p>Beste klant,</p>", "spans": [], "subject": "Uw retour"}`,
			want: ConversationEvent{
				EventID: "e-2", ConversationID: "email-000123", CustomerID: "tc-cust-00008",
				Channel: "email", Locale: "nl-NL", AuthorRole: "agent",
				SentAt:  time.Date(2025, 4, 2, 9, 15, 0, 0, time.UTC),
				Subject: "Uw retour", Body: "<p>Beste klant,</p>",
			},
		},
		{
			name: "nulls and unknown nested fields",
			give: `{"event_id":"e-3","conversation_id":"c","customer_id":"u","channel":"sms","locale":null,"sent_at":"2025-01-01T00:00:00.5Z","body":"x","meta":{"a":[1,2,{"b":null}]}}`,
			want: ConversationEvent{
				EventID: "e-3", ConversationID: "c", CustomerID: "u", Channel: "sms",
				SentAt: time.Date(2025, 1, 1, 0, 0, 0, 500_000_000, time.UTC), Body: "x",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.DecodeEvent([]byte(tt.give))
			if err != nil {
				t.Fatalf("DecodeEvent: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DecodeEvent:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// canary is a PII-like value planted in bad input; no error may repeat it.
const canary = "Zyxwvut-Canary-0123456789"

func TestDecodeEventErrors(t *testing.T) {
	jsonC := newTestCodec(t, FormatJSON)
	avroC := newTestCodec(t, FormatAvro)
	confC := newTestCodec(t, FormatConfluent)

	valid := sampleEvent()
	valid.Body = "body " + canary
	avroOK, err := avroC.EncodeEvent(valid)
	if err != nil {
		t.Fatal(err)
	}
	confOK, err := confC.EncodeEvent(valid)
	if err != nil {
		t.Fatal(err)
	}
	missing := valid
	missing.EventID, missing.Channel = "", ""
	avroMissing := avroC.avro[RecordConversationEvent]
	avroMissingBytes, err := avroMissing.encode(nil, missing.toAvro())
	if err != nil {
		t.Fatal(err)
	}
	wrongMagic := bytes.Clone(confOK)
	wrongMagic[0] = 0x01
	hugeString := []byte{0xfe, 0xff, 0xff, 0xff, 0x0f} // event_id length 2^31-1
	hugeString = append(hugeString, canary...)

	tests := []struct {
		name  string
		codec *Codec
		give  []byte
		want  error
		field string // a field name the message should mention, if any
	}{
		{name: "json syntax", codec: jsonC, give: []byte(`{"event_id": "` + canary + `", `), want: ErrMalformed},
		{name: "json bad char", codec: jsonC, give: []byte(`{"event_id": ` + canary + `}`), want: ErrMalformed},
		{name: "json not an object", codec: jsonC, give: []byte(`"` + canary + `"`), want: ErrMalformed},
		{name: "json wrong type", codec: jsonC, give: []byte(`{"body": 12345678901, "event_id": "` + canary + `"}`), want: ErrMalformed, field: "body"},
		{name: "json wrong type string", codec: jsonC, give: []byte(`{"channel": {"x": "` + canary + `"}}`), want: ErrMalformed, field: "channel"},
		{name: "json bad time", codec: jsonC, give: []byte(`{"event_id":"e","conversation_id":"c","customer_id":"u","channel":"chat","sent_at":"` + canary + `"}`), want: ErrMalformed, field: "sent_at"},
		{name: "json trailing data", codec: jsonC, give: []byte(`{"event_id":"e"} ` + canary), want: ErrMalformed},
		{name: "json empty", codec: jsonC, give: nil, want: ErrMalformed},
		{name: "json missing fields", codec: jsonC, give: []byte(`{"body":"` + canary + `"}`), want: ErrInvalid, field: "event_id"},
		{name: "avro truncated", codec: avroC, give: avroOK[:len(avroOK)-3], want: ErrMalformed},
		{name: "avro trailing", codec: avroC, give: append(bytes.Clone(avroOK), 0), want: ErrMalformed},
		{name: "avro empty", codec: avroC, give: nil, want: ErrMalformed},
		{name: "avro huge string length", codec: avroC, give: hugeString, want: ErrMalformed, field: "event_id"},
		{name: "avro missing fields", codec: avroC, give: avroMissingBytes, want: ErrInvalid, field: "channel"},
		{name: "confluent wrong magic", codec: confC, give: wrongMagic, want: ErrMalformed},
		{name: "confluent short", codec: confC, give: []byte{0, 0, 0}, want: ErrMalformed},
		{name: "confluent truncated", codec: confC, give: confOK[:len(confOK)-1], want: ErrMalformed},
		{name: "confluent plain avro", codec: confC, give: avroOK, want: ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.codec.DecodeEvent(tt.give)
			t.Log(err)
			if !errors.Is(err, tt.want) {
				t.Fatalf("DecodeEvent = %v, want errors.Is %v", err, tt.want)
			}
			other := ErrInvalid
			if tt.want == ErrInvalid {
				other = ErrMalformed
			}
			if errors.Is(err, other) {
				t.Errorf("DecodeEvent = %v, also wraps %v", err, other)
			}
			if msg := err.Error(); strings.Contains(msg, canary) || strings.Contains(msg, "Zyx") {
				t.Errorf("error message leaks input: %q", msg)
			}
			if tt.field != "" && !strings.Contains(err.Error(), tt.field) {
				t.Errorf("error %q does not name field %s", err, tt.field)
			}
		})
	}
}

// TestHostileMapCount checks that a map block count far above the input
// size is rejected before goavro preallocates a map of that size.
func TestHostileMapCount(t *testing.T) {
	c := newTestCodec(t, FormatAvro)
	r := sampleRendered()
	r.Redactions = nil
	b, err := c.EncodeRendered(r)
	if err != nil {
		t.Fatal(err)
	}
	// The empty redactions map is the last byte (block count 0).
	if b[len(b)-1] != 0 {
		t.Fatalf("last byte = %x, want empty map", b[len(b)-1])
	}
	hostile := append(bytes.Clone(b[:len(b)-1]), 0xfe, 0xff, 0xff, 0xff, 0x0f, 0x02, 'A', 0x02)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := c.DecodeRendered(hostile); !errors.Is(err, ErrMalformed) {
		t.Errorf("DecodeRendered = %v, want ErrMalformed", err)
	}
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("decoding allocated %d bytes", n)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		give ConversationEvent
		want []string
	}{
		{name: "valid", give: sampleEvent()},
		{name: "empty", give: ConversationEvent{}, want: []string{"event_id", "conversation_id", "customer_id", "channel", "sent_at"}},
		{name: "optional fields empty", give: ConversationEvent{EventID: "e", ConversationID: "c", CustomerID: "u", Channel: "x", SentAt: time.Unix(1, 0)}},
		{name: "no channel", give: func() ConversationEvent { e := sampleEvent(); e.Channel = ""; return e }(), want: []string{"channel"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.give.Validate()
			if (err != nil) != (len(tt.want) > 0) {
				t.Fatalf("Validate = %v, want errors for %v", err, tt.want)
			}
			if err == nil {
				return
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Validate = %v, want ErrInvalid", err)
			}
			for _, f := range tt.want {
				if !strings.Contains(err.Error(), f) {
					t.Errorf("Validate = %q, does not name %s", err, f)
				}
			}
		})
	}
}

func TestValidateErasureRequest(t *testing.T) {
	tests := []struct {
		name string
		give ErasureRequest
		want []string // the fields the error names; none: valid
	}{
		{"customer", ErasureRequest{RequestID: "r", CustomerID: "c"}, nil},
		{"identifiers only", ErasureRequest{RequestID: "r", Identifiers: []Identifier{{"EMAIL_ADDRESS", "a@b.nl"}}}, nil},
		{"neither", ErasureRequest{RequestID: "r"}, []string{"customer_id or identifiers"}},
		{"no request id", ErasureRequest{CustomerID: "c"}, []string{"request_id"}},
		{"identifier without type or value", ErasureRequest{RequestID: "r", Identifiers: []Identifier{{"EMAIL_ADDRESS", "a@b.nl"}, {"", ""}}},
			[]string{"identifiers[1].type", "identifiers[1].value"}},
	}
	for _, tt := range tests {
		err := tt.give.Validate()
		if (err != nil) != (len(tt.want) > 0) || err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Validate = %v, want errors for %v", tt.name, err, tt.want)
			continue
		}
		for _, f := range tt.want {
			if !strings.Contains(err.Error(), f) {
				t.Errorf("%s: Validate = %q, does not name %s", tt.name, err, f)
			}
		}
		if err != nil && strings.Contains(err.Error(), "a@b.nl") {
			t.Errorf("%s: Validate quotes a value: %q", tt.name, err)
		}
	}
}

func TestEncodeInvalid(t *testing.T) {
	for _, f := range allFormats {
		c := newTestCodec(t, f)
		if _, err := c.EncodeEvent(ConversationEvent{Body: canary}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: EncodeEvent(empty) = %v, want ErrInvalid", f, err)
		}
		if _, err := c.EncodeErasureRequest(ErasureRequest{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: EncodeErasureRequest(empty) = %v, want ErrInvalid", f, err)
		}
	}
	e := sampleEvent()
	e.SentAt = time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := newTestCodec(t, FormatJSON).EncodeEvent(e); !errors.Is(err, ErrInvalid) {
		t.Errorf("JSON EncodeEvent(year 12000) = %v, want ErrInvalid", err)
	}
	e.SentAt = time.Unix(1<<62, 0)
	if _, err := newTestCodec(t, FormatAvro).EncodeEvent(e); !errors.Is(err, ErrInvalid) {
		t.Errorf("Avro EncodeEvent(far future) = %v, want ErrInvalid", err)
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		give    string
		want    Format
		wantErr bool
	}{
		{give: "json", want: FormatJSON},
		{give: "avro", want: FormatAvro},
		{give: "confluent", want: FormatConfluent},
		{give: "JSON", wantErr: true},
		{give: "", wantErr: true},
		{give: "protobuf", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			got, err := ParseFormat(tt.give)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseFormat(%q) = %q, %v; want %q, error %v", tt.give, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestNewCodecErrors(t *testing.T) {
	tests := []struct {
		name string
		give Format
		opts []CodecOption
	}{
		{name: "unknown format", give: "xml"},
		{name: "unknown record id", give: FormatConfluent, opts: []CodecOption{WithSchemaID("veil.Nope", 1)}},
		{name: "unknown record accept", give: FormatConfluent, opts: []CodecOption{WithAcceptedSchemaIDs("veil.Nope", 1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewCodec(tt.give, tt.opts...); err == nil {
				t.Errorf("NewCodec: want error")
			}
		})
	}
}

func TestSchemas(t *testing.T) {
	for _, r := range Records() {
		s, err := Schema(r)
		if err != nil {
			t.Fatalf("Schema(%s): %v", r, err)
		}
		if !strings.Contains(s, `"namespace": "veil"`) {
			t.Errorf("Schema(%s) has no veil namespace", r)
		}
		if _, err := newAvroType(r); err != nil {
			t.Errorf("newAvroType(%s): %v", r, err)
		}
	}
	if _, err := Schema("veil.Nope"); err == nil {
		t.Errorf("Schema(unknown): want error")
	}
}

func TestConcurrentUse(t *testing.T) {
	c := newTestCodec(t, FormatConfluent)
	want := sampleEvent()
	done := make(chan error)
	for range 8 {
		go func() {
			var err error
			for range 200 {
				var b []byte
				if b, err = c.EncodeEvent(want); err != nil {
					break
				}
				var got ConversationEvent
				if got, err = c.DecodeEvent(b); err != nil {
					break
				}
				if !reflect.DeepEqual(got, want) {
					err = errors.New("mismatch")
					break
				}
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestDecodeOtherRecordErrors(t *testing.T) {
	jsonC := newTestCodec(t, FormatJSON)
	avroC := newTestCodec(t, FormatAvro)
	confC := newTestCodec(t, FormatConfluent)
	receipt, err := avroC.EncodeErasureReceipt(ErasureReceipt{RequestID: "r", SubjectHash: canary, Tombstones: map[string]int{canary: 1}})
	if err != nil {
		t.Fatal(err)
	}
	rendered, err := confC.EncodeRendered(sampleRendered())
	if err != nil {
		t.Fatal(err)
	}
	// A duplicate map key passes the scanner, and goavro's error for it
	// quotes the key; that message must not reach the caller.
	key := append([]byte{byte(2 * len(canary))}, canary...)
	dupKey := []byte{0x02, 'r', 0x02, 's', 0x00, 0x00, 0x04}
	dupKey = append(dupKey, key...)
	dupKey = append(dupKey, 0x02)
	dupKey = append(dupKey, key...)
	dupKey = append(dupKey, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00)

	tests := []struct {
		name   string
		decode func([]byte) error
		give   []byte
		want   error
	}{
		{name: "rendered json map value type", decode: func(b []byte) error { _, err := jsonC.DecodeRendered(b); return err },
			give: []byte(`{"redactions": {"` + canary + `": "` + canary + `"}}`), want: ErrMalformed},
		{name: "rendered json bad time", decode: func(b []byte) error { _, err := jsonC.DecodeRendered(b); return err },
			give: []byte(`{"processed_at": "` + canary + `"}`), want: ErrMalformed},
		{name: "rendered confluent truncated", decode: func(b []byte) error { _, err := confC.DecodeRendered(b); return err },
			give: rendered[:len(rendered)-2], want: ErrMalformed},
		{name: "request json missing ids", decode: func(b []byte) error { _, err := jsonC.DecodeErasureRequest(b); return err },
			give: []byte(`{"reason": "` + canary + `"}`), want: ErrInvalid},
		{name: "request avro garbage", decode: func(b []byte) error { _, err := avroC.DecodeErasureRequest(b); return err },
			give: []byte(canary), want: ErrMalformed},
		{name: "receipt avro truncated", decode: func(b []byte) error { _, err := avroC.DecodeErasureReceipt(b); return err },
			give: receipt[:len(receipt)-4], want: ErrMalformed},
		{name: "receipt avro duplicate map key", decode: func(b []byte) error { _, err := avroC.DecodeErasureReceipt(b); return err },
			give: dupKey, want: ErrMalformed},
		{name: "receipt json events overflow", decode: func(b []byte) error { _, err := jsonC.DecodeErasureReceipt(b); return err },
			give: []byte(`{"events": 1e400, "subject": "` + canary + `"}`), want: ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.decode(tt.give)
			t.Log(err)
			if !errors.Is(err, tt.want) {
				t.Fatalf("decode = %v, want errors.Is %v", err, tt.want)
			}
			if strings.Contains(err.Error(), canary) {
				t.Errorf("error message leaks input: %q", err)
			}
		})
	}
}

// TestDecodeEventInvalidUTF8: a text field with bytes that are not UTF-8
// decodes the same in every format, each such byte as U+FFFD (Avro does not
// check strings; its decoder returned the bytes as they were, so offsets
// into the text shifted once the JSON view encoder replaced them).
func TestDecodeEventInvalidUTF8(t *testing.T) {
	e := sampleEvent()
	e.Body, e.AuthorName = "caf\xe9 \xff ok", "Ann\xc3"
	want := sampleEvent()
	want.Body, want.AuthorName = "caf\uFFFD \uFFFD ok", "Ann\uFFFD"
	for _, f := range allFormats {
		c := newTestCodec(t, f)
		b, err := c.EncodeEvent(e)
		if err != nil {
			t.Fatalf("%s: EncodeEvent: %v", f, err)
		}
		got, err := c.DecodeEvent(b)
		if err != nil {
			t.Fatalf("%s: DecodeEvent: %v", f, err)
		}
		if got.Body != want.Body || got.AuthorName != want.AuthorName {
			t.Errorf("%s: body %q, author %q; want %q, %q", f, got.Body, got.AuthorName, want.Body, want.AuthorName)
		}
	}
}
