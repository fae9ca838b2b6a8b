package rules

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func newTestEntities(t testing.TB) entityTable {
	t.Helper()
	tab, err := loadEntities()
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name, give, want string
	}{
		{"html decimal", "jan&#64;example.nl", "jan@example.nl"},
		{"html hex", "jan&#x40;example.nl", "jan@example.nl"},
		{"html without semicolons", "jan&#64example&#x2E;nl &#233", "jan@example.nl é"},
		{"html named ascii", "jan&commat;example&period;nl", "jan@example.nl"},
		{"html nbsp", "4111&nbsp;1111&#160;1111&nbsp;1111", "4111 1111 1111 1111"},
		{"html basics", "&lt;a&gt; &amp; &quot;x&quot; O&#39;Brien &apos;t", `<a> & "x" O'Brien 't`},
		{"html accents", "Ren&eacute;e M&uuml;ller &Ccedil;elik", "Renée Müller Çelik"},
		{"html zero width", "jan&ZeroWidthSpace;@ex&shy;ample.nl", "jan@example.nl"},
		{"html nested", "jan&amp;#64;example.nl", "jan@example.nl"},
		{"json unicode", `jan\u0040example.nl`, "jan@example.nl"},
		{"json escapes", `\"Groeten,\nJan\" a\/b \\ \t.`, "\"Groeten,\nJan\" a/b \\ \t."},
		{"json accent", `Ren\u00e9e`, "Renée"},
		{"json surrogate pair", `hi \ud83d\ude00 x`, "hi \U0001F600 x"},
		{"json nbsp", `+31\u00a06\u00a012345678`, "+31 6 12345678"},
		{"js hex", `jan\x40example.nl Ren\xc3\xa9e`, "jan@example.nl Renée"},
		{"json in json", `jan\\u0040example.nl`, "jan@example.nl"},
		{"qp at", "jan=40example.nl", "jan@example.nl"},
		{"qp utf-8", "Ren=C3=A9e =3D x", "Renée = x"},
		{"qp soft break", "Groeten,\r\nJan de Vri=\r\nes jan.de=\nvries=40example.nl", "Groeten,\r\nJan de Vries jan.devries@example.nl"},
		{"percent mailto", "mailto:jan%40example.nl", "mailto:jan@example.nl"},
		{"percent spaces", "NL91%20ABNA%200417%201643%2000", "NL91 ABNA 0417 1643 00"},
		{"percent utf-8", "Ren%C3%A9e %c3%a9", "Renée é"},
		{"percent nested", "jan%2540example.nl", "jan@example.nl"},
		{"percent plus", "tel%3A%2B31612345678", "tel:+31612345678"},
		// Where one encoding is plausible, look-alikes of it and of the others stay as they are.
		{"qp keeps assignment", "jan=40example.nl a=b x=ZZ", "jan@example.nl a=b x=ZZ"},
		{"qp keeps padding", "Ren=C3=A9e YWJj==", "Renée YWJj=="},
		{"percent keeps percentage", "mailto:jan%40example.nl 50% off", "mailto:jan@example.nl 50% off"},
		{"html keeps prose ampersand", "R&D jan&#64;example.nl & co", "R&D jan@example.nl & co"},
		{"url without pii", "https://example.org/zoek?q=fiets%20bel&p=2", "https://example.org/zoek?q=fiets bel&p=2"},
	}
	tab := newTestEntities(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := tab.decode(tt.give)
			if !ok {
				t.Fatalf("decode(%q) found no encoding", tt.give)
			}
			if got := v.Text(); got != tt.want {
				t.Errorf("decode(%q) = %q, want %q", tt.give, got, tt.want)
			}
		})
	}
}

// TestDecodeLookAlikes checks text that looks encoded but is not: it must come out as it went in.
func TestDecodeLookAlikes(t *testing.T) {
	tests := []struct {
		name, give string
	}{
		{"assignment", "a=b en x=10, y=ff"},
		{"percentage", "50% korting, 100%! Tiger86% 20%-30%"},
		{"ampersand in prose", "R&D, Tom & Jerry, AT&T; &c."},
		{"base64 padding", "token YWJjZGVm== en Zm9v="},
		{"base64 lines", "-----BEGIN KEY-----\nMIIEpQIBAAKCAQEAn6/O8li+SX4m98LLYt/PK\nyxR5MsXFu9PRsrYQA7/4UTPHiC4y2sAVCBg4C2yyBpUEtMQjyCESi6Y=\n-----END KEY-----\nZm9v==\nYmFy"},
		{"long line ending in =", strings.Repeat("lang ", 20) + "=\nnext"},
		{"unknown entity", "&notanentity; &#; &#xZZ; &#0; &#55296; &#123456789; &amp &eacute"},
		{"qp without evidence", "kleur=FF0000 en a=1F"},
		{"lower-case qp", "jan=4a example"},
		{"percent control bytes", "%00 %1F %7F %A9 %C3"},
		{"lone surrogate", `\ud83d x \ude00 \u12`},
		{"not an escape", `C:\Users\Jan \q \xZZ \x00`},
		{"plain", "Hoi Anna, mijn IBAN is NL91 ABNA 0417 1643 00."},
	}
	tab := newTestEntities(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if f := tab.encodings(tt.give); f != 0 {
				t.Errorf("encodings(%q) = %b, want none", tt.give, f)
			}
			if v, ok := tab.decode(tt.give); ok {
				t.Errorf("decode(%q) = %q, want no decoding", tt.give, v.Text())
			}
		})
	}
}

func TestDecodeMapSpan(t *testing.T) {
	tests := []struct {
		name, give, span, want string // span: the decoded text to map; want: the original it maps to
	}{
		{"html", "mail jan&#64;example.nl nu", "jan@example.nl", "jan&#64;example.nl"},
		{"inside an entity", "mail jan&#64;example.nl nu", "@", "&#64;"},
		{"ends in an entity", "Ren&eacute;e", "Ren\xc3", "Ren&eacute;"},
		{"qp soft break inside", "mail jan.de=\nvries=40example.nl", "jan.devries@example.nl", "jan.de=\nvries=40example.nl"},
		{"qp soft break at the edge", "x=\njan=40example.nl", "jan@example.nl", "jan=40example.nl"},
		{"nested", "a jan%2540example.nl b", "jan@example.nl", "jan%2540example.nl"},
		{"json pair", `hi \ud83d\ude00 x`, "\U0001F600", `\ud83d\ude00`},
		{"copy only", "a&amp;b jan@example.nl", "jan@example.nl", "jan@example.nl"},
	}
	tab := newTestEntities(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := tab.decode(tt.give)
			if !ok {
				t.Fatalf("decode(%q) found no encoding", tt.give)
			}
			a := strings.Index(v.Text(), tt.span)
			if a < 0 {
				t.Fatalf("decoded %q does not hold %q", v.Text(), tt.span)
			}
			s, e := v.mapSpan(a, a+len(tt.span))
			if got := tt.give[s:e]; got != tt.want {
				t.Errorf("%q in %q maps to %q, want %q", tt.span, v.Text(), got, tt.want)
			}
		})
	}
}

// TestDetectEncoded checks that Detect finds values written in an encoding, with a span over the
// whole encoded form, and that rendering leaves none of it readable.
func TestDetectEncoded(t *testing.T) {
	tests := []struct {
		name, give, want string
		typ              Type
	}{
		{"html e-mail", "Mail me: jan&#64;example.nl please", "jan&#64;example.nl", Email},
		{"html named e-mail", "Mail: jan&commat;example&period;nl", "jan&commat;example&period;nl", Email},
		{"html card", "kaart 4111&nbsp;1111&nbsp;1111&nbsp;1111 graag", "4111&nbsp;1111&nbsp;1111&nbsp;1111", CreditCard},
		{"json e-mail", `{"body":"mail jan\u0040example.nl"}`, `jan\u0040example.nl`, Email},
		{"json phone", `{"body":"bel +31\u00a06\u00a012345678"}`, `+31\u00a06\u00a012345678`, Phone},
		{"qp e-mail", "Mail jan.de=\r\nvries=40example.nl gerust.", "jan.de=\r\nvries=40example.nl", Email},
		{"percent mailto", `<a href="mailto:jan%40example.nl">mail</a>`, "jan%40example.nl", Email},
		{"percent iban", "IBAN: NL91%20ABNA%200417%201643%2000", "NL91%20ABNA%200417%201643%2000", IBAN},
		{"nested", "mail jan&amp;#64;example.nl", "jan&amp;#64;example.nl", Email},
	}
	e := newTestEngine(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := e.Detect(nil, tt.give, "nl-NL")
			checkFindings(t, tt.give, fs)
			found := false
			for _, f := range fs {
				if f.Type == tt.typ && f.Start <= strings.Index(tt.give, tt.want) && strings.Index(tt.give, tt.want)+len(tt.want) <= f.End {
					found = true
				}
			}
			if !found {
				t.Fatalf("Detect(%q) = %v, want %s over %q", tt.give, fs, tt.typ, tt.want)
			}
			p := RedactAll()
			if out := string(p.Render(nil, tt.give, fs, nil, nil)); strings.Contains(out, tt.want) {
				t.Errorf("redacted %q still holds %q", out, tt.want)
			}
		})
	}
}

// TestDetectEncodedKeepsRaw checks that a text with an encoding keeps every finding of the raw
// text and that look-alike encodings add no findings.
func TestDetectEncodedKeepsRaw(t *testing.T) {
	tests := []struct {
		name, give string
		want       []string // every finding's text, in order
	}{
		{"html quote", "On 1 May, Anna &lt;anna@example.nl&gt; wrote:", []string{"Anna", "anna@example.nl"}},
		{"url without pii", "Zie https://example.org/zoek?q=fiets%20bel&amp;p=2 voor 50% korting", nil},
		{"prose", "R&amp;D kost 50% meer, a=b", nil},
	}
	e := newTestEngine(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := e.Detect(nil, tt.give, "en-GB")
			checkFindings(t, tt.give, fs)
			var got []string
			for _, f := range fs {
				got = append(got, tt.give[f.Start:f.End])
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Detect(%q) = %q, want %q", tt.give, got, tt.want)
			}
		})
	}
}

func TestMergeFinding(t *testing.T) {
	f := func(s, e int, ty Type) Finding {
		return Finding{Start: s, End: e, Type: ty, Confidence: 0.9, Detector: "d"}
	}
	tests := []struct {
		name string
		fs   []Finding
		give Finding
		want []Finding
	}{
		{"no overlap", []Finding{f(0, 4, Person), f(20, 24, Person)}, f(8, 12, Email),
			[]Finding{f(0, 4, Person), f(8, 12, Email), f(20, 24, Person)}},
		{"covered", []Finding{f(0, 10, Email)}, f(2, 8, Email), []Finding{f(0, 10, Email)}},
		{"contains", []Finding{f(2, 5, Person), f(6, 8, Person)}, f(0, 10, Email), []Finding{f(0, 10, Email)}},
		{"partial", []Finding{f(0, 5, Person), f(8, 12, Person)}, f(3, 15, Email),
			[]Finding{f(0, 5, Person), f(5, 8, Email), f(8, 12, Person), f(12, 15, Email)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mergeFinding(tt.fs, tt.give)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

// encodedEvent is one line of testdata/encoded/encoded.jsonl.
type encodedEvent struct {
	ID     string `json:"event_id"`
	Locale string `json:"locale"`
	Body   string `json:"body"`
	Spans  []struct {
		Start, End int
		Type       Type
	} `json:"spans"`
	Tags map[string]string `json:"tags"`
}

// loadEncoded reads the labelled encoded variants written by testdata/encoded/gen.py.
func loadEncoded(tb testing.TB) []encodedEvent {
	tb.Helper()
	data, err := os.ReadFile("testdata/encoded/encoded.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	var evs []encodedEvent
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var ev encodedEvent
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			tb.Fatal(err)
		}
		evs = append(evs, ev)
	}
	if len(evs) < 500 {
		tb.Fatalf("only %d events in testdata/encoded/encoded.jsonl", len(evs))
	}
	return evs
}

// TestEncodedSet checks the labelled encoded variants in testdata/encoded: every value is found
// whole, as the same type, in every encoding, and the look-alike negatives give no finding.
func TestEncodedSet(t *testing.T) {
	e := newTestEngine(t)
	for _, ev := range loadEncoded(t) {
		fs := e.Detect(nil, ev.Body, ev.Locale)
		checkFindings(t, ev.Body, fs)
		if len(ev.Spans) == 0 && len(fs) > 0 {
			t.Errorf("%s: negative %q has findings %v", ev.ID, ev.Body, fs)
		}
		for _, sp := range ev.Spans {
			var same []Finding
			for _, f := range fs {
				if f.Type == sp.Type {
					same = append(same, f)
				}
			}
			if !covered(same, sp.Start, sp.End) {
				t.Errorf("%s: %s %q not covered in %q: %v", ev.ID, sp.Type, ev.Body[sp.Start:sp.End], ev.Body, fs)
			}
		}
	}
}

// TestDetectEscapedRecord checks a record value as the dead-letter path scans it: the raw bytes of
// a JSON event (here cut short, as an undecodable record may be), whose string escapes hide the
// values. Redacted, it holds none of them, escaped or decoded.
func TestDetectEscapedRecord(t *testing.T) {
	record := `{"event_id":"e-1","locale":"nl-NL","body":"Hoi,\nmijn mail is jan.devries\u0040example.nl en mijn IBAN NL91\u00a0ABNA\u00a00417\u00a01643\u00a000.\nGroeten,\nPieter de Vries","subject":"kaart 4111\u00201111\u00201111\u00201111`
	e := newTestEngine(t)
	fs := e.Detect(nil, record, "")
	checkFindings(t, record, fs)
	p := RedactAll()
	out := string(p.Render(nil, record, fs, nil, nil))
	dec := out
	if v, ok := e.entities.decode(out); ok {
		dec = v.Text()
	}
	for _, v := range []string{`jan.devries\u0040example.nl`, "jan.devries@example.nl", "NL91 ABNA 0417 1643 00", "4111 1111 1111 1111", "Pieter de Vries"} {
		if strings.Contains(out, v) || strings.Contains(dec, v) {
			t.Errorf("redacted record %q (decoded %q) holds %q", out, dec, v)
		}
	}
}
