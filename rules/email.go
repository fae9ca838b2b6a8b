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
		return false // nothing before the '@', or a rendered pseudonym ("EMAIL_ADDRESS:3f9a0c1d@")
	}
	b := k + 1
	for b < hi && isDomainByte(t[b]) && b-k < 255 {
		b++
	}
	for b > k+1 && b < len(t) && !utf8.RuneStart(t[b]) {
		b--
	}
	if p, _ := renderedIn(t, k+1, min(len(t), b+64)); p >= 0 && p < b {
		b = p // "x@y.EMAIL_ADDRESS:3f9a0c1d": the domain ends where a rendered pseudonym starts
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
