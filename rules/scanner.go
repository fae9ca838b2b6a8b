package rules

import (
	"bytes"
	"strings"
)

// Byte classes for the single-pass scanner.
const (
	cSpace uint16 = 1 << iota // space, tab, CR, LF, and other token delimiters
	cDigit                    // 0-9
	cUpper                    // A-Z
	cLower                    // a-z
	cHigh                     // non-ASCII byte (part of a UTF-8 sequence)
	cAt                       // @
	cColon                    // :
	cDot                      // .
	cHex                      // 0-9 a-f A-F
	cSym                      // other ASCII punctuation inside a token
	cUnder                    // _ and -
	cEnc                      // \ = % &: bytes that may start an encoded form (decode.go), with cSym ('&': cSpace)
)

// classTable returns the byte class table. It is built once per Engine.
func classTable() [256]uint16 {
	var t [256]uint16
	for c := 0; c < 256; c++ {
		b := byte(c)
		switch {
		case b >= '0' && b <= '9':
			t[c] = cDigit | cHex
		case b >= 'A' && b <= 'Z':
			t[c] = cUpper
			if b <= 'F' {
				t[c] |= cHex
			}
		case b >= 'a' && b <= 'z':
			t[c] = cLower
			if b <= 'f' {
				t[c] |= cHex
			}
		case b >= 0x80:
			t[c] = cHigh
		case b == '@':
			t[c] = cAt
		case b == ':':
			t[c] = cColon
		case b == '.':
			t[c] = cDot
		case b == '_' || b == '-':
			t[c] = cUnder
		case b <= ' ' || b == 0x7f:
			t[c] = cSpace
		case bytes.IndexByte([]byte("<>\"()[]{},;|&*`"), b) >= 0:
			t[c] = cSpace
			if b == '&' {
				t[c] |= cEnc // a delimiter the token loop reads itself; encodedIn tests the bit
			}
		default:
			t[c] = cSym
			if b == '\\' || b == '=' || b == '%' {
				t[c] |= cEnc
			}
		}
	}
	return t
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }
func isUpper(b byte) bool { return b >= 'A' && b <= 'Z' }
func isLower(b byte) bool { return b >= 'a' && b <= 'z' }
func isAlpha(b byte) bool { return isUpper(b) || isLower(b) }
func isAlnum(b byte) bool { return isDigit(b) || isAlpha(b) }

// isNameByte reports whether b can be part of a word (letters, digits, UTF-8 bytes).
func isNameByte(b byte) bool { return isAlnum(b) || b >= 0x80 }

// lower returns b with an ASCII upper-case letter lower-cased.
func lower(b byte) byte { return lowerASCII[b] }

// lowerASCII maps every byte to itself but the ASCII upper-case letters, which it maps to their
// lower-case letters: one load in the hashing and comparison loops of the lexicon.
var lowerASCII = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if isUpper(byte(i)) {
			t[i] += 32
		}
	}
	return t
}()

// scanner holds the per-call state of one Detect call. Scanners are pooled.
type scanner struct {
	e      *Engine
	text   string
	locale string
	cands  []Finding
	// lang is the lexicon view of the event's language and mask its bit (every bit when unknown).
	lang lang
	mask langMask

	// sentStart is true when the next token starts a sentence.
	sentStart bool
	// nameCtx is the end offset of the last word that introduces a person name
	// (greeting, sign-off, "my name is"), or -1.
	nameCtx int
	// ctxOpen is true when nameCtx was set by an opening greeting (Hi, Dear, Goedemorgen).
	ctxOpen bool
	// lastEnd is the end of the last candidate emitted by a word detector, to
	// let the token loop skip text already consumed.
	groups []group
	digits []byte
	// lastDOB is the end of the last date of birth found, or 0.
	lastDOB int
	// pr is what an earlier question in the conversation primes (conversation.go), and
	// primedTo the end of the window at the start of the answer where a primed date may start.
	pr       prime
	primedTo int
	// atFrom and atPos cache nextAt: atPos is the first '@' at or after atFrom, len(text) if
	// there is none; atPos < atFrom when nothing is cached.
	atFrom, atPos int
	// maybeEncoded is set by run when the text may hold an encoded form: a byte of cEnc or an '&'
	// was read (run reads the bytes a detector took past its token with encodedIn), or a skipped
	// tag, entity or address took bytes the loop did not read. When it is not set, the decoding
	// gate (entityTable.encodings) would find nothing.
	maybeEncoded bool
}

type group struct {
	start, end int
	sep        string // separator after the group (see numSep)
}

func (s *scanner) reset(text, locale string) {
	s.text = text
	s.locale = locale
	s.lang = s.e.langOf(locale)
	s.mask = maskOf(s.lang)
	s.cands = s.cands[:0]
	s.sentStart = true
	s.nameCtx = -1
	s.lastDOB = 0
	s.pr = prime{}
	s.atFrom, s.atPos = 0, -1
}

// nextAt returns the offset of the first '@' at or after i, or len(s.text) if there is none.
// Person names are tried on every capitalised word and ask it each time; it searches the text
// only when i lies outside the stretch searched last.
func (s *scanner) nextAt(i int) int {
	if i < s.atFrom || i > s.atPos {
		s.findAt(i)
	}
	return s.atPos
}

// findAt searches the text from i for the next '@' and caches the result for nextAt.
func (s *scanner) findAt(i int) {
	s.atFrom, s.atPos = i, len(s.text)
	if k := strings.IndexByte(s.text[i:], '@'); k >= 0 {
		s.atPos = i + k
	}
}

func (s *scanner) add(start, end int, t Type, conf float32, det, why string) {
	s.cands = append(s.cands, Finding{Start: start, End: end, Type: t, Confidence: conf, Detector: det, Why: why})
}

// run is the single pass over the text: it splits the text into tokens at
// spaces and delimiters and dispatches each token on its byte classes.
func (s *scanner) run() {
	t := s.text
	cls := &s.e.cls
	n := len(t)
	i := 0
	var seen uint16 // the classes of every token read
	unread := false // some bytes were taken without being read, or an '&' was met
	for i < n {
		c := t[i]
		if c == ' ' {
			i++
			continue
		}
		if cls[c]&cSpace != 0 {
			switch c {
			case '<':
				if j := s.tag(i); j > i {
					i, unread = j, true
					continue
				}
			case '&':
				unread = true // an entity, or an '&' the gate must read
				if j := entityEnd(t, i); j > i {
					i = j
					continue
				}
			case '[', '(', '{':
				if j := s.obfuscatedEmail(i); j > i {
					i, unread = j, true
					continue
				}
			case '\n':
				s.lineBreak(i)
			}
			i++
			continue
		}
		j := i
		var fl uint16
		for j < n {
			cj := cls[t[j]]
			if cj&cSpace != 0 {
				break
			}
			fl |= cj
			j++
		}
		seen |= fl
		if fl&^(cLower|cHex|cDot) == 0 {
			// Fast path: a plain lower-case word (maybe ending a sentence) that no detector looks at.
			we := j
			if t[j-1] == '.' {
				we--
			}
			// The test of plainWord, with nameSlot written out: the word is not at a name slot.
			if we > i && t[i] != '.' && s.e.gates.quiet(t[i:we]) && (s.nameCtx < 0 || i-s.nameCtx > 8) &&
				!(s.e.gates.selfSlot(t, i) && s.selfIntro(t, i)) {
				s.sentStart = we < j
				i = j
				continue
			}
		} else if fl&^(cLower|cHex|cDot|cHigh|cSym|cEnc) == 0 && s.quietLetters(i, j, fl) {
			s.sentStart = t[j-1] == '.' || t[j-1] == '!' || t[j-1] == '?'
			i = j
			continue
		}
		next := s.token(i, j, fl)
		if next <= i {
			next = j
		}
		if next > j && !unread {
			unread = s.encodedIn(j, next) // the bytes a detector took past the token
		}
		i = next
	}
	s.maybeEncoded = unread || seen&cEnc != 0
}

// encodedIn reports whether t[i:e] holds a byte that may start an encoded form (of class cEnc).
func (s *scanner) encodedIn(i, e int) bool {
	t := s.text[:min(e, len(s.text))]
	var f uint16
	for k := i; k < len(t); k++ {
		f |= s.e.cls[t[k]]
	}
	return f&cEnc != 0
}

// lineBreak notes the line break at i: a sentence starts, and a name context ends unless only
// punctuation and breaks follow it (a sign-off at the end of a line, "Groeten,", carries over to
// the name below it).
func (s *scanner) lineBreak(i int) {
	s.sentStart = true
	if s.nameCtx >= 0 && !onlyBreaks(s.text[s.nameCtx:i]) {
		s.nameCtx = -1
	}
}

// quietLetters reports whether token and word would do nothing with the token t[i:j] of byte
// classes fl: a lower-case word with UTF-8 letters ("für", "grüßen") or one ending a sentence
// ("komt?"), that no detector looks at. It takes what the fast path in run does not: it starts with an
// ASCII lower-case letter, holds only letters and UTF-8 bytes but for one closing '.', '!' or
// '?', is 3 to 15 bytes long (longer than a country code, shorter than a key), follows no '[' (a
// placeholder), is not cut off before an entity (O&#39;Brien) and stands where word would not
// try a lower-case name. run's state changes as token's would: the sentence starts anew after
// the closing mark.
func (s *scanner) quietLetters(i, j int, fl uint16) bool {
	t := s.text
	if j-i < 3 || j-i >= 16 || !isLower(t[i]) || i > 0 && t[i-1] == '[' {
		return false
	}
	we := j
	if c := t[j-1]; c == '.' || c == '!' || c == '?' {
		we--
	} else if j < len(t) && t[j] == '&' {
		return false
	}
	if s.nameCtx >= 0 && i-s.nameCtx <= 8 || s.e.gates.selfSlot(t, i) {
		return false // word would try lowerName
	}
	if !s.e.gates.quiet(t[i:we]) {
		return false
	}
	if fl&(cDot|cSym) == 0 {
		return true // only letters and UTF-8 bytes
	}
	for k := i + 1; k < we; k++ {
		if !isAlpha(t[k]) && t[k] < 0x80 {
			return false
		}
	}
	return true
}

// plainWord reports whether the lower-case word t[i:we] can be skipped: no password
// compound ending, no trigger word, no name context just before it, and no
// self-introduction ("ik ben") before it. The gates come from the lexicon (see gates).
// run inlines the same test; TestGatesReachEveryWord checks the words through plainWord.
func (s *scanner) plainWord(i, we int) bool {
	t := s.text
	return we > i && t[i] != '.' && s.e.gates.quiet(t[i:we]) && !s.nameSlot(i)
}

// nameSlot reports whether a name may stand at i: just after a name context word, or after
// a self-introduction ("ik ben", "I am").
func (s *scanner) nameSlot(i int) bool {
	t := s.text
	return s.nameCtx >= 0 && i-s.nameCtx <= 8 || i >= 3 && t[i-1] == ' ' && s.e.gates.maybeSelf(t, i) && s.selfIntro(t, i)
}

// entityEnd returns the end of an HTML entity (&gt; &#39; &nbsp;) at i, or i.
func entityEnd(t string, i int) int {
	j := i + 1
	for j < len(t) && j-i <= 10 && (isAlnum(t[j]) || t[j] == '#') {
		j++
	}
	if j < len(t) && j > i+1 && t[j] == ';' {
		return j + 1
	}
	return i
}

// tag skips an HTML tag at i and returns its end, or i if there is none.
// E-mail addresses inside the tag (mailto: links, <name@host>) are detected.
func (s *scanner) tag(i int) int {
	t := s.text
	if i+1 >= len(t) {
		return i
	}
	c := t[i+1]
	if !(isAlpha(c) || c == '/' || c == '!' || c == '?') {
		return i
	}
	end := -1
	for j := i + 1; j < len(t) && j < i+2048; j++ {
		if t[j] == '>' {
			end = j + 1
			break
		}
		if t[j] == '<' || t[j] == '\n' && c != '!' {
			break
		}
	}
	if end < 0 {
		return i
	}
	at := false
	for j := i + 1; j < end; j++ {
		if t[j] == '@' {
			at = true
			s.emailAt(j, i+1, end-1)
		}
	}
	if at && isAlnum(c) && strings.IndexByte(t[i+1:end], ' ') < 0 {
		// <name@host> in plain text: the tag is the address itself.
		return end
	}
	name := t[i+1:]
	if c == '/' {
		name = t[i+2:]
	}
	if blockTag(name) {
		s.sentStart = true
		if s.nameCtx >= 0 && !onlyBreaks(t[s.nameCtx:i]) {
			s.nameCtx = -1
		}
	}
	return end
}

// blockTag reports whether the tag name at the start of name (after "<" or "</") breaks a
// line: p, br, div, li, tr, td, h1-h3, blockquote.
func blockTag(name string) bool {
	if hasPrefixFold(name, "p") {
		return len(name) > 1 && !isAlpha(name[1])
	}
	for _, tag := range [...]string{"br", "div", "li", "tr", "h1", "h2", "h3", "blockquote", "td"} {
		if hasPrefixFold(name, tag) {
			return true
		}
	}
	return false
}

// onlyBreaks reports whether gap, between a sign-off and a line break or block tag, holds only
// punctuation, blank lines and tags ("Warm regards,<br>\n<br>\n"), so a name below still follows it.
func onlyBreaks(gap string) bool {
	if len(gap) > 48 {
		return false
	}
	for i := 0; i < len(gap); i++ {
		switch c := gap[i]; c {
		case ',', ' ', '\r', '\n', '\t', '!':
		case '<':
			k := strings.IndexByte(gap[i:], '>')
			if k < 0 {
				return false
			}
			i += k
		default:
			return false
		}
	}
	return true
}

// hasPrefixFold reports whether s starts with the lower-case ASCII prefix p, ignoring case.
func hasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if lower(s[i]) != p[i] {
			return false
		}
	}
	return true
}

// token handles the token t[i:j] with byte classes fl and returns where scanning resumes.
func (s *scanner) token(i, j int, fl uint16) int {
	t := s.text
	if fl&cAt != 0 {
		if e := s.urlCredentials(i, j); e > 0 {
			return e
		}
		found := false
		for k := i; k < j; k++ {
			if t[k] == '@' {
				if s.emailAt(k, i, j) {
					found = true
				}
			}
		}
		if found {
			s.emailPassword(j)
		}
		if found || s.ipAfterAt(i, j) {
			s.sentStart = false
			return j
		}
	}
	// Strip leading punctuation (but keep + for phone numbers).
	a := i
	for fl&(cSym|cUnder|cDot|cColon) != 0 && a < j && s.e.cls[t[a]]&(cSym|cUnder|cDot|cColon) != 0 && t[a] != '+' {
		a++
	}
	if a >= j {
		return j
	}
	if a > 0 && t[a-1] == '[' {
		if n := renderedLen(t, a-1); n > 0 {
			return a - 1 + n // "[PASSWORD]": a placeholder Render wrote
		}
	}
	if fl&cColon != 0 {
		// A pseudonym Render wrote ("key=API_KEY:3f9a0c1d2e4b") is not scanned again; what stands
		// before it in the token is.
		if p, e := renderedIn(t, a, j); p >= 0 {
			if p > a {
				var pf uint16
				for k := a; k < p; k++ {
					pf |= s.e.cls[t[k]]
				}
				s.token(a, p, pf)
			}
			return e
		}
	}
	sentStart := s.sentStart
	s.sentStart = false
	next := s.dispatch(a, j, fl, sentStart)
	// Sentence end: the token ends with . ! or ?.
	if fl&(cDot|cSym) != 0 && next <= j { // '.' is of class cDot, '!' and '?' of cSym
		if last := t[j-1]; last == '.' || last == '!' || last == '?' {
			s.sentStart = true
		}
	}
	return next
}

// dispatch runs the detectors that fit the token t[a:j].
func (s *scanner) dispatch(a, j int, fl uint16, sentStart bool) int {
	t := s.text
	c := t[a]
	if fl&cColon != 0 {
		if e := s.curlUser(a, j); e > 0 {
			return e
		}
	}
	if j-a >= 12 && keyShaped(t[a:j], fl) { // keyShaped's length test, inline: most tokens are shorter
		if e := s.apiKey(a, j); e > 0 {
			return e
		}
	}
	if isDigit(c) || c == '+' && a+1 < len(t) && isDigit(t[a+1]) {
		if fl&cColon != 0 {
			if end := s.ipv6InWord(a, j); end > 0 {
				return end
			}
		}
		return s.numberRun(a, j)
	}
	if c == '+' || c == '(' || !isAlpha(c) && c < 0x80 {
		return j
	}
	// Letters (possibly mixed with digits). A country code alone may start an IBAN ("NO 89 4200…").
	if j-a == 2 {
		if e := s.ibanAfterCode(a, j); e > 0 {
			return e
		}
	}
	if fl&cColon != 0 && fl&cHex != 0 && fl&cDigit != 0 {
		if end := s.ipv6InWord(a, j); end > 0 {
			return end
		}
	}
	if fl&cDigit != 0 && fl&(cColon|cSym) != 0 && a+1 < j {
		s.gluedValue(a, j)
	}
	if fl&cDigit != 0 {
		if end := s.alnumToken(a, j, fl); end > 0 {
			return end
		}
	}
	return s.word(a, j, fl, sentStart)
}

// ipv6InWord detects an IPv6 address at a, also when its leading "::" was stripped as
// punctuation ("::1", "::ffff:192.0.2.1", "[::1a2b:...]").
func (s *scanner) ipv6InWord(a, j int) int {
	t := s.text
	if a >= 2 && t[a-1] == ':' && t[a-2] == ':' {
		if end := s.ipv6(a-2, j); end > 0 {
			return end
		}
	}
	return s.ipv6(a, j)
}

// gluedValue dispatches a value glued to its key or scheme in the token t[a:j]:
// "SERVER_IP=192.0.2.7", "host=2001:db8::5", "ip=::ffff:192.0.2.7", "ip:10.0.0.1",
// "http://10.0.0.1/admin".
func (s *scanner) gluedValue(a, j int) {
	t := s.text
	q := strings.IndexAny(t[a+1:j], "=:")
	if q < 0 || t[a+1+q] != '=' && !isDigit(t[min(j-1, a+q+2)]) && !strings.HasPrefix(t[a+1+q:j], "://") {
		return
	}
	v := a + 1 + q + 1
	if strings.HasPrefix(t[v-1:j], "://") {
		v += 2
	}
	if v+2 < j && t[v] == ':' && t[v+1] == ':' {
		s.ipv6(v, j)
	} else if v < j && isDigit(t[v]) {
		var vf uint16
		for k := v; k < j; k++ {
			vf |= s.e.cls[t[k]]
		}
		s.dispatch(v, j, vf, false)
	}
}
