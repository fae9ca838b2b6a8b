package rules

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Re-rendering: a rendered text and its sidecar spans, rendered again under a
// stricter policy or with identifiers to erase, without the raw text. It is
// monotone: a span only ever goes to a form that shows less (kept -> masked ->
// fewer digits masked, kept -> pseudonymised, anything -> redacted ->
// removed), text outside the spans is copied as it is, and what a span shows
// after is made only of what it showed before, '•' and Veil's own tokens.
// A form that cannot be made from what the span shows (a mask of a pseudonym,
// a pseudonym of a masked value) is made a redaction instead.

// Matcher reports whether a span of type t and form f, whose rendered text is
// shown, holds a value that is to be erased.
type Matcher func(t Type, f Form, shown string) bool

// Identifier is one value to erase wherever a rendered text still shows it.
type Identifier struct {
	Type  Type
	Value string
}

// MatchIdentifiers returns a Matcher for the values ids. A span matches one
// of them of its own type when:
//   - kept: norm of its text equals norm of the value (norm nil: Type.Normalize);
//   - masked: the letters and digits it leaves readable are the last ones of the
//     value's (case ignored): a mask keeps too little to tell two values apart,
//     so erasure errs towards redacting; a mask that shows none never matches;
//   - pseudonymised: its token is the one pz makes of the value. pz must be the
//     pseudonymizer of the text's own subject; without it (nil) every pseudonym
//     of the type matches, failing closed.
func MatchIdentifiers(ids []Identifier, norm func(Type, string) string, pz Pseudonymizer) Matcher {
	if norm == nil {
		norm = Type.Normalize
	}
	type want struct {
		t          Type
		norm, tail string // tail: the value's letters and digits, lower-cased
		pseudonym  string
		anyToken   bool
	}
	ws := make([]want, 0, len(ids))
	for _, id := range ids {
		w := want{t: id.Type, norm: norm(id.Type, id.Value), tail: strings.ToLower(wordBytes(id.Value)), anyToken: pz == nil}
		if pz != nil {
			if tok, ok := pz(id.Type, id.Value); ok {
				w.pseudonym = string(appendPseudonym(nil, id.Type, tok))
			} else {
				w.anyToken = true
			}
		}
		ws = append(ws, w)
	}
	return func(t Type, f Form, shown string) bool {
		for i := range ws {
			w := &ws[i]
			if w.t != t {
				continue
			}
			switch f {
			case Kept:
				if norm(t, shown) == w.norm {
					return true
				}
			case Masked:
				if v := strings.ToLower(wordBytes(shown)); v != "" && strings.HasSuffix(w.tail, v) {
					return true
				}
			case Pseudonymized:
				if w.anyToken || shown == w.pseudonym {
					return true
				}
			}
		}
		return false
	}
}

// wordBytes returns the ASCII letters and digits of s.
func wordBytes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isWordByte(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// FieldSpans returns the spans of field f in spans, which are sorted by
// field (as ParseSidecar returns them).
func FieldSpans(spans []Span, f Field) []Span {
	i := 0
	for i < len(spans) && spans[i].Field < f {
		i++
	}
	j := i
	for j < len(spans) && spans[j].Field == f {
		j++
	}
	return spans[i:j]
}

// Rerender appends text, a rendered text of one field, rendered again to dst,
// and appends its new spans to out. spans are text's sidecar spans (of one
// field, sorted); each is rendered under p's rule for its type (p nil: every
// rule keeps, so only match acts; use a Default of Keep for types the policy
// is not about), and redacted when match (may be nil) says it holds a value
// to erase, as first or as newly rendered. pz makes pseudonyms of kept values
// when p asks for them; without one, or for a value it has no key for, they
// are redacted. Output looks as Policy.Render would have made it: "[TYPE]",
// "TYPE:" and a token, masks with '•'.
//
// It only ever redacts more (see the comment above Matcher), and applying it
// twice gives what applying it once gives. It returns ErrSidecar, and dst and
// out as they were, when a span is out of order or out of text's bounds, or
// its text does not have the shape of its form: the sidecar then does not
// describe text, and the caller must not trust it.
func Rerender(dst []byte, text string, spans []Span, p *Policy, match Matcher, pz Pseudonymizer, out []Span) ([]byte, []Span, error) {
	if err := checkSpans(text, spans); err != nil {
		return dst, out, err
	}
	base, last := len(dst), 0
	for _, s := range spans {
		dst = append(dst, text[last:s.Start]...)
		shown := text[s.Start:s.End]
		r := Rule{Action: Keep}
		if p != nil {
			r = p.RuleFor(s.Type)
		}
		if match != nil && s.Form != Redacted && match(s.Type, s.Form, shown) {
			r = Rule{Action: strictest(r.Action)}
		}
		at := len(dst)
		var form Form
		dst, form = rerenderSpan(dst, s, shown, r, pz)
		if form != 0 && form != Redacted && match != nil && match(s.Type, form, string(dst[at:])) {
			// What the new rule made of it still shows the value (a mask of it).
			dst, form = appendRedacted(dst[:at], s.Type), Redacted
		}
		if form != 0 {
			out = append(out, Span{Field: s.Field, Type: s.Type, Start: at - base, End: len(dst) - base, Form: form})
		}
		last = s.End
	}
	return append(dst, text[last:]...), out, nil
}

// strictest returns the action for a span that holds a value to erase under
// a rule whose action is a: Remove stays, anything else becomes Redact.
func strictest(a Action) Action {
	if a == Remove {
		return Remove
	}
	return Redact
}

// rerenderSpan appends the span s, showing shown, rendered again under r,
// and returns its new form (0: removed).
func rerenderSpan(dst []byte, s Span, shown string, r Rule, pz Pseudonymizer) ([]byte, Form) {
	switch r.Action {
	case Keep:
		return append(dst, shown...), s.Form
	case Remove:
		return dst, 0
	case Mask:
		switch s.Form {
		case Kept:
			return mask(dst, shown, r.KeepLast), Masked
		case Masked:
			return remask(dst, shown, r.KeepLast), Masked
		}
	case Pseudonymize:
		switch s.Form {
		case Kept:
			if pz != nil {
				if tok, ok := pz(s.Type, shown); ok {
					return appendPseudonym(dst, s.Type, tok), Pseudonymized
				}
			}
		case Pseudonymized:
			return append(dst, shown...), Pseudonymized
		}
	}
	// Redact; a redaction already; the fail-closed answer for a form that
	// cannot be made from what the span shows, and for an unknown action.
	return appendRedacted(dst, s.Type), Redacted
}

// remask appends a masked value v with all but its last keep readable letters
// and digits hidden too; a v that shows no more than keep is appended as it
// is. Anything but ASCII in it is written as '•'.
func remask(dst []byte, v string, keep int) []byte {
	hide := -keep
	for i := 0; i < len(v); i++ {
		if isWordByte(v[i]) {
			hide++
		}
	}
	for _, r := range v {
		switch {
		case r == '•' || r >= utf8.RuneSelf:
			dst = append(dst, "•"...)
		case isWordByte(byte(r)) && hide > 0:
			dst = append(dst, "•"...)
			hide--
		default:
			dst = append(dst, byte(r))
		}
	}
	return dst
}

// checkSpans reports spans that are out of order, out of text's bounds, of
// different fields, or whose text does not have the shape of their form.
func checkSpans(text string, spans []Span) error {
	last := 0
	for i, s := range spans {
		if s.Start < last || s.End <= s.Start || s.End > len(text) || s.Field != spans[0].Field {
			return fmt.Errorf("%w: span %d (%d-%d) out of order or out of a text of %d bytes", ErrSidecar, i, s.Start, s.End, len(text))
		}
		if !spanShape(s.Type, s.Form, text[s.Start:s.End]) {
			return fmt.Errorf("%w: span %d (%s, %s) does not hold what its form renders", ErrSidecar, i, s.Type, s.Form)
		}
		last = s.End
	}
	return nil
}

// spanShape reports whether shown could be what Render writes for a value of
// type t in form f.
func spanShape(t Type, f Form, shown string) bool {
	switch f {
	case Kept:
		return true
	case Masked:
		// A mask hides at least one letter or digit, or the whole value.
		return strings.Contains(shown, "•")
	case Pseudonymized:
		tok, ok := strings.CutPrefix(shown, string(t)+":")
		if !ok || len(tok) != PseudonymLen {
			return false
		}
		for i := 0; i < len(tok); i++ {
			if !isDigit(tok[i]) && (tok[i] < 'a' || tok[i] > 'f') {
				return false
			}
		}
		return true
	case Redacted:
		return len(shown) == len(t)+2 && shown[0] == '[' && shown[len(shown)-1] == ']' && shown[1:len(shown)-1] == string(t)
	}
	return false
}
