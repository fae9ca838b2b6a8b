package rules

import "strings"

// usStates lists US state and territory codes.
const usStates = "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI"

// isStreet reports whether w ends with a Dutch street suffix (Kerkstraat, Molenlaan).
func (e *Engine) isStreet(w string) bool {
	n := len(w)
	if n < 5 {
		return false
	}
	for _, suf := range e.streetSuffixes {
		if n >= len(suf)+2 && hasPrefixFold(w[n-len(suf):], suf) {
			return true
		}
	}
	return false
}

// isStreetWord reports whether w is itself a street word (Laan, Plein, Kade) that starts a name.
func (e *Engine) isStreetWord(w string) bool { return e.lexOf(w)&kStreetWord != 0 }

// houseNumber matches a house number at i (after one space): 12, 12a, 12-3, 12 A, 12bis.
// It returns its end, or 0.
func houseNumber(t string, i int) int {
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
	for _, suf := range [...]string{"bis", "hs", "huis"} {
		if strings.HasPrefix(t[i:], suf) && (i+len(suf) == len(t) || !isAlpha(t[i+len(suf)])) {
			return i + len(suf)
		}
	}
	if i+1 < len(t) && t[i] == '-' && isAlnum(t[i+1]) {
		k := i + 1
		for k < len(t) && isAlnum(t[k]) && k-i < 5 {
			k++
		}
		return k
	}
	for _, suf := range [...]string{" hs", " bis", " huis", " zw", " rd", " bg", " rood", " zwart", " boven", " beneden", " II", " III", " IV"} {
		if strings.HasPrefix(t[i:], suf) && (i+len(suf) == len(t) || !isAlpha(t[i+len(suf)])) {
			return i + len(suf)
		}
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
		lx := s.e.lexOf(w)
		if e-k == 2 && isUpper(t[k]) && isUpper(t[k+1]) && end > 0 && e+1 < len(t) && t[e] == ' ' && isDigit(t[e+1]) && strings.Contains(usStates, w) {
			break // "Tucson AZ 85701": the state is not part of the city
		}
		if startsUpper(t, k) || strings.HasPrefix(w, "'s-") || strings.HasPrefix(w, "'S-") {
			if lx&(kStop|kGreeting) != 0 && lx&kNotName == 0 {
				break
			}
			end = e
		} else if lx&kParticle == 0 && w != "aan" && w != "bij" {
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
	i = unitAfter(t, i)
	if i < len(t) && (t[i] == '\n' || t[i] == '\r') {
		return s.blockTail(i)
	}
	end := i
	k := i
	if k < len(t) && t[k] == ',' {
		k++
	}
	if k < len(t) && t[k] == ' ' {
		if p := nlPostcode(t, k+1); p > 0 {
			end = p
			if c := s.cityAt(p); c > 0 {
				end = c
			}
			return end
		}
		if p := ukPostcode(t, k+1); p > 0 {
			return p
		}
		if p := plainPostcode(t, k+1); p > 0 && k > i {
			// ", 1000 Bruxelles", ", 10115 Berlin": a Belgian, German or French postcode and town.
			if c := s.cityAt(p); c > 0 {
				return c
			}
		}
		if k > i || strings.HasPrefix(t[k:], " in ") || strings.HasPrefix(t[k:], " te ") {
			c0 := k
			if w := t[k:min(len(t), k+4)]; w == " in " || w == " te " {
				c0 = k + 3
			}
			if c := s.cityAt(c0); c > 0 {
				end = c
				// ", IL 60601" / " NW1 6XE" / ", 1234 AB"
				k = end
				if k < len(t) && t[k] == ',' {
					k++
				}
				if k+1 < len(t) && t[k] == ' ' {
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
				}
			}
		}
	}
	return end
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
func unitAfter(t string, i int) int {
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
	for _, u := range [...]string{"Apt. ", "Apt ", "Apartment ", "Suite ", "Ste ", "Unit ", "Flat ", "#"} {
		if strings.HasPrefix(rest, u) {
			n := k + len(u)
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
	}
	return i
}

// street detects a Dutch-style address: a street name ending in a street
// suffix (or any capitalised name after an address word) and a house number.
func (s *scanner) street(a, we int, lx uint32) int {
	if !s.e.enabledAny(Address) {
		return 0
	}
	t := s.text
	w := t[a:we]
	end := we
	// Cheap gate: a house number, or another capitalised word or particle, must follow.
	if houseNumber(t, we) == 0 {
		if we+2 >= len(t) || t[we] != ' ' || !isUpper(t[we+1]) && !isLower(t[we+1]) {
			return 0
		}
		if isLower(t[we+1]) && lx&kStreetWord == 0 {
			// "Willem de Zwijgerlaan": short lower-case particles, then a capitalised word.
			if c := t[we+1]; c != 'v' && c != 'd' && c != 't' && c != 'o' && c != 'i' && c != 'l' || !particlesThenUpper(t, we) {
				return 0
			}
			if k, e := nextWord(t, we); k < 0 || s.e.lexOf(t[k:e])&kParticle == 0 {
				return 0
			}
		}
	}
	if !s.e.isStreet(w) {
		// "Laan van Meerdervoort 12", "Lange Voorhout 12": a street word on its own, or
		// capitalised words after an address word, then up to three more words.
		// "Karel Doormanstraat 12", "Willem de Zwijgerlaan 5": words before a street name.
		lastStreet := false
		for n := 0; n < 3; n++ {
			if houseNumber(t, end) > 0 {
				break
			}
			k, e := nextWord(t, end)
			if k < 0 || !startsUpper(t, k) && s.e.lexOf(t[k:e])&kParticle == 0 {
				return 0
			}
			end = e
			lastStreet = startsUpper(t, k) && s.e.isStreet(t[k:e])
		}
		if lx&kStreetWord == 0 && !(lastStreet && lx&(kStop|kGreeting|kIntro|kAddrCtx) == 0) &&
			(lx&(kStop|kNotName|kGreeting) != 0 || lx>>kMonthShift&0xf != 0 || !s.ctxBefore(a, 24, &s.e.kw.addr) || sentenceBetween(t, a)) {
			return 0
		}
	}
	h := houseNumber(t, end)
	if h == 0 {
		return 0
	}
	// Reject "Kerkstraat 12:30" and amounts.
	if h < len(t) && (t[h] == ':' || t[h] == ',' && h+1 < len(t) && isDigit(t[h+1])) {
		return 0
	}
	start := a
	// "Prins Hendrikkade", "Burgemeester de Withstraat": preceding capitalised words and particles
	// (only when the street name itself starts at a).
	for n := 0; n < 3 && end == we; n++ {
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
		pw := t[ws:p]
		lx := s.e.lexOf(pw)
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
	end = s.addressTail(h)
	conf := float32(0.9)
	if end > h {
		conf = 0.95
	}
	s.add(start, end, Address, conf, "address.street", "street name and house number")
	return end
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
	if ge-gs > 5 || t[gs] == '0' {
		return 0
	}
	i := ge
	if i < len(t) && isAlpha(t[i]) && i+1 < len(t) && t[i+1] == ' ' {
		i++
	}
	// Capitalised words, the last a street type. "W 42nd St", "E 7th Street": a directional
	// and an ordinal count as the name.
	n0 := 0
	if o := ordinalStreet(t, i); o > i {
		i, n0 = o, 1
	}
	k, e := nextWord(t, i)
	streetEnd := 0
	for n := n0; n < 4+n0 && k >= 0 && startsUpper(t, k); n++ {
		lx := s.e.lexOf(t[k:e])
		if lx&kStreetType != 0 && n > 0 {
			streetEnd = e
			if e < len(t) && t[e] == '.' && e-k <= 4 {
				streetEnd = e + 1
			}
			// "Birch Hollow Lane", "Meadow View Road": another street type right after.
			if k2, e2 := nextWord(t, e); k2 >= 0 && startsUpper(t, k2) && s.e.lexOf(t[k2:e2])&kStreetType != 0 {
				streetEnd = e2
				if e2 < len(t) && t[e2] == '.' && e2-k2 <= 4 {
					streetEnd = e2 + 1
				}
			}
			break
		}
		if lx&(kStop|kGreeting) != 0 && n == 0 {
			break
		}
		k, e = nextWord(t, e)
	}
	if streetEnd == 0 {
		// "101A Queensway", "12 Kingsway": one word ending in -way after an address word.
		k, e = nextWord(t, i)
		if k < 0 || !startsUpper(t, k) || e-k < 6 || !strings.HasSuffix(t[k:e], "way") ||
			s.e.lexOf(t[k:e])&(kStop|kGreeting|kNotName) != 0 || !s.ctxBefore(gs, 40, &s.e.kw.addr) {
			return 0
		}
		streetEnd = e
	}
	start := from
	// "Flat 29, 235B Oak Avenue", "Apt 4, ..."
	for _, unit := range [...]string{"Flat ", "Apartment ", "Apt ", "Unit ", "Suite ", "Appartement "} {
		lo := max(0, gs-len(unit)-8)
		if idx := strings.LastIndex(t[lo:gs], unit); idx >= 0 {
			seg := t[lo+idx+len(unit) : gs]
			if len(seg) >= 3 && isDigit(seg[0]) && strings.HasSuffix(seg, ", ") && from == gs {
				start = lo + idx
			}
		}
	}
	end := s.addressTail(streetEnd)
	s.add(start, end, Address, 0.9, "address.street_line", "house number and street type")
	return end
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
		lx := s.e.lexOf(t[k:e])
		if startsUpper(t, k) || t[k] == '\'' {
			if lx&(kStop|kGreeting) != 0 && lx&kNotName == 0 {
				return 0
			}
		} else if lx&kParticle == 0 && t[k:e] != "aan" {
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
func ordinalStreet(t string, i int) int {
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
	switch t[d : d+2] {
	case "st", "nd", "rd", "th":
	default:
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
