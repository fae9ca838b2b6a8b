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
