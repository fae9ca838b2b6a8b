package rules

import "strings"

// Explanation says why a finding was made (veil scan --explain).
type Explanation struct {
	// Detector is the detector that made the finding ("bsn.elfproef").
	Detector string `json:"detector"`
	// Validator is what the value passed: the finding's Why without the priming note.
	Validator string `json:"validator"`
	// Context is the context word before the finding in its own text, or "".
	Context string `json:"context,omitempty"`
	// Question is the question word of an earlier message that primed the finding, or "".
	Question string `json:"question,omitempty"`
}

// Explain returns why f, a finding of Detect or DetectTurn in text, was made.
func (e *Engine) Explain(text, locale string, f Finding) Explanation {
	x := Explanation{Detector: f.Detector, Validator: f.Why}
	if v, q, ok := strings.Cut(f.Why, primedMark); ok {
		x.Validator = strings.TrimSuffix(strings.TrimSpace(v), ";")
		x.Question = strings.Trim(q, "\"")
	}
	if f.Start < 0 || f.Start > len(text) {
		return x
	}
	s := e.getScanner()
	s.reset(text, locale)
	x.Context = s.contextWord(f)
	s.text = ""
	e.putScanner(s)
	return x
}

// contextWord returns the context word of f's type that stands before it in its sentence
// (a date's birth word may also follow it), or "".
func (s *scanner) contextWord(f Finding) string {
	lo := s.sentenceBefore(f.Start, 48)
	var l *kwList
	switch f.Type {
	case BSN:
		l = &s.e.kw.bsn
	case SSN:
		l = &s.e.kw.ssn
	case CreditCard:
		l = &s.e.kw.card
	case Phone:
		l = &s.e.kw.phone
	case IP:
		l = &s.e.kw.ip
	case BirthDate:
		l = &s.e.kw.birth
		if k := s.ctxFind(f.End, min(len(s.text), f.End+10), l); k >= 0 {
			return l.ws[k].b
		}
	case APIKey:
		l = &s.e.kw.key
	case Address:
		l = &s.e.kw.addr
	case Password:
		return s.classWordBefore(lo, f.Start, kPassword|kLogin)
	case Person:
		return s.classWordBefore(max(0, f.Start-24), f.Start, kGreeting|kIntro)
	default:
		l = s.e.typeContext(f.Type)
	}
	if k := s.ctxFind(lo, f.Start, l); k >= 0 {
		return l.ws[k].b
	}
	return ""
}

// classWordBefore returns the last word in t[lo:hi] with one of the lexicon classes cls (or a
// password compound, for kPassword), or "".
func (s *scanner) classWordBefore(lo, hi int, cls uint32) string {
	t := s.text
	for e := hi; e > lo; {
		for e > lo && !isNameByte(t[e-1]) {
			e--
		}
		b := e
		for b > lo && (isNameByte(t[b-1]) || t[b-1] == '.' || t[b-1] == '-') {
			b--
		}
		if b == e {
			break
		}
		w := t[b:e]
		if s.lexOf(w)&cls != 0 || cls&kPassword != 0 && s.suffixIn(setPasswordCompound, w, 1) {
			return w
		}
		e = b
	}
	return ""
}
