package rules

import "strings"

// usStates lists US state and territory codes.
const usStates = "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI"

// isStreet reports whether w ends with a street suffix (Kerkstraat, Molenlaan, Hauptstraße).
func (s *scanner) isStreet(w string) bool { return len(w) >= 5 && s.suffixIn(setStreetSuffix, w, 2) }

// houseNumber matches a house number at i (after one space): 12, 12a, 12-3, 12 A, 12bis.
// It returns its end, or 0.
func (s *scanner) houseNumber(t string, i int) int {
	if i >= len(t) || t[i] != ' ' {
		return 0
	}
	i++
	st := i
	for i < len(t) && isDigit(t[i]) && i-st < 5 {
		i++
	}
	if i == st || t[st] == '0' || i < len(t) && isDigit(t[i]) {
		return 0
	}
	if i < len(t) && isAlpha(t[i]) && (i+1 == len(t) || !isAlpha(t[i+1])) {
		return i + 1
	}
	if n := s.wordAtIn(setHouseSuffix, t, i); n > 0 {
		return i + n
	}
	if i+1 < len(t) && t[i] == '-' && isAlnum(t[i+1]) {
		k := i + 1
		for k < len(t) && isAlnum(t[k]) && k-i < 5 {
			k++
		}
		return k
	}
	if n := s.wordAtIn(setHouseSuffixWord, t, i); n > 0 {
		return i + n
	}
	if i < len(t) && isAlpha(t[i]) {
		return 0
	}
	return i
}

// nlPostcode matches a Dutch postcode (1234 AB or 1234AB) at i and returns its end, or 0.
func nlPostcode(t string, i int) int {
	if i+6 > len(t) || t[i] < '1' || t[i] > '9' || !isDigit(t[i+1]) || !isDigit(t[i+2]) || !isDigit(t[i+3]) {
		return 0
	}
	k := i + 4
	if k < len(t) && t[k] == ' ' {
		k++
	}
	if k+2 > len(t) || !isUpper(t[k]) || !isUpper(t[k+1]) || k+2 < len(t) && (isAlnum(t[k+2]) || t[k+2] == '_') {
		return 0
	}
	return k + 2
}

// plainPostcode matches four or five digits (optionally after "B-", "D-", "F-" or "L-") at i that
// are followed by a space, and returns their end, or 0.
func plainPostcode(t string, i int) int {
	if i+2 < len(t) && t[i+1] == '-' && strings.IndexByte("BDFL", t[i]) >= 0 {
		i += 2
	}
	k := i
	for k < len(t) && isDigit(t[k]) && k-i < 6 {
		k++
	}
	if n := k - i; n < 4 || n > 5 || t[i] == '0' && n == 4 || k >= len(t) || t[k] != ' ' {
		return 0
	}
	return k
}

// cityAt matches one to three capitalised words (with particles: Alphen aan den Rijn, Den Haag) after
// one space at i, returning the end, or 0.
func (s *scanner) cityAt(i int) int {
	t := s.text
	end := 0
	k, e := nextWord(t, i)
	for n := 0; n < 4 && k >= 0; n++ {
		w := t[k:e]
		if e < len(t) && isDigit(t[e]) || ukPostcode(t, k) > 0 || nlPostcode(t, k) > 0 {
			break
		}
		lx := s.lexOf(w)
		if e-k == 2 && isUpper(t[k]) && isUpper(t[k+1]) && end > 0 && e+1 < len(t) && t[e] == ' ' && isDigit(t[e+1]) && strings.Contains(usStates, w) {
			break // "Tucson AZ 85701": the state is not part of the city
		}
		if startsUpper(t, k) || strings.HasPrefix(w, "'s-") || strings.HasPrefix(w, "'S-") {
			if lx&(kStop|kGreeting) != 0 && lx&kNotName == 0 {
				break
			}
			end = e
		} else if lx&kParticle == 0 && !s.inSet(setCityJoiner, w) {
			break
		}
		k, e = nextWord(t, e)
	}
	return end
}

// addressTail extends an address ending at i with ", 1234 AB City", " in City", ", City",
// ", IL 60601" or a UK postcode.
func (s *scanner) addressTail(i int) int {
	t := s.text
	i = s.unitAfter(t, i)
	if i < len(t) && (t[i] == '\n' || t[i] == '\r') {
		return s.blockTail(i)
	}
	k := i
	if k < len(t) && t[k] == ',' {
		k++
	}
	if k >= len(t) || t[k] != ' ' {
		return i
	}
	if p := s.postcodeTail(k+1, k > i); p > 0 {
		return p
	}
	c0 := k
	if n := s.prefixIn(setCityBefore, t[k+1:]); n > 0 && k+1+n < len(t) && t[k+1+n] == ' ' {
		c0 = k + 1 + n // " in Utrecht", " te Amsterdam"
	} else if k == i {
		return i
	}
	c := s.cityAt(c0)
	if c == 0 {
		return i
	}
	if p := s.afterCity(c); p > 0 {
		return p
	}
	return c
}

// postcodeTail matches a postcode at i (after ", " or " "): a Dutch postcode with its town,
// a UK postcode, or, after a comma, four or five digits and a town (", 1000 Bruxelles",
// ", 10115 Berlin"). It returns the end, or 0.
func (s *scanner) postcodeTail(i int, comma bool) int {
	t := s.text
	if p := nlPostcode(t, i); p > 0 {
		if c := s.cityAt(p); c > 0 {
			return c
		}
		return p
	}
	if p := ukPostcode(t, i); p > 0 {
		return p
	}
	if p := plainPostcode(t, i); p > 0 && comma {
		return s.cityAt(p)
	}
	return 0
}

// afterCity extends a town ending at k over ", IL 60601", " NW1 6XE" or ", 1234 AB", and
// returns the end, or 0.
func (s *scanner) afterCity(k int) int {
	t := s.text
	if k < len(t) && t[k] == ',' {
		k++
	}
	if k+1 >= len(t) || t[k] != ' ' {
		return 0
	}
	if p := ukPostcode(t, k+1); p > 0 {
		return p
	}
	if p := nlPostcode(t, k+1); p > 0 {
		return p
	}
	if k+4 < len(t) && isUpper(t[k+1]) && isUpper(t[k+2]) && t[k+3] == ' ' && strings.Contains(usStates, t[k+1:k+3]) {
		z := k + 4
		for z < len(t) && isDigit(t[z]) && z-(k+4) < 5 {
			z++
		}
		if z-(k+4) == 5 {
			if z+5 < len(t) && t[z] == '-' && isDigit(t[z+1]) {
				z += 5
			}
			return z
		}
		return k + 3
	}
	return 0
}

// particlesThenUpper is a cheap filter: after the space at i come one to three lower-case
// words of at most four letters and then a capitalised word.
func particlesThenUpper(t string, i int) bool {
	for n := 0; n < 3; n++ {
		if i+1 >= len(t) || t[i] != ' ' {
			return false
		}
		i++
		if isUpper(t[i]) {
			return n > 0
		}
		k := i
		for k < len(t) && (isLower(t[k]) || t[k] == '\'') && k-i <= 4 {
			k++
		}
		if k == i || k-i > 4 {
			return false
		}
		i = k
	}
	return false
}

// unitAfter extends a street line at i over a directional and a unit designator:
// " NW", ", Apt 20", " Suite 300", ", Unit 4B", " #12". It returns the new end (i if none).
func (s *scanner) unitAfter(t string, i int) int {
	if i+3 < len(t) && t[i] == ' ' && (t[i+1] == 'N' || t[i+1] == 'S') && (t[i+2] == 'W' || t[i+2] == 'E') &&
		(i+3 == len(t) || !isAlnum(t[i+3])) {
		i += 3
	}
	k := i
	if k < len(t) && t[k] == ',' {
		k++
	}
	if k >= len(t) || t[k] != ' ' {
		return i
	}
	k++
	rest := t[k:]
	u := s.prefixIn(setUnitAfter, rest)
	if u == 0 {
		return i
	}
	n := k + u
	d := n
	for d < len(t) && isDigit(t[d]) && d-n < 5 {
		d++
	}
	if d == n {
		return i
	}
	if d < len(t) && isUpper(t[d]) && (d+1 == len(t) || !isAlnum(t[d+1])) {
		d++
	}
	if d < len(t) && isAlnum(t[d]) {
		return i
	}
	return d
}

// street detects a Dutch-style address: a street name ending in a street
// suffix (or any capitalised name after an address word) and a house number.
func (s *scanner) street(a, we int, lx uint32) int {
	t := s.text
	if !s.e.enabledAny(Address) {
		return 0
	}
	if lx&kStreetWord == 0 && lx&(kStop|kGreeting) != 0 && lx&kStreetEnding == 0 { // and !isStreet
		// A common word or a greeting that is no street name: streetWords refuses it whatever
		// follows (a street word or a street after it does not make it one).
		return 0
	}
	if !s.streetGate(we, lx) {
		return 0
	}
	end := we
	if !s.isStreet(t[a:we]) {
		if end = s.streetWords(a, we, lx); end == 0 {
			return 0
		}
	}
	h := s.houseNumber(t, end)
	if h == 0 {
		return 0
	}
	// Reject "Kerkstraat 12:30" and amounts.
	if h < len(t) && (t[h] == ':' || t[h] == ',' && h+1 < len(t) && isDigit(t[h+1])) {
		return 0
	}
	start := a
	if end == we {
		start = s.streetStart(a)
	}
	end = s.addressTail(h)
	conf := float32(0.9)
	if end > h {
		conf = 0.95
	}
	s.add(start, end, Address, conf, "address.street", "street name and house number")
	return end
}

// streetGate is the cheap gate of street: a house number, or another capitalised word or
// particles and a capitalised word, must follow the word ending at we.
func (s *scanner) streetGate(we int, lx uint32) bool {
	t := s.text
	if s.houseNumber(t, we) > 0 {
		return true
	}
	if we+2 >= len(t) || t[we] != ' ' || !isUpper(t[we+1]) && !isLower(t[we+1]) {
		return false
	}
	if isLower(t[we+1]) && lx&kStreetWord == 0 {
		// "Willem de Zwijgerlaan": short lower-case particles, then a capitalised word.
		if !s.e.gates.particleFirst[t[we+1]] || !particlesThenUpper(t, we) {
			return false
		}
		if k, e := nextWord(t, we); k < 0 || s.lexOf(t[k:e])&kParticle == 0 {
			return false
		}
	}
	return true
}

// streetWords handles a street name that does not end in a street suffix: "Laan van
// Meerdervoort 12", "Lange Voorhout 12" (a street word on its own, or capitalised words after an
// address word), "Karel Doormanstraat 12", "Willem de Zwijgerlaan 5" (words before a street
// name). It returns the end of the name, or 0.
func (s *scanner) streetWords(a, we int, lx uint32) int {
	t := s.text
	end := we
	lastStreet := false
	for n := 0; n < 3; n++ {
		if s.houseNumber(t, end) > 0 {
			break
		}
		k, e := nextWord(t, end)
		if k < 0 || !startsUpper(t, k) && s.lexOf(t[k:e])&kParticle == 0 {
			return 0
		}
		end = e
		lastStreet = startsUpper(t, k) && s.isStreet(t[k:e])
	}
	if lx&kStreetWord == 0 && !(lastStreet && lx&(kStop|kGreeting|kIntro|kAddrCtx) == 0) &&
		(lx&(kStop|kNotName|kGreeting) != 0 || lx>>kMonthShift&0xf != 0 || !s.ctxBefore(a, 24, &s.e.kw.addr) || sentenceBetween(t, a)) {
		return 0
	}
	return end
}

// streetStart extends a street name starting at a back over capitalised words and particles
// before it ("Prins Hendrikkade", "Burgemeester de Withstraat").
func (s *scanner) streetStart(a int) int {
	t := s.text
	start := a
	for n := 0; n < 3; n++ {
		p := start - 1
		if p <= 0 || t[p] != ' ' {
			break
		}
		ws := p
		for ws > 0 && (isAlpha(t[ws-1]) || t[ws-1] >= 0x80 || t[ws-1] == '.') {
			ws--
		}
		if ws == p {
			break
		}
		lx := s.lexOf(t[ws:p])
		if startsUpper(t, ws) && (lx&(kStop|kGreeting|kNotName|kIntro|kAddrCtx) == 0 || lx&kParticle != 0 && n == 0) && nameKind(lx)&nameFirst == 0 {
			start = ws
			continue
		}
		if lx&kParticle != 0 && n == 0 && ws > 1 && t[ws-1] == ' ' && startsUpper(t, ws-1-wordBack(t, ws-1)) {
			start = ws
			continue
		}
		break
	}
	return start
}

// wordBack returns the length of the word ending at e.
func wordBack(t string, e int) int {
	i := e
	for i > 0 && isAlpha(t[i-1]) {
		i--
	}
	return e - i
}

// numberAddress handles addresses that start with a number: Dutch postcodes
// (1234 AB City) and English street lines (12B High Street, Springfield, IL 62704).
// gs..ge is a single digit group. It returns the end, or 0.
func (s *scanner) numberAddress(from, gs, ge int) int {
	if !s.e.enabledAny(Address) {
		return 0
	}
	t := s.text
	if p := nlPostcode(t, gs); p > 0 && ge-gs == 4 && from == gs {
		return s.postcodeAddress(gs, p)
	}
	if ge-gs > 5 || t[gs] == '0' {
		return 0
	}
	i := ge
	if i < len(t) && isAlpha(t[i]) && i+1 < len(t) && t[i+1] == ' ' {
		i++
	}
	streetEnd := s.streetWordLine(i)
	if streetEnd == 0 {
		streetEnd = s.streetTypeLine(i)
	}
	if streetEnd == 0 {
		// "101A Queensway", "12 Kingsway": one word ending in -way after an address word.
		k, e := nextWord(t, i)
		if k < 0 || !startsUpper(t, k) || e-k < 6 || !s.endsIn(setWayEnd, t[k:e]) ||
			s.lexOf(t[k:e])&(kStop|kGreeting|kNotName) != 0 || !s.ctxBefore(gs, 40, &s.e.kw.addr) {
			return 0
		}
		streetEnd = e
	}
	start := from
	if from == gs {
		start = s.unitBefore(gs)
	}
	end := s.addressTail(streetEnd)
	s.add(start, end, Address, 0.9, "address.street_line", "house number and street type")
	return end
}

// postcodeAddress reports a Dutch postcode at gs..p with the town after it.
func (s *scanner) postcodeAddress(gs, p int) int {
	end := p
	conf := float32(0.8)
	if c := s.cityAt(p); c > 0 {
		end, conf = c, 0.9
	}
	if s.ctxBefore(gs, 32, &s.e.kw.addr) {
		conf = 0.95
	}
	s.add(gs, end, Address, conf, "address.nl_postcode", "Dutch postcode")
	return end
}

// streetTypeLine matches the street of an English street line after the house number
// ending at i: capitalised words, the last a street type ("12B High Street", "W 42nd St",
// "Birch Hollow Lane"). It returns the end of the street, or 0.
func (s *scanner) streetTypeLine(i int) int {
	t := s.text
	// "W 42nd St", "E 7th Street": a directional and an ordinal count as the name.
	n0 := 0
	if o := s.ordinalStreet(t, i); o > i {
		i, n0 = o, 1
	}
	k, e := nextWord(t, i)
	for n := n0; n < 4+n0 && k >= 0 && startsUpper(t, k); n++ {
		lx := s.lexOf(t[k:e])
		if lx&kStreetType != 0 && n > 0 {
			end := abbrevEnd(t, k, e)
			// "Birch Hollow Lane", "Meadow View Road": another street type right after.
			if k2, e2 := nextWord(t, e); k2 >= 0 && startsUpper(t, k2) && s.lexOf(t[k2:e2])&kStreetType != 0 {
				end = abbrevEnd(t, k2, e2)
			}
			return end
		}
		if lx&(kStop|kGreeting) != 0 && n == 0 {
			break
		}
		k, e = nextWord(t, e)
	}
	return 0
}

// streetWordLine matches a street that starts with a street word after the house number ending
// at i, the French order: "12 rue de la Paix", "40 place de la République", "8 avenue Victor
// Hugo". Particles may follow the street word; then one to three capitalised words. It returns
// the end of the street, or 0.
func (s *scanner) streetWordLine(i int) int {
	t := s.text
	k, e := nextWord(t, i)
	if k < 0 || s.lexOf(t[k:e])&kStreetWord == 0 {
		return 0
	}
	end := 0
	for n := 0; n < 6; n++ {
		k, e = nextWord(t, e)
		if k < 0 {
			break
		}
		if startsUpper(t, k) {
			end = e
			continue
		}
		if end > 0 || s.lexAt(k, e)&kParticle == 0 {
			break
		}
	}
	return end
}

// abbrevEnd returns the end of the word t[k:e] with the dot of a short abbreviation (St., Ave.).
func abbrevEnd(t string, k, e int) int {
	if e < len(t) && t[e] == '.' && e-k <= 4 {
		return e + 1
	}
	return e
}

// unitBefore extends a street line starting at gs back over a unit before it ("Flat 29,
// 235B Oak Avenue", "Apt 4, ...") and returns the new start.
func (s *scanner) unitBefore(gs int) int {
	t := s.text
	start := gs
	if gs < 2 || t[gs-2:gs] != ", " {
		return start // every unit ends in ", " before the number
	}
	for _, u := range s.e.sets[setUnitBefore] {
		if u.mask&s.mask == 0 {
			continue
		}
		lo := max(0, gs-len(u.w)-8)
		if idx := strings.LastIndex(t[lo:gs], u.w); idx >= 0 {
			seg := t[lo+idx+len(u.w) : gs]
			if len(seg) >= 3 && isDigit(seg[0]) && strings.HasSuffix(seg, ", ") {
				start = lo + idx
			}
		}
	}
	return start
}

// blockTail extends a street line that ends at the line break i over the next lines of an
// address block: "1234 AB City", a UK postcode, "City\nPOSTCODE" or "City, ST 12345".
// A town line on its own is taken only when a postcode or state and ZIP follow it.
func (s *scanner) blockTail(i int) int {
	t := s.text
	k := i
	if k < len(t) && t[k] == '\r' {
		k++
	}
	if k >= len(t) || t[k] != '\n' {
		return i
	}
	k++
	if p := nlPostcode(t, k); p > 0 {
		if c := s.cityAt(p); c > 0 {
			return c
		}
		if p+2 < len(t) && t[p] == ' ' && t[p+1] == ' ' {
			if c := s.cityAt(p + 1); c > 0 {
				return c
			}
		}
		return p
	}
	if p := ukPostcode(t, k); p > 0 {
		return p
	}
	if p := plainPostcode(t, k); p > 0 {
		if c := s.cityAt(p); c > 0 {
			return c // "Hauptstraße 12\n10115 Berlin", "Kerkstraat 12\n2000 Antwerpen"
		}
	}
	c := s.cityLine(k)
	if c == 0 {
		return i
	}
	if e := stateZip(t, c); e > 0 {
		return e
	}
	if c < len(t) && (t[c] == '\n' || t[c] == ',' && c+1 < len(t) && t[c+1] == '\n') {
		n := c + 1
		if t[c] == ',' {
			n++
		}
		if p := ukPostcode(t, n); p > 0 {
			return p
		}
	}
	return i
}

// cityLine matches one to four capitalised words (particles allowed) starting at i and ending
// at a line break, a comma or a space before a state code; it returns the end, or 0.
func (s *scanner) cityLine(i int) int {
	t := s.text
	k := i
	end := 0
	for n := 0; n < 4 && k < len(t); n++ {
		e := wordEnd(t, k, min(len(t), k+40))
		if t[k] == '\'' && k+1 < len(t) && isAlpha(t[k+1]) {
			e = wordEnd(t, k+1, min(len(t), k+40))
		}
		if e <= k {
			break
		}
		lx := s.lexOf(t[k:e])
		if startsUpper(t, k) || t[k] == '\'' {
			if lx&(kStop|kGreeting) != 0 && lx&kNotName == 0 {
				return 0
			}
		} else if lx&kParticle == 0 && !s.inSet(setCityJoiner, t[k:e]) {
			return 0
		}
		end = e
		if e >= len(t) || t[e] != ' ' || e+1 < len(t) && !isAlpha(t[e+1]) && t[e+1] != '\'' {
			break
		}
		k = e + 1
	}
	if end == 0 || end < len(t) && t[end] != '\n' && t[end] != ',' && t[end] != ' ' && t[end] != '\r' {
		return 0
	}
	return end
}

// stateZip matches ", ST 12345" or " ST 12345" (US state and ZIP) at i and returns the end, or 0.
func stateZip(t string, i int) int {
	k := i
	if k < len(t) && t[k] == ',' {
		k++
	}
	if k+9 > len(t) || t[k] != ' ' || !isUpper(t[k+1]) || !isUpper(t[k+2]) || t[k+3] != ' ' || !strings.Contains(usStates, t[k+1:k+3]) {
		return 0
	}
	z := k + 4
	for z < len(t) && isDigit(t[z]) && z-(k+4) < 5 {
		z++
	}
	if z-(k+4) != 5 || z < len(t) && isAlnum(t[z]) && t[z] != '-' {
		return 0
	}
	if z+5 <= len(t) && t[z] == '-' && isDigit(t[z+1]) {
		z += 5
	}
	return z
}

// ordinalStreet matches " W 42nd" / " 5th" / " E. 7th" (an optional compass letter and an
// ordinal) after the house number ending at i and returns the end of the ordinal, or i.
func (s *scanner) ordinalStreet(t string, i int) int {
	k := i
	if k+2 < len(t) && t[k] == ' ' && (t[k+1] == 'N' || t[k+1] == 'S' || t[k+1] == 'E' || t[k+1] == 'W') {
		d := k + 2
		if d < len(t) && (t[d] == 'E' || t[d] == 'W') {
			d++
		}
		if d < len(t) && t[d] == '.' {
			d++
		}
		if d < len(t) && t[d] == ' ' {
			k = d
		}
	}
	if k >= len(t) || t[k] != ' ' {
		return i
	}
	d := k + 1
	for d < len(t) && isDigit(t[d]) && d-k <= 3 {
		d++
	}
	if d == k+1 || d+2 > len(t) {
		return i
	}
	if s.prefixIn(setStreetOrdinal, t[d:d+2]) != 2 {
		return i
	}
	if d+2 < len(t) && t[d+2] != ' ' {
		return i
	}
	return d + 2
}

// sentenceBetween reports whether a sentence end ("? ", "! ", ". ") lies in the 24 bytes before a,
// so an address word in an earlier sentence does not count.
func sentenceBetween(t string, a int) bool {
	for i := a - 2; i >= max(0, a-24); i-- {
		if (t[i] == '?' || t[i] == '!' || t[i] == '.') && t[i+1] == ' ' {
			return true
		}
	}
	return false
}
