package rules

// countryCode splits a calling code off the digits of an international number.
// It returns the code and its length, or 0, 0.
func countryCode(d []byte) (int, int) {
	if len(d) == 0 {
		return 0, 0
	}
	if d[0] == '1' || d[0] == '7' {
		return int(d[0] - '0'), 1
	}
	if len(d) < 2 {
		return 0, 0
	}
	two := int(d[0]-'0')*10 + int(d[1]-'0')
	switch two {
	case 20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56, 57, 58,
		60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98:
		return two, 2
	}
	if len(d) < 3 {
		return 0, 0
	}
	return two*10 + int(d[2]-'0'), 3
}

// possible reports whether nsn (national significant number digits) is a
// possible number for calling code cc. Common countries are checked inline;
// others use the lengths of their plans.
func possible(p *phonePlans, cc int, nsn []byte) bool {
	n := len(nsn)
	if n == 0 || nsn[0] == '0' {
		return false
	}
	switch cc {
	case 31: // Netherlands: 9 digits (6x mobile, 1-5/7 area codes, 8x services)
		return n == 9
	case 32: // Belgium: 8 digits, mobiles 4xx 9 digits
		return n == 8 || n == 9 && nsn[0] == '4'
	case 44: // United Kingdom: 10 digits (some 9)
		return (n == 10 || n == 9) && nsn[0] != '4' && nsn[0] != '6'
	case 1: // NANP: NXX-NXX-XXXX
		return n == 10 && nsn[0] >= '2' && nsn[3] >= '2'
	case 49: // Germany: variable length
		return n >= 6 && n <= 13
	case 33, 34, 48, 351, 212:
		return n == 9
	}
	return p.hasLength(cc, nsn)
}

// phoneWindow checks groups 0..g1 of the current run (D digits, starting at
// byte start; plus when written with a leading '+') as a phone number and
// returns a confidence, or 0.
func (s *scanner) phoneWindow(start int, plus bool, g1, D int) float32 {
	if !s.phoneDigits(plus, D) || s.dateLayout(0, g1) {
		return 0
	}
	small, ok := s.phoneLayout(g1, plus)
	if !ok {
		return 0
	}
	d := s.collect(0, g1)
	ctx := phoneCtx{s: s, start: start}
	intl := plus
	if !plus && len(d) > 2 && d[0] == '0' && d[1] == '0' {
		if g1 > 0 && s.groups[0].end-s.groups[0].start > 6 {
			// "0039436-554": a 00 prefix and country code are written apart from the rest
			// (0031 6 ..., 0044-20-...); a long first group is an article number.
			return 0
		}
		d = d[2:]
		intl = true
	}
	var conf float32
	switch {
	case intl:
		conf = s.e.plans.intl(d)
	case d[0] == '0':
		conf = s.trunkPhone(d, g1, small, &ctx)
	default:
		conf = s.northAmericanPhone(d, start, g1, &ctx)
	}
	if conf == 0 && !intl && small <= 1 && s.otherPlan() && (g1 > 0 && d[0] == '0' || ctx.ok()) &&
		s.e.plans.national(s.country(), d) {
		conf = 0.85
	}
	if conf == 0 || s.otherNumber(start, g1, &ctx) {
		return 0
	}
	if ctx.ok() {
		conf = 0.97
	}
	return conf
}

// phoneDigits reports whether a run of D digits can be a phone number. E.164
// allows 15 digits after the "+" or "00"; the shortest plans (Niue, Tokelau)
// have four-digit numbers after a three-digit code.
func (s *scanner) phoneDigits(plus bool, D int) bool {
	lo, hi := 8, 15
	if plus {
		lo = 7
	} else if D > 2 && s.text[s.groups[0].start] == '0' && s.text[s.groups[0].start+1] == '0' {
		hi = 17
	}
	return D >= lo && D <= hi
}

// otherNumber reports whether the digits at start belong to another number's
// word: a bare digit string after order, ticket or invoice words is a
// reference, and digit groups right after the word of another number (IBAN,
// SSN, BSN, card) with no phone word are that number.
func (s *scanner) otherNumber(start, g1 int, ctx *phoneCtx) bool {
	if !ctx.ok() {
		return s.ctxBefore(start, 24, &s.e.kw.notPhone)
	}
	return g1 == 0 && s.ctxBefore(start, 24, &s.e.kw.notBSN)
}

// phoneCtx looks up the phone context words before a number once, when first asked:
// most windows fail the cheap checks first.
type phoneCtx struct {
	s     *scanner
	start int
	state int8 // 0 not looked up, 1 found, 2 not found
}

func (c *phoneCtx) ok() bool {
	if c.state == 0 {
		c.state = 2
		if c.s.ctxBefore(c.start, 40, &c.s.e.kw.phone) {
			c.state = 1
		}
	}
	return c.state == 1
}

// phoneLayout checks the separators of groups 0..g1: no '/' (except in a national number's
// first separator) and no long separators other than brackets and " - ". It returns the
// number of single-digit groups.
func (s *scanner) phoneLayout(g1 int, plus bool) (int, bool) {
	for k := 0; k < g1; k++ {
		sep := s.sepOf(k)
		if (k > 0 || plus) && hasSlash(sep) {
			return 0, false
		}
		if len(sep) > 1 && sep != " (" && sep != ") " && sep != ")" && sep != " - " {
			return 0, false
		}
	}
	small := 0
	for k := 0; k <= g1; k++ {
		if s.groups[k].end-s.groups[k].start == 1 {
			small++
		}
	}
	return small, true
}

// hasSlash reports whether the separator sep (at most three bytes, see numSep) holds a '/'.
func hasSlash(sep string) bool {
	for i := 0; i < len(sep); i++ {
		if sep[i] == '/' {
			return true
		}
	}
	return false
}

// intl checks an international number d (after + or 00) against its
// country's plan: a number of a possible length that no number type of the
// plan has is not claimed, even after a phone word.
func (p *phonePlans) intl(d []byte) float32 {
	cc, l := countryCode(d)
	if cc == 0 {
		return 0
	}
	nsn := d[l:]
	// "+31 (0)6 ..." carries the trunk prefix in brackets; in Italy, Benin or
	// San Marino the leading 0 is part of the number.
	if len(nsn) > 0 && nsn[0] == '0' {
		if p.valid(cc, nsn) {
			return 0.9
		}
		nsn = nsn[1:]
	}
	// The length check first: it is cheap, and most windows of a digit run fail it.
	if !possible(p, cc, nsn) || !p.ok(cc, nsn) {
		return 0
	}
	return 0.9
}

// trunkPhone checks a national number d with a trunk prefix 0 against the plans of the
// event's region (and its neighbours), German numbers only after a phone word.
func (s *scanner) trunkPhone(d []byte, g1, small int, ctx *phoneCtx) float32 {
	if small > 1 {
		return 0
	}
	if g1 > 0 && s.groups[0].end-s.groups[0].start > 5 {
		// Trunk/area codes have at most five digits: 0737841-163 is an article number.
		return 0
	}
	nsn := d[1:]
	ok := false
	switch s.region() {
	case "NL":
		ok = possible(s.e.plans, 31, nsn) || possible(s.e.plans, 32, nsn)
	case "BE":
		ok = possible(s.e.plans, 32, nsn) || possible(s.e.plans, 31, nsn)
	case "GB":
		ok = possible(s.e.plans, 44, nsn) || possible(s.e.plans, 31, nsn)
	case "DE":
		ok = possible(s.e.plans, 49, nsn)
	case "FR":
		ok = possible(s.e.plans, 33, nsn) || possible(s.e.plans, 32, nsn)
	default:
		ok = possible(s.e.plans, 31, nsn) || possible(s.e.plans, 44, nsn) || possible(s.e.plans, 32, nsn)
	}
	if !ok && len(nsn) >= 7 && len(nsn) <= 11 && ctx.ok() {
		ok = s.e.plans.valid(49, nsn)
	}
	if !ok {
		return 0
	}
	if g1 == 0 && !ctx.ok() {
		if nsn[0] != '6' && nsn[0] != '7' {
			return 0
		}
		return 0.7
	}
	return 0.85
}

// northAmericanPhone checks North American layouts: (415) 555-0123, 415-555-0123,
// 415.555.0123, 1-415-555-0123.
func (s *scanner) northAmericanPhone(d []byte, start, g1 int, ctx *phoneCtx) float32 {
	nd := d
	first := 0
	if len(nd) == 11 && nd[0] == '1' {
		nd = nd[1:]
		first = 1
	}
	if len(nd) != 10 {
		return 0
	}
	foreign := s.region() != "" && s.region() != "US"
	if !foreign && !possible(s.e.plans, 1, nd) && !ctx.ok() {
		// Outside the numbering plan only after a phone word ("my phone number is
		// 206-020-8794"): a made-up or mistyped number is still the one the writer gave.
		return 0
	}
	paren := start < len(s.text) && s.text[start] == '(' ||
		first == 1 && g1 >= 1 && s.groups[1].start > 0 && s.text[s.groups[1].start-1] == '(' // 1 (415) 555-0123
	switch {
	case g1 == first+2 && s.sizes(first, g1, 3, 3, 4):
		sep := s.uniformSep(first, g1)
		if !paren && sep == 0xff || sep == '/' {
			return 0
		}
	case g1 == 0 && ctx.ok() && !foreign:
		// Ten digits run together are North American only in North America;
		// elsewhere they are read in the locale's plan.
	default:
		return 0
	}
	if foreign && !s.e.plans.valid(1, nd) {
		// Outside North America a number without a calling code is first read
		// as the locale's own; a North American one must be valid in its plan.
		return 0
	}
	return 0.85
}

// country returns the ISO 3166 country of the scanner's locale ("de-AT" →
// "AT"), or "".
func (s *scanner) country() string {
	l := s.locale
	if len(l) < 5 || l[2] != '-' && l[2] != '_' || !isAlpha(l[3]) || !isAlpha(l[4]) || len(l) > 5 && isAlpha(l[5]) {
		return ""
	}
	if isUpper(l[3]) && isUpper(l[4]) {
		return l[3:5]
	}
	return string([]byte{l[3] &^ 0x20, l[4] &^ 0x20})
}

// otherPlan reports whether the locale's country has a plan of its own that
// the checks above do not read (Luxembourg, Austria, Italy; not the
// Netherlands or Belgium).
func (s *scanner) otherPlan() bool {
	c := s.country()
	return c != "" && c != s.region()
}

// region returns the ISO region of the scanner's locale, or "".
func (s *scanner) region() string {
	l := s.locale
	if len(l) >= 5 && l[2] == '-' {
		switch l[3:5] {
		case "NL", "nl":
			return "NL"
		case "BE", "be":
			return "BE"
		case "DE", "de", "AT", "at", "CH", "ch":
			if l[:2] == "de" {
				return "DE"
			}
		case "FR", "fr":
			return "FR"
		case "GB", "gb", "UK", "uk", "IE":
			return "GB"
		case "US", "us", "CA":
			return "US"
		}
	}
	if len(l) >= 2 && (l[:2] == "nl") {
		return "NL"
	}
	return ""
}
