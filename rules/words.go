package rules

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// wordEnd returns the end of the word starting at a: letters, UTF-8 letters,
// and inner apostrophes, hyphens and dots (O'Connor, Smith-Jones, t.n.v.).
func wordEnd(t string, a, j int) int {
	e := a
	for e < j {
		c := t[e]
		if letterByte[c] {
			e++
			continue
		}
		if (c == '\'' || c == '-' || c == '.') && e+1 < j && letterByte[t[e+1]] && e > a {
			e++
			continue
		}
		if c == '&' && e > a {
			// O&#39;Brien: an apostrophe written as an HTML entity.
			if n := apostEntity(t, e); n > 0 && e+n < j && (isAlpha(t[e+n]) || t[e+n] >= 0x80) {
				e += n
				continue
			}
		}
		if c == '.' && e > a && e-a <= 3 {
			// abbreviation dots: t.n.v.
			e++
			continue
		}
		break
	}
	for e > a && (t[e-1] == '.' || t[e-1] == '-' || t[e-1] == '\'') {
		e--
	}
	return e
}

// letterByte holds the bytes of words: ASCII letters and the bytes of UTF-8 sequences.
var letterByte = func() (t [256]bool) {
	for c := range t {
		t[c] = isAlpha(byte(c)) || c >= 0x80
	}
	return t
}()

// upperAt reports whether t[a] is an ASCII upper-case letter.
func upperAt(t string, a int) bool { return isUpper(t[a]) }

// startsUpper reports whether the word at a starts with an upper-case letter.
func startsUpper(t string, a int) bool {
	c := t[a]
	// c-'A' < 26 is isUpper(c) in one comparison, which keeps startsUpper small enough to be
	// inlined: most words start with an ASCII letter.
	return c-'A' < 26 || c >= 0x80 && upperRuneAt(t, a)
}

// upperRuneAt reports whether the UTF-8 sequence at a is an upper-case letter.
func upperRuneAt(t string, a int) bool {
	r, _ := utf8.DecodeRuneInString(t[a:])
	return unicode.IsUpper(r)
}

// word handles a token that starts with a letter.
func (s *scanner) word(a, j int, fl uint16, sentStart bool) int {
	t := s.text
	we := j
	// dispatch calls word for a token that starts with an ASCII letter or a UTF-8 byte: a word
	// that does not start with an ASCII letter holds cHigh.
	if fl&^(cUpper|cLower|cHex) != 0 || j < len(t) && t[j] == '&' {
		we = s.wordBounds(a, j, fl)
	}
	if we <= a {
		return j
	}
	upper := startsUpper(t, a)
	lx := s.wordClass(a, we, upper)
	if lx&(kPassword|kLogin) != 0 || we < len(t) && t[we] == '_' {
		if e := s.secretAfter(we, lx); e > 0 {
			return e
		}
	}
	if lx>>kMonthShift&0xf != 0 {
		if e := s.monthFirst(a, we); e > 0 {
			return e
		}
	}
	if (lx&(kGreeting|kIntro) != 0 || we-a == 3 && t[a] == 0xe2) && s.nameIntro(a, we, lx) { // 0xe2: "—"
		return j
	}
	if !upper {
		// Lower-case chat: "hee gijs", "ik ben jorrit", "this is leighton", "Mr. da Silva".
		if s.nameCtx >= 0 && a-s.nameCtx <= 8 || a >= 3 && t[a-1] == ' ' && s.e.gates.maybeSelf(t, a) {
			if e := s.lowerName(a, we, lx, sentStart); e > 0 {
				return e
			}
		}
		return j
	}
	if e := s.street(a, we, lx); e > 0 {
		return e
	}
	if e := s.person(a, we, lx, sentStart); e > 0 {
		return e
	}
	if !guessable(t, a, we, lx) {
		return j
	}
	if e := s.personGuess(a, we, lx, sentStart); e > 0 {
		return e
	}
	return j
}

// wordBounds returns the end of the word that starts the token t[a:j] when the token holds
// more than ASCII letters or is followed by an entity (word only calls it then).
func (s *scanner) wordBounds(a, j int, fl uint16) int {
	t := s.text
	we := j
	if fl&^(cUpper|cLower|cHex) != 0 || a > 0 && !isAlpha(t[a]) {
		we = wordEnd(t, a, j)
	}
	if we > a && we == j && j < len(t) && t[j] == '&' && apostEntity(t, j) > 0 {
		we = wordEnd(t, a, min(len(t), a+64)) // O&#39;Brien: the scanner split the word at the entity
	}
	return we
}

// wordClass returns the lexicon classes of the word t[a:we]; lower-case words are looked up
// only when they may be trigger words, and compounds ending in a password word count as one.
func (s *scanner) wordClass(a, we int, upper bool) uint32 {
	t := s.text
	w := t[a:we]
	var lx uint32
	if upper || s.e.gates.mayTrigger(w) {
		lx = s.lexOf(w)
	}
	if lx == 0 && we-a >= s.e.gates.compoundMin && s.e.gates.compoundLast[t[we-1]] && s.suffixIn(setPasswordCompound, w, 1) {
		lx = kPassword // a compound: inlogwachtwoord, wifi-password
	}
	return lx
}

// secretAfter looks for a password after a password or login keyword, or after a config key
// ending in one (DB_PASSWORD=, smtp_pass =, mail_wachtwoord:), that ends at we.
func (s *scanner) secretAfter(we int, lx uint32) int {
	t := s.text
	if !s.e.enabledAny(Password) {
		return 0
	}
	if lx&kPassword != 0 {
		if e := s.password(we); e > 0 {
			return e
		}
	} else if lx&kLogin != 0 {
		if e := s.passwordAfter(we, true); e > 0 {
			return e
		}
	}
	if we < len(t) && t[we] == '_' {
		return s.identPassword(we)
	}
	return 0
}

// nameIntro records a greeting or name intro ending at we as name context, and reports
// whether the word is a dash that starts a signature line ("— Anna").
func (s *scanner) nameIntro(a, we int, lx uint32) bool {
	t := s.text
	if lx&(kGreeting|kIntro) != 0 {
		s.ctxOpen = lx&kGreeting != 0 && s.inSet(setOpeningGreeting, t[a:we])
		s.nameCtx = we
		if we < len(t) && t[we] == '.' && (lx&kIntro != 0 || we-a <= 3) {
			s.nameCtx = we + 1
		}
	}
	if we-a == 3 && t[a:we] == "—" && (a == 0 || t[a-1] == '\n' || t[a-1] == '>') {
		s.nameCtx = we
		return true
	}
	return false
}

// selfIntro reports whether the words before a (which follows a space) introduce the writer:
// "ik ben", "I am", "I'm", "this is", "dit is", "it's", "hier is".
func (s *scanner) selfIntro(t string, a int) bool {
	p := a - 1
	ws := p
	for ws > 0 && p-ws < s.e.gates.selfBack && (isAlpha(t[ws-1]) || t[ws-1] == '\'') {
		ws--
	}
	w1 := t[ws:p]
	if s.inSet(setSelfShort, w1) {
		return true
	}
	if !s.inSet(setSelfVerb, w1) || ws < 2 || t[ws-1] != ' ' {
		return false
	}
	p = ws - 1
	w0s := p
	for w0s > 0 && p-w0s < s.e.gates.subjectBack && isAlpha(t[w0s-1]) {
		w0s--
	}
	if w0s > 0 && isNameByte(t[w0s-1]) {
		return false
	}
	return s.inSet(setSelfSubject, t[w0s:p])
}

// lowerNotName are the word classes that make a lower-case word no name in any context.
const lowerNotName = kStop | kNotName | kGreeting | kIntro | kPassword | kConnector | kNotSecret

// lowerName detects a lower-case given name (or a surname particle after a title) at t[a:we]
// right after a greeting, a name intro or a self-introduction. It returns the end, or 0.
func (s *scanner) lowerName(a, we int, lx uint32, sentStart bool) int {
	if !s.e.enabledAny(Person) || we-a < 2 {
		return 0
	}
	t := s.text
	if lx == 0 {
		lx = s.lexOf(t[a:we])
	}
	if lx&kParticle == 0 && lx&lowerNotName != 0 {
		return 0 // refused below in any context
	}
	strong := s.nameCtxOK(a)
	if !strong && !(a >= 3 && t[a-1] == ' ' && s.e.gates.maybeSelf(t, a) && s.selfIntro(t, a)) {
		return 0
	}
	if lx&kParticle != 0 {
		// Only right after a title: "Mr. da Silva", "heer van der Meer" (not "op naam van Jan").
		if strong && s.afterTitle(a) {
			return s.person(a, we, lx, sentStart)
		}
		return 0
	}
	nk := nameKind(lx)
	if nk == 0 && strings.IndexByte(t[a:we], '-') > 0 {
		nk = s.e.names.kind(t[a:we])
	}
	if we-a < 3 || nk&nameFirst == 0 && !(lx == 0 && s.lowerGuess(a, we, strong)) || lx&lowerNotName != 0 {
		return 0
	}
	end := s.lowerSurname(we)
	s.add(a, end, Person, 0.8, "person.names", "lower-case given name after a greeting or introduction")
	s.nameCtx = -1
	return end
}

// lowerSurname returns the end of the lower-case surname after the given name ending at we, or
// we when none follows.
func (s *scanner) lowerSurname(we int) int {
	t := s.text
	if k, e := nextWord(t, we); k >= 0 && isLower(t[k]) {
		if nlx := s.lexOf(t[k:e]); nameKind(nlx)&nameLast != 0 && nlx&(kStop|kNotName|kConnector) == 0 {
			return e
		} else if nlx == 0 && e-k >= 3 && (nameEnds(t, e) && (e >= len(t) || t[e] != '\n') || s.followWord(e, setLowerNameFollow)) {
			// "hoi, met arjen mulderij.", "hey, rupert zhang again": an unknown word closing the
			// introduction is the surname.
			return e
		}
	}
	return we
}

// afterTitle reports whether a title, salutation or name label (Mr., mevrouw, heer, Dear, Naam:,
// t.n.v.) ends just before a, separated by spaces, a dot or a colon only.
func (s *scanner) afterTitle(a int) bool {
	t := s.text
	p := a
	colon := false
	for p > 0 && (t[p-1] == ' ' || t[p-1] == '.' || t[p-1] == ':') && a-p < 3 {
		colon = colon || t[p-1] == ':'
		p--
	}
	ws := s.lastWordStart(p)
	if p <= ws {
		return false
	}
	w := t[ws:p]
	if colon && s.inSet(setNameLabel, w) {
		return true // a form label: "Naam: de Vries" (not "op naam van Jan")
	}
	return s.inSet(setTitle, w)
}

// labelWord reports whether w is a label such as "Klantnummer", "Zendingnummer", "Postcode":
// a capitalised word after a name that ends the name.
func (s *scanner) labelWord(w string) bool { return s.suffixIn(setLabelSuffix, w, 1) }

// enabledAny reports whether t is enabled for at least some locale.
func (e *Engine) enabledAny(t Type) bool {
	return !e.anyOff || !e.disabled[typeIndex(t)]
}

// nextWord skips one or more spaces after i (not line breaks) and returns the
// bounds of the next word, or (-1, -1).
func nextWord(t string, i int) (int, int) {
	k := i
	for k < len(t) && t[k] == ' ' && k-i < 3 {
		k++
	}
	if k == i || k >= len(t) {
		return -1, -1
	}
	if t[k] == '\'' && k+1 < len(t) && isAlpha(t[k+1]) {
		// 't, 's: Dutch particles with an apostrophe.
		return k, wordEnd(t, k+1, min(len(t), k+64))
	}
	if t[k] == '&' {
		// &#39;t: the same in HTML.
		if n := apostEntity(t, k); n > 0 && k+n < len(t) && isAlpha(t[k+n]) {
			return k, wordEnd(t, k+n, min(len(t), k+n+64))
		}
	}
	e := wordEnd(t, k, min(len(t), k+64))
	if e <= k || e < len(t) && (t[e] == ':' || t[e] == '_') && isUpper(t[k]) && renderedLen(t, k) > 0 {
		return -1, -1 // no word, or a pseudonym Render wrote ("ADDRESS:3f9a0c1d2e4b")
	}
	return k, e
}

// apostEntity returns the length of the HTML entity for an apostrophe (&#39;, &apos;, &rsquo;, ...)
// at t[i:], or 0.
func apostEntity(t string, i int) int {
	for _, ent := range [...]string{"&#39;", "&#039;", "&#x27;", "&apos;", "&#8217;", "&rsquo;"} {
		if len(t)-i >= len(ent) && t[i+1] == ent[1] && t[i:i+len(ent)] == ent {
			return len(ent)
		}
	}
	return 0
}

// lexAt returns the lexicon entry of the word t[k:e], reading an apostrophe entity at its start as
// an apostrophe (&#39;t is the particle 't).
func (s *scanner) lexAt(k, e int) uint32 {
	t := s.text
	if t[k] == '&' {
		if n := apostEntity(t, k); n > 0 && e-k-n == 1 {
			switch lower(t[e-1]) {
			case 't':
				return s.lexOf("'t")
			case 's':
				return s.lexOf("'s")
			}
		}
		return 0
	}
	return s.lexOf(t[k:e])
}

// nameCtxOK reports whether a name-introducing word ends just before a:
// "Hoi X", "Groetjes, X", "naam is X", "t.n.v. X", "schreef X".
func (s *scanner) nameCtxOK(a int) bool {
	if s.nameCtx < 0 || s.nameCtx > a || a-s.nameCtx > 24 {
		return false
	}
	gap := s.text[s.nameCtx:a]
	for i := 0; i < len(gap); i++ {
		c := gap[i]
		if c == ' ' || c == ',' || c == ':' || c == '\t' || c == '\n' || c == '\r' || c == '>' || c == '(' {
			continue
		}
		if c == '<' || c == '&' {
			// HTML between a greeting and the name: "Groeten,<br>Anna", "Hoi&nbsp;Anna".
			end := byte('>')
			if c == '&' {
				end = ';'
			}
			k := strings.IndexByte(gap[i:], end)
			if k < 0 {
				return false
			}
			i += k
			continue
		}
		// Allow connectors: "naam is", "name's", "ben", "dit is".
		k := i
		for k < len(gap) && isAlpha(gap[k]) {
			k++
		}
		if k == i {
			return false
		}
		if !s.inSet(setNameGap, gap[i:k]) && s.lexOf(gap[i:k])&(kGreeting|kIntro) == 0 {
			return false
		}
		i = k - 1
	}
	return true
}

// followedByEmail reports whether "<x@y>" or "&lt;x@y" follows position i.
func (s *scanner) followedByEmail(i int) bool {
	t := s.text
	if i < len(t) && t[i] == '"' {
		i++ // Van: "Jan Smit" <jan@...>
	}
	for i < len(t) && t[i] == ' ' {
		i++
	}
	if i < len(t) && t[i] == '<' {
		i++
	} else if i+8 <= len(t) && t[i] == '[' && hasPrefixFold(t[i+1:], "mailto:") {
		i += 8 // Van: Jan Smit [mailto:jan@...]
	} else if i+4 <= len(t) && t[i:i+4] == "&lt;" {
		i += 4
	} else if i < len(t) && t[i] == '(' {
		i++
	} else {
		return false
	}
	for k := i; k < len(t) && k < i+64; k++ {
		c := t[k]
		if c == '@' {
			return true
		}
		if c == ' ' || c == '>' || c == '&' {
			return false
		}
	}
	return false
}

// person detects a person name starting with the capitalised word t[a:we].
// It returns the end of the name, or 0.
func (s *scanner) person(a, we int, lx uint32, sentStart bool) int {
	if !s.e.enabledAny(Person) || s.monthBeforeDay(we, lx) {
		return 0
	}
	t := s.text
	w := t[a:we]
	nk := s.nameKindOf(w, lx)
	// "From: "Bainbridge, Josephine" <j@...>", "Van: Jan Smit [mailto:...]".
	atNear := we+2 < len(t) && (t[we] == ',' || t[we] == ' ' || t[we] == '"') && s.nextAt(we) < min(len(t), we+48)
	// A common word that is no name: personStartOK refuses it in any context. Without an
	// address near, nothing below can find a name in it.
	common := nk == 0 && lx&(kStop|kNotName|kGreeting) != 0 && lx&kParticle == 0
	if common && !atNear {
		return 0
	}
	r := nameRun{a: a, we: we, lx: lx, end: we, parts: 1, nk: nk}
	if r.nk == 0 && (s.clearStreet(w) || s.orgWord(w)) {
		return 0 // "Dr. Lelylaan", "Medewerker Debiteurenbeheer": a street or a department, not a surname
	}
	if atNear {
		if e := s.nameBeforeEmail(a, we, lx); e > 0 {
			return e
		}
	}
	if common {
		return 0
	}
	r.strong = s.personContext(a, we, lx, r.nk)
	if lx&kParticle != 0 && r.strong && r.nk == 0 {
		if e := s.titleParticle(a, we); e != 0 || !upperAt(t, a) {
			return max(e, 0)
		}
	}
	if !s.personStartOK(&r) {
		return 0
	}
	if initialAt(t, a, we) {
		return s.initials(a, we, r.strong)
	}
	if r.nk == 0 && !r.strong {
		// A word of no name list without context: lastFirst wants a family name or context,
		// personFirst leaves it no name, and personExtend keeps a name only when one of these holds.
		return 0
	}
	if e := s.lastFirst(a, we, r.nk, r.strong); e > 0 {
		return e
	}
	s.personFirst(&r)
	if !s.personExtend(&r) {
		return 0
	}
	return s.personEmit(&r, sentStart)
}

// initialAt reports whether the word t[a:we] is an initial or initials before a dot ("J.", "A.B.").
func initialAt(t string, a, we int) bool {
	return we-a <= 3 && we < len(t) && t[we] == '.' && isUpper(t[a]) && (we-a == 1 || t[a+1] == '.')
}

// nameRun is a person-name candidate while person builds it.
type nameRun struct {
	a, we  int     // the first word
	lx     uint32  // its lexicon classes
	nk     uint8   // its name kinds
	strong bool    // name context before it (greeting, title, "my name is")
	ok     bool    // the words so far make a name
	conf   float32 // the confidence so far
	end    int     // the end of the name so far
	parts  int     // the number of name parts so far
}

// monthBeforeDay reports whether the word ending at we is a month abbreviation before a day
// number ("Sep. 3", "Jun 12"), which is not a name.
func (s *scanner) monthBeforeDay(we int, lx uint32) bool {
	if lx>>kMonthShift&0xf == 0 {
		return false
	}
	t := s.text
	k := we
	if k < len(t) && t[k] == '.' {
		k++
	}
	return k+1 < len(t) && t[k] == ' ' && isDigit(t[k+1])
}

// nameKindOf returns the name kinds of w from its lexicon entry, or from the name lists
// for a hyphenated name (Anne-Wil).
func (s *scanner) nameKindOf(w string, lx uint32) uint8 {
	nk := nameKind(lx)
	// A common word holds a '-' only when kHyphenated says so (lx is w's entry).
	if nk == 0 && (lx&(kStop|kNotName|kGreeting) == 0 || lx&kHyphenated != 0) && strings.IndexByte(w, '-') > 0 {
		nk = s.e.names.kind(w)
	}
	if nk == 0 && lx == 0 && len(w) <= 24 && strings.IndexByte(w, 0xc3) >= 0 {
		// "Jérôme", "Hélène": the name lists may hold the name without its accents.
		var buf [24]byte
		if f, ok := foldAccents(w, buf[:0]); ok {
			nk = nameKind(s.lexOf(string(f)))
		}
	}
	return nk
}

// foldAccents writes w with the accented Latin-1 letters (U+00C0-U+00FF) replaced by their
// base letters into buf, and reports whether it replaced any.
func foldAccents(w string, buf []byte) ([]byte, bool) {
	const base = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTsaaaaaaaceeeeiiiidnooooo/ouuuuyty"
	folded := false
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c == 0xc3 && i+1 < len(w) && w[i+1] >= 0x80 && w[i+1] <= 0xbf {
			buf = append(buf, base[w[i+1]-0x80])
			folded = true
			i++
			continue
		}
		buf = append(buf, c)
	}
	return buf, folded
}

// personContext reports whether the capitalised word t[a:we] stands where a name is expected:
// after a greeting or name intro on the same line, after a self-introduction ("Ik ben Marek van
// de klantenservice", "hi its Marek here"), or alone after a sign-off ("Fijne dag nog! Romeo").
func (s *scanner) personContext(a, we int, lx uint32, nk uint8) bool {
	t := s.text
	strong := s.nameCtxOK(a)
	if strong && s.ctxOpen && strings.IndexByte(t[s.nameCtx:a], '\n') >= 0 {
		// "Good afternoon,\n\nConnection from ...": after an opening greeting the next line
		// starts the message; only list names count there.
		strong = false
	}
	if !strong && nk == 0 && lx&^(7<<kNameShift) == 0 && a >= 3 && t[a-1] == ' ' && s.e.gates.maybeSelf(t, a) &&
		s.selfIntro(t, a) && s.selfNameEnd(t, we) {
		strong = true
	}
	if !strong && nk == 0 && lx&(kStop|kNotName|kGreeting|kIntro) == 0 && lastWordAfterBang(t, a, we) {
		strong = true
	}
	return strong
}

// titleParticle handles a particle that starts the surname after a title ("mevrouw De Jong",
// "heer Van der Meer", "Mr. da Silva"). It returns the end of the name, -1 when the
// particles lead nowhere and the word is not capitalised, or 0 to go on.
func (s *scanner) titleParticle(a, we int) int {
	t := s.text
	pe := we
	for np := 0; np < 3; np++ {
		k, e := nextWord(t, pe)
		if k < 0 || inAddressToken(t, e) {
			break
		}
		klx := s.lexAt(k, e)
		if klx&kParticle != 0 && !startsUpper(t, k) {
			pe = e
			continue
		}
		if startsUpper(t, k) && klx&(kStop|kNotName|kGreeting|kIntro) == 0 {
			s.add(a, e, Person, 0.85, "person.names", "surname with particle after a title")
			s.nameCtx = -1
			return e
		}
		break
	}
	if !upperAt(t, a) {
		return -1
	}
	return 0
}

// personStartOK rejects a first word that is a common word, a greeting or a name intro
// unless context makes it a name ("Hoi Roos").
func (s *scanner) personStartOK(r *nameRun) bool {
	if r.we-r.a >= 2 && isUpper(s.text[r.a+1]) && !r.strong && allCaps(s.text[r.a:r.we]) {
		return false // an acronym that is also a name: "MAC address", "JAN", "ROSE"
	}
	if r.lx&(kStop|kNotName|kGreeting) != 0 && !(r.nk&nameFirst != 0 && r.strong) {
		if r.nk == 0 || !r.strong {
			return false
		}
	}
	return r.lx&kIntro == 0 || r.nk != 0
}

// personFirst decides whether the first word alone is a name, and with what confidence.
func (s *scanner) personFirst(r *nameRun) {
	t := s.text
	title := r.strong && s.nameCtx > 0 && s.lexOf(trimDots(t[max(0, s.lastWordStart(s.nameCtx)):s.nameCtx]))&kIntro != 0
	switch nk := r.nk; {
	case nk&nameFirst != 0 && nk&nameAmbig == 0:
		r.ok, r.conf = true, 0.8
	case nk&nameFirst != 0:
		r.ok, r.conf = r.strong, 0.8
	case r.strong && (nk&nameLast != 0 || title):
		r.ok, r.conf = true, 0.85
	case r.strong && r.we-r.a >= 2 && r.lx == 0 && !s.orgWord(t[r.a:r.we]):
		r.ok, r.conf = true, 0.75
	}
}

// personExtend extends the name over particles and further capitalised name parts. It
// returns false when the candidate turns out not to be a name.
func (s *scanner) personExtend(r *nameRun) bool {
	t := s.text
	for r.parts < 4 {
		k, e := nextWord(t, r.end)
		if k < 0 || inAddressToken(t, e) {
			break // "Joan b@example.org": the next word is an address's local part
		}
		switch s.particleRun(r, k, e) {
		case notAName:
			return false
		case particleName:
			continue
		case noParticle:
			if s.nextNamePart(r, k, e) {
				r.end = s.middleInitial(k, r.end)
				continue
			}
		}
		break
	}
	if r.end-r.a > 3 && t[r.end-1] == '.' && isUpper(t[r.end-2]) && t[r.end-3] == ' ' {
		r.end-- // "Daniel R." with no family name after the initial: the name ends before the dot
	}
	if !r.ok {
		if r.nk == 0 || !s.followedByEmail(r.we) {
			return false
		}
		r.ok, r.conf = true, 0.85
	}
	return true
}

// What particleRun found after a name part.
const (
	noParticle   = iota // no particle: look for a capitalised name part
	particleName        // particles and a capitalised word: the name goes on
	particleStop        // particles not followed by a name part: the name ends
	notAName            // the candidate is not a name
)

// particleRun extends the name over particles ("van der", "de", "van 't") and the
// capitalised word after them, starting with the word t[k:e].
func (s *scanner) particleRun(r *nameRun, k, e int) int {
	t := s.text
	pk, pe := k, e
	np := 0
	for np < 3 && pe > pk && (s.lexAt(pk, pe)&kParticle != 0 && !startsUpper(t, pk) || s.capParticle(t[pk:pe])) {
		np++
		k2, e2 := nextWord(t, pe)
		if k2 < 0 {
			break
		}
		pk, pe = k2, e2
	}
	if np == 0 {
		return noParticle
	}
	if pk >= 0 && pe > pk && startsUpper(t, pk) && nameKind(s.lexOf(t[pk:pe])) == 0 && s.clearStreet(t[pk:pe]) {
		return notAName // "Johan de Wittlaan", "Jan van Galenstraat": a street named after a person
	}
	if pk < 0 || pe <= pk || !startsUpper(t, pk) || s.lexOf(t[pk:pe])&(kStop|kNotName) != 0 {
		return particleStop
	}
	r.end = pe
	r.parts++
	if !r.ok {
		r.ok, r.conf = r.nk&nameFirst != 0 || r.strong, 0.85
		if !r.ok {
			return notAName
		}
	}
	return particleName
}

// nextNamePart extends the name over the capitalised word t[k:e] when it is a name part,
// and reports whether it did.
func (s *scanner) nextNamePart(r *nameRun, k, e int) bool {
	t := s.text
	if !startsUpper(t, k) {
		return false
	}
	nw := t[k:e]
	nlx := s.lexOf(nw)
	nnk := s.nameKindOf(nw, nlx)
	if nlx&(kStop|kNotName|kGreeting|kStreetType) != 0 && nnk&nameLast == 0 {
		return false
	}
	if s.isStreet(nw) && s.houseNumber(t, e) > 0 {
		return false
	}
	if nnk == 0 && (!r.ok && !r.strong || nlx != 0) {
		return false
	}
	// An unknown capitalised word after a name is a surname unless it is a label ("Sofinummer:")
	// or, without context, does not look like one.
	if nnk == 0 && (e < len(t) && t[e] == ':' || s.labelWord(nw) || !r.ok && !r.strong && !nameEnds(t, e) && !s.surnameShape(nw)) {
		return false
	}
	switch {
	case r.ok:
		r.conf = max(r.conf, 0.9)
	case r.nk&nameLast != 0 && nnk&nameLast != 0 || r.nk != 0 && nnk&nameLast != 0:
		r.ok, r.conf = true, 0.85
	case r.nk&nameFirst != 0 && nnk != 0 && r.nk&nnk&nameAmbig == 0:
		r.ok, r.conf = true, 0.8 // not two words that are both also common words ("Princess Royal")
	default:
		return false
	}
	r.end = e
	r.parts++
	return true
}

// personEmit reports the name unless it is a place or a brand, and returns its end or 0.
func (s *scanner) personEmit(r *nameRun, sentStart bool) int {
	t := s.text
	if r.parts == 1 && !r.strong && s.placeContext(t, r.a, r.we) {
		return 0 // "the outage in Raleigh", "your Columbus store": a place that is also a name
	}
	if r.parts >= 2 && r.end-r.a <= 24 && s.inSet(setBrand, t[r.a:r.end]) {
		return r.end // "Albert Heijn", "Douwe Egberts": a company named after a person
	}
	conf := r.conf
	if r.strong {
		conf = max(conf, 0.9)
	}
	if sentStart && !r.strong && r.parts == 1 && conf < 0.85 {
		conf = 0.7
	}
	s.add(r.a, r.end, Person, conf, "person.names", "name list and context")
	s.nameCtx = -1
	return r.end
}

// placeContext reports whether the single capitalised word t[a:we] stands where a place does:
// after "in", "te", "uit", "near", or before "store", "branch", "winkel", "filiaal".
func (s *scanner) placeContext(t string, a, we int) bool {
	if a >= 3 && t[a-1] == ' ' {
		p := a - 1
		ws := p
		for ws > 0 && p-ws < s.e.gates.placeBack && isLower(t[ws-1]) {
			ws--
		}
		if (ws == 0 || !isNameByte(t[ws-1])) && s.inSet(setPlaceBefore, t[ws:p]) {
			return true
		}
	}
	return s.followWord(we, setPlaceAfter)
}

// inAddressToken reports whether the word ending at e continues into an '@' within the same
// whitespace-delimited token (b@example.org, o'neil@example.org).
func inAddressToken(t string, e int) bool {
	for i := e; i < len(t) && i < e+4; i++ {
		switch t[i] {
		case '@':
			return true
		case '\'', '.', '-', '_', '+':
			continue
		}
		return false
	}
	return false
}

// capParticle reports whether w is a capitalised particle that joins a given name to a family name
// ("Ibrahim Ben Youssef", "Samir El Amrani", "Anna Van der Berg"); the caller checks that a
// capitalised family name follows.
func (s *scanner) capParticle(w string) bool {
	return len(w) >= 2 && len(w) <= 3 && isUpper(w[0]) && s.inSet(setCapParticle, w)
}

// lastFirst detects "Bakker, Anouk" and "Smith, J.": a family name (from the lists, or any
// capitalised word in name context) then a comma and a listed given name or an initial. It
// returns the end, or 0.
func (s *scanner) lastFirst(a, we int, nk uint8, strong bool) int {
	t := s.text
	if we+3 >= len(t) || t[we] != ',' || t[we+1] != ' ' || nk&nameLast == 0 && !strong {
		return 0
	}
	k, e := nextWord(t, we+1)
	if k != we+2 || !isUpper(t[k]) {
		return 0
	}
	switch {
	case e-k == 1 && e < len(t) && t[e] == '.':
		e++ // an initial
	case nameKind(s.lexOf(t[k:e]))&nameFirst != 0 && s.lexOf(t[k:e])&(kStop|kNotName) == 0 && nameEnds(t, e):
	default:
		return 0
	}
	s.add(a, e, Person, 0.85, "person.names", "family name, comma, given name")
	s.nameCtx = -1
	return e
}

// nameBeforeEmail reports a run of up to three capitalised words (with
// particles) starting at a that is directly followed by "<address@host>".
func (s *scanner) nameBeforeEmail(a, we int, lx uint32) int {
	t := s.text
	if lx&(kStop|kNotName|kGreeting|kIntro) != 0 {
		return 0
	}
	end := we
	for n := 0; n < 5; n++ {
		if s.followedByEmail(end) {
			s.add(a, end, Person, 0.85, "person.header", "capitalised words before an e-mail address")
			s.nameCtx = -1
			return end
		}
		nx := end
		if n == 0 && nx+2 < len(t) && t[nx] == ',' && t[nx+1] == ' ' {
			nx++ // "Bainbridge, Josephine" <...>
		}
		k, e := nextWord(t, nx)
		if k < 0 || !startsUpper(t, k) && s.lexOf(t[k:e])&kParticle == 0 {
			return 0
		}
		if s.lexOf(t[k:e])&(kStop|kNotName|kGreeting) != 0 && s.lexOf(t[k:e])&kParticle == 0 {
			return 0
		}
		end = e
	}
	return 0
}

// initials handles "J. de Vries", "A.B. Jansen", "J. P. Balkenende": initials at a..we (before a dot)
// followed by particles and a capitalised surname. It returns the end, or 0.
func (s *scanner) initials(a, we int, strong bool) int {
	t := s.text
	end := we + 1
	for n := 0; n < 3 && end+3 <= len(t) && t[end] == ' ' && isUpper(t[end+1]) && t[end+2] == '.'; n++ {
		end += 3
	}
	k, e := nextWord(t, end)
	np := 0
	for k >= 0 && np < 3 && s.lexOf(t[k:e])&kParticle != 0 && !startsUpper(t, k) {
		np++
		k, e = nextWord(t, e)
	}
	if k < 0 || !startsUpper(t, k) || e-k < 2 || inAddressToken(t, e) {
		return 0
	}
	lx := s.lexOf(t[k:e])
	if lx&(kStop|kNotName|kGreeting) != 0 && nameKind(lx)&nameLast == 0 {
		return 0
	}
	if !strong && nameKind(lx)&nameLast == 0 && np == 0 {
		return 0
	}
	s.add(a, e, Person, 0.85, "person.initials", "initials and surname")
	s.nameCtx = -1
	return e
}

// surnameShape reports whether w ends like a family name (Verbruggen, Kowalczyk, Alaoui).
func (s *scanner) surnameShape(w string) bool {
	if len(w) < 5 {
		return false
	}
	for _, x := range s.e.sets[setSurnameSuffix] {
		if x.mask&s.mask != 0 && len(w) > len(x.w)+1 && w[len(w)-len(x.w):] == x.w {
			return true
		}
	}
	return false
}

// nameEnds reports whether a name may end at i: end of text, punctuation,
// a line break, or " <" / " (" / " &lt;" before an address.
func nameEnds(t string, i int) bool {
	if i >= len(t) {
		return true
	}
	switch t[i] {
	case ',', '.', ';', '!', '?', ')', '<', '\n', '\r', '&':
		return true
	case ' ':
		return i+1 < len(t) && (t[i+1] == '<' || t[i+1] == '(' || t[i+1] == '&')
	}
	return false
}

func trimDots(w string) string {
	for len(w) > 0 && (w[len(w)-1] == '.' || w[len(w)-1] == ',' || w[len(w)-1] == ':') {
		w = w[:len(w)-1]
	}
	return w
}

// lastWordStart returns the start of the word that ends at e.
func (s *scanner) lastWordStart(e int) int {
	t := s.text
	i := e
	for i > 0 && (isAlpha(t[i-1]) || t[i-1] == '.' || t[i-1] >= 0x80) {
		i--
	}
	return i
}

// identPassword handles an identifier joined by '_' at i whose last part is a password keyword
// (DB_PASSWORD=X, smtp_pass = X) and returns the end of the secret, or 0.
func (s *scanner) identPassword(i int) int {
	t := s.text
	for n := 0; n < 4 && i < len(t) && t[i] == '_'; n++ {
		k := i + 1
		e := k
		for e < len(t) && isAlpha(t[e]) {
			e++
		}
		if e == k {
			return 0
		}
		if e < len(t) && t[e] == '_' {
			i = e
			continue
		}
		if s.lexOf(t[k:e])&kPassword == 0 {
			return 0
		}
		return s.password(e)
	}
	return 0
}

// selfNameEnd reports whether an unknown capitalised word after a self-introduction ends like a
// name: punctuation, another capitalised word, or "van", "from", "here", "again".
func (s *scanner) selfNameEnd(t string, we int) bool {
	if nameEnds(t, we) {
		return true
	}
	k, e := nextWord(t, we)
	if k < 0 {
		return false
	}
	return isUpper(t[k]) || s.inSet(setSelfNameFollow, t[k:e])
}

// orgWord reports whether an unknown capitalised word is a department or job word rather than a
// name ("Medewerker Debiteurenbeheer", "Afdeling Klantenzaken").
func (s *scanner) orgWord(w string) bool { return len(w) >= 8 && s.suffixIn(setOrgSuffix, w, 1) }

// clearStreet reports whether w ends in an unambiguous Dutch street suffix (Lelylaan, Wittlaan).
func (s *scanner) clearStreet(w string) bool { return s.suffixIn(setClearStreet, w, 3) }

// lastWordAfterBang reports whether the word t[a:we] follows "! " and ends the message or its line.
func lastWordAfterBang(t string, a, we int) bool {
	if a < 2 || t[a-1] != ' ' && t[a-1] != '\n' || t[a-2] != '!' || we-a < 3 {
		return false
	}
	k := we
	for k < len(t) && (t[k] == ' ' || t[k] == '\r') {
		k++
	}
	return k == len(t) || t[k] == '\n'
}
