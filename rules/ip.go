package rules

// ipAfterAt detects an IP address right after an '@' in the token t[i:j] that is not an e-mail
// address: "root@192.0.2.7", "admin@[2001:db8::1]", "user@::1". It reports whether one was found.
func (s *scanner) ipAfterAt(i, j int) bool {
	t := s.text
	found := false
	for k := i; k+2 < j; k++ {
		if t[k] != '@' {
			continue
		}
		v := k + 1
		if t[v] == '[' {
			v++
		}
		if v >= j || !(isDigit(t[v]) || t[v] == ':' || isHexLetter(t[v])) {
			continue
		}
		n := len(s.cands)
		if v+1 < j && t[v] == ':' && t[v+1] == ':' || isHexLetter(t[v]) {
			s.ipv6(v, j)
		} else {
			var vf uint16
			for p := v; p < j; p++ {
				vf |= s.e.cls[t[p]]
			}
			s.dispatch(v, j, vf, false)
		}
		found = found || len(s.cands) > n && s.cands[len(s.cands)-1].Type == IP
	}
	return found
}

// isHexLetter reports whether b is a hexadecimal letter (a-f, A-F).
func isHexLetter(b byte) bool { return b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F' }

// ipv6Zone returns the end of a zone id ("%eth0", "%3") right after an IPv6 address ending at e,
// or e.
func ipv6Zone(t string, e int) int {
	if e+1 >= len(t) || t[e] != '%' || !isAlnum(t[e+1]) {
		return e
	}
	z := e + 1
	for z < len(t) && (isAlnum(t[z]) || t[z] == '_' || t[z] == '-' || t[z] == '.') && z-e <= 16 {
		z++
	}
	for z > e+1 && t[z-1] == '.' {
		z--
	}
	return z
}
