package rules

import "slices"

// keywords holds the context words the detectors look for near a candidate.
// A word matches at the start of a word in the text, so compounds match their
// first part (burgerservicenummer, bsn-nummer, API-sleutel, geboortedatum);
// words written with a leading '*' match anywhere (mijnbsn).
type keywords struct {
	bsn, ssn, card, notCard, notBSN, phone, ip, version, birth, key, addr kwList
	// notPhone holds the words of other numbers ([ctx-not-phone] and the not-BSN,
	// SSN, BSN and card words): digit groups right after one of them and no phone
	// word are that number.
	notPhone kwList
}

// kwList is a compiled list of lower-case context words.
type kwList struct {
	ws   []kwWord      // sorted by first byte
	span [256][2]uint8 // for a lower-case first byte, the range of ws starting with it
	// at says, for a first byte, where a word of ws may start with it: kwNone (no word starts
	// with it), kwWordStart (at the start of a word only) or kwAnywhere (inside words too).
	at [256]uint8
}

// The values of kwList.at.
const (
	kwNone uint8 = iota
	kwWordStart
	kwAnywhere
)

type kwWord struct {
	b        string
	anywhere bool     // match inside words too
	mask     langMask // the languages the word applies in
}

// newKwList compiles the entries of one [ctx-*] lexicon section.
func newKwList(ents []lexEntry) kwList {
	var l kwList
	for _, ent := range ents {
		kw := kwWord{b: ent.w, mask: ent.mask}
		if kw.b[0] == '*' {
			kw.b, kw.anywhere = kw.b[1:], true
		}
		if !isAlpha(kw.b[0]) {
			kw.anywhere = true
		}
		l.ws = append(l.ws, kw)
	}
	slices.SortStableFunc(l.ws, func(a, b kwWord) int { return int(a.b[0]) - int(b.b[0]) })
	for i, w := range l.ws {
		c := w.b[0]
		if l.span[c][1] == 0 {
			l.span[c][0] = uint8(i)
		}
		l.span[c][1] = uint8(i + 1)
		l.at[c] = max(l.at[c], kwWordStart)
		if w.anywhere {
			l.at[c] = kwAnywhere
		}
		if isLower(c) {
			l.span[c-32] = l.span[c]
			l.at[c-32] = l.at[c]
		}
	}
	return l
}

// newKeywords compiles the context-word lists of the lexicon.
func newKeywords(kws *[numKws][]lexEntry) keywords {
	return keywords{
		bsn: newKwList(kws[kwBSN]), ssn: newKwList(kws[kwSSN]), card: newKwList(kws[kwCard]),
		notCard: newKwList(kws[kwNotCard]), notBSN: newKwList(kws[kwNotBSN]), phone: newKwList(kws[kwPhone]),
		ip: newKwList(kws[kwIP]), version: newKwList(kws[kwVersion]), birth: newKwList(kws[kwBirth]),
		key: newKwList(kws[kwKey]), addr: newKwList(kws[kwAddr]),
		notPhone: newKwList(slices.Concat(kws[kwNotPhone], kws[kwNotBSN], kws[kwSSN], kws[kwBSN], kws[kwCard])),
	}
}

// ctxBefore reports whether one of the words in l occurs (ASCII
// case-insensitively) in the window bytes before pos, not crossing a line break.
func (s *scanner) ctxBefore(pos, window int, l *kwList) bool {
	lo := max(0, pos-window)
	t := s.text
	// ctxIn(start of the line, pos), read backwards so that the line break ends the search.
	for i := pos - 1; i >= lo; i-- {
		c := t[i]
		if c == '\n' {
			return false
		}
		at := l.at[c]
		if at == kwNone {
			continue
		}
		wordStart := i == 0 || !isAlpha(t[i-1])
		if !wordStart && at == kwWordStart {
			continue
		}
		if s.kwMatch(i, pos, wordStart, l) >= 0 {
			return true
		}
	}
	return false
}

// ctxIn reports whether one of the words in l occurs in t[lo:hi].
func (s *scanner) ctxIn(lo, hi int, l *kwList) bool { return s.ctxFind(lo, hi, l) >= 0 }

// ctxFind returns the index in l.ws of the first word of l that occurs in t[lo:hi], or -1.
func (s *scanner) ctxFind(lo, hi int, l *kwList) int {
	t := s.text
	for i := lo; i < hi; i++ {
		at := l.at[t[i]]
		if at == kwNone {
			continue
		}
		wordStart := i == 0 || !isAlpha(t[i-1])
		if !wordStart && at == kwWordStart {
			continue
		}
		if k := s.kwMatch(i, hi, wordStart, l); k >= 0 {
			return k
		}
	}
	return -1
}

// kwMatch returns the index in l.ws of the first word of l that starts at i and ends by hi
// (wordStart: i starts a word), or -1.
func (s *scanner) kwMatch(i, hi int, wordStart bool, l *kwList) int {
	t := s.text
	sp := l.span[t[i]]
	for k := int(sp[0]); k < int(sp[1]); k++ {
		w := &l.ws[k]
		if hi-i < len(w.b) || !wordStart && !w.anywhere || w.mask&s.mask == 0 {
			continue
		}
		if hasPrefixFold(t[i:hi], w.b) {
			return k
		}
	}
	return -1
}

// ctxAfter reports whether one of the words in l occurs in the window bytes after pos, on the same line.
func (s *scanner) ctxAfter(pos, window int, l *kwList) bool {
	hi := min(len(s.text), pos+window)
	for i := pos; i < hi; i++ {
		if s.text[i] == '\n' {
			hi = i
			break
		}
	}
	return s.ctxIn(pos, hi, l)
}

// sentenceBefore returns the start of the window before pos, cut at the last
// sentence boundary (". X", "! X", "? X", a line break or a tag).
func (s *scanner) sentenceBefore(pos, window int) int {
	lo := max(0, pos-window)
	t := s.text
	for i := pos - 1; i > lo; i-- {
		if sentenceMark[t[i]] && s.sentenceEnd(i, pos) {
			return i + 1
		}
	}
	return lo
}

// sentenceEnd reports whether the byte t[i] of sentenceMark ends a sentence before pos.
func (s *scanner) sentenceEnd(i, pos int) bool {
	t := s.text
	c := t[i]
	if c == '\n' || c == '>' {
		return true
	}
	// c is '.', '!' or '?'.
	if i+2 >= pos || t[i+1] != ' ' {
		return false
	}
	if isUpper(t[i+2]) {
		// "geb. 12-3-1980" and "t.n.v. X" keep going; a capitalised next sentence stops.
		return true
	}
	// A lower-case next sentence: "took the parcel in. card number". Abbreviations
	// (geb., t.n.v., nr., tel.) keep going.
	return isLower(t[i+2]) && i >= 3 && (isDigit(t[i-1]) || c != '.' || s.plainSentenceEnd(t, i))
}

// ctxSince reports whether one of the words in l occurs in t[max(sentenceBefore(pos, window),
// floor):pos], reading the window once, backwards, so that the sentence boundary ends the search.
func (s *scanner) ctxSince(pos, window, floor int, l *kwList) bool {
	lo := max(0, pos-window)
	t := s.text
	i := pos - 1
	for ; i > lo; i-- {
		if i < floor || sentenceMark[t[i]] && s.sentenceEnd(i, pos) {
			return false
		}
		if s.kwStartsAt(i, pos, l) {
			return true
		}
	}
	return i == lo && lo >= floor && s.kwStartsAt(lo, pos, l)
}

// kwStartsAt reports whether a word of l starts at i and ends by hi (see ctxFind).
func (s *scanner) kwStartsAt(i, hi int, l *kwList) bool {
	t := s.text
	at := l.at[t[i]]
	if at == kwNone {
		return false
	}
	wordStart := i == 0 || !isAlpha(t[i-1])
	if !wordStart && at == kwWordStart {
		return false
	}
	return s.kwMatch(i, hi, wordStart, l) >= 0
}

// sentenceMark holds the bytes sentenceBefore stops at, or may.
var sentenceMark = [256]bool{'\n': true, '>': true, '.': true, '!': true, '?': true}

// ctxSentence is like ctxBefore but stops at a sentence boundary.
func (s *scanner) ctxSentence(pos, window int, l *kwList) bool { return s.ctxSince(pos, window, 0, l) }

// plainSentenceEnd reports whether the '.' at i ends a lower-case word of two or more letters
// that is not a common abbreviation.
func (s *scanner) plainSentenceEnd(t string, i int) bool {
	ws := i
	for ws > 0 && isLower(t[ws-1]) {
		ws--
	}
	if i-ws < 2 || ws > 0 && (t[ws-1] == '.' || isAlnum(t[ws-1])) {
		return false
	}
	return !s.inSet(setAbbrev, t[ws:i])
}
