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
	a := localStart(t, k, lo)
	if a < 0 {
		return false
	}
	b := domainEnd(t, k, hi)
	if !validDomain(t[k+1 : b]) {
		return false
	}
	s.add(a, b, Email, 0.98, "email.syntax", "local@domain with a valid top-level domain")
	return true
}

// isAtextSpecial reports whether b is one of the characters RFC 5322 allows in an unquoted
// local part besides those of isLocalByte: ! # $ & * / = ? ^ ` { | } ~.
func isAtextSpecial(b byte) bool {
	switch b {
	case '!', '#', '$', '&', '*', '/', '=', '?', '^', '`', '{', '|', '}', '~':
		return true
	}
	return false
}

// atextStart returns where an unquoted local part written with the rarer characters of RFC 5322
// ("user+mailbox/department=shipping", "!#$%&'*+-/=?^_`{|}~") starts before a, the start of its
// common part, or a. The run must stand as a word of its own, after white space or an opening
// bracket or quote: in "https://x/?to=jan@" or "user:jan@" only the common part is the address.
// In an assignment ("EMAIL=jan@", "reply_to=jan@") the address starts after the '='.
func atextStart(t string, a, k int) int {
	if a == 0 || !isAtextSpecial(t[a-1]) {
		return a
	}
	// The scanner splits tokens at some of these characters ({ | `): the run may start before lo.
	x := a
	for x > 0 && (isLocalByte(t[x-1]) || isAtextSpecial(t[x-1])) && k-x < 64 {
		x--
	}
	if x > 0 && strings.IndexByte(" \t\r\n(<[\"", t[x-1]) < 0 {
		return a
	}
	if eq := strings.IndexByte(t[x:a], '='); eq > 0 && isIdentifier(t[x:x+eq]) {
		return a
	}
	for x < a && strings.IndexByte("`*{|", t[x]) >= 0 { // markup around a word
		x++
	}
	return x
}

// quotedLocalStart returns the start of a quoted local part ("john q. public"@example.com, RFC
// 5322 quoted-string with backslash escapes) that ends right before the '@' at k, or -1. The
// opening quote must start a word, and the quoted text stays on one line within 64 bytes.
func quotedLocalStart(t string, k int) int {
	if k < 3 || t[k-1] != '"' {
		return -1
	}
	for q := k - 2; q >= 0 && k-q <= 66; q-- {
		switch c := t[q]; {
		case c == '\n' || c == '\r':
			return -1
		case c == '"' && (q == 0 || t[q-1] != '\\'):
			if q+1 == k-1 || q > 0 && strings.IndexByte(" \t(<[:", t[q-1]) < 0 {
				return -1
			}
			return q
		}
	}
	return -1
}

// isIdentifier reports whether w is a letter or '_' followed by letters, digits, '_', '.' or '-'.
func isIdentifier(w string) bool {
	if w == "" || !isAlpha(w[0]) && w[0] != '_' {
		return false
	}
	for i := 1; i < len(w); i++ {
		if !isAlnum(w[i]) && w[i] != '_' && w[i] != '.' && w[i] != '-' {
			return false
		}
	}
	return true
}

// localStart returns the start of the local part before the '@' at k (not before lo), or -1
// when there is none or it is the digest of a rendered pseudonym ("EMAIL_ADDRESS:3f9a0c1d2e4b@").
func localStart(t string, k, lo int) int {
	if q := quotedLocalStart(t, k); q >= 0 {
		return q
	}
	a := k
	for a > lo && isLocalByte(t[a-1]) && k-a < 64 {
		a--
	}
	a = atextStart(t, a, k)
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
		return -1
	}
	return a
}

// domainEnd returns the end of the domain after the '@' at k (not after hi), stopping where a
// rendered pseudonym starts ("x@y.EMAIL_ADDRESS:3f9a0c1d2e4b") and before trailing dots and dashes.
func domainEnd(t string, k, hi int) int {
	b := k + 1
	for b < hi && isDomainByte(t[b]) && b-k < 255 {
		b++
	}
	for b > k+1 && b < len(t) && !utf8.RuneStart(t[b]) {
		b--
	}
	if p, _ := renderedIn(t, k+1, min(len(t), b+64)); p >= 0 && p < b {
		b = p
	}
	for b > k+1 && (t[b-1] == '.' || t[b-1] == '-') {
		b--
	}
	return b
}

// validDomain reports whether dom has at least two labels, no empty label, and an alphabetic
// top-level domain of two or more letters, or one in punycode.
func validDomain(dom string) bool {
	dot := strings.LastIndexByte(dom, '.')
	if dot <= 0 || len(dom)-dot-1 < 2 || strings.Contains(dom, "..") || dom[0] == '-' || dom[0] == '.' {
		return false
	}
	tld := dom[dot+1:]
	if len(tld) > 4 && hasPrefixFold(tld, "xn--") {
		tld = tld[4:] // an internationalised TLD in punycode (xn--p1ai)
		for i := 0; i < len(tld); i++ {
			if !isAlnum(tld[i]) && tld[i] != '-' {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(tld); i++ {
		if !isAlpha(tld[i]) && tld[i] < 0x80 {
			return false
		}
	}
	return true
}

// ipv6 detects an IPv6 address at the start of the token t[a:j] and returns its end, or 0.
func (s *scanner) ipv6(a, j int) int {
	t := s.text
	e := a
	colons, dots := 0, 0
	dbl := false
	for e < j {
		c := t[e]
		if c == ':' {
			colons++
			if e+1 < j && t[e+1] == ':' {
				dbl = true
			}
		} else if c == '.' {
			dots++
		} else if !(isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			break
		}
		e++
	}
	for e > a && (t[e-1] == '.' || t[e-1] == ':' && !(e-2 >= a && t[e-2] == ':')) {
		e--
	}
	// Eight fields, or seven and an embedded IPv4 address (::ffff:192.0.2.1 written out).
	if colons < 2 || !dbl && colons < 7 && !(colons == 6 && dots >= 3) || e-a < 3 {
		return 0
	}
	if a > 0 && (isAlnum(t[a-1]) || t[a-1] == ':') || e < len(t) && isAlpha(t[e]) {
		return 0 // glued to a word: fe80::1text
	}
	e = ipv6Zone(t, e)
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

// bracketWordIn returns the end of "[w]", "(w)" or "{w}" at t[i] for a word w of list id
// (any case in t), or 0.
func (s *scanner) bracketWordIn(id setID, t string, i int) int {
	if i+2 >= len(t) {
		return 0
	}
	closer := byte(']')
	switch t[i] {
	case '(':
		closer = ')'
	case '{':
		closer = '}'
	}
	for _, x := range s.e.sets[id] {
		if n := len(x.w); x.mask&s.mask != 0 && i+n+2 <= len(t) && hasPrefixFold(t[i+1:], x.w) && t[i+1+n] == closer {
			return i + n + 2
		}
	}
	return 0
}

// obfuscatedEmail detects an address written to dodge mail harvesters, "jan [at] example [dot] com"
// or "jan(at)example.com", around the bracketed "at" at t[i]. It returns the end, or 0.
func (s *scanner) obfuscatedEmail(i int) int {
	t := s.text
	k := s.bracketWordIn(setAtWord, t, i)
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
	e := s.obfuscatedDomain(k)
	if e == 0 {
		return 0
	}
	s.add(ls, e, Email, 0.95, "email.obfuscated", "address with [at] / [dot] written out")
	return e
}

// obfuscatedDomain reads domain labels from k joined by "." or a bracketed "dot", the last one
// alphabetic, and returns their end, or 0 when there are fewer than two.
func (s *scanner) obfuscatedDomain(k int) int {
	t := s.text
	e, labels, lastAlpha := k, 0, false
	for {
		p := e
		for p < len(t) && t[p] == ' ' && p-e < 2 {
			p++
		}
		if labels > 0 {
			if p = s.labelJoin(e, p); p < 0 {
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
	return e
}

// labelJoin returns where the next domain label starts after a "." right at e or a bracketed
// "dot" at p, or -1.
func (s *scanner) labelJoin(e, p int) int {
	t := s.text
	switch {
	case p < len(t) && t[p] == '.' && p == e:
		return p + 1
	case p < len(t) && s.bracketWordIn(setDotWord, t, p) > 0:
		p = s.bracketWordIn(setDotWord, t, p)
		for p < len(t) && t[p] == ' ' && p-e < 8 {
			p++
		}
		return p
	}
	return -1
}
