package rules

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Action says how a view renders one finding.
type Action string

// The actions a policy may name.
const (
	// Keep leaves the value as it is.
	Keep Action = "keep"
	// Redact replaces the value with its type in brackets: "[EMAIL_ADDRESS]".
	Redact Action = "redact"
	// Mask replaces every letter and digit but the last KeepLast with '•',
	// keeping separators, so "4111 1111 1111 4242" becomes "•••• •••• •••• 4242".
	Mask Action = "mask"
	// Remove drops the value.
	Remove Action = "remove"
	// Pseudonymize replaces the value with a keyed token, stable per subject:
	// "EMAIL_ADDRESS:7f3a9c21b04e" (PseudonymLen hex digits).
	Pseudonymize Action = "pseudonymize"
)

// Valid reports whether a is a known action.
func (a Action) Valid() bool {
	switch a {
	case Keep, Redact, Mask, Remove, Pseudonymize:
		return true
	}
	return false
}

// Rule is what a policy does with one type.
type Rule struct {
	// Action is how the value is rendered.
	Action Action `yaml:"action"`
	// KeepLast is how many trailing letters or digits Mask leaves readable (at most half of them).
	KeepLast int `yaml:"keep_last,omitempty"`
}

// Validate reports an unknown action or a negative KeepLast.
func (r Rule) Validate() error {
	var errs []error
	if !r.Action.Valid() {
		errs = append(errs, fmt.Errorf("unknown action %q (want keep, redact, mask, remove or pseudonymize)", r.Action))
	}
	if r.KeepLast < 0 {
		errs = append(errs, fmt.Errorf("keep_last %d is negative", r.KeepLast))
	}
	if r.KeepLast > 0 && r.Action != Mask {
		errs = append(errs, fmt.Errorf("keep_last applies only to action mask, not %q", r.Action))
	}
	return errors.Join(errs...)
}

// Policy says how one audience sees each type of personal data.
type Policy struct {
	// Version names this policy's revision; it travels with every rendered event.
	Version string
	// Default applies to types that Types does not name.
	Default Rule
	// Types maps a type to its rule.
	Types map[Type]Rule
}

// RedactAll is the strictest policy: every finding becomes "[TYPE]".
func RedactAll() Policy {
	return Policy{Version: "redact-all/1", Default: Rule{Action: Redact}}
}

// Validate reports every unknown type and action in p.
func (p Policy) Validate() error {
	var errs []error
	if err := p.Default.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("default: %w", err))
	}
	for t, r := range p.Types {
		if !t.Valid() {
			errs = append(errs, fmt.Errorf("unknown type %q", t))
			continue
		}
		if err := r.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("type %s: %w", t, err))
		}
	}
	return errors.Join(errs...)
}

// RuleFor returns the rule for type t.
func (p *Policy) RuleFor(t Type) Rule {
	if r, ok := p.Types[t]; ok {
		return r
	}
	return p.Default
}

// Pseudonymizer returns a short keyed token for a value of type t, stable for
// one subject while its key exists: PseudonymLen lower-case hex digits. It
// reports false when no token can be made (no key); the value is then
// redacted.
type Pseudonymizer func(t Type, value string) (string, bool)

// PseudonymLen is the length of a pseudonym token in hex digits. Render writes
// "TYPE:" and the token; Detect skips exactly that form, so rendered text can
// be scanned again without its pseudonyms being taken for new values.
const PseudonymLen = 12

// Render appends text to dst with every finding rendered under p. Findings
// must be sorted by Start and must not overlap (as Engine.Detect returns
// them); a finding out of bounds or overlapping the previous one is widened
// or clipped so that no byte of it is left readable. counts, if not nil, is
// incremented per type for every finding not kept.
func (p *Policy) Render(dst []byte, text string, findings []Finding, pz Pseudonymizer, counts map[Type]int) []byte {
	dst, _ = p.render(dst, text, findings, pz, counts, nil, 0)
	return dst
}

// RenderSpans is Render that also appends to spans, for the sidecar, every
// finding left in the rendered text (kept, masked, pseudonymised or
// redacted; not removed), with offsets relative to where the rendered text
// starts in dst and field as its Field.
func (p *Policy) RenderSpans(dst []byte, text string, findings []Finding, pz Pseudonymizer, counts map[Type]int, spans []Span, field Field) ([]byte, []Span) {
	if spans == nil {
		spans = []Span{}
	}
	return p.render(dst, text, findings, pz, counts, spans, field)
}

// render is Render, appending spans unless spans is nil.
func (p *Policy) render(dst []byte, text string, findings []Finding, pz Pseudonymizer, counts map[Type]int, spans []Span, field Field) ([]byte, []Span) {
	base, last := len(dst), 0
	for _, f := range findings {
		start, end := max(f.Start, last), min(f.End, len(text))
		if start >= end {
			continue
		}
		dst = append(dst, text[last:start]...)
		at := len(dst)
		var form Form
		dst, form = p.renderValue(dst, f.Type, text[start:end], pz)
		if spans != nil && len(dst) > at {
			spans = append(spans, Span{Field: field, Type: f.Type, Start: at - base, End: len(dst) - base, Form: form})
		}
		if counts != nil && p.RuleFor(f.Type).Action != Keep {
			counts[f.Type]++
		}
		last = end
	}
	return append(dst, text[last:]...), spans
}

// RenderValue renders a whole value of type t (a structured field such as an
// author's e-mail address) under p.
func (p *Policy) RenderValue(t Type, value string, pz Pseudonymizer) string {
	if value == "" {
		return ""
	}
	b, _ := p.renderValue(nil, t, value, pz)
	return string(b)
}

// renderValue appends v rendered as type t under p, and says in what form
// (0 for removed).
func (p *Policy) renderValue(dst []byte, t Type, v string, pz Pseudonymizer) ([]byte, Form) {
	r := p.RuleFor(t)
	switch r.Action {
	case Keep:
		return append(dst, v...), Kept
	case Remove:
		return dst, 0
	case Mask:
		return mask(dst, v, r.KeepLast), Masked
	case Pseudonymize:
		if pz != nil {
			if tok, ok := pz(t, v); ok {
				return appendPseudonym(dst, t, tok), Pseudonymized
			}
		}
	}
	// Redact, and the fail-closed fallback for anything else.
	return appendRedacted(dst, t), Redacted
}

// appendRedacted appends the redaction token of type t: "[TYPE]".
func appendRedacted(dst []byte, t Type) []byte {
	dst = append(dst, '[')
	dst = append(dst, t...)
	return append(dst, ']')
}

// appendPseudonym appends the pseudonym tok of type t: "TYPE:tok".
func appendPseudonym(dst []byte, t Type, tok string) []byte {
	dst = append(dst, t...)
	dst = append(dst, ':')
	return append(dst, tok...)
}

// mask writes v with every letter and digit but the last keep replaced by '•'. At most half of
// the letters and digits stay readable, and a value without any is hidden whole.
func mask(dst []byte, v string, keep int) []byte {
	alnum := 0
	for i := 0; i < len(v); i++ {
		if isWordByte(v[i]) {
			alnum++
		}
	}
	if alnum == 0 {
		// Nothing but punctuation ("!#%&"): hide it all.
		for range v {
			dst = append(dst, "•"...)
		}
		return dst
	}
	// Never leave more than half readable: a short value would otherwise come out whole.
	hide := alnum - min(keep, alnum/2)
	for i, r := range v {
		switch {
		case r < utf8.RuneSelf && isWordByte(byte(r)):
			if hide > 0 {
				dst = append(dst, "•"...)
				hide--
			} else {
				dst = append(dst, v[i])
			}
		case r < utf8.RuneSelf:
			dst = append(dst, v[i])
		default:
			// Non-ASCII letters are never left readable.
			dst = append(dst, "•"...)
		}
	}
	return dst
}

func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
