package rules

import (
	"net/netip"
	"strings"
	"unicode/utf8"
)

func isLocalByte(b byte) bool {
	return isAlnum(b) || b == '.' || b == '_' || b == '%' || b == '+' || b == '-' || b == '\'' || b >= 0x80
}

func isDomainByte(b byte) bool { return isAlnum(b) || b == '-' || b == '.' || b >= 0x80 }

// emailAt detects an e-mail address around the '@' at k, within [lo, hi).
func (s *scanner) emailAt(k, lo, hi int) bool {
	t := s.text
	a := k
	for a > lo && isLocalByte(t[a-1]) && k-a < 64 {
		a--
	}
	for a < k && !utf8.RuneStart(t[a]) {
		a++
	}
	for a < k && (t[a] == '.' || t[a] == '\'' || t[a] == '-') {
		a++
	}
	ws := a // where the run of local-part bytes really starts (a stops after 64)
	for ws > lo && isLocalByte(t[ws-1]) && a-ws < 256 {
		ws--
	}
	if a == k || ws > 0 && t[ws-1] == ':' && typeEndsAt(t, ws-1) {
		return false // nothing before the '@', or a rendered pseudonym ("EMAIL_ADDRESS:3f9a0c1d2e4b@")
	}
	b := k + 1
	for b < hi && isDomainByte(t[b]) && b-k < 255 {
		b++
	}
	for b > k+1 && b < len(t) && !utf8.RuneStart(t[b]) {
		b--
	}
	if p, _ := renderedIn(t, k+1, min(len(t), b+64)); p >= 0 && p < b {
		b = p // "x@y.EMAIL_ADDRESS:3f9a0c1d2e4b": the domain ends where a rendered pseudonym starts
	}
	for b > k+1 && (t[b-1] == '.' || t[b-1] == '-') {
		b--
	}
	dom := t[k+1 : b]
	dot := strings.LastIndexByte(dom, '.')
	if dot <= 0 || len(dom)-dot-1 < 2 || strings.Contains(dom, "..") || dom[0] == '-' || dom[0] == '.' {
		return false
	}
	for i := dot + 1; i < len(dom); i++ {
		if !isAlpha(dom[i]) && dom[i] < 0x80 {
			return false
		}
	}
	s.add(a, b, Email, 0.98, "email.syntax", "local@domain with a valid top-level domain")
	return true
}

// ipv6 detects an IPv6 address at the start of the token t[a:j] and returns its end, or 0.
func (s *scanner) ipv6(a, j int) int {
	t := s.text
	e := a
	colons := 0
	dbl := false
	for e < j {
		c := t[e]
		if c == ':' {
			colons++
			if e+1 < j && t[e+1] == ':' {
				dbl = true
			}
		} else if !(isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '.') {
			break
		}
		e++
	}
	for e > a && (t[e-1] == '.' || t[e-1] == ':' && !(e-2 >= a && t[e-2] == ':')) {
		e--
	}
	if colons < 2 || !dbl && colons < 7 || e-a < 3 {
		return 0
	}
	if a > 0 && (isAlnum(t[a-1]) || t[a-1] == ':') {
		return 0
	}
	if _, err := netip.ParseAddr(t[a:e]); err != nil {
		return 0
	}
	conf := float32(0.95)
	if s.ctxBefore(a, 40, &s.e.kw.ip) {
		conf = 0.99
	}
	s.add(a, e, IP, conf, "ip.v6", "parses as an IPv6 address")
	return max(e, j)
}

// bracketWord returns the end of "[w]", "(w)" or "{w}" at t[i] for the lower-case word w (any
// case in t), or 0.
func bracketWord(t string, i int, w string) int {
	if i+len(w)+2 > len(t) {
		return 0
	}
	closer := byte(']')
	switch t[i] {
	case '(':
		closer = ')'
	case '{':
		closer = '}'
	}
	if !hasPrefixFold(t[i+1:], w) || t[i+1+len(w)] != closer {
		return 0
	}
	return i + len(w) + 2
}

// obfuscatedEmail detects an address written to dodge mail harvesters, "jan [at] example [dot] com"
// or "jan(at)example.com", around the bracketed "at" at t[i]. It returns the end, or 0.
func (s *scanner) obfuscatedEmail(i int) int {
	t := s.text
	k := bracketWord(t, i, "at")
	if k == 0 || !s.e.enabledAny(Email) {
		return 0
	}
	a := i
	for a > 0 && t[a-1] == ' ' && i-a < 2 {
		a--
	}
	ls := a
	for ls > 0 && isLocalByte(t[ls-1]) && a-ls < 64 {
		ls--
	}
	for ls < a && !utf8.RuneStart(t[ls]) {
		ls++
	}
	if ls == a {
		return 0
	}
	// Domain labels joined by "." or a bracketed "dot"; the last one alphabetic.
	e, labels, lastAlpha := k, 0, false
	for {
		p := e
		for p < len(t) && t[p] == ' ' && p-e < 2 {
			p++
		}
		if labels > 0 {
			switch {
			case p < len(t) && t[p] == '.' && p == e:
				p++
			case p < len(t) && bracketWord(t, p, "dot") > 0:
				p = bracketWord(t, p, "dot")
				for p < len(t) && t[p] == ' ' && p-e < 8 {
					p++
				}
			default:
				p = -1
			}
			if p < 0 {
				break
			}
		}
		q := p
		alpha := true
		for q < len(t) && (isAlnum(t[q]) || t[q] == '-') && q-p < 63 {
			alpha = alpha && isAlpha(t[q])
			q++
		}
		if q == p {
			break
		}
		e, lastAlpha = q, alpha && q-p >= 2
		labels++
	}
	if labels < 2 || !lastAlpha {
		return 0
	}
	s.add(ls, e, Email, 0.95, "email.obfuscated", "address with [at] / [dot] written out")
	return e
}
