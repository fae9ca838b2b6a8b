package rules

import (
	"fmt"
	"strings"
	"testing"
)

var decodeSeeds = []string{
	"Mail me: jan&#64;example.nl, kaart 4111&nbsp;1111&nbsp;1111&nbsp;1111",
	`{"body":"Groeten,\nRen\u00e9e \"jan\u0040example.nl\" \ud83d\ude00 \\u0040 \x40"}`,
	"Ren=C3=A9e jan.de=\r\nvries=40example.nl =3D a=b YWJj==",
	`<a href="mailto:jan%40example.nl">x</a> NL91%20ABNA%200417%201643%2000 50% %2540`,
	"&amp;#64; &commat;&period; &#x1F600; &#55296; &ZeroWidthSpace;&shy; &unknown; R&D",
	"plain text without any encoding, IBAN NL91 ABNA 0417 1643 00",
	"\xff\xfe %C3 =C3 \\xc3 &#xC3; \xc3%A9 Ren%C3%A9e",
}

// FuzzDecode checks the decoded view: text with no plausible encoding is not decoded, decoding
// never lengthens the text, and every decoded byte maps back to a non-empty span in bounds, the
// spans in order; a byte that maps to a single byte is that byte copied.
func FuzzDecode(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add(s)
	}
	tab := newTestEntities(f)
	f.Fuzz(func(t *testing.T, text string) {
		v, ok := tab.decode(text)
		if tab.encodings(text) == 0 {
			if ok {
				t.Fatalf("%q has no encoding but decodes to %q", text, v.Text())
			}
			return
		}
		if !ok {
			return // only encodings that decode to something the scanner must not read
		}
		dec := v.Text()
		if len(dec) > len(text) {
			t.Fatalf("decoding %q lengthened it to %q", text, dec)
		}
		prevS, prevE := 0, 0
		for i := 0; i < len(dec); i++ {
			s, e := v.mapSpan(i, i+1)
			if s < 0 || e > len(text) || s >= e {
				t.Fatalf("decoded byte %d of %q maps to [%d,%d) in %d bytes", i, dec, s, e, len(text))
			}
			if s < prevS || e < prevE {
				t.Fatalf("decoded byte %d maps to [%d,%d), before the previous [%d,%d)", i, s, e, prevS, prevE)
			}
			if e-s == 1 && dec[i] != text[s] {
				t.Fatalf("decoded byte %d %q maps to the single byte %q", i, dec[i], text[s])
			}
			prevS, prevE = s, e
		}
		if s, e := v.mapSpan(0, len(dec)); len(dec) > 0 && e != prevE {
			t.Fatalf("the whole decoded text maps to [%d,%d), its last byte ends at %d", s, e, prevE)
		}
		src := text
		for _, l := range v.layers {
			for _, u := range l.units {
				if !strings.ContainsRune("&\\=%", rune(src[u.srcStart])) {
					t.Fatalf("unit %+v of %q does not start with an encoding mark", u, src)
				}
			}
			src = l.text
		}
	})
}

// encodedValues are values every built-in detector finds in plain text, in the forms encodeAs writes.
var encodedValues = []string{"jan.devries@example.nl", "4111 1111 1111 1111", "NL91 ABNA 0417 1643 00", "+31 6 12345678"}

// encodeAs writes v in one of five encodings: every '@', '.', ' ' and '+' encoded, and for
// quoted-printable a soft line break in the middle.
func encodeAs(v string, enc uint8) string {
	forms := [...]map[byte]string{
		{'@': "&#64;", '.': "&#46;", ' ': "&nbsp;", '+': "&#x2B;"},
		{'@': "&commat;", '.': "&period;", ' ': "&nbsp;", '+': "&plus;"},
		{'@': `\u0040`, '.': `\u002e`, ' ': `\u00a0`, '+': `\u002B`},
		{'@': "=40", '.': "=2E", ' ': "=20", '+': "=2B"},
		{'@': "%40", '.': "%2E", ' ': "%20", '+': "%2B"},
	}
	m := forms[int(enc)%len(forms)]
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if int(enc)%len(forms) == 3 && i == len(v)/2 {
			b.WriteString("=\r\n")
		}
		if s, ok := m[v[i]]; ok {
			b.WriteString(s)
		} else {
			b.WriteByte(v[i])
		}
	}
	return b.String()
}

// FuzzDetectEncoded checks that a value found in plain text is found as well when written
// encoded, with its encoded form covered whole: redacted output holds it neither encoded nor
// decoded, not even after decoding the output.
func FuzzDetectEncoded(f *testing.F) {
	f.Add("Mail me op ", " graag.", uint8(0), uint8(0))
	f.Add("kaart ", "", uint8(1), uint8(2))
	f.Add("IBAN: ", " t.n.v. Jan", uint8(2), uint8(3))
	f.Add("bel ", " of mail", uint8(3), uint8(4))
	e := newTestEngine(f)
	p := RedactAll()
	f.Fuzz(func(t *testing.T, prefix, suffix string, kind, enc uint8) {
		if strings.ContainsAny(prefix+suffix, "&\\=%") {
			return // the decoded text must be the plain text
		}
		v := encodedValues[int(kind)%len(encodedValues)]
		if strings.Contains(prefix+suffix, v) {
			return
		}
		plain := prefix + v + suffix
		if !covered(e.Detect(nil, plain, "nl-NL"), len(prefix), len(prefix)+len(v)) {
			return // the context hides the value in plain text too
		}
		ev := encodeAs(v, enc)
		text := prefix + ev + suffix
		fs := e.Detect(nil, text, "nl-NL")
		checkFindings(t, text, fs)
		if !covered(fs, len(prefix), len(prefix)+len(ev)) {
			t.Fatalf("%q found in %q but %q not covered in %q: %v", v, plain, ev, text, fs)
		}
		out := string(p.Render(nil, text, fs, nil, nil))
		decOut := out
		if dv, ok := e.entities.decode(out); ok {
			decOut = dv.Text()
		}
		if strings.Contains(out, ev) || strings.Contains(out, v) || strings.Contains(decOut, v) {
			t.Fatalf("redacted %q (decoded %q) still holds %q", out, decOut, v)
		}
	})
}

// covered reports whether the findings cover every byte of [a, b).
func covered(fs []Finding, a, b int) bool {
	for _, f := range fs {
		if f.Start <= a && a < f.End {
			a = f.End
		}
	}
	return a >= b
}

// FuzzRedactDecoded checks on any text that the redacted output holds no detected e-mail address,
// card, IBAN or phone number, neither as written nor decoded, and neither does the decoded output.
func FuzzRedactDecoded(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add(s)
	}
	e := newTestEngine(f)
	p := RedactAll()
	f.Fuzz(func(t *testing.T, text string) {
		fs := e.Detect(nil, text, "nl-NL")
		checkFindings(t, text, fs)
		v, ok := e.entities.decode(text)
		if !ok {
			return // FuzzRender covers text without encodings
		}
		out := string(p.Render(nil, text, fs, nil, nil))
		decOut := out
		if dv, ok := e.entities.decode(out); ok {
			decOut = dv.Text()
		}
		for _, fd := range fs {
			switch fd.Type {
			case Email, CreditCard, IBAN, Phone:
			default:
				continue
			}
			raw := text[fd.Start:fd.End]
			for _, val := range []string{raw, decodedValue(&v, fd)} {
				if len(val) < 6 || placeholderPart(val) || outsideFindings(text, val, fs) || decodedOutside(&v, val, fs) {
					continue
				}
				if strings.Contains(out, val) || strings.Contains(decOut, val) {
					t.Fatalf("redacted %q (decoded %q) still holds %s %q", out, decOut, fd.Type, val)
				}
			}
		}
	})
}

// decodedValue returns the decoded text whose bytes all map into the finding f.
func decodedValue(v *decodedView, f Finding) string {
	dec := v.Text()
	a, b := -1, -1
	for i := 0; i < len(dec); i++ {
		if s, e := v.mapSpan(i, i+1); f.Start <= s && e <= f.End {
			if a < 0 {
				a = i
			}
			b = i + 1
		}
	}
	if a < 0 {
		return ""
	}
	return dec[a:b]
}

// decodedOutside reports whether val occurs in the decoded text at a place that maps outside
// every finding (the same value also stands where nothing was detected).
func decodedOutside(v *decodedView, val string, fs []Finding) bool {
	return occursWhere(v.Text(), val, func(st int) bool {
		s, e := v.mapSpan(st, st+len(val))
		for _, f := range fs {
			if f.Start <= s && e <= f.End {
				return false
			}
		}
		return true
	})
}

func TestEncodeAs(t *testing.T) {
	tab := newTestEntities(t)
	for enc := uint8(0); enc < 5; enc++ {
		for _, v := range encodedValues {
			ev := encodeAs(v, enc)
			dv, ok := tab.decode(ev)
			if !ok || dv.Text() != v {
				t.Errorf("encoding %d: %q decodes to %q, want %q", enc, ev, fmt.Sprint(dv.layers), v)
			}
		}
	}
}
