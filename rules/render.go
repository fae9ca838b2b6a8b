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
	last := 0
	for _, f := range findings {
		start, end := max(f.Start, last), min(f.End, len(text))
		if start >= end {
			continue
		}
		dst = append(dst, text[last:start]...)
		dst = p.renderValue(dst, f.Type, text[start:end], pz)
		if counts != nil && p.RuleFor(f.Type).Action != Keep {
			counts[f.Type]++
		}
		last = end
	}
	return append(dst, text[last:]...)
}

// RenderValue renders a whole value of type t (a structured field such as an
// author's e-mail address) under p.
func (p *Policy) RenderValue(t Type, value string, pz Pseudonymizer) string {
	if value == "" {
		return ""
	}
	return string(p.renderValue(nil, t, value, pz))
}

func (p *Policy) renderValue(dst []byte, t Type, v string, pz Pseudonymizer) []byte {
	r := p.RuleFor(t)
	switch r.Action {
	case Keep:
		return append(dst, v...)
	case Remove:
		return dst
	case Mask:
		return mask(dst, v, r.KeepLast)
	case Pseudonymize:
		if pz != nil {
			if tok, ok := pz(t, v); ok {
				dst = append(dst, t...)
				dst = append(dst, ':')
				return append(dst, tok...)
			}
		}
	}
	// Redact, and the fail-closed fallback for anything else.
	dst = append(dst, '[')
	dst = append(dst, t...)
	return append(dst, ']')
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
