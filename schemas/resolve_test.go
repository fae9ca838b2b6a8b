package schemas

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/linkedin/goavro/v2"
)

// eventWriterSchema returns the ConversationEvent schema with its fields
// (and, if name is not empty, its name) changed by edit: a producer's version.
func eventWriterSchema(t testing.TB, name string, edit func(fields []any) []any) string {
	t.Helper()
	text, err := Schema(RecordConversationEvent)
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(text), &s); err != nil {
		t.Fatal(err)
	}
	if name != "" {
		s["name"], s["namespace"] = name, nil
		delete(s, "namespace")
	}
	s["fields"] = edit(s["fields"].([]any))
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func jsonField(name string, typ any, def ...any) any {
	f := map[string]any{"name": name, "type": typ}
	if len(def) > 0 {
		f["default"] = def[0]
	}
	return f
}

// withField replaces the field called name, or appends f when name is "".
func withField(name string, f any) func([]any) []any {
	return func(fields []any) []any {
		out := make([]any, 0, len(fields)+1)
		for _, x := range fields {
			if x.(map[string]any)["name"] == name {
				if f != nil {
					out = append(out, f)
				}
				continue
			}
			out = append(out, x)
		}
		if name == "" {
			out = append(out, f)
		}
		return out
	}
}

func reversed(fields []any) []any {
	out := make([]any, len(fields))
	for i, f := range fields {
		out[len(fields)-1-i] = f
	}
	return out
}

// eventNative is sampleEvent as goavro natives of Veil's schema, changed by
// edit to fit a writer's schema.
func eventNative(edit func(m map[string]any)) map[string]any {
	e := sampleEvent()
	m := e.toAvro().m
	m["sent_at"] = e.SentAt
	if edit != nil {
		edit(m)
	}
	return m
}

func newEventWriter(t testing.TB, schema string) (*writerType, error) {
	t.Helper()
	reader, err := newAvroType(RecordConversationEvent)
	if err != nil {
		t.Fatal(err)
	}
	return newWriterType(reader, schema)
}

func TestResolveCompatible(t *testing.T) {
	want := sampleEvent()
	tests := []struct {
		name   string
		schema func(t testing.TB) string
		native func(m map[string]any)
		want   func(e *ConversationEvent)
	}{{
		name:   "same schema",
		schema: func(t testing.TB) string { return eventWriterSchema(t, "", func(f []any) []any { return f }) },
	}, {
		name: "added optional field",
		schema: func(t testing.TB) string {
			return eventWriterSchema(t, "", withField("", jsonField("priority", []any{"null", "int"}, nil)))
		},
		native: func(m map[string]any) { m["priority"] = goavro.Union("int", int32(3)) },
	}, {
		name: "added field of a new record type, fields reordered",
		schema: func(t testing.TB) string {
			rec := map[string]any{"type": "record", "name": "Geo", "fields": []any{
				jsonField("lat", "double"), jsonField("tags", map[string]any{"type": "array", "items": "string"}),
				jsonField("kind", map[string]any{"type": "enum", "name": "GeoKind", "symbols": []any{"A", "B"}}),
				jsonField("hash", map[string]any{"type": "fixed", "name": "Hash", "size": 2}),
			}}
			return eventWriterSchema(t, "", func(f []any) []any { return reversed(withField("", jsonField("geo", rec))(f)) })
		},
		native: func(m map[string]any) {
			m["geo"] = map[string]any{"lat": 52.1, "tags": []any{"x"}, "kind": "B", "hash": []byte{1, 2}}
		},
	}, {
		name:   "optional field removed: the reader's default",
		schema: func(t testing.TB) string { return eventWriterSchema(t, "", withField("subject", nil)) },
		native: func(m map[string]any) { delete(m, "subject") },
		want:   func(e *ConversationEvent) { e.Subject = "" },
	}, {
		name: "plain string read as an optional string",
		schema: func(t testing.TB) string {
			return eventWriterSchema(t, "", withField("locale", jsonField("locale", "string")))
		},
		native: func(m map[string]any) { m["locale"] = "en-GB" },
	}, {
		name: "bytes read as string",
		schema: func(t testing.TB) string {
			return eventWriterSchema(t, "", withField("body", jsonField("body", "bytes")))
		},
		native: func(m map[string]any) { m["body"] = []byte(want.Body) },
	}, {
		name: "timestamp-micros read as timestamp-millis",
		schema: func(t testing.TB) string {
			return eventWriterSchema(t, "", withField("sent_at", jsonField("sent_at", map[string]any{"type": "long", "logicalType": "timestamp-micros"})))
		},
	}, {
		name: "plain long read as timestamp-millis",
		schema: func(t testing.TB) string {
			return eventWriterSchema(t, "", withField("sent_at", jsonField("sent_at", "long")))
		},
		native: func(m map[string]any) { m["sent_at"] = want.SentAt.UnixMilli() },
	}, {
		name: "other namespace, same name",
		schema: func(t testing.TB) string {
			return eventWriterSchema(t, "com.example.ConversationEvent", func(f []any) []any { return f })
		},
	}, {
		name: "wider union",
		schema: func(t testing.TB) string {
			return eventWriterSchema(t, "", withField("locale", jsonField("locale", []any{"null", "bytes", "string"}, nil)))
		},
		native: func(m map[string]any) { m["locale"] = goavro.Union("bytes", []byte("en-GB")) },
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			schema := tt.schema(t)
			w, err := newEventWriter(t, schema)
			if err != nil {
				t.Fatalf("newWriterType: %v", err)
			}
			codec, err := goavro.NewCodec(schema)
			if err != nil {
				t.Fatal(err)
			}
			buf, err := codec.BinaryFromNative(nil, eventNative(tt.native))
			if err != nil {
				t.Fatalf("encoding with the writer schema: %v", err)
			}
			rd, err := w.decode(buf, 0)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			var got ConversationEvent
			if err := got.fromAvro(rd); err != nil {
				t.Fatalf("fromAvro: %v", err)
			}
			exp := want
			if tt.want != nil {
				tt.want(&exp)
			}
			if !reflect.DeepEqual(got, exp) {
				t.Fatalf("got  %+v\nwant %+v", got, exp)
			}
		})
	}
}

func TestResolveIncompatible(t *testing.T) {
	tests := []struct {
		name   string
		schema func(t testing.TB) string
		want   string
	}{{
		name: "type change",
		schema: func(t testing.TB) string {
			return eventWriterSchema(t, "", withField("body", jsonField("body", "int")))
		},
		want: "field body: writer type int cannot be read as string",
	}, {
		name:   "required field removed",
		schema: func(t testing.TB) string { return eventWriterSchema(t, "", withField("customer_id", nil)) },
		want:   "the writer has no field customer_id and the reader has no default for it",
	}, {
		name:   "other record",
		schema: func(t testing.TB) string { return eventWriterSchema(t, "acme.Order", func(f []any) []any { return f }) },
		want:   "writer type acme.Order cannot be read as veil.ConversationEvent",
	}, {
		name: "union branch the reader lacks",
		schema: func(t testing.TB) string {
			return eventWriterSchema(t, "", withField("locale", jsonField("locale", []any{"null", "string", "int"}, nil)))
		},
		want: "field locale: writer type int matches no branch of the reader's union",
	}, {
		name: "narrowing",
		schema: func(t testing.TB) string {
			return eventWriterSchema(t, "", withField("sent_at", jsonField("sent_at", "double")))
		},
		want: "field sent_at: writer type double cannot be read as long.timestamp-millis",
	}, {
		name: "optional string read as a plain string",
		schema: func(t testing.TB) string {
			return eventWriterSchema(t, "", withField("body", jsonField("body", []any{"null", "string"}, nil)))
		},
		want: "field body: writer type null cannot be read as string",
	}, {
		name:   "not a record",
		schema: func(testing.TB) string { return `"string"` },
		want:   "writer type string cannot be read as veil.ConversationEvent",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newEventWriter(t, tt.schema(t))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("newWriterType error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestDefaultValue(t *testing.T) {
	tests := []struct {
		name   string
		schema string
		def    string
		want   any
	}{
		{"null union", `["null","string"]`, `null`, nil},
		{"string union", `["string","null"]`, `"x"`, goavro.Union("string", "x")},
		{"map", `{"type":"map","values":"long"}`, `{"a":1}`, map[string]any{"a": int64(1)}},
		{"timestamp", `{"type":"long","logicalType":"timestamp-millis"}`, `1000`, time.UnixMilli(1000).UTC()},
		{"bytes", `"bytes"`, `"\u00ff"`, []byte{0xff}},
		{"record", `{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":7}]}`, `{}`, map[string]any{"a": int32(7)}},
		{"array of enum", `{"type":"array","items":{"type":"enum","name":"E","symbols":["A"]}}`, `["A"]`, []any{"A"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := parseSchema([]byte(tt.schema))
			if err != nil {
				t.Fatal(err)
			}
			var def any
			if err := json.Unmarshal([]byte(tt.def), &def); err != nil {
				t.Fatal(err)
			}
			got, err := defaultValue(n, def, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
	n, _ := parseSchema([]byte(`"int"`))
	if _, err := defaultValue(n, 1.5, 0); err == nil {
		t.Fatal("default 1.5 accepted for an int")
	}
}

// FuzzResolve feeds writer schemas and data: resolving and decoding never
// panic, and whatever decodes gives Veil's record typed as Veil expects it.
func FuzzResolve(f *testing.F) {
	seeds := []string{
		eventWriterSchema(f, "", func(x []any) []any { return x }),
		eventWriterSchema(f, "", withField("", jsonField("n", []any{"null", "int", "string"}, nil))),
		eventWriterSchema(f, "", func(x []any) []any { return reversed(withField("subject", nil)(x)) }),
		eventWriterSchema(f, "", withField("body", jsonField("body", "bytes"))),
		eventWriterSchema(f, "", withField("sent_at", jsonField("sent_at", "int"))),
		eventWriterSchema(f, "", withField("", jsonField("l", map[string]any{"type": "array", "items": map[string]any{
			"type": "record", "name": "L", "fields": []any{jsonField("next", []any{"null", "L"}, nil)}}}))),
	}
	for _, s := range seeds {
		codec, err := goavro.NewCodec(s)
		if err != nil {
			f.Fatal(err)
		}
		m := eventNative(nil)
		m["n"] = goavro.Union("int", int32(-1))
		m["body"] = []byte("b")
		m["sent_at"] = int32(5)
		m["l"] = []any{map[string]any{"next": goavro.Union("L", map[string]any{"next": nil})}}
		buf, _ := codec.BinaryFromNative(nil, m)
		f.Add(s, buf)
	}
	f.Add(`{"type":"record","name":"ConversationEvent","fields":[{"name":"x","type":{"type":"fixed","name":"F","size":3}}]}`, []byte{1, 2, 3})
	reader, err := newAvroType(RecordConversationEvent)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, schema string, data []byte) {
		w, err := newWriterType(reader, schema)
		if err != nil {
			return
		}
		rd, err := w.decode(data, 0)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrSchema) {
				t.Fatalf("decode error %v wraps neither ErrMalformed nor ErrSchema", err)
			}
			return
		}
		var e ConversationEvent
		if err := e.fromAvro(rd); err != nil {
			t.Fatalf("projected record has fields of the wrong type: %v", err)
		}
	})
}

// TestResolveOlderErasureSchemas: a request written with the schema before
// identifiers existed, and a receipt written before rerendered existed, are
// read by today's schemas with their defaults (no identifiers, no counts).
func TestResolveOlderErasureSchemas(t *testing.T) {
	const oldRequest = `{"type": "record", "name": "ErasureRequest", "namespace": "veil", "fields": [
		{"name": "request_id", "type": "string"}, {"name": "customer_id", "type": "string"},
		{"name": "requested_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
		{"name": "reason", "type": ["null", "string"], "default": null}]}`
	const oldReceipt = `{"type": "record", "name": "ErasureReceipt", "namespace": "veil", "fields": [
		{"name": "request_id", "type": "string"}, {"name": "subject", "type": "string"}, {"name": "reason", "type": "string"},
		{"name": "policy", "type": ["null", "string"], "default": null},
		{"name": "tombstones", "type": {"type": "map", "values": "long"}, "default": {}},
		{"name": "events", "type": "long"},
		{"name": "started_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
		{"name": "completed_at", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}], "default": null},
		{"name": "status", "type": "string"}]}`
	at := time.UnixMilli(1_700_000_000_000).UTC()
	tests := []struct {
		name   string
		rec    Record
		schema string
		native map[string]any
		into   interface {
			fromAvro(*avroReader) error
		}
		want any
	}{
		{"request", RecordErasureRequest, oldRequest,
			map[string]any{"request_id": "r1", "customer_id": "c1", "requested_at": at, "reason": nil},
			&ErasureRequest{}, &ErasureRequest{RequestID: "r1", CustomerID: "c1", RequestedAt: at}},
		{"receipt", RecordErasureReceipt, oldReceipt,
			map[string]any{"request_id": "r1", "subject": "s", "reason": "request", "policy": nil, "tombstones": map[string]any{"t": int64(2)},
				"events": int64(2), "started_at": at, "completed_at": nil, "status": "completed"},
			&ErasureReceipt{}, &ErasureReceipt{RequestID: "r1", SubjectHash: "s", Reason: "request", Tombstones: map[string]int{"t": 2}, Events: 2, StartedAt: at, Status: "completed"}},
	}
	for _, tt := range tests {
		reader, err := newAvroType(tt.rec)
		if err != nil {
			t.Fatal(err)
		}
		w, err := newWriterType(reader, tt.schema)
		if err != nil {
			t.Fatalf("%s: the older schema does not resolve: %v", tt.name, err)
		}
		codec, err := goavro.NewCodec(tt.schema)
		if err != nil {
			t.Fatal(err)
		}
		buf, err := codec.BinaryFromNative(nil, tt.native)
		if err != nil {
			t.Fatal(err)
		}
		rd, err := w.decode(buf, 0)
		if err != nil {
			t.Fatalf("%s: decode: %v", tt.name, err)
		}
		if err := tt.into.fromAvro(rd); err != nil {
			t.Fatalf("%s: fromAvro: %v", tt.name, err)
		}
		if !reflect.DeepEqual(tt.into, tt.want) {
			t.Errorf("%s: got %+v, want %+v", tt.name, tt.into, tt.want)
		}
	}
}
