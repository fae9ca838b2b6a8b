package rules

import "strings"

// keyCtx reports whether the token t[a:e] stands where a key is expected: after a key or token
// word, before one ("… als key"), or as the quoted value of an assignment (x = "…", x := "…").
func (s *scanner) keyCtx(a, e int) bool {
	return s.ctxBefore(a, 48, &s.e.kw.key) || s.ctxAfter(e, 16, &s.e.kw.key) || quotedAssignment(s.text, a)
}

// quotedAssignment reports whether the value at a is quoted and follows an assignment operator
// of code or config: =, :=, ::=, .=, =>, : ("var x = '…'", "$x .= '…'", "key: '…'").
func quotedAssignment(t string, a int) bool {
	if a < 3 || !isQuote(t[a-1]) {
		return false
	}
	i := a - 2
	for i > 0 && t[i] == ' ' {
		i--
	}
	return t[i] == '=' || t[i] == ':' || t[i] == '>' && t[i-1] == '='
}

// hostLike reports whether tok is a host name or a URL path rather than a key: the part before
// its first '/' holds a dot and ends in a label of letters ("lh3.example.com/a/b", "cdn.example.org").
func hostLike(tok string) bool {
	tok = strings.TrimLeft(tok, "/")
	host := tok
	if k := strings.IndexByte(tok, '/'); k >= 0 {
		host = tok[:k]
	}
	d := strings.LastIndexByte(host, '.')
	if d <= 0 || len(host)-d-1 < 2 {
		return false
	}
	for i := d + 1; i < len(host); i++ {
		if !isAlpha(host[i]) {
			return false
		}
	}
	return true
}

// inPublicBlock reports whether a lies inside an armoured block of public material (a PGP public
// key, a public key, a certificate or a signature): its base64 lines are not secrets.
func (s *scanner) inPublicBlock(a int) bool {
	t := s.text[:a]
	b := strings.LastIndex(t, "-----BEGIN ")
	if b < 0 || strings.Contains(t[b:], "-----END ") {
		return false
	}
	label := t[b+len("-----BEGIN "):]
	if k := strings.Index(label, "-----"); k >= 0 {
		label = label[:k]
	}
	return strings.Contains(label, "PUBLIC") || strings.Contains(label, "CERTIFICATE") || strings.Contains(label, "SIGNATURE")
}

// urlSecret handles a URL token t[a:j] whose scheme ends at p (after "://"): the password of
// credentials in it (https://user:pass@host), a webhook URL of data/secrets.tsv, or keys in its
// query. It returns where scanning resumes, or 0.
func (s *scanner) urlSecret(a, p, j int) int {
	t := s.text
	e := trimToken(t, a, j)
	found := false
	auth := t[p:e]
	if k := strings.IndexAny(auth, "/?#"); k >= 0 {
		auth = auth[:k]
	}
	if at := strings.LastIndexByte(auth, '@'); at > 0 {
		if c := strings.IndexByte(auth[:at], ':'); c >= 0 && at-c > 3 && !placeholder(auth[c+1:at]) {
			s.add(p+c+1, p+at, Password, 0.97, "password.url", "password of credentials in a URL")
			found = true
		}
	}
	if r := s.e.secretRules.match(t[p:e], s, a, e, true); r != nil {
		if !placeholder(t[p+len(r.prefix) : e]) {
			s.add(a, e, r.typ, 0.99, r.detector(), r.why)
		}
		return max(e, j)
	}
	if q := strings.IndexByte(t[p:e], '?'); q >= 0 && s.queryKeys(p+q, e) > 0 {
		found = true
	}
	if found {
		return max(e, j)
	}
	return 0
}

// splitSecret detects a secret written as two parts, an id and a secret joined by '|' or ':'
// (1234567890123456|secret, botid:secret, 08daba1a:bfee4762), where t[a:e] is the id and the
// secret ends by j. It returns the end of the secret, or 0.
func (s *scanner) splitSecret(a, e, j int) int {
	t := s.text
	id := t[a:e]
	digits := strings.Trim(id, "0123456789") == ""
	if !(digits && len(id) >= 5 && len(id) <= 20 || isHexString(id) && len(id) >= 8) {
		return 0
	}
	k := e + 1
	for k < j && isKeyByte(t[k]) {
		k++
	}
	k = trimToken(t, e+1, k)
	sec := t[e+1 : k]
	up, lo, _, _ := byteKinds(sec)
	if len(sec) < 8 || up+lo == 0 || placeholderRun(sec) {
		return 0
	}
	// An id and a long random secret stand alone; otherwise a key word must be near (then a
	// low-entropy hex pair such as 0a1b2c3d:4e5f6a7b still counts: the word says it is a key).
	strong := digits && len(sec) >= 27 && up > 0 && lo > 0 && entropyBits(sec) >= 3.5
	if !strong && !s.keyCtx(a, k) {
		return 0
	}
	s.add(a, k, APIKey, 0.95, "apikey.pair", "split secret: an id and a secret joined by | or :")
	return k
}

// curlUser detects the password of "curl -u user:pass" (or --user) in the token t[a:j].
func (s *scanner) curlUser(a, j int) int {
	t := s.text
	if strings.HasSuffix(t[:a], "--") && strings.HasPrefix(t[a:j], "user=") {
		a += len("user=")
	} else if !strings.HasSuffix(t[:a], " -u ") && !strings.HasSuffix(t[:a], " --user ") {
		return 0
	}
	if a < len(t) && isQuote(t[a]) {
		a++
	}
	c := strings.IndexByte(t[a:j], ':')
	if c <= 0 {
		return 0
	}
	st := a + c + 1
	e := trimToken(t, st, j)
	if e-st < 3 || placeholder(t[st:e]) {
		return 0
	}
	s.add(st, e, Password, 0.95, "password.keyword", "password of curl -u user:password")
	return j
}

// urlCredentials handles a token t[i:j] holding "scheme://user:pass@host…" before an e-mail
// check could take "pass@host" for an address. It returns where scanning resumes, or 0.
func (s *scanner) urlCredentials(i, j int) int {
	t := s.text
	k := strings.Index(t[i:j], "://")
	if k <= 0 || strings.IndexByte(t[i+k:j], '@') < 0 {
		return 0
	}
	return s.urlSecret(i, i+k+3, j)
}

// digitKey detects a key that is a long digit run after a key or token word, or the id part of a
// split secret (1234567890123456|secret, 123456789:secret), for the digit group t[a:end]. It
// returns where scanning resumes, or 0.
func (s *scanner) digitKey(a, end int) int {
	t := s.text
	if end < len(t) && (t[end] == '|' || t[end] == ':') && end+1 < len(t) && isKeyByte(t[end+1]) {
		return s.splitSecret(a, end, len(t))
	}
	if end-a < 16 || end < len(t) && !(t[end] == ' ' || t[end] == ',' || t[end] == '.' || t[end] == '<' || t[end] == '"' || t[end] == '\'') {
		return 0
	}
	if !s.ctxBefore(a, 24, &s.e.kw.key) || placeholder(t[a:end]) {
		return 0
	}
	s.add(a, end, APIKey, 0.85, "apikey.context", "long digit token after a key/token word")
	return 0 // the digit detectors still run: a card number after "card token" stays a card
}

// emailPassword detects the password of an "address:password" pair (a leaked login) after the
// e-mail address found last, inside the token ending at j.
func (s *scanner) emailPassword(j int) {
	t := s.text
	if len(s.cands) == 0 {
		return
	}
	c := s.cands[len(s.cands)-1]
	st := c.End + 1
	if c.Type != Email || c.End >= j || t[c.End] != ':' || st >= j {
		return
	}
	e := trimToken(t, st, j)
	if e-st >= 4 && !placeholder(t[st:e]) {
		s.add(st, e, Password, 0.95, "password.keyword", "password of an address:password pair")
	}
}

// keyShaped reports whether the token w with byte classes fl may be a key, so apiKey sees it
// first: 16 bytes or more with letters, or 12 or more that start with a digit and hold letters
// ("3t3fuytmxug43e") or mix cases inside ("suAQBaEyHrKbXN"), unlike a word.
func keyShaped(w string, fl uint16) bool {
	if len(w) < 12 || fl&(cUpper|cLower) == 0 {
		return false
	}
	return len(w) >= 16 || isDigit(w[0]) || fl&cUpper != 0 && fl&cLower != 0 && innerUpper(w[1:])
}

// innerUpper reports whether w holds an upper-case letter after a lower-case one ("suAQBaEy"):
// random-looking, unlike a capitalised or upper-case word.
func innerUpper(w string) bool {
	for i := 1; i < len(w); i++ {
		if isUpper(w[i]) && isLower(w[i-1]) {
			return true
		}
	}
	return false
}
