package rules

import (
	"bytes"
	"regexp"
	"strings"
)

// customDetector is a compiled user-defined detector from a rule pack.
type customDetector struct {
	id         string
	typ        Type
	re         *regexp.Regexp
	prefilter  []string // lower-case literals; one must occur before the regexp runs
	validator  string
	context    [][]byte
	window     int
	confidence float32
	locales    []string
}

func compileCustom(d DetectorSpec) (*customDetector, error) {
	re, err := regexp.Compile(d.Pattern)
	if err != nil {
		return nil, err
	}
	cd := &customDetector{id: d.ID, typ: d.Type, re: re, validator: d.Validator, window: d.Window,
		confidence: d.Confidence, locales: d.Locales}
	for _, p := range d.Prefilter {
		cd.prefilter = append(cd.prefilter, strings.ToLower(p))
	}
	if len(cd.prefilter) == 0 {
		if lit, _ := re.LiteralPrefix(); lit != "" {
			cd.prefilter = []string{strings.ToLower(lit)}
		}
	}
	for _, c := range d.Context {
		cd.context = append(cd.context, []byte(strings.ToLower(c)))
	}
	return cd, nil
}

// indexFold returns the index of the lower-case ASCII needle in s, ignoring case, or -1.
func indexFold(s, needle string) int {
	if needle == "" {
		return 0
	}
	first := needle[0]
	up := first
	if isLower(first) {
		up = first - 32
	}
	for i := 0; i+len(needle) <= len(s); i++ {
		c := s[i]
		if c != first && c != up {
			continue
		}
		if hasPrefixFold(s[i:], needle) {
			return i
		}
	}
	return -1
}

// find appends the detector's matches in text to dst.
func (cd *customDetector) find(dst []Finding, text string) []Finding {
	hit := false
	for _, p := range cd.prefilter {
		if indexFold(text, p) >= 0 {
			hit = true
			break
		}
	}
	if !hit {
		return dst
	}
	for _, m := range cd.re.FindAllStringIndex(text, -1) {
		if m[0] == m[1] || !cd.validate(text[m[0]:m[1]]) {
			continue
		}
		if len(cd.context) > 0 && !hasContext(text, m[0], cd.window, cd.context) {
			continue
		}
		dst = append(dst, Finding{Start: m[0], End: m[1], Type: cd.typ, Confidence: cd.confidence,
			Detector: cd.id, Why: "rule pack pattern"})
	}
	return dst
}

func (cd *customDetector) validate(m string) bool {
	var buf [64]byte
	d := buf[:0]
	for i := 0; i < len(m) && len(d) < len(buf); i++ {
		c := m[i]
		switch {
		case isDigit(c):
			d = append(d, c)
		case isAlpha(c) && cd.validator == "mod97":
			d = append(d, c&^0x20)
		}
	}
	switch cd.validator {
	case "luhn":
		return len(d) > 1 && luhn(d)
	case "mod97":
		return mod97(d)
	case "elfproef":
		if len(d) == 8 {
			d = append([]byte{'0'}, d...)
		}
		return elfproef(d)
	}
	return true
}

func hasContext(text string, pos, window int, ws [][]byte) bool {
	lo := max(0, pos-window)
	b := []byte(strings.ToLower(text[lo:pos]))
	for _, w := range ws {
		if bytes.Contains(b, w) {
			return true
		}
	}
	return false
}

// findDeny appends a finding for every whole-word occurrence of a deny-list term.
func (e *Engine) findDeny(dst []Finding, text string) []Finding {
	for _, d := range e.deny {
		off := 0
		for off < len(text) {
			i := indexFold(text[off:], d.lower)
			if i < 0 {
				break
			}
			st, en := off+i, off+i+len(d.lower)
			if (st == 0 || !isNameByte(text[st-1])) && (en == len(text) || !isNameByte(text[en])) {
				dst = append(dst, Finding{Start: st, End: en, Type: d.Type, Confidence: 1, Detector: "deny.list", Why: "deny-list entry"})
			}
			off = en
		}
	}
	return dst
}
