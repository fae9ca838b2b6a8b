package schemas

import (
	"reflect"
	"strings"
	"testing"
)

// decodeEventReflect is the reference for the hand-written decoder:
// encoding/json into eventJSON, as the event was decoded before it.
func decodeEventReflect(data []byte) (ConversationEvent, error) {
	var j eventJSON
	if err := unmarshalJSON(data, &j); err != nil {
		return ConversationEvent{}, err
	}
	var r timeReader
	e := ConversationEvent{
		EventID:        j.EventID,
		ConversationID: j.ConversationID,
		CustomerID:     j.CustomerID,
		Channel:        j.Channel,
		Locale:         j.Locale,
		AuthorRole:     j.AuthorRole,
		AuthorName:     j.AuthorName,
		AuthorEmail:    j.AuthorEmail,
		SentAt:         r.parse("sent_at", j.SentAt),
		Subject:        j.Subject,
		Body:           j.Body,
	}
	if r.err != nil {
		return ConversationEvent{}, r.err
	}
	return e, nil
}

// checkEventJSON fails t unless the hand-written decoder and encoding/json
// give the same event, or the same error message, for data.
func checkEventJSON(t *testing.T, data []byte) {
	t.Helper()
	want, wantErr := decodeEventReflect(data)
	var got ConversationEvent
	gotErr := got.decodeJSON(data)
	if gotErr != nil {
		got = ConversationEvent{}
	}
	switch {
	case (gotErr == nil) != (wantErr == nil):
		t.Fatalf("input %q: error %v, encoding/json %v", data, gotErr, wantErr)
	case gotErr != nil && gotErr.Error() != wantErr.Error():
		t.Fatalf("input %q: error %q, encoding/json %q", data, gotErr, wantErr)
	case !reflect.DeepEqual(got, want):
		t.Fatalf("input %q:\n got %+v\nwant %+v", data, got, want)
	}
}

// eventJSONSeeds are inputs of the shapes connectors send and of the corner
// cases of the grammar and of encoding/json's decoding.
func eventJSONSeeds() []string {
	const ok = `"event_id":"e1","conversation_id":"c1","customer_id":"u1","channel":"chat","sent_at":"2026-01-01T08:00:00Z"`
	return []string{
		`{` + ok + `,"locale":"nl-NL","author_role":"customer","author_name":"A. de Vries","author_email":"a@example.nl","body":"Mijn IBAN is NL91ABNA0417164300."}`,
		`{` + ok + `,"subject":"Re: order","body":"line one\nline two\ttab \"quoted\" back\\slash \/ \b\f\r"}`,
		"{\n  \"event_id\": \"e1\",\r\n\t\"conversation_id\" : \"c1\" , \"customer_id\":\"u1\",\"channel\":\"email\",\"sent_at\":\"2026-01-01T08:00:00.123456789+02:00\",\"body\":\"x\"\n}\n",
		`{` + ok + `,"body":"caf\u00e9 \u20ac \ud83d\ude00 é € 😀 \u0000 \u001f"}`,
		`{` + ok + `,"body":"lone \ud800 and \udc00 and \ud800\u0041 and \ud800\ud800\udc00"}`,
		`{` + ok + `,"body":"bad utf-8 ` + "\xff\xfe \xed\xa0\x80 \xc3" + `"}`,
		`{` + ok + `,"body":null,"subject":null,"locale":null}`,
		`{` + ok + `,"body":"first","body":null}`,
		`{` + ok + `,"body":"first","body":"second","BODY":"third"}`,
		`{` + ok + `,"Body":"folded","EVENT_ID":"E","ſubject":"long s","Conversation_Id":"C"}`,
		`{` + ok + `,"b\u006fdy":"escaped key","\u0062ody":"again"}`,
		`{` + ok + `,"body":"x","spans":[{"start":0,"end":1,"type":"IBAN"}],"meta":{"a":[1,-2.5e+3,true,false,null,"s"]},"n":0}`,
		`{` + ok + `,"body":"x","unknown":{"deep":[[[[{"x":[]}]]]]}}`,
		`{` + ok + `,"body":5}`,
		`{` + ok + `,"body":true,"subject":[1,2]}`,
		`{` + ok + `,"subject":{"a":1},"body":false}`,
		`{` + ok + `,"body":-0.5E-7}`,
		`{"event_id":"e","conversation_id":"c","customer_id":"u","channel":"chat","sent_at":"2026-13-01T00:00:00Z"}`,
		`{"event_id":"e","conversation_id":"c","customer_id":"u","channel":"chat","sent_at":"2026-01-01 08:00:00"}`,
		`{"event_id":"e","conversation_id":"c","customer_id":"u","channel":"chat","sent_at":"2026-01-01T8:00:00Z"}`,
		`{"event_id":"e","conversation_id":"c","customer_id":"u","channel":"chat","sent_at":"2026-01-01T08:00:00+24:00"}`,
		`{"event_id":"e","conversation_id":"c","customer_id":"u","channel":"chat","sent_at":"2026-01-01T08:00:00,5Z"}`,
		`{"event_id":"e","conversation_id":"c","customer_id":"u","channel":"chat","sent_at":""}`,
		`{"event_id":"e","conversation_id":"c","customer_id":"u","channel":"chat","sent_at":"2026-01-01T08:00:00\u005a"}`,
		`{}`, ` { } `, `null`, ` null `, `[]`, `[1,2]`, `"s"`, `5`, `-1.5`, `true`, `false`, `{"a":1} x`, `{"a":1}}`,
		``, ` `, `{`, `{"`, `{"a`, `{"a"`, `{"a":`, `{"a":1`, `{"a":1,`, `{"a":1,}`, `{,}`, `{"a" 1}`, `{"a":1 "b":2}`,
		`{"a":[1,]}`, `{"a":[,1]}`, `{"a":[1 2]}`, `{"a":}`, `{"a":tru}`, `{"a":nul}`, `{"a":f}`, `{"a":truex}`,
		`{"a":01}`, `{"a":-}`, `{"a":-x}`, `{"a":1.}`, `{"a":1.e5}`, `{"a":1e}`, `{"a":1e+}`, `{"a":.5}`, `{"a":+1}`,
		`{"a":"\x"}`, `{"a":"\u12G4"}`, `{"a":"\u12"}`, `{"a":"` + "\x01" + `"}`, `{"a":"` + "\n" + `"}`, `{"a":'s'}`,
		`{"body":"\ud800\u12G4"}`, `{"body":"\ud800\`, `{"body":"\ud800\u`,
		"\xef\xbb\xbf{}", `{"a":1}` + "\x00", `{1:2}`, `{"a":{"b":}}`, `[[[`, `{"a":[[[]]}`,
		strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
		strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
		`{"a":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`,
		`{"a":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`,
		`{"body":"` + strings.Repeat("é", 100) + `","` + strings.Repeat("k", 100) + `":1}`,
	}
}

func TestEventJSONMatchesEncodingJSON(t *testing.T) {
	for _, s := range eventJSONSeeds() {
		checkEventJSON(t, []byte(s))
	}
}

// FuzzEventJSON checks the hand-written decoder against encoding/json on
// every input: the same event, or the same error message.
func FuzzEventJSON(f *testing.F) {
	for _, s := range eventJSONSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkEventJSON(t, data) })
}

func BenchmarkDecodeEventJSON(b *testing.B) {
	data := []byte(`{"event_id":"conv-0001/ev-000042","conversation_id":"conv-0001","customer_id":"cust-0001","channel":"chat","locale":"nl-NL","author_role":"customer","author_name":"Anna de Vries","author_email":"anna.devries@example.nl","sent_at":"2026-01-01T08:00:42Z","body":"Hoi, mijn pakket is nog niet aangekomen. Kunnen jullie kijken? Mijn IBAN is NL91ABNA0417164300 voor de terugbetaling."}`)
	for _, tt := range []struct {
		name   string
		decode func([]byte) error
	}{
		{"handwritten", func(d []byte) error { var e ConversationEvent; return e.decodeJSON(d) }},
		{"encoding_json", func(d []byte) error { _, err := decodeEventReflect(d); return err }},
	} {
		b.Run(tt.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if err := tt.decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
