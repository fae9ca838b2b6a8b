package rules

// luhn reports whether the ASCII digits in d pass the Luhn check.
func luhn(d []byte) bool {
	sum, dbl := 0, false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if dbl {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		dbl = !dbl
	}
	return sum%10 == 0
}

// cardIssuer reports whether the digits d have the length and prefix (IIN) of a
// known payment card scheme: Visa, Mastercard (51-55, 2221-2720), American
// Express, Discover, Diners, JCB, Maestro, UnionPay.
func cardIssuer(d []byte) bool {
	n := len(d)
	p2 := int(d[0]-'0')*10 + int(d[1]-'0')
	p3 := p2*10 + int(d[2]-'0')
	p4 := p3*10 + int(d[3]-'0')
	p6 := p4*100 + int(d[4]-'0')*10 + int(d[5]-'0')
	switch {
	case d[0] == '4':
		return n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720:
		return n == 16
	case p2 == 34 || p2 == 37:
		return n == 15
	case p4 == 6011 || p2 == 65 || p3 >= 644 && p3 <= 649 || p6 >= 622126 && p6 <= 622925:
		return n >= 16 && n <= 19
	case p3 >= 300 && p3 <= 305 || p2 == 36 || p2 == 38 || p2 == 39:
		return n >= 14 && n <= 19
	case p4 >= 3528 && p4 <= 3589:
		return n >= 16 && n <= 19
	case p2 == 62, p4 >= 8100 && p4 <= 8171: // UnionPay
		return n >= 16 && n <= 19
	case p4 >= 2200 && p4 <= 2204: // Mir
		return n >= 16 && n <= 19
	case p2 == 60 || p2 == 81 || p2 == 82 || p3 == 508: // RuPay
		return n == 16
	case p4 == 9792: // Troy
		return n == 16
	case p6 >= 506099 && p6 <= 506198 || p6 >= 650002 && p6 <= 650027: // Verve
		return n == 16 || n == 18 || n == 19
	case d[0] == '1': // UATP
		return n == 15
	case p4 == 5018 || p4 == 5020 || p4 == 5038 || p4 == 5893 || p4 == 6304 || p4 == 6759 || p4 == 6761 || p4 == 6762 || p4 == 6763 || p2 == 67:
		return n >= 12 && n <= 19
	}
	return false
}

// elfproef reports whether the 9 ASCII digits in d pass the Dutch BSN 11-proof
// (weights 9..2 and -1). All-zero numbers are rejected.
func elfproef(d []byte) bool {
	if len(d) != 9 {
		return false
	}
	sum, zero := 0, true
	for i := 0; i < 8; i++ {
		v := int(d[i] - '0')
		if v != 0 {
			zero = false
		}
		sum += v * (9 - i)
	}
	sum -= int(d[8] - '0')
	return !zero && sum%11 == 0
}

// ssnValid reports whether the 9 ASCII digits in d form a possible US SSN:
// area not 000, 666 or 9xx; group not 00; serial not 0000.
func ssnValid(d []byte) bool {
	if len(d) != 9 {
		return false
	}
	area := int(d[0]-'0')*100 + int(d[1]-'0')*10 + int(d[2]-'0')
	group := int(d[3]-'0')*10 + int(d[4]-'0')
	serial := int(d[5]-'0')*1000 + int(d[6]-'0')*100 + int(d[7]-'0')*10 + int(d[8]-'0')
	return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

// ibanLengthTable lists ISO 3166 country codes with the length of their IBANs.
const ibanLengthTable = "AD24AE23AL28AT20AZ28BA20BE16BG22BH22BR29BY28CH21CR22CY28CZ24DE22DK18DO28EE20EG29" +
	"ES24FI18FO18FR27GB22GE22GI23GL18GR27GT28HR21HU28IE22IL23IQ23IS26IT27JO30KW30KZ20LB28LC32" +
	"LI21LT20LU20LV21MC27MD24ME22MK19MR27MT31MU30NL18NO15PK24PL28PS29PT25QA29RO24RS22SA24SC31" +
	"SE24SI19SK24SM27ST25SV28TL23TN24TR26UA29VA22VG24XK20"

// ibanLength returns the IBAN length for the upper-case country code c0c1, or 0 if unknown.
func ibanLength(c0, c1 byte) int {
	t := ibanLengthTable
	for i := 0; i+4 <= len(t); i += 4 {
		if t[i] == c0 && t[i+1] == c1 {
			return int(t[i+2]-'0')*10 + int(t[i+3]-'0')
		}
	}
	return 0
}

// mod97 reports whether the IBAN in s (upper-case letters and digits, no
// spaces) passes the ISO 13616 mod-97 check.
func mod97(s []byte) bool {
	if len(s) < 5 {
		return false
	}
	r := 0
	step := func(c byte) bool {
		switch {
		case c >= '0' && c <= '9':
			r = (r*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			v := int(c-'A') + 10
			r = (r*100 + v) % 97
		default:
			return false
		}
		return true
	}
	for _, c := range s[4:] {
		if !step(c) {
			return false
		}
	}
	for _, c := range s[:4] {
		if !step(c) {
			return false
		}
	}
	return r == 1
}
