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
	n := len(t)
	if a > 0 {
		p := t[a-1]
		if p == '#' || p == '$' || strings.HasSuffix(s.text[:a], "€") || strings.HasSuffix(s.text[:a], "£") {
			return j
		}
		if (p == '-' || p == '_' || p == '/' || p == '.') && a >= 2 && isAlnum(t[a-2]) || p == ':' && a >= 2 && isDigit(t[a-2]) {
			// Part of an identifier or a time/date tail: INV-2024-1234, v1.2, 10:30 ("ip:10.0.0.1" is not).
			return j
		}
		if a >= 2 && t[a-1] == ' ' && t[a-2] == '-' {
			// Keep going: "Tel - 06..." is fine.
		}
	}
	start := a
	plus := t[a] == '+'
	i := a
	if plus {
		i++
	} else if a > 0 && t[a-1] == '(' {
		start = a - 1
	}
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
	end := groups[len(groups)-1].end
	glued := end < n && (isAlpha(t[end]) || t[end] >= 0x80 || t[end] == '_')
	// A trailing ':' + digit means a time (10:30) or a port; a trailing '.' + digit a version tail.
	port := end+1 < n && t[end] == ':' && isDigit(t[end+1])
	if end+1 < n && (t[end] == ':' || t[end] == ',' && isDigit(t[end+1]) && end+3 < n && isDigit(t[end+2]) && !isDigit(t[end+3])) && isDigit(t[end+1]) {
		glued = true
	}
	G := len(groups)
	phoneEnd := -1
	var phoneConf float32
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
				if conf := s.phoneWindow(start, plus, g1, D); conf > 0 {
					phoneEnd, phoneConf = groups[g1].end, conf
				}
			}
			s.numberWindow(g0, g1, D)
		}
	}
	if phoneEnd > 0 {
		s.add(start, phoneEnd, Phone, phoneConf, "phone.format", "phone number layout and length")
	}
	// Run-level detectors: postcodes, leading house numbers, day + month name dates.
	if G == 1 && !plus {
		g := groups[0]
		if e := s.numberAddress(g.start, g.start, g.end); e > 0 {
			return max(e, j)
		}
		if g.end-g.start <= 2 {
			if e := s.dateWords(g.start); e > 0 {
				return max(e, j)
			}
		}
	}
	// "1/29 Abbey Close", "3/36 Windmill Hill": flat / house number.
	if G == 2 && !plus && groups[1].start == groups[0].end+1 && s.text[groups[0].end] == '/' &&
		groups[0].end-groups[0].start <= 3 && groups[1].end-groups[1].start <= 3 {
		if e := s.numberAddress(groups[0].start, groups[1].start, groups[1].end); e > 0 {
			return max(e, j)
		}
	}
	if G >= 3 && !glued {
		s.numericDates(groups)
	}
	if end < j {
		return j
	}
	return end
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
	t := s.text
	st, en := s.groups[g0].start, s.groups[g1].end
	if g0 > 0 {
		// A window inside a run must start after a plain space.
		if s.sepOf(g0-1) != " " {
			return
		}
	} else if st > 0 && t[st-1] == '+' {
		return
	}
	// 10.0.0.0/8: a dotted quad may end in a /prefix.
	cidr := g1 == len(s.groups)-2 && s.sepOf(g1) == "/" && s.groups[g1+1].end-s.groups[g1+1].start <= 3
	if g1 < len(s.groups)-1 && s.sepOf(g1) != " " && !cidr {
		return
	}
	sep := s.uniformSep(g0, g1)
	if g1-g0 == 3 && sep == '.' && D <= 12 {
		if g0 != 0 || g1 != len(s.groups)-1 && !cidr {
			return // part of a longer dotted run; a /prefix after it is fine (10.0.0.0/8)
		}
		for k := g0; k <= g1; k++ {
			g := s.groups[k]
			l := g.end - g.start
			if l > 3 || l > 1 && t[g.start] == '0' {
				return
			}
			v := 0
			for _, c := range []byte(t[g.start:g.end]) {
				v = v*10 + int(c-'0')
			}
			if v > 255 {
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
	case D >= 13 && D <= 19:
		if sep != 0 && sep != ' ' && sep != '-' && sep != '.' {
			return
		}
		for k := g0; k <= g1; k++ {
			if s.groups[k].end-s.groups[k].start < 3 {
				return
			}
		}
		d := s.collect(g0, g1)
		if !luhn(d) {
			return
		}
		issuer := cardIssuer(d)
		cardCtx := s.ctxBefore(st, 48, &s.e.kw.card)
		if !issuer && !cardCtx {
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
	case D == 9 || D == 8:
		if sep == 0xff || s.dateLayout(g0, g1) {
			return
		}
		d := s.collect(g0, g1)
		if D == 8 {
			d = append(d[:0], '0')
			d = append(d, t[s.groups[g0].start:s.groups[g0].end]...)
			for k := g0 + 1; k <= g1; k++ {
				d = append(d, t[s.groups[k].start:s.groups[k].end]...)
			}
			s.digits = d
		}
		ssnOK := D == 9 && ssnValid(d)
		elf := elfproef(d)
		if !ssnOK && !elf {
			return
		}
		ssnLayout := D == 9 && (sep == '-' || sep == ' ') && s.sizes(g0, g1, 3, 2, 4)
		ssnCtx := ssnOK && s.ctxBefore(st, 40, &s.e.kw.ssn)
		bsnCtx := s.ctxBefore(st, 48, &s.e.kw.bsn)
		if ssnOK && (ssnLayout && !bsnCtx || ssnCtx && (sep == 0 || ssnLayout)) {
			conf := float32(0.9)
			if ssnCtx {
				conf = 0.99
			}
			s.add(st, en, SSN, conf, "ssn.format", "SSN layout and valid area/group/serial")
			return
		}
		if !elf {
			return
		}
		if bsnCtx {
			s.add(st, en, BSN, 0.99, "bsn.elfproef", "11-proof and BSN context word")
			return
		}
		if D != 9 || ssnLayout {
			return
		}
		// Without context: only plain or dotted BSN layouts, and not after order/ticket words.
		plain := sep == 0 || sep == '.' && (s.sizes(g0, g1, 4, 2, 3) || s.sizes(g0, g1, 3, 3, 3) || s.sizes(g0, g1, 3, 2, 4)) || sep == ' ' && s.sizes(g0, g1, 3, 3, 3)
		if !plain || s.ctxBefore(st, 40, &s.e.kw.notBSN) {
			return
		}
		if s.ctxBefore(st, 40, &s.e.kw.phone) {
			return
		}
		s.add(st, en, BSN, 0.75, "bsn.elfproef", "11-proof, no context word")
	}
}
