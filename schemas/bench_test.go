package schemas

import "testing"

func BenchmarkDecodeEvent(b *testing.B) {
	for _, f := range allFormats {
		c := newTestCodec(b, f)
		data, err := c.EncodeEvent(sampleEvent())
		if err != nil {
			b.Fatal(err)
		}
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := c.DecodeEvent(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncodeEvent(b *testing.B) {
	for _, f := range allFormats {
		c := newTestCodec(b, f)
		e := sampleEvent()
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.EncodeEvent(e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncodeRendered(b *testing.B) {
	for _, f := range allFormats {
		c := newTestCodec(b, f)
		r := sampleRendered()
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.EncodeRendered(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodeRendered(b *testing.B) {
	for _, f := range allFormats {
		c := newTestCodec(b, f)
		data, err := c.EncodeRendered(sampleRendered())
		if err != nil {
			b.Fatal(err)
		}
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := c.DecodeRendered(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeWriterSchema compares decoding with Veil's own schema (the
// baseline) to decoding data written with a producer's newer schema (one
// optional field added) and projected onto Veil's.
func BenchmarkDecodeWriterSchema(b *testing.B) {
	reader, err := newAvroType(RecordConversationEvent)
	if err != nil {
		b.Fatal(err)
	}
	plain, err := reader.encode(nil, func() *avroWriter { e := sampleEvent(); return e.toAvro() }())
	if err != nil {
		b.Fatal(err)
	}
	schema := eventWriterSchema(b, "", withField("", jsonField("priority", []any{"null", "int"}, nil)))
	w, err := newWriterType(reader, schema)
	if err != nil {
		b.Fatal(err)
	}
	added, err := w.codec.BinaryFromNative(nil, eventNative(func(m map[string]any) { m["priority"] = nil }))
	if err != nil {
		b.Fatal(err)
	}
	run := func(name string, data []byte, decode func([]byte, int) (*avroReader, error)) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			var e ConversationEvent
			for b.Loop() {
				rd, err := decode(data, 0)
				if err != nil {
					b.Fatal(err)
				}
				if err := e.fromAvro(rd); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	run("reader-schema", plain, reader.decode)
	run("writer-added-field", added, w.decode)
}
