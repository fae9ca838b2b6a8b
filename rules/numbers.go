package rules

import "strings"

// isNumSep reports whether b may separate digit groups of one number.
func isNumSep(b byte) bool {
	return b == ' ' || b == '-' || b == '.' || b == '/' || b == '(' || b == ')'
}

// numberRun scans a run of digit groups starting at a (a digit or '+') inside
// the token ending at j, and tries every number-shaped detector on windows of
// consecutive groups. It returns where scanning resumes.
func (s *scanner) numberRun(a, j int) int {
	t := s.text
	if numberInsideWord(t, a) {
		return j
	}
	start := a
	plus := t[a] == '+'
	i := a
	if plus {
		i++
	} else if a > 0 && t[a-1] == '(' {
		start = a - 1
	}
	groups := s.digitGroups(i)
	end := groups[len(groups)-1].end
	if len(groups) == 1 && !plus {
		if e := s.digitKey(a, end); e > 0 {
			return e
		}
	}
	glued, port := gluedAfter(t, end)
	s.numberWindows(start, plus, glued, port)
	if e := s.runDetectors(plus, glued); e > 0 {
		return max(e, j)
	}
	if end < j {
		return j
	}
	return end
}

// numberInsideWord reports whether the digits at a continue something else: an amount (#, $,
// €, £), an identifier or a time or date tail (INV-2024-1234, v1.2, 10:30; "ip:10.0.0.1" is not).
func numberInsideWord(t string, a int) bool {
	if a == 0 {
		return false
	}
	p := t[a-1]
	if p == '#' || p == '$' || strings.HasSuffix(t[:a], "€") || strings.HasSuffix(t[:a], "£") {
		return true
	}
	return (p == '-' || p == '_' || p == '/' || p == '.') && a >= 2 && isAlnum(t[a-2]) || p == ':' && a >= 2 && isDigit(t[a-2])
}

// digitGroups reads up to 16 digit groups and their separators from i into s.groups.
func (s *scanner) digitGroups(i int) []group {
	t := s.text
	n := len(t)
	groups := s.groups[:0]
	for {
		gs := i
		for i < n && isDigit(t[i]) {
			i++
		}
		groups = append(groups, group{start: gs, end: i})
		if len(groups) >= 16 || i-gs > 40 {
			break
		}
		k, sep := numSep(t, i)
		if k > i && k < n && isDigit(t[k]) && !(sep[0] == '.' && len(sep) > 1) {
			groups[len(groups)-1].sep = sep
			i = k
			continue
		}
		break
	}
	s.groups = groups
	return groups
}

// gluedAfter reports whether the digit run ending at end is glued to a letter, a time or port
// (":" + digit) or a decimal tail (",50"), and whether a port follows.
func gluedAfter(t string, end int) (glued, port bool) {
	n := len(t)
	glued = end < n && (isAlpha(t[end]) || t[end] >= 0x80 || t[end] == '_')
	port = end+1 < n && t[end] == ':' && isDigit(t[end+1])
	if end+1 < n && (t[end] == ':' || t[end] == ',' && isDigit(t[end+1]) && end+3 < n && isDigit(t[end+2]) && !isDigit(t[end+3])) && isDigit(t[end+1]) {
		glued = true
	}
	return glued, port
}

// numberWindows tries the phone detector on the windows that start at the first group and
// the other number detectors on every window of consecutive groups (at most 19 digits).
func (s *scanner) numberWindows(start int, plus, glued, port bool) {
	groups := s.groups
	G := len(groups)
	last := -1 // the last group of the longest window that starts at the first group
	for g0 := 0; g0 < G; g0++ {
		D := 0
		for g1 := g0; g1 < G; g1++ {
			D += groups[g1].end - groups[g1].start
			if D > 19 {
				break
			}
			if g1 == G-1 && glued && !(port && g0 == 0 && g1 == 3) {
				break // only a dotted quad may carry a port (10.0.0.1:8080)
			}
			if g0 == 0 {
				last = g1
			}
			s.numberWindow(g0, g1, D)
		}
	}
	s.phoneWindows(start, plus, last)
}

// phoneWindows reports the longest phone number in the windows of groups 0..g1 for g1 up to
// last. It tries the longest window first and stops at the first that is a phone number.
func (s *scanner) phoneWindows(start int, plus bool, last int) {
	D := 0
	for g := 0; g <= last; g++ {
		D += s.groups[g].end - s.groups[g].start
	}
	for g1 := last; g1 >= 0; g1-- {
		if conf := s.phoneWindow(start, plus, g1, D); conf > 0 {
			s.add(start, s.groups[g1].end, Phone, conf, "phone.format", "phone number layout and length")
			return
		}
		D -= s.groups[g1].end - s.groups[g1].start
	}
}

// runDetectors runs the detectors that look at the whole digit run: postcodes, leading house
// numbers, day + month name dates and numeric dates. It returns the end of what they found, or 0.
func (s *scanner) runDetectors(plus, glued bool) int {
	groups := s.groups
	G := len(groups)
	if G == 1 && !plus {
		g := groups[0]
		if e := s.numberAddress(g.start, g.start, g.end); e > 0 {
			return e
		}
		if g.end-g.start <= 2 {
			if e := s.dateWords(g.start); e > 0 {
				return e
			}
		}
	}
	// "1/29 Abbey Close", "3/36 Windmill Hill": flat / house number.
	if G == 2 && !plus && groups[1].start == groups[0].end+1 && s.text[groups[0].end] == '/' &&
		groups[0].end-groups[0].start <= 3 && groups[1].end-groups[1].start <= 3 {
		if e := s.numberAddress(groups[0].start, groups[1].start, groups[1].end); e > 0 {
			return e
		}
	}
	if G >= 3 && !glued {
		s.numericDates(groups)
	}
	return 0
}

// numSep reads up to three separator characters at i and returns where they end and the
// separator with Unicode spaces (no-break, narrow no-break, thin) written as ' ' and Unicode
// dashes (en dash, minus sign, non-breaking hyphen) as '-'.
func numSep(t string, i int) (int, string) {
	k := i
	ascii := true
	for units := 0; k < len(t) && units < 3; units++ {
		if isNumSep(t[k]) {
			k++
			continue
		}
		if t[k] < 0x80 {
			break // neither an ASCII separator nor the start of a Unicode one
		}
		if l, _ := uniSep(t, k); l > 0 {
			k += l
			ascii = false
			continue
		}
		break
	}
	if ascii || k == i {
		return k, t[i:k]
	}
	var buf [3]byte
	m := 0
	for p := i; p < k; {
		if isNumSep(t[p]) {
			buf[m] = t[p]
			p++
		} else {
			l, c := uniSep(t, p)
			buf[m] = c
			p += l
		}
		m++
	}
	switch string(buf[:m]) {
	case " ":
		return k, " "
	case "-":
		return k, "-"
	case " - ":
		return k, " - "
	}
	return k, string(buf[:m])
}

// uniSep returns the byte length and ASCII stand-in of a Unicode number separator at i, or 0.
func uniSep(t string, i int) (int, byte) {
	if i+1 < len(t) && t[i] == 0xc2 && t[i+1] == 0xa0 { // U+00A0 no-break space
		return 2, ' '
	}
	if i+2 < len(t) && t[i] == 0xe2 {
		switch {
		case t[i+1] == 0x80 && (t[i+2] == 0xaf || t[i+2] == 0x89): // U+202F, U+2009
			return 3, ' '
		case t[i+1] == 0x80 && (t[i+2] == 0x93 || t[i+2] == 0x91): // U+2013 en dash, U+2011
			return 3, '-'
		case t[i+1] == 0x88 && t[i+2] == 0x92: // U+2212 minus sign
			return 3, '-'
		}
	}
	return 0, 0
}

// sepOf returns the separator between groups k and k+1, normalised by numSep.
func (s *scanner) sepOf(k int) string {
	return s.groups[k].sep
}

// uniformSep reports the single separator byte used between groups g0..g1, 0
// if there is only one group, or 0xff if separators differ or are longer than one byte.
func (s *scanner) uniformSep(g0, g1 int) byte {
	var sep byte
	for k := g0; k < g1; k++ {
		x := s.sepOf(k)
		if x == "  " {
			x = " " // "4296  4097  8753  4773": a double space between groups
		}
		if len(x) != 1 {
			return 0xff
		}
		if sep == 0 {
			sep = x[0]
		} else if sep != x[0] {
			return 0xff
		}
	}
	return sep
}

// collect copies the digits of groups g0..g1 into s.digits.
func (s *scanner) collect(g0, g1 int) []byte {
	d := s.digits[:0]
	for k := g0; k <= g1; k++ {
		d = append(d, s.text[s.groups[k].start:s.groups[k].end]...)
	}
	s.digits = d
	return d
}

// dateLayout reports whether groups g0..g1 look like a date: d-m-y, y-m-d with - / or . separators.
func (s *scanner) dateLayout(g0, g1 int) bool {
	if g1-g0 != 2 {
		return false
	}
	sep := s.uniformSep(g0, g1)
	if sep != '-' && sep != '/' && sep != '.' {
		return false
	}
	l0 := s.groups[g0].end - s.groups[g0].start
	l1 := s.groups[g0+1].end - s.groups[g0+1].start
	l2 := s.groups[g1].end - s.groups[g1].start
	return l0 <= 2 && l1 <= 2 && (l2 == 4 || l2 == 2) || l0 == 4 && l1 <= 2 && l2 <= 2
}

func (s *scanner) sizes(g0, g1 int, want ...int) bool {
	if g1-g0+1 != len(want) {
		return false
	}
	for k := g0; k <= g1; k++ {
		if s.groups[k].end-s.groups[k].start != want[k-g0] {
			return false
		}
	}
	return true
}

// numberWindow tries the checksum detectors (cards, BSN, SSN, IPv4) on groups g0..g1 holding D digits.
func (s *scanner) numberWindow(g0, g1, D int) {
	if D < 8 && g1-g0 != 3 {
		return // too short for any checksum type, and not a dotted quad
	}
	cidr, ok := s.windowAlone(g0, g1)
	if !ok {
		return
	}
	sep := s.uniformSep(g0, g1)
	if g1-g0 == 3 && sep == '.' && D <= 12 {
		s.ipv4Window(g0, g1, cidr)
		return
	}
	if D >= 8 && g1 > g0 {
		// Multi-group checksum numbers never have single-digit groups.
		for k := g0; k <= g1; k++ {
			if s.groups[k].end-s.groups[k].start == 1 {
				return
			}
		}
	}
	switch {
	case D >= 12 && D <= 19:
		s.cardWindow(g0, g1, sep)
	case D == 9 || D == 8:
		s.nationalIDWindow(g0, g1, D, sep)
	case D == 11:
		s.beNRNWindow(g0, g1, sep)
	}
}

// windowAlone reports whether groups g0..g1 stand apart from the rest of the run: after a
// plain space (or at the run's start, not after '+') and before a plain space or the end.
// cidr reports a /prefix after the window (10.0.0.0/8).
func (s *scanner) windowAlone(g0, g1 int) (cidr, ok bool) {
	t := s.text
	st := s.groups[g0].start
	if g0 > 0 {
		if s.sepOf(g0-1) != " " {
			return false, false
		}
	} else if st > 0 && t[st-1] == '+' {
		return false, false
	}
	cidr = g1 == len(s.groups)-2 && s.sepOf(g1) == "/" && s.groups[g1+1].end-s.groups[g1+1].start <= 3
	if g1 < len(s.groups)-1 && s.sepOf(g1) != " " && !cidr {
		return false, false
	}
	return cidr, true
}

// ipv4Window reports a dotted quad g0..g1 with octets <= 255 that is not a version number.
func (s *scanner) ipv4Window(g0, g1 int, cidr bool) {
	t := s.text
	st, en := s.groups[g0].start, s.groups[g1].end
	if g0 != 0 || g1 != len(s.groups)-1 && !cidr {
		return // part of a longer dotted run; a /prefix after it is fine (10.0.0.0/8)
	}
	for k := g0; k <= g1; k++ {
		g := s.groups[k]
		l := g.end - g.start
		if l > 3 || l > 1 && t[g.start] == '0' || atoi(t[g.start:g.end]) > 255 {
			return
		}
	}
	if en < len(t) && t[en] == '.' && en+1 < len(t) && isDigit(t[en+1]) {
		return
	}
	if s.ctxBefore(st, 24, &s.e.kw.version) {
		return
	}
	conf := float32(0.9)
	if s.ctxBefore(st, 40, &s.e.kw.ip) {
		conf = 0.99
	}
	s.add(st, en, IP, conf, "ip.v4", "dotted quad with octets <= 255")
}

// cardWindow reports a card number in groups g0..g1 (12 to 19 digits): Luhn and either an
// issuer prefix or a card word (13 digits or more), and no gift-card or order word in the sentence.
func (s *scanner) cardWindow(g0, g1 int, sep byte) {
	st, en := s.groups[g0].start, s.groups[g1].end
	if sep != 0 && sep != ' ' && sep != '-' && sep != '.' {
		return
	}
	if !s.cardGroups(g0, g1) {
		return
	}
	d := s.collect(g0, g1)
	if !luhn(d) {
		return
	}
	issuer := cardIssuer(s.e.iin, d)
	cardCtx := s.ctxBefore(st, 48, &s.e.kw.card)
	if !issuer && (!cardCtx || len(d) < 13) {
		// Issuer tables are never complete (new ranges, national schemes): a card word and the
		// Luhn checksum together are enough, either alone is not.
		return
	}
	if s.ctxSentence(st, 48, &s.e.kw.notCard) {
		return
	}
	conf, why := float32(0.95), "Luhn checksum and card issuer prefix"
	switch {
	case issuer && cardCtx:
		conf = 0.99
	case cardCtx:
		conf, why = 0.9, "Luhn checksum after a card word (issuer range not known)"
	}
	s.add(st, en, CreditCard, conf, "card.luhn", why)
}

// cardGroups reports whether groups g0..g1 have a card layout: groups of at least three digits,
// or groups of four and a shorter last one ("3056 9309 0259 04").
func (s *scanner) cardGroups(g0, g1 int) bool {
	four := true
	for k := g0; k <= g1; k++ {
		l := s.groups[k].end - s.groups[k].start
		if l < 3 && (k < g1 || !four) {
			return false
		}
		four = four && l == 4
	}
	return true
}

// nationalIDWindow reports a US SSN or a Dutch BSN (11-proof; eight digits get a leading zero)
// in groups g0..g1 holding D digits.
func (s *scanner) nationalIDWindow(g0, g1, D int, sep byte) {
	if sep == 0xff || s.dateLayout(g0, g1) {
		return
	}
	d := s.collect(g0, g1)
	if D == 8 {
		d = append(d[:0], '0')
		for k := g0; k <= g1; k++ {
			d = append(d, s.text[s.groups[k].start:s.groups[k].end]...)
		}
		s.digits = d
	}
	ssnOK := D == 9 && ssnValid(d)
	elf := elfproef(d)
	if !ssnOK && !elf {
		return
	}
	ssnLayout := D == 9 && (sep == '-' || sep == ' ') && s.sizes(g0, g1, 3, 2, 4)
	bsnCtx := s.ctxBefore(s.groups[g0].start, 48, &s.e.kw.bsn) || s.primed(BSN)
	if ssnOK && s.ssnWindow(g0, g1, sep, ssnLayout, bsnCtx) || !elf {
		return
	}
	s.bsnWindow(g0, g1, D, sep, ssnLayout, bsnCtx)
}

// ssnWindow reports a valid SSN in groups g0..g1 in its 3-2-4 layout (unless a BSN word
// stands before it) or after an SSN word, and reports whether it did.
func (s *scanner) ssnWindow(g0, g1 int, sep byte, ssnLayout, bsnCtx bool) bool {
	st, en := s.groups[g0].start, s.groups[g1].end
	ssnCtx := s.ctxBefore(st, 40, &s.e.kw.ssn) || s.primed(SSN)
	if !(ssnLayout && !bsnCtx || ssnCtx && (sep == 0 || ssnLayout)) {
		return false
	}
	conf := float32(0.9)
	if ssnCtx {
		conf = 0.99
	}
	s.add(st, en, SSN, conf, "ssn.format", "SSN layout and valid area/group/serial")
	return true
}

// bsnWindow reports an 11-proof number in groups g0..g1 as a BSN: after a BSN word, or without
// one in a plain or dotted nine-digit layout that no order, ticket or phone word precedes.
func (s *scanner) bsnWindow(g0, g1, D int, sep byte, ssnLayout, bsnCtx bool) {
	st, en := s.groups[g0].start, s.groups[g1].end
	if bsnCtx {
		why := "11-proof and BSN context word"
		if s.primed(BSN) {
			why = "11-proof" // DetectTurn notes the question that primed it
		}
		s.add(st, en, BSN, 0.99, "bsn.elfproef", why)
		return
	}
	if D != 9 || ssnLayout {
		return
	}
	plain := sep == 0 || sep == '.' && (s.sizes(g0, g1, 4, 2, 3) || s.sizes(g0, g1, 3, 3, 3) || s.sizes(g0, g1, 3, 2, 4)) || sep == ' ' && s.sizes(g0, g1, 3, 3, 3)
	if !plain || s.pr.not || s.ctxBefore(st, 40, &s.e.kw.notBSN) || s.ctxBefore(st, 40, &s.e.kw.phone) {
		return
	}
	s.add(st, en, BSN, 0.75, "bsn.elfproef", "11-proof, no context word")
}
