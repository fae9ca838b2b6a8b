package rules

import (
	"strings"
	"unicode/utf8"
)

func isKeyByte(b byte) bool {
	return isAlnum(b) || b == '_' || b == '-' || b == '.' || b == '/' || b == '+' || b == '=' || b == '~' || b == '%'
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

// apiKey detects provider keys (data/secrets.tsv), JWTs, webhook URLs and high-entropy tokens
// next to key words in t[a:j], also as the value of an assignment in the token (NAME='value',
// key:"value", NAME=value) and as the parts of a split secret (id|secret, botid:secret).
func (s *scanner) apiKey(a, j int) int {
	t := s.text
	for a < j && isQuote(t[a]) {
		a++
	}
	e := a
	for e < j && isKeyByte(t[e]) {
		e++
	}
	if e+3 <= j && t[e] == ':' && t[e+1] == '/' && t[e+2] == '/' {
		return s.urlSecret(a, e+3, j)
	}
	if e < j && (t[e] == '?' || t[e] == ':' || t[e] == '|') {
		if r := s.keyInURLOrPair(a, e, j); r > 0 {
			return r
		}
	}
	if e+1 < j && isQuote(t[e]) && e > a && assignAt(t[a:e]) == e-1-a {
		return s.apiKey(e, j) // NAME='value', key:"value"
	}
	e = trimToken(t, a, e)
	tok := t[a:e]
	if len(tok) < 12 {
		return 0
	}
	if r := s.e.secretRules.match(tok, s, a, e, false); r != nil {
		if !placeholder(tok[len(r.prefix):]) {
			s.add(a, e, r.typ, 0.99, r.detector(), r.why)
		}
		return max(e, j)
	}
	if i := assignAt(tok); i > 0 && len(tok)-i > 12 && !strings.HasPrefix(tok, "eyJ") {
		if r := s.apiKey(a+i+1, j); r > 0 {
			return r
		}
	}
	switch {
	case isJWT(tok):
		s.add(a, e, APIKey, 0.98, "apikey.jwt", "JSON Web Token")
	case !s.entropyKey(a, e):
		return 0
	}
	return max(e, j)
}

// isQuote reports whether b opens or closes a quoted value in code or config: ' " `.
func isQuote(b byte) bool { return b == '\'' || b == '"' || b == '`' }

// assignAt returns the index of the first '=' or ':' in tok that follows a config name (letters,
// '_', '-', '.', at most one digit), as in "SERVICE_TOKEN=value" or "api_key:value", or -1.
func assignAt(tok string) int {
	digits := 0
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if c == '=' || c == ':' {
			if i > 0 && digits <= 1 {
				return i
			}
			return -1
		}
		if isDigit(c) {
			digits++
		}
		if !isAlnum(c) && c != '_' && c != '-' && c != '.' {
			return -1
		}
	}
	return -1
}

// keyInURLOrPair looks for keys in a URL query (https://host/path?api_key=...&token=...) or
// in a pair token where the first part t[a:e] ends at ':' or '|': API_KEY:a94a8fe5...,
// a split secret 1234567890123456|secret or botid:secret.
func (s *scanner) keyInURLOrPair(a, e, j int) int {
	t := s.text
	if q := strings.IndexByte(t[e:j], '?'); q >= 0 {
		if r := s.queryKeys(e+q, j); r > 0 {
			return r
		}
	}
	if t[e] == '?' || e+1 >= j || t[e+1] == '/' {
		return 0
	}
	if r := s.splitSecret(a, e, j); r > 0 {
		return max(r, j)
	}
	if t[e] == ':' && j-e > 12 {
		return s.apiKey(e+1, j)
	}
	return 0
}

// isJWT reports whether tok is a JSON Web Token: three base64url parts, the first two
// starting with eyJ.
func isJWT(tok string) bool {
	if !strings.HasPrefix(tok, "eyJ") {
		return false
	}
	d1 := strings.IndexByte(tok, '.')
	if d1 <= 10 {
		return false
	}
	d2 := strings.IndexByte(tok[d1+1:], '.')
	return d2 > 3 && strings.HasPrefix(tok[d1+1:], "eyJ")
}

// entropyKey reports a high-entropy token t[a:e] after a key or token word (or as a quoted
// value in an assignment), or a long mixed-case token without one, and reports whether it did.
// Placeholders, URLs and host names, and lines of public-key blocks are not keys.
func (s *scanner) entropyKey(a, e int) bool {
	tok := s.text[a:e]
	up, lo, dig, other := byteKinds(tok)
	if dig == 0 || up+lo == 0 || other > len(tok)/4 {
		return false
	}
	hex := isHexString(tok)
	long := len(tok) >= 20 || hex && len(tok) >= 16
	if !long && (dig < 2 || other > 0) {
		return false
	}
	conf, det, why := float32(0.92), "apikey.context", "high-entropy token after a key/token word"
	switch {
	case long && s.keyCtx(a, e):
	case !long && (s.ctxBefore(a, 48, &s.e.kw.key) || quotedAssignment(s.text, a)) && entropyBits(tok) >= 3:
		conf, why = 0.9, "random-looking token after a key/token word"
	case len(tok) >= 32 && up > 0 && lo > 0 && dig >= 3 && !hex:
		conf, det, why = 0.7, "apikey.entropy", "long mixed-case token"
	default:
		return false
	}
	if placeholder(tok) || hostLike(tok) || encodedWhitespace(tok) || s.inPublicBlock(a) {
		return false
	}
	s.add(a, e, APIKey, conf, det, why)
	return true
}

// encodedWhitespace reports whether tok holds a percent-encoded space, tab or line break:
// URL-encoded text (a query string of prose, read again decoded), never one key. Keys in
// URLs encode only '+', '/' and '='.
func encodedWhitespace(tok string) bool {
	for rest := tok; ; {
		i := strings.IndexByte(rest, '%')
		if i < 0 || i+2 >= len(rest) {
			return false
		}
		switch rest[i+1 : i+3] {
		case "20", "09", "0A", "0a", "0D", "0d":
			return true
		}
		rest = rest[i+1:]
	}
}

// byteKinds counts the upper-case letters, lower-case letters, digits and other bytes of tok.
func byteKinds(tok string) (up, lo, dig, other int) {
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
	return up, lo, dig, other
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
	ps := s.passwordSeparator(k, weak)
	if ps.i < 0 {
		return 0
	}
	i := s.skipPasswordFillers(ps.i, ps.sep)
	if i >= len(t) {
		return 0
	}
	if q, ql := openQuote(t, i); q != "" {
		st := i + ql
		end := strings.Index(t[st:min(len(t), st+80)], q)
		if end <= 0 || strings.IndexByte(t[st:st+end], '\n') >= 0 || rendered(t, st, st+end) {
			return 0
		}
		s.add(st, st+end, Password, 0.97, "password.quoted", "quoted secret after a password word")
		return st + end + len(q)
	}
	st, e := passwordToken(t, i)
	if e-st < 3 || rendered(t, st, e) {
		return 0
	}
	if !s.secretShape(t[st:e], ps, weak) {
		return 0
	}
	conf := float32(0.95)
	if !ps.sep {
		conf = 0.85
	}
	s.add(st, e, Password, conf, "password.keyword", "secret after a password word")
	return e
}

// pwSep is what stands between a password keyword and its secret.
type pwSep struct {
	i      int  // where the secret (or a filler word) starts; -1: no secret follows
	sep    bool // an explicit separator: ':', '=', "is", "to"
	far    bool // the separator came after other words ("password for the portal is")
	strong bool // only a secret-looking token counts (weak keywords, "reset my password to X")
}

// passwordSeparator reads the separator after a password keyword ending at k.
func (s *scanner) passwordSeparator(k int, weak bool) pwSep {
	t := s.text
	i := k
	ps := pwSep{i: -1, strong: weak}
	// A quoted key in a config snippet: "password": "X", 'pass' = 'X'.
	if i+1 < len(t) && (t[i] == '"' || t[i] == '\'') && (t[i+1] == ':' || t[i+1] == '=' || t[i+1] == ' ') {
		i++
	}
	for i < len(t) && (t[i] == ' ' || t[i] == '\t') {
		i++
	}
	if i >= len(t) {
		return ps
	}
	we := i
	for we < len(t) && isAlpha(t[we]) {
		we++
	}
	switch {
	case weak:
		// "my login is X": a login name after ':' is usually the user name.
		if !s.inSet(setPwWeakIs, t[i:we]) {
			return ps
		}
		i, ps.sep = we, true
	case t[i] == ':' || t[i] == '=' || t[i] == '-' && i+1 < len(t) && t[i+1] == ' ':
		i++
		ps.sep = true
	case s.inSet(setPwIs, t[i:we]):
		i, ps.sep = we, true
		if i < len(t) && t[i] == ':' {
			i++
		}
	case we < len(t) && t[we] == ' ' && s.inSet(setPwTo, t[i:we]):
		// "reset my password to X", "wachtwoord gewijzigd naar X": only a secret-looking token.
		i, ps.sep, ps.strong = we, true, true
	default:
		// "password for the portal is X", "wachtwoord van mijn account: X".
		if k2 := s.passwordSep(i); k2 > 0 {
			i, ps.sep, ps.far = k2, true, true
		}
	}
	ps.i = i
	return ps
}

// skipPasswordFillers skips "now", "nu", "still", "gewoon" after a separator, and the spaces
// before the secret.
func (s *scanner) skipPasswordFillers(i int, sep bool) int {
	t := s.text
	for n := 0; n < 2 && sep; n++ {
		k2 := i
		for k2 < len(t) && t[k2] == ' ' {
			k2++
		}
		we := k2
		for we < len(t) && isAlpha(t[we]) {
			we++
		}
		if we < len(t) && t[we] == ' ' && s.inSet(setPwFiller, t[k2:we]) {
			i = we
			continue
		}
		break
	}
	for i < len(t) && (t[i] == ' ' || t[i] == '\t') {
		i++
	}
	return i
}

// passwordToken returns the bounds of the unquoted secret starting at i: the whole token,
// however long (a cap would leave the tail of a long secret readable), without sentence
// punctuation at its end and without a rendered value glued to it.
func passwordToken(t string, i int) (int, int) {
	st := i + renderedLen(t, i) // "[PASSWORD]x": a rendered value is not part of a new one
	e := st
	for e < len(t) && t[e] > ' ' && t[e] != '<' && !(t[e] == '&' && htmlSpace(t, e)) {
		e++
	}
	for e > st && e < len(t) && !utf8.RuneStart(t[e]) {
		e--
	}
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
	if p := strings.IndexByte(t[st:e], '['); p >= 0 && renderedLen(t, st+p) > 0 {
		e = st + p // "0=[API_KEY]": or a placeholder
	}
	return st, e
}

// secretShape reports whether tok looks like a secret rather than a word, given the
// separator before it.
func (s *scanner) secretShape(tok string, ps pwSep, weak bool) bool {
	up, lo, dig, other := byteKinds(tok)
	if s.lexOf(tok)&(kStop|kNotSecret) != 0 {
		return false
	}
	// Mixed case inside the word (EkXzMBCCBF, yJpEyQbJx): a random secret, not a word.
	innerUp := lo > 0 && up > 0 && (up > 1 || !isUpper(tok[0])) && len(tok) >= 6
	plain := dig == 0 && other == 0 && !innerUp
	if ps.strong && plain {
		return false
	}
	if weak {
		if at := strings.IndexByte(tok, '@'); at >= 0 && strings.IndexByte(tok[at:], '.') > 0 {
			return false // an e-mail address as the login name
		}
	}
	// A plain word: only after an explicit ':'/'=' or "is", near the keyword.
	return !plain || ps.sep && !ps.far && (up > 0 || len(tok) >= 5)
}

// htmlSpace reports whether a non-breaking space entity (&nbsp;, &#160;) starts at t[i].
func htmlSpace(t string, i int) bool {
	return strings.HasPrefix(t[i:], "&nbsp;") || strings.HasPrefix(t[i:], "&#160;")
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
		if s.inSet(setPwSepVerb, t[i:we]) {
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
