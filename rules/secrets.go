package rules

import (
	"strings"
	"unicode/utf8"
)

// keyPrefix is an API-key prefix of a well-known provider with the minimum
// length of the rest of the key.
type keyPrefix struct {
	prefix string
	min    int
	upper  bool // rest is upper-case alphanumeric only, exactly min long
}

func defaultKeyPrefixes() []keyPrefix {
	return []keyPrefix{
		{"AKIA", 16, true}, {"ASIA", 16, true}, {"AGPA", 16, true}, {"AIDA", 16, true}, {"AROA", 16, true}, {"ANPA", 16, true},
		{"ghp_", 30, false}, {"gho_", 30, false}, {"ghu_", 30, false}, {"ghs_", 30, false}, {"ghr_", 30, false},
		{"github_pat_", 40, false}, {"glpat-", 20, false}, {"gldt-", 20, false},
		{"sk_live_", 16, false}, {"sk_test_", 16, false}, {"rk_live_", 16, false}, {"rk_test_", 16, false},
		{"pk_live_", 16, false}, {"pk_test_", 16, false}, {"whsec_", 24, false},
		{"xoxb-", 20, false}, {"xoxp-", 20, false}, {"xoxa-", 20, false}, {"xoxr-", 20, false}, {"xoxs-", 20, false}, {"xapp-", 20, false},
		{"AIza", 30, false}, {"sk-proj-", 20, false}, {"sk-ant-", 20, false}, {"sk-", 32, false},
		{"npm_", 30, false}, {"hf_", 30, false}, {"pypi-", 40, false}, {"shpat_", 24, false}, {"shpss_", 24, false},
		{"dop_v1_", 40, false}, {"SG.", 40, false}, {"key-", 32, false}, {"SK", 32, false}, {"AC", 32, false},
	}
}

func isKeyByte(b byte) bool {
	return isAlnum(b) || b == '_' || b == '-' || b == '.' || b == '/' || b == '+' || b == '='
}

// trimToken returns the end of the token t[a:j] without trailing sentence punctuation.
func trimToken(t string, a, j int) int {
	for j > a {
		switch t[j-1] {
		case '.', ',', ':', ';', '!', '?', '\'', '"', ')':
			j--
			continue
		}
		break
	}
	return j
}

// alnumToken handles tokens that mix letters and digits: IBANs, API keys,
// UK postcodes. It returns where scanning resumes, or 0 if nothing matched.
func (s *scanner) alnumToken(a, j int, fl uint16) int {
	t := s.text
	if j-a >= 4 && isAlpha(t[a]) && isAlpha(t[a+1]) && isDigit(t[a+2]) && isDigit(t[a+3]) {
		if e := s.iban(a); e > 0 {
			return max(e, j)
		}
	}
	if e := s.apiKey(a, j); e > 0 {
		return e
	}
	if isUpper(t[a]) {
		if e := ukPostcode(t, a); e > 0 && (a == 0 || !isAlnum(t[a-1])) {
			s.add(a, e, Address, 0.85, "address.uk_postcode", "UK postcode")
			return max(e, j)
		}
	}
	return 0
}

// iban detects an IBAN starting at a: country code, check digits, BBAN, in
// groups of four or run together, any case.
func (s *scanner) iban(a int) int {
	t := s.text
	if a > 0 && isAlnum(t[a-1]) {
		return 0
	}
	c0, c1 := t[a]&^0x20, t[a+1]&^0x20
	want := ibanLength(c0, c1)
	if want == 0 {
		return 0
	}
	var buf [34]byte
	n := 0
	i := a
	end := a
	var sep byte // the group separator, once seen: ' ' or '-', used throughout
	for i < len(t) && n < want {
		c := t[i]
		if isAlnum(c) {
			buf[n] = c &^ 0x20
			if isDigit(c) {
				buf[n] = c
			}
			n++
			i++
			end = i
			continue
		}
		if (c == ' ' || c == '-') && (sep == 0 || c == sep) && n%4 == 0 && i+1 < len(t) && isAlnum(t[i+1]) {
			sep = c
			i++
			continue
		}
		break
	}
	if n != want || end < len(t) && isAlnum(t[end]) {
		return 0
	}
	if !mod97(buf[:n]) {
		return 0
	}
	s.add(a, end, IBAN, 0.99, "iban.mod97", "country length and mod-97 checksum")
	return end
}

// apiKey detects provider-prefixed keys, JWTs and high-entropy tokens next to key words in t[a:j].
func (s *scanner) apiKey(a, j int) int {
	t := s.text
	e := a
	for e < j && isKeyByte(t[e]) {
		e++
	}
	if e < j && (t[e] == '?' || t[e] == ':') {
		// A URL query: https://host/path?api_key=...&token=...
		if q := strings.IndexByte(t[e:j], '?'); q >= 0 {
			if r := s.queryKeys(e+q, j); r > 0 {
				return r
			}
		}
		if t[e] == ':' && j-e > 16 && t[e+1] != '/' {
			// key:value in one token (API_KEY:a94a8fe5...).
			if r := s.apiKey(e+1, j); r > 0 {
				return r
			}
		}
	}
	e = trimToken(t, a, e)
	tok := t[a:e]
	if len(tok) < 16 {
		return 0
	}
	// key=value: api_key=..., token:...
	if i := strings.LastIndexAny(tok, "=:"); i > 0 && i < len(tok)-16 && !strings.HasPrefix(tok, "eyJ") {
		if r := s.apiKey(a+i+1, j); r > 0 {
			return r
		}
	}
	for _, p := range s.e.keyPrefixes {
		if !strings.HasPrefix(tok, p.prefix) {
			continue
		}
		rest := tok[len(p.prefix):]
		if len(rest) < p.min {
			continue
		}
		if p.upper {
			if len(rest) != p.min {
				continue
			}
			ok := true
			for i := 0; i < len(rest); i++ {
				if !isUpper(rest[i]) && !isDigit(rest[i]) {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
		}
		if (p.prefix == "SK" || p.prefix == "AC") && !isHexString(rest) {
			continue
		}
		s.add(a, e, APIKey, 0.99, "apikey.prefix", "known provider key prefix")
		return max(e, j)
	}
	// JWT: three base64url parts, the first two starting with eyJ.
	if strings.HasPrefix(tok, "eyJ") {
		if d1 := strings.IndexByte(tok, '.'); d1 > 10 {
			if d2 := strings.IndexByte(tok[d1+1:], '.'); d2 > 3 && strings.HasPrefix(tok[d1+1:], "eyJ") {
				s.add(a, e, APIKey, 0.98, "apikey.jwt", "JSON Web Token")
				return max(e, j)
			}
		}
	}
	var up, lo, dig, other int
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		switch {
		case isUpper(c):
			up++
		case isLower(c):
			lo++
		case isDigit(c):
			dig++
		default:
			other++
		}
	}
	if dig == 0 || up+lo == 0 || other > len(tok)/4 {
		return 0
	}
	hex := isHexString(tok)
	ctx := s.ctxBefore(a, 48, &s.e.kw.key) || s.ctxAfter(e, 16, &s.e.kw.key)
	switch {
	case ctx && (len(tok) >= 20 || hex && len(tok) >= 16):
		s.add(a, e, APIKey, 0.92, "apikey.context", "high-entropy token after a key/token word")
	case !ctx && len(tok) >= 32 && up > 0 && lo > 0 && dig >= 3 && !hex:
		s.add(a, e, APIKey, 0.7, "apikey.entropy", "long mixed-case token")
	default:
		return 0
	}
	return max(e, j)
}

func isHexString(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return len(s) > 0
}

// ukPostcode matches a UK postcode (A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA) at i and returns its end, or 0.
func ukPostcode(t string, i int) int {
	j := i
	for j < len(t) && j-i < 2 && isUpper(t[j]) {
		j++
	}
	if j == i || j >= len(t) || !isDigit(t[j]) {
		return 0
	}
	j++
	if j < len(t) && (isDigit(t[j]) || isUpper(t[j])) {
		j++
	}
	if j-i > 4 || j+4 > len(t) || t[j] != ' ' {
		return 0
	}
	j++
	if !isDigit(t[j]) || !isUpper(t[j+1]) || !isUpper(t[j+2]) {
		return 0
	}
	j += 3
	if j < len(t) && isAlnum(t[j]) {
		return 0
	}
	return j
}

// password extracts the secret after a password keyword ending at k and returns its end, or 0.
func (s *scanner) password(k int) int { return s.passwordAfter(k, false) }

// passwordAfter is password; weak keywords ("login") need an explicit separator and a secret
// that does not look like a plain word or an e-mail address.
func (s *scanner) passwordAfter(k int, weak bool) int {
	t := s.text
	i := k
	sep, far, strong := false, false, weak
	// A quoted key in a config snippet: "password": "X", 'pass' = 'X'.
	if i+1 < len(t) && (t[i] == '"' || t[i] == '\'') && (t[i+1] == ':' || t[i+1] == '=' || t[i+1] == ' ') {
		i++
	}
	for i < len(t) && (t[i] == ' ' || t[i] == '\t') {
		i++
	}
	if i >= len(t) {
		return 0
	}
	switch {
	case weak:
		// "my login is X": a login name after ':' is usually the user name.
		we := i
		for we < len(t) && isAlpha(t[we]) {
			we++
		}
		if !lowerWordIs(t[i:we], "is", "was") {
			return 0
		}
		i, sep = we, true
	case t[i] == ':' || t[i] == '=' || t[i] == '-' && i+1 < len(t) && t[i+1] == ' ':
		i++
		sep = true
	default:
		we := i
		for we < len(t) && isAlpha(t[we]) {
			we++
		}
		switch {
		case lowerWordIs(t[i:we], "is", "was", "wordt", "luidt", "becomes", "equals", "reads", "are", "zijn"):
			i, sep = we, true
			if i < len(t) && t[i] == ':' {
				i++
			}
		case !weak && we < len(t) && t[we] == ' ' && lowerWordIs(t[i:we], "to", "naar", "into"):
			// "reset my password to X", "wachtwoord gewijzigd naar X": only a secret-looking token.
			i, sep, strong = we, true, true
		case weak:
			return 0
		default:
			// "password for the portal is X", "wachtwoord van mijn account: X".
			if k2 := s.passwordSep(i); k2 > 0 {
				i, sep, far = k2, true, true
			}
		}
	}
	// Optional "now", "nu", "still", "gewoon" after the separator.
	for n := 0; n < 2 && sep; n++ {
		k2 := i
		for k2 < len(t) && t[k2] == ' ' {
			k2++
		}
		we := k2
		for we < len(t) && isAlpha(t[we]) {
			we++
		}
		if we < len(t) && t[we] == ' ' && lowerWordIs(t[k2:we], "now", "nu", "still", "nog", "gewoon", "just", "currently", "simply", "set", "changed", "to", "naar", "gewijzigd", "veranderd") {
			i = we
			continue
		}
		break
	}
	for i < len(t) && (t[i] == ' ' || t[i] == '\t') {
		i++
	}
	if i >= len(t) {
		return 0
	}
	// Quoted secret.
	if q, ql := openQuote(t, i); q != "" {
		st := i + ql
		end := strings.Index(t[st:min(len(t), st+80)], q)
		if end <= 0 || strings.IndexByte(t[st:st+end], '\n') >= 0 || rendered(t, st, st+end) {
			return 0
		}
		s.add(st, st+end, Password, 0.97, "password.quoted", "quoted secret after a password word")
		return st + end + len(q)
	}
	st := i + placeholderLen(t, i) // "[PASSWORD]x": a rendered value is not part of a new one
	e := st
	// The whole token, however long: a cap would leave the tail of a long secret readable.
	for e < len(t) && t[e] > ' ' && t[e] != '<' && !(t[e] == '&' && htmlSpace(t, e)) {
		e++
	}
	for e > st && e < len(t) && !utf8.RuneStart(t[e]) {
		e--
	}
	// Sentence punctuation at the end is not part of the secret.
	for e > st {
		c := t[e-1]
		if c == '.' || c == ',' || c == ';' || c == ':' || c == '?' || c == ')' || c == '"' || c == '\'' {
			e--
			continue
		}
		break
	}
	if p, _ := renderedIn(t, st, e); p >= 0 {
		e = p // "AREPASSWORD:3f9a0c1d2e4b": the value ends where a rendered pseudonym starts
	}
	if p := strings.IndexByte(t[st:e], '['); p >= 0 && placeholderLen(t, st+p) > 0 {
		e = st + p // "0=[API_KEY]": or a placeholder
	}
	if e-st < 3 || rendered(t, st, e) {
		return 0
	}
	tok := t[st:e]
	var up, lo, dig, other int
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		switch {
		case isUpper(c):
			up++
		case isLower(c):
			lo++
		case isDigit(c):
			dig++
		default:
			other++
		}
	}
	if s.e.lexOf(tok)&(kStop|kNotSecret) != 0 {
		return 0
	}
	// Mixed case inside the word (EkXzMBCCBF, yJpEyQbJx): a random secret, not a word.
	innerUp := lo > 0 && up > 0 && (up > 1 || !isUpper(tok[0])) && len(tok) >= 6
	if strong && dig == 0 && other == 0 && !innerUp {
		return 0
	}
	if weak {
		if at := strings.IndexByte(tok, '@'); at >= 0 && strings.IndexByte(tok[at:], '.') > 0 {
			return 0 // an e-mail address as the login name
		}
	}
	if dig == 0 && other == 0 && !innerUp {
		if !sep || far || up == 0 && len(tok) < 5 {
			return 0
		}
		if up == 0 || up == 1 && isUpper(tok[0]) {
			// A plain word: only after an explicit ':'/'=' or "is".
			if !sep {
				return 0
			}
		}
	}
	conf := float32(0.95)
	if !sep {
		conf = 0.85
	}
	s.add(st, e, Password, conf, "password.keyword", "secret after a password word")
	return e
}

// rendered reports whether t[st:e] is a value Policy.Render wrote: a placeholder ("[PASSWORD]")
// or a pseudonym ("PASSWORD:3f9a0c1d2e4b"), or the digest part of one.
func rendered(t string, st, e int) bool {
	return placeholderLen(t[:e], st) == e-st || renderedBefore(t, st, e)
}

// placeholderLen returns the length of a rendered value ("[PERSON]" or "PERSON:3f9a0c1d2e4b") at t[i:],
// or 0.
func placeholderLen(t string, i int) int {
	if i < len(t) && t[i] == '[' {
		if k := strings.IndexByte(t[i:min(len(t), i+20)], ']'); k > 1 && Type(t[i+1:i+k]).Valid() {
			return k + 1
		}
		return 0
	}
	j := i
	for j < len(t) && t[j] > ' ' && j-i < 64 {
		j++
	}
	if e := renderedToken(t, i, j); e > 0 {
		return e - i
	}
	return 0
}

// renderedBefore reports whether t[st:e] starts with the digest part of a rendered pseudonym whose
// type name ends just before st ("PASSWORD:3f9a0c1d2e4b": PASSWORD reads as a keyword, the digest as its
// value).
func renderedBefore(t string, st, e int) bool {
	if st < 2 || t[st-1] != ':' {
		return false
	}
	for _, ty := range Types {
		if ws := st - 1 - len(ty); ws >= 0 && t[ws:st-1] == string(ty) && renderedToken(t, ws, e) > 0 {
			return true
		}
	}
	return false
}

// typeEndsAt reports whether a type name ("PERSON", "EMAIL_ADDRESS") ends at t[i].
func typeEndsAt(t string, i int) bool {
	if i < 2 || !isUpper(t[i-1]) {
		return false // every type name ends in an upper-case letter
	}
	for _, ty := range Types {
		if i >= len(ty) && t[i-len(ty):i] == string(ty) {
			return true
		}
	}
	return false
}

// htmlSpace reports whether a non-breaking space entity (&nbsp;, &#160;) starts at t[i].
func htmlSpace(t string, i int) bool {
	return strings.HasPrefix(t[i:], "&nbsp;") || strings.HasPrefix(t[i:], "&#160;")
}

// lowerWordIs reports whether w equals one of the lower-case words ws, ignoring ASCII case.
func lowerWordIs(w string, ws ...string) bool {
	for _, x := range ws {
		if equalFold(w, x) {
			return true
		}
	}
	return false
}

// passwordSep looks ahead from i over up to five lower-case words for "is",
// "was", ":" or "=" and returns the position after it, or 0.
func (s *scanner) passwordSep(i int) int {
	t := s.text
	for n := 0; n < 6 && i < len(t); n++ {
		for i < len(t) && t[i] == ' ' {
			i++
		}
		if i >= len(t) {
			return 0
		}
		if t[i] == ':' || t[i] == '=' {
			return i + 1
		}
		we := i
		if t[i] == 'I' && i+1 < len(t) && (t[i+1] == ' ' || t[i+1] == '\'') {
			we++ // "the password I've been using is"
		}
		for we < len(t) && (isLower(t[we]) || t[we] == '-' || t[we] == '\'') {
			we++
		}
		if we == i || we-i > 14 {
			return 0
		}
		switch t[i:we] {
		case "is", "was", "luidt", "wordt", "becomes", "are", "zijn":
			return we
		}
		if we < len(t) && t[we] == ':' {
			return we + 1
		}
		i = we
	}
	return 0
}

// openQuote returns the closing quote for an opening quote at i, and the opening quote's length.
func openQuote(t string, i int) (string, int) {
	switch {
	case t[i] == '"':
		return "\"", 1
	case t[i] == '\'':
		return "'", 1
	case t[i] == '`':
		return "`", 1
	case strings.HasPrefix(t[i:], "“"):
		return "”", len("“")
	case strings.HasPrefix(t[i:], "‘"):
		return "’", len("‘")
	case strings.HasPrefix(t[i:], "«"):
		return "»", len("«")
	case strings.HasPrefix(t[i:], "„"):
		return "“", len("„")
	}
	return "", 0
}

// queryKeys checks the values of a URL query t[q:j] (q at '?') for keys and returns j if one
// was found, or 0.
func (s *scanner) queryKeys(q, j int) int {
	t := s.text
	found := false
	for k := q; k < j; k++ {
		if t[k] != '?' && t[k] != '&' {
			continue
		}
		n := k + 1
		for n < j && (isAlnum(t[n]) || t[n] == '_' || t[n] == '-') {
			n++
		}
		if n == k+1 || n+17 > j || t[n] != '=' {
			continue
		}
		if s.apiKey(n+1, j) > 0 {
			found = true
		}
	}
	if found {
		return j
	}
	return 0
}
