package rules

import (
	"testing"
	"unicode/utf8"
)

// checkFindings verifies the Detect contract: spans in bounds, on UTF-8
// boundaries, sorted by Start and non-overlapping, with a known type.
func checkFindings(t *testing.T, text string, fs []Finding) {
	t.Helper()
	prevEnd := 0
	for i, f := range fs {
		if f.Start < 0 || f.End > len(text) || f.Start >= f.End {
			t.Fatalf("finding %d %+v out of bounds for %d bytes", i, f, len(text))
		}
		if f.Start < prevEnd {
			t.Fatalf("finding %d %+v overlaps or is out of order (previous end %d)", i, f, prevEnd)
		}
		if splitsRune(text, f.Start) || splitsRune(text, f.End) {
			t.Fatalf("finding %d %+v splits a UTF-8 sequence in %q", i, f, text)
		}
		if f.Confidence <= 0 || f.Confidence > 1 || f.Detector == "" || f.Type == "" {
			t.Fatalf("finding %d %+v lacks confidence, detector or type", i, f)
		}
		prevEnd = f.End
	}
}

// splitsRune reports whether offset b falls inside a valid multi-byte UTF-8
// sequence of text (invalid bytes have no inside).
func splitsRune(text string, b int) bool {
	for p := b - 1; p >= 0 && p >= b-3; p-- {
		if utf8.RuneStart(text[p]) {
			r, size := utf8.DecodeRuneInString(text[p:])
			return !(r == utf8.RuneError && size == 1) && p+size > b
		}
	}
	return false
}

func FuzzDetect(f *testing.F) {
	for _, s := range []string{
		"Mijn BSN is 111222333, bel 06-12345678 of mail a.b@c.nl",
		"IBAN NL91 ABNA 0417 1643 00 t.n.v. Jan de Vries, Kerkstraat 12, 1234 AB Utrecht",
		"<p>Hi Sarah,</p><a href=\"mailto:x@y.com\">x</a> &lt;x@y.com&gt; 4111 1111 1111 1111",
		"wachtwoord: 'geheim 123' en pwd=abc, token ghp_abcdefghijklmnopqrstuvwxyz0123456789",
		"born on 3rd of May, 1990; ip 2001:db8::1 and 10.0.0.1; SSN 123-45-6789",
		"\xff\xfe invalid utf-8 \xc3 Özlem Yılmaz +31 (0)6 1234 5678",
		"> Op 1 mei schreef Anna <anna@example.nl>:\n> Groeten,\nAnna",
		"Dear Ms O&#39;Brien,<br>Marit van &#39;t Hof&#39; &apos;t pin is 12&nbsp;— Ibrahim Ben Youssef&",
	} {
		f.Add(s, "nl-NL")
	}
	e := newTestEngine(f)
	f.Fuzz(func(t *testing.T, text, locale string) {
		fs := e.Detect(nil, text, locale)
		checkFindings(t, text, fs)
	})
}

func FuzzParsePack(f *testing.F) {
	for _, s := range []string{
		"version: x\n",
		"version: 1\nlocales:\n  US_SSN: [en-US]\ndetectors:\n  - id: a\n    type: ACME\n    pattern: 'AC-[0-9]+'\n",
		"allow:\n  - a@b.c\n  - {text: x, type: PERSON}\ndeny:\n  - {text: y, type: PERSON}\n",
		"detectors: [{id: a, type: X, pattern: '(', bogus: 1}]\n",
		"- not a mapping\n",
		"version: [1, 2]\nfoo: bar\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePack("fuzz.yaml", data)
		if err == nil && p == nil {
			t.Fatal("nil pack without error")
		}
		if err != nil {
			if pe, ok := err.(PackErrors); ok && len(pe) == 0 {
				t.Fatal("empty PackErrors")
			}
			return
		}
		for _, d := range p.Detectors {
			if _, err := compileCustom(d); err != nil {
				t.Fatalf("pack accepted but detector %q does not compile: %v", d.ID, err)
			}
		}
	})
}
