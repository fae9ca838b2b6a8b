package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// testPseudonym is a stand-in for a subject's pseudonymizer: a hash of the
// normalised value.
func testPseudonym(t Type, v string) (string, bool) {
	sum := sha256.Sum256([]byte(string(t) + "\x00" + t.Normalize(v)))
	return hex.EncodeToString(sum[:])[:PseudonymLen], true
}

// rerenderInput is a text with a finding of each form, as first rendered.
func rerenderInput() ([]byte, []Span) {
	raw := "Anna (anna@example.nl) pays with 4111 1111 1111 1111 from NL91ABNA0417164300, BSN 111222333."
	find := func(v string, ty Type) Finding {
		i := strings.Index(raw, v)
		return Finding{Type: ty, Start: i, End: i + len(v)}
	}
	fs := []Finding{find("Anna", Person), find("anna@example.nl", Email), find("4111 1111 1111 1111", CreditCard),
		find("NL91ABNA0417164300", IBAN), find("111222333", BSN)}
	first := Policy{Default: Rule{Action: Redact}, Types: map[Type]Rule{
		Person: {Action: Keep}, Email: {Action: Pseudonymize}, CreditCard: {Action: Mask, KeepLast: 4}, IBAN: {Action: Keep},
	}}
	return first.RenderSpans(nil, raw, fs, testPseudonym, nil, nil, FieldBody)
}

func TestRerender(t *testing.T) {
	text, spans := rerenderInput()
	tok := func(t Type, v string) string { s, _ := testPseudonym(t, v); return string(t) + ":" + s }
	keep := func(types map[Type]Rule) *Policy { return &Policy{Default: Rule{Action: Keep}, Types: types} }

	tests := []struct {
		name  string
		p     *Policy
		ids   []Identifier
		want  string
		forms []Form
	}{
		{"nothing asked", nil, nil, string(text), []Form{Kept, Pseudonymized, Masked, Kept, Redacted}},
		{"keep everything", keep(nil), nil, string(text), []Form{Kept, Pseudonymized, Masked, Kept, Redacted}},
		{"iban to its last four", keep(map[Type]Rule{IBAN: {Action: Mask, KeepLast: 4}}), nil,
			"Anna (" + tok(Email, "anna@example.nl") + ") pays with •••• •••• •••• 1111 from ••••••••••••••4300, BSN [NL_BSN].",
			[]Form{Kept, Pseudonymized, Masked, Masked, Redacted}},
		{"card to its last two, name pseudonymised", keep(map[Type]Rule{CreditCard: {Action: Mask, KeepLast: 2}, Person: {Action: Pseudonymize}}), nil,
			tok(Person, "Anna") + " (" + tok(Email, "anna@example.nl") + ") pays with •••• •••• •••• ••11 from NL91ABNA0417164300, BSN [NL_BSN].",
			[]Form{Pseudonymized, Pseudonymized, Masked, Kept, Redacted}},
		{"a mask of a pseudonym is a redaction; a looser mask changes nothing",
			keep(map[Type]Rule{Email: {Action: Mask, KeepLast: 4}, CreditCard: {Action: Mask, KeepLast: 8}, BSN: {Action: Keep}}), nil,
			"Anna ([EMAIL_ADDRESS]) pays with •••• •••• •••• 1111 from NL91ABNA0417164300, BSN [NL_BSN].",
			[]Form{Kept, Redacted, Masked, Kept, Redacted}},
		{"a pseudonym of a mask is a redaction", keep(map[Type]Rule{CreditCard: {Action: Pseudonymize}}), nil,
			"Anna (" + tok(Email, "anna@example.nl") + ") pays with [CREDIT_CARD] from NL91ABNA0417164300, BSN [NL_BSN].",
			[]Form{Kept, Pseudonymized, Redacted, Kept, Redacted}},
		{"remove", keep(map[Type]Rule{Person: {Action: Remove}, BSN: {Action: Remove}}), nil,
			" (" + tok(Email, "anna@example.nl") + ") pays with •••• •••• •••• 1111 from NL91ABNA0417164300, BSN .",
			[]Form{Pseudonymized, Masked, Kept}},
		{"redact all", &Policy{Default: Rule{Action: Redact}}, nil,
			"[PERSON] ([EMAIL_ADDRESS]) pays with [CREDIT_CARD] from [IBAN_CODE], BSN [NL_BSN].",
			[]Form{Redacted, Redacted, Redacted, Redacted, Redacted}},
		{"erase identifiers: pseudonym, kept value in another spelling, mask",
			nil, []Identifier{{Email, "Anna@Example.NL"}, {IBAN, "nl91 abna 0417 1643 00"}, {CreditCard, "5500 0000 0000 1111"}},
			"Anna ([EMAIL_ADDRESS]) pays with [CREDIT_CARD] from [IBAN_CODE], BSN [NL_BSN].",
			[]Form{Kept, Redacted, Redacted, Redacted, Redacted}},
		{"erase an identifier that is not there", nil, []Identifier{{Email, "bob@example.nl"}, {Person, "Bob"}, {CreditCard, "4111 1111 1111 1112"}},
			string(text), []Form{Kept, Pseudonymized, Masked, Kept, Redacted}},
		{"erase where the policy removes", keep(map[Type]Rule{Person: {Action: Remove}}), []Identifier{{Person, "anna"}},
			" (" + tok(Email, "anna@example.nl") + ") pays with •••• •••• •••• 1111 from NL91ABNA0417164300, BSN [NL_BSN].",
			[]Form{Pseudonymized, Masked, Kept, Redacted}},
		{"a new mask that still matches is a redaction", keep(map[Type]Rule{IBAN: {Action: Mask, KeepLast: 4}}), []Identifier{{IBAN, "DE89370400440532014300"}},
			"Anna (" + tok(Email, "anna@example.nl") + ") pays with •••• •••• •••• 1111 from [IBAN_CODE], BSN [NL_BSN].",
			[]Form{Kept, Pseudonymized, Masked, Redacted, Redacted}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var match Matcher
			if tt.ids != nil {
				match = MatchIdentifiers(tt.ids, nil, testPseudonym)
			}
			got, gotSpans, err := Rerender([]byte("x"), string(text), spans, tt.p, match, testPseudonym, nil)
			if err != nil {
				t.Fatal(err)
			}
			if string(got[1:]) != tt.want {
				t.Fatalf("Rerender =\n%q, want\n%q", got[1:], tt.want)
			}
			var forms []Form
			for _, s := range gotSpans {
				forms = append(forms, s.Form)
				if !spanShape(s.Type, s.Form, string(got[1+s.Start:1+s.End])) {
					t.Errorf("span %+v holds %q", s, got[1+s.Start:1+s.End])
				}
			}
			if !slices.Equal(forms, tt.forms) {
				t.Fatalf("forms %v, want %v", forms, tt.forms)
			}
		})
	}
}

func TestRerenderMatchWithoutPseudonymizer(t *testing.T) {
	text := "a EMAIL_ADDRESS:0123456789ab b PERSON:0123456789ab"
	spans := []Span{{Type: Email, Start: 2, End: 28, Form: Pseudonymized}, {Type: Person, Start: 31, End: 50, Form: Pseudonymized}}
	got, _, err := Rerender(nil, text, spans, nil, MatchIdentifiers([]Identifier{{Email, "x@y.nl"}}, nil, nil), nil, nil)
	if want := "a [EMAIL_ADDRESS] b PERSON:0123456789ab"; err != nil || string(got) != want {
		t.Fatalf("Rerender = %q, %v; want %q (every pseudonym of the type, failing closed)", got, err, want)
	}
}

func TestRerenderRefuses(t *testing.T) {
	text := "x [PERSON] EMAIL_ADDRESS:0123456789ab •••1 Anna"
	tests := []struct {
		name  string
		spans []Span
	}{
		{"out of bounds", []Span{{Type: Person, Start: 40, End: 60, Form: Kept}}},
		{"empty", []Span{{Type: Person, Start: 3, End: 3, Form: Kept}}},
		{"overlap", []Span{{Type: Person, Start: 2, End: 10, Form: Redacted}, {Type: Person, Start: 5, End: 12, Form: Kept}}},
		{"two fields", []Span{{Type: Person, Start: 2, End: 10, Form: Redacted}, {Field: FieldSubject, Type: Person, Start: 12, End: 14, Form: Kept}}},
		{"not a redaction", []Span{{Type: Email, Start: 2, End: 10, Form: Redacted}}},
		{"not a pseudonym", []Span{{Type: Person, Start: 11, End: 37, Form: Pseudonymized}}},
		{"short pseudonym", []Span{{Type: Email, Start: 11, End: 36, Form: Pseudonymized}}},
		{"not a mask", []Span{{Type: Person, Start: 48, End: 52, Form: Masked}}},
		{"unknown form", []Span{{Type: Person, Start: 48, End: 52}}},
	}
	for _, tt := range tests {
		got, out, err := Rerender([]byte("dst"), text, tt.spans, &Policy{Default: Rule{Action: Redact}}, nil, nil, nil)
		if !errors.Is(err, ErrSidecar) || string(got) != "dst" || out != nil {
			t.Errorf("%s: Rerender = %q, %v, %v; want ErrSidecar and nothing written", tt.name, got, out, err)
		}
	}
}

func TestFieldSpans(t *testing.T) {
	spans := []Span{{Field: FieldBody, Start: 1}, {Field: FieldBody, Start: 2}, {Field: FieldAuthorName, Start: 3}, {Field: FieldAuthorEmail, Start: 4}}
	for _, tt := range []struct {
		f    Field
		want []int
	}{{FieldBody, []int{1, 2}}, {FieldSubject, nil}, {FieldCustomerID, nil}, {FieldAuthorName, []int{3}}, {FieldAuthorEmail, []int{4}}} {
		var got []int
		for _, s := range FieldSpans(spans, tt.f) {
			got = append(got, s.Start)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("FieldSpans(%s) = %v, want %v", tt.f, got, tt.want)
		}
	}
}

// The property test: random texts with random findings, first rendered under
// a random policy, then re-rendered under another random policy and with
// random identifiers to erase.

var (
	propTypes  = []Type{Email, Phone, CreditCard, IBAN, Person, Password, "ORDER_NO"}
	propValues = map[Type][]string{
		Email:      {"anna@example.nl", "Bob.Smith@Mail.example.com", "x@y.io"},
		Phone:      {"06-12345678", "+31 6 1234 5678", "(020) 555 0100"},
		CreditCard: {"4111 1111 1111 1111", "5500-0000-0000-0004", "4111111111111111"},
		IBAN:       {"NL91ABNA0417164300", "DE89 3704 0044 0532 0130 00"},
		Person:     {"Anna", "Özlem Yılmaz", "Jan de Vries"},
		Password:   {"hunter2", "p@ss!", "€uro$"},
		"ORDER_NO": {"A-1", "ZZ-99-ZZ", "#", "•1•"},
	}
	propFiller = []string{" ", ", ", " en ", "\n", "[", "]", ":", "PERSON:", "•", "é", " 1234 ", "[PERSON]", "EMAIL_ADDRESS:0123456789ab", "\xff"}
)

// propRule returns a random rule; strict rules come up more often than keep.
func propRule(r *rand.Rand) Rule {
	switch r.IntN(6) {
	case 0:
		return Rule{Action: Keep}
	case 1:
		return Rule{Action: Mask, KeepLast: r.IntN(8)}
	case 2:
		return Rule{Action: Pseudonymize}
	case 3:
		return Rule{Action: Remove}
	}
	return Rule{Action: Redact}
}

func propPolicy(r *rand.Rand, def Rule) *Policy {
	p := &Policy{Default: def, Types: map[Type]Rule{}}
	for _, t := range propTypes {
		if r.IntN(2) == 0 {
			p.Types[t] = propRule(r)
		}
	}
	return p
}

// propCase is a rendered text, its spans, and the raw value each span stands for.
type propCase struct {
	text   string
	spans  []Span
	values []string
}

func propText(r *rand.Rand) propCase {
	var raw strings.Builder
	var fs []Finding
	var vals []string
	for n := r.IntN(8); n > 0; n-- {
		// At least one byte between findings, so that the test can tell
		// which input span an output span comes from.
		for k := 1 + r.IntN(3); k > 0; k-- {
			raw.WriteString(propFiller[r.IntN(len(propFiller))])
		}
		t := propTypes[r.IntN(len(propTypes))]
		v := propValues[t][r.IntN(len(propValues[t]))]
		fs = append(fs, Finding{Type: t, Start: raw.Len(), End: raw.Len() + len(v)})
		raw.WriteString(v)
	}
	raw.WriteString(propFiller[r.IntN(len(propFiller))])
	pol := propPolicy(r, propRule(r))
	text, spans := pol.RenderSpans(nil, raw.String(), fs, testPseudonym, nil, nil, FieldBody)
	// RenderSpans leaves a span for every finding not removed, in order.
	for _, f := range fs {
		if pol.RuleFor(f.Type).Action != Remove {
			vals = append(vals, raw.String()[f.Start:f.End])
		}
	}
	return propCase{text: string(text), spans: spans, values: vals}
}

func TestRerenderMonotone(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 2026))
	// seen counts the steps the cases took ("k>m": kept to masked, "k>": removed),
	// so that a generator that stops making some of them fails the test.
	seen := map[string]int{}
	for iter := range 20000 {
		in := propText(r)
		p := propPolicy(r, Rule{Action: Keep})
		if r.IntN(4) == 0 {
			p = nil
		}
		var ids []Identifier
		for n := r.IntN(3); n > 0; n-- {
			ty := propTypes[r.IntN(len(propTypes))]
			ids = append(ids, Identifier{ty, propValues[ty][r.IntN(len(propValues[ty]))]})
		}
		var match Matcher
		if len(ids) > 0 {
			match = MatchIdentifiers(ids, nil, testPseudonym)
		}
		b, out, err := Rerender(nil, in.text, in.spans, p, match, testPseudonym, nil)
		if err != nil {
			t.Fatalf("case %d: %q %+v: %v", iter, in.text, in.spans, err)
		}
		got := string(b)
		checkMonotone(t, iter, in, p, ids, got, out, seen)
		// Idempotent: a second application changes nothing.
		b2, out2, err := Rerender(nil, got, out, p, match, testPseudonym, nil)
		if err != nil || string(b2) != got || !slices.Equal(out2, out) {
			t.Fatalf("case %d: not idempotent:\n once %q %+v\ntwice %q %+v %v", iter, got, out, b2, out2, err)
		}
	}
	for _, step := range []string{"k>k", "k>m", "k>p", "k>r", "k>", "m>m", "m>m'", "m>r", "m>", "p>p", "p>r", "p>", "r>r", "r>", "erased"} {
		if seen[step] < 10 {
			t.Errorf("step %s seen %d times in the cases, want at least 10", step, seen[step])
		}
	}
	t.Logf("steps: %v", seen)
}

// checkMonotone fails t unless got, out is a monotone re-render of in under p
// and ids: the text between spans is unchanged, each span went only to a form
// that shows less, made of what it showed before, and the new policy and the
// identifiers hold.
func checkMonotone(t *testing.T, iter int, in propCase, p *Policy, ids []Identifier, got string, out []Span, seen map[string]int) {
	t.Helper()
	pos, j, last := 0, 0, 0
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("case %d: %q %+v\n-> %q %+v: "+format, append([]any{iter, in.text, in.spans, got, out}, args...)...)
	}
	for i, s := range in.spans {
		gap := in.text[last:s.Start]
		if !strings.HasPrefix(got[pos:], gap) {
			fail("text before input span %d changed", i)
		}
		pos += len(gap)
		last = s.End
		shown := in.text[s.Start:s.End]
		if j >= len(out) || out[j].Start != pos {
			// Removed: only when the policy removes it.
			if p == nil || p.RuleFor(s.Type).Action != Remove {
				fail("span %d was removed", i)
			}
			seen[s.Form.String()+">"]++
			continue
		}
		o := out[j]
		j++
		now := got[o.Start:o.End]
		pos = o.End
		if o.Type != s.Type || o.Field != s.Field || !spanShape(o.Type, o.Form, now) {
			fail("span %d became %+v %q", i, o, now)
		}
		if !monotoneStep(s.Form, shown, o.Form, now, s.Type) {
			fail("span %d went from %s %q to %s %q", i, s.Form, shown, o.Form, now)
		}
		step := s.Form.String() + ">" + o.Form.String()
		if s.Form == Masked && o.Form == Masked && now != shown {
			step += "'"
		}
		seen[step]++
		if p != nil && !obeys(p.RuleFor(s.Type), o.Form, now) {
			fail("span %d %s %q does not obey %+v", i, o.Form, now, p.RuleFor(s.Type))
		}
		for _, id := range ids {
			if id.Type == s.Type && id.Type.Normalize(id.Value) == s.Type.Normalize(in.values[i]) &&
				o.Form != Redacted && !(o.Form == Masked && wordBytes(now) == "") {
				fail("span %d still shows erased %q as %s %q", i, id.Value, o.Form, now)
			}
			if id.Type == s.Type && id.Type.Normalize(id.Value) == s.Type.Normalize(in.values[i]) && s.Form != Redacted {
				seen["erased"]++
			}
		}
	}
	if got[pos:] != in.text[last:] || j != len(out) {
		fail("text after the last span changed, or spans were added")
	}
}

// monotoneStep reports whether a span may go from form a showing x to form b
// showing y: y holds no byte of the value that x did not show.
func monotoneStep(a Form, x string, b Form, y string, t Type) bool {
	switch {
	case b == Redacted:
		return y == "["+string(t)+"]"
	case a == Redacted:
		return false // a redaction stays one
	case a == Pseudonymized:
		return b == Pseudonymized && y == x
	case b == Pseudonymized:
		return a == Kept // a pseudonym is made of a readable value only
	case b == Kept:
		return a == Kept && y == x
	}
	// b == Masked, from Kept or Masked: rune by rune the same, or hidden where
	// x showed a letter or digit (or a non-ASCII rune); a kept value without
	// letters or digits is hidden whole.
	xs, ys := []rune(x), []rune(y)
	if len(xs) != len(ys) {
		return false
	}
	whole := a == Kept && wordBytes(x) == ""
	for k := range xs {
		if ys[k] != xs[k] && !(ys[k] == '•' && (whole || xs[k] >= utf8.RuneSelf || isWordByte(byte(xs[k])))) {
			return false
		}
	}
	return true
}

// obeys reports whether a span in form f showing y is at least as strict as r.
func obeys(r Rule, f Form, y string) bool {
	switch r.Action {
	case Keep:
		return true
	case Mask:
		return f == Redacted || f == Masked && len(wordBytes(y)) <= r.KeepLast
	case Pseudonymize:
		return f == Redacted || f == Pseudonymized
	}
	return f == Redacted // Remove leaves no span at all
}
