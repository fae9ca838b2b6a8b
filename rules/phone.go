package rules

import (
	"github.com/nyaruka/phonenumbers"
)

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
// others use the libphonenumber length metadata.
func possible(cc int, nsn []byte) bool {
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
	var nn uint64
	for _, c := range nsn {
		nn = nn*10 + uint64(c-'0')
	}
	c32 := int32(cc)
	return phonenumbers.IsPossibleNumber(&phonenumbers.PhoneNumber{CountryCode: &c32, NationalNumber: &nn})
}

// phoneWindow checks groups 0..g1 of the current run (D digits, starting at
// byte start; plus when written with a leading '+') as a phone number and
// returns a confidence, or 0.
func (s *scanner) phoneWindow(start int, plus bool, g1, D int) float32 {
	if D < 8 || D > 15 {
		return 0
	}
	gs := s.groups
	if s.dateLayout(0, g1) {
		return 0
	}
	// Layout: no '/' or '.' except single separators, groups not absurdly split.
	small := 0
	for k := 0; k < g1; k++ {
		sep := s.sepOf(k)
		for i := 0; i < len(sep); i++ {
			if sep[i] == '/' && (k > 0 || plus) {
				return 0
			}
		}
		if len(sep) > 1 && sep != " (" && sep != ") " && sep != ")" && sep != " - " {
			return 0
		}
	}
	for k := 0; k <= g1; k++ {
		if gs[k].end-gs[k].start == 1 {
			small++
		}
	}
	d := s.collect(0, g1)
	// Context is looked up lazily: most windows fail the cheap checks first.
	ctxState := 0
	phoneCtx := func() bool {
		if ctxState == 0 {
			ctxState = 2
			if s.ctxBefore(start, 40, &s.e.kw.phone) {
				ctxState = 1
			}
		}
		return ctxState == 1
	}
	intl := plus
	if !plus && len(d) > 2 && d[0] == '0' && d[1] == '0' {
		if g1 > 0 && gs[0].end-gs[0].start > 6 {
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
		cc, l := countryCode(d)
		if cc == 0 {
			return 0
		}
		nsn := d[l:]
		// "+31 (0)6 ..." carries the trunk prefix in brackets.
		if len(nsn) > 0 && nsn[0] == '0' {
			nsn = nsn[1:]
		}
		if !possible(cc, nsn) {
			return 0
		}
		conf = 0.9
	case d[0] == '0':
		if small > 1 {
			return 0
		}
		if g1 > 0 && gs[0].end-gs[0].start > 5 {
			// Trunk/area codes have at most five digits: 0737841-163 is an article number.
			return 0
		}
		nsn := d[1:]
		ok := false
		switch s.region() {
		case "NL":
			ok = possible(31, nsn) || possible(32, nsn)
		case "GB":
			ok = possible(44, nsn) || possible(31, nsn)
		default:
			ok = possible(31, nsn) || possible(44, nsn) || possible(32, nsn)
		}
		if !ok && len(nsn) >= 7 && len(nsn) <= 11 && phoneCtx() {
			ok = possible(49, nsn)
		}
		if !ok {
			return 0
		}
		conf = 0.85
		if g1 == 0 && !phoneCtx() {
			if nsn[0] != '6' && nsn[0] != '7' {
				return 0
			}
			conf = 0.7
		}
	default:
		// North American layouts: (415) 555-0123, 415-555-0123, 415.555.0123, 1-415-555-0123.
		nd := d
		first := 0
		if len(nd) == 11 && nd[0] == '1' {
			nd = nd[1:]
			first = 1
		}
		if len(nd) != 10 || !possible(1, nd) && !phoneCtx() {
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
		case g1 == 0 && phoneCtx():
		default:
			return 0
		}
		conf = 0.85
	}
	if g1 == 0 && s.ctxBefore(start, 24, &s.e.kw.notBSN) {
		// A bare digit string after order/ticket/invoice words is a reference, not a phone.
		return 0
	}
	if phoneCtx() {
		conf = 0.97
	}
	return conf
}

// region returns the ISO region of the scanner's locale, or "".
func (s *scanner) region() string {
	l := s.locale
	if len(l) >= 5 && l[2] == '-' {
		switch l[3:5] {
		case "NL", "nl", "BE", "be":
			return "NL"
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
