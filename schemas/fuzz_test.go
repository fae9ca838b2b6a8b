package schemas

import (
	"reflect"
	"testing"
)

// fuzzDecodeEvent checks that decoding never panics and that a decoded event
// survives encode and decode unchanged.
func fuzzDecodeEvent(f *testing.F, format Format, seeds [][]byte) {
	c := newTestCodec(f, format)
	for _, e := range []ConversationEvent{sampleEvent(), {
		EventID: "e", ConversationID: "c", CustomerID: "u", Channel: "chat", SentAt: sampleEvent().SentAt,
	}} {
		b, err := c.EncodeEvent(e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := c.DecodeEvent(data)
		if err != nil {
			return
		}
		b, err := c.EncodeEvent(got)
		if err != nil {
			t.Fatalf("EncodeEvent of a decoded event: %v", err)
		}
		again, err := c.DecodeEvent(b)
		if err != nil {
			t.Fatalf("DecodeEvent of a re-encoded event: %v", err)
		}
		if !reflect.DeepEqual(again, got) {
			t.Fatalf("re-encoded event differs:\n got %+v\nwant %+v", again, got)
		}
	})
}

func FuzzDecodeEventJSON(f *testing.F) {
	fuzzDecodeEvent(f, FormatJSON, [][]byte{
		[]byte(`{"event_id":"e","conversation_id":"c","customer_id":"u","channel":"chat","sent_at":"2025-01-01T00:00:00+01:00","body":"\u00e9\ud800","spans":[{"start":0}]}`),
		[]byte(`{"event_id":"e","conversation_id":"c","customer_id":"u","channel":"chat","sent_at":"0000-01-01T00:00:00.999999999Z"}`),
		[]byte(`{"sent_at": 5}`),
		[]byte(`[]`),
	})
}

func FuzzDecodeEventAvro(f *testing.F) {
	fuzzDecodeEvent(f, FormatAvro, [][]byte{
		{0xfe, 0xff, 0xff, 0xff, 0x0f},
		{0x02, 'e', 0x02, 'c', 0x02, 'u', 0x02, 'x', 0x04, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00},
	})
}

func FuzzDecodeEventConfluent(f *testing.F) {
	fuzzDecodeEvent(f, FormatConfluent, [][]byte{
		{0x00, 0x00, 0x00, 0x00, 0x01},
		{0x01, 0x00, 0x00, 0x00, 0x01, 0x02, 'e'},
		{0x00, 0xff, 0xff, 0xff, 0xff, 0x02, 'e', 0x02, 'c', 0x02, 'u', 0x02, 'x', 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00},
	})
}
