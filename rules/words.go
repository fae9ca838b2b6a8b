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
		if isAlpha(c) || c >= 0x80 {
			e++
			continue
		}
		if (c == '\'' || c == '-' || c == '.') && e+1 < j && (isAlpha(t[e+1]) || t[e+1] >= 0x80) && e > a {
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

// upperAt reports whether t[a] is an ASCII upper-case letter.
func upperAt(t string, a int) bool { return isUpper(t[a]) }

// startsUpper reports whether the word at a starts with an upper-case letter.
func startsUpper(t string, a int) bool {
	c := t[a]
	if isUpper(c) {
		return true
	}
	if c < 0x80 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(t[a:])
	return unicode.IsUpper(r)
}

// word handles a token that starts with a letter.
func (s *scanner) word(a, j int, fl uint16, sentStart bool) int {
	t := s.text
	we := j
	if fl&^(cUpper|cLower|cHex) != 0 || a > 0 && !isAlpha(t[a]) {
		we = wordEnd(t, a, j)
	}
	if we <= a {
		return j
	}
	if we == j && j < len(t) && t[j] == '&' && apostEntity(t, j) > 0 {
		we = wordEnd(t, a, min(len(t), a+64)) // O&#39;Brien: the scanner split the word at the entity
	}
	w := t[a:we]
	upper := startsUpper(t, a)
	var lx uint32
	if upper || s.e.mayTrigger(w) {
		lx = s.e.lexOf(w)
	}
	if lx == 0 && we-a > 8 && (t[we-1] == 'd' || t[we-1] == 't' || t[we-1] == 'D' || t[we-1] == 'T') {
		lx = s.e.compoundClass(w)
	}
	if lx&kPassword != 0 && s.e.enabledAny(Password) {
		if e := s.password(we); e > 0 {
			return e
		}
	} else if lx&kLogin != 0 && s.e.enabledAny(Password) {
		if e := s.passwordAfter(we, true); e > 0 {
			return e
		}
	}
	if we < len(t) && t[we] == '_' && s.e.enabledAny(Password) {
		// Config keys: DB_PASSWORD=, smtp_pass =, mail_wachtwoord:.
		if e := s.identPassword(we); e > 0 {
			return e
		}
	}
	if lx>>kMonthShift != 0 {
		if e := s.monthFirst(a, we); e > 0 {
			return e
		}
	}
	if lx&(kGreeting|kIntro) != 0 {
		s.ctxOpen = lx&kGreeting != 0 && openingGreeting(w)
		s.nameCtx = we
		if we < len(t) && t[we] == '.' && (lx&kIntro != 0 || we-a <= 3) {
			s.nameCtx = we + 1
		}
	}
	if we-a == 3 && w == "—" && (a == 0 || t[a-1] == '\n' || t[a-1] == '>') {
		s.nameCtx = we
		return j
	}
	if !upper {
		// Lower-case chat: "hee gijs", "ik ben jorrit", "this is leighton", "Mr. da Silva".
		if s.nameCtx >= 0 && a-s.nameCtx <= 8 || a >= 3 && t[a-1] == ' ' && maybeSelf(t, a) {
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
	return j
}

// maybeSelf is a cheap filter for selfIntro: the word before the space at i-1 ends in
// "ben", "am", "'m", "im", "is" or "'s".
func maybeSelf(t string, i int) bool {
	c, b := t[i-2], t[i-3]
	switch c {
	case 'n':
		return i >= 4 && b == 'e' && t[i-4] == 'b'
	case 'm':
		return b == 'a' || b == '\'' || b == 'i'
	case 's':
		return b == 'i' || b == '\'' || b == 't' && i >= 4 && t[i-4] == 'i'
	}
	return false
}

// selfIntro reports whether the words before a (which follows a space) introduce the writer:
// "ik ben", "I am", "I'm", "this is", "dit is", "it's", "hier is".
func selfIntro(t string, a int) bool {
	p := a - 1
	ws := p
	for ws > 0 && p-ws < 5 && (isAlpha(t[ws-1]) || t[ws-1] == '\'') {
		ws--
	}
	w1 := t[ws:p]
	if lowerWordIs(w1, "i'm", "im", "it's", "its") {
		return true
	}
	if !lowerWordIs(w1, "ben", "am", "is") || ws < 2 || t[ws-1] != ' ' {
		return false
	}
	p = ws - 1
	w0s := p
	for w0s > 0 && p-w0s < 5 && isAlpha(t[w0s-1]) {
		w0s--
	}
	if w0s > 0 && isNameByte(t[w0s-1]) {
		return false
	}
	return lowerWordIs(t[w0s:p], "ik", "i", "this", "dit", "it", "hier", "here")
}

// lowerName detects a lower-case given name (or a surname particle after a title) at t[a:we]
// right after a greeting, a name intro or a self-introduction. It returns the end, or 0.
func (s *scanner) lowerName(a, we int, lx uint32, sentStart bool) int {
	if !s.e.enabledAny(Person) || we-a < 2 {
		return 0
	}
	t := s.text
	strong := s.nameCtxOK(a)
	if !strong && !(a >= 3 && t[a-1] == ' ' && maybeSelf(t, a) && selfIntro(t, a)) {
		return 0
	}
	if lx == 0 {
		lx = s.e.lexOf(t[a:we])
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
	if we-a < 3 || nk&nameFirst == 0 || lx&(kStop|kNotName|kGreeting|kIntro|kPassword|kConnector|kNotSecret) != 0 {
		return 0
	}
	end := we
	if k, e := nextWord(t, we); k >= 0 && isLower(t[k]) {
		if nlx := s.e.lexOf(t[k:e]); nameKind(nlx)&nameLast != 0 && nlx&(kStop|kNotName|kConnector) == 0 {
			end = e
		} else if nlx == 0 && e-k >= 3 && (nameEnds(t, e) && (e >= len(t) || t[e] != '\n') || followWord(t, e, "again", "here", "hier", "weer")) {
			// "hoi, met arjen mulderij.", "hey, rupert zhang again": an unknown word closing the
			// introduction is the surname.
			end = e
		}
	}
	s.add(a, end, Person, 0.8, "person.names", "lower-case given name after a greeting or introduction")
	s.nameCtx = -1
	return end
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
	if colon && lowerWordIs(w, "naam", "name", "holder", "rekeninghouder", "accounthouder", "cardholder") {
		return true // a form label: "Naam: de Vries" (not "op naam van Jan")
	}
	return lowerWordIs(w, "mr", "mrs", "ms", "miss", "mx", "dr", "dhr", "mevr", "meneer", "mevrouw",
		"heer", "mw", "prof", "sir", "madam", "madame", "dear", "beste", "geachte", "hr", "fam", "familie", "family",
		"t.n.v", "tnv")
}

// labelWord reports whether w is a label such as "Klantnummer", "Zendingnummer", "Postcode":
// a capitalised word after a name that ends the name.
func labelWord(w string) bool {
	n := len(w)
	for _, suf := range [...]string{"nummer", "number", "code", "adres", "datum", "naam", "nr"} {
		if n > len(suf) && hasPrefixFold(w[n-len(suf):], suf) {
			return true
		}
	}
	return false
}

// compoundClass finds password keywords inside compounds (inlogwachtwoord, wifi-password).
func (e *Engine) compoundClass(w string) uint32 {
	n := len(w)
	for _, suf := range [...]string{"wachtwoord", "password", "paswoord", "passwort"} {
		if n > len(suf) && hasPrefixFold(w[n-len(suf):], suf) {
			return kPassword
		}
	}
	return 0
}

// enabledAny reports whether t is enabled for at least some locale.
func (e *Engine) enabledAny(t Type) bool {
	switch t {
	case Password:
		return !e.disabled[7]
	case Person:
		return !e.disabled[9]
	case Address:
		return !e.disabled[10]
	}
	return !e.disabled[typeIndex(t)]
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
	if e <= k || e < len(t) && (t[e] == ':' || t[e] == '_') && isUpper(t[k]) && placeholderLen(t, k) > 0 {
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
				return s.e.lexOf("'t")
			case 's':
				return s.e.lexOf("'s")
			}
		}
		return 0
	}
	return s.e.lexOf(t[k:e])
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
		if !lowerWordIs(gap[i:k], "is", "was", "ben", "am", "heet", "called", "s", "met", "with", "van", "to", "je", "you", "u") && s.e.lexOf(gap[i:k])&(kGreeting|kIntro) == 0 {
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
	if !s.e.enabledAny(Person) {
		return 0
	}
	t := s.text
	if lx>>kMonthShift&0xf != 0 {
		// "Sep. 3", "Jun 12": a month abbreviation before a day number is not a name.
		k := we
		if k < len(t) && t[k] == '.' {
			k++
		}
		if k+1 < len(t) && t[k] == ' ' && isDigit(t[k+1]) {
			return 0
		}
	}
	w := t[a:we]
	ns := s.e.names
	nk := nameKind(lx)
	if nk == 0 && strings.IndexByte(w, '-') > 0 {
		nk = ns.kind(w)
	}
	strong := s.nameCtxOK(a)
	if strong && s.ctxOpen && strings.IndexByte(t[s.nameCtx:a], '\n') >= 0 {
		// "Good afternoon,\n\nConnection from ...": after an opening greeting the next line
		// starts the message; only list names count there.
		strong = false
	}
	if !strong && nk == 0 && lx&^(7<<kNameShift) == 0 && a >= 3 && t[a-1] == ' ' && maybeSelf(t, a) && selfIntro(t, a) && selfNameEnd(t, we) {
		// "Ik ben Marek van de klantenservice", "hi its Marek here".
		strong = true
	}
	if nk == 0 && (clearStreet(w) || orgWord(w)) {
		return 0 // "Dr. Lelylaan", "Medewerker Debiteurenbeheer": a street or a department, not a surname
	}
	if !strong && nk == 0 && lx&(kStop|kNotName|kGreeting|kIntro) == 0 && lastWordAfterBang(t, a, we) {
		// "Fijne dag nog! Romeo", "Have a great day! Cody": a name ending the message after a sign-off.
		strong = true
	}
	if we+2 < len(t) && (t[we] == ',' || t[we] == ' ' || t[we] == '"') && strings.IndexByte(t[we:min(len(t), we+48)], '@') >= 0 {
		// "From: "Bainbridge, Josephine" <j@...>", "Van: Jan Smit [mailto:...]".
		if e := s.nameBeforeEmail(a, we, lx); e > 0 {
			return e
		}
	}
	if lx&kParticle != 0 && strong && nk == 0 {
		// "mevrouw De Jong", "heer Van der Meer", "Mr. da Silva": a particle starts the surname.
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
			return 0
		}
	}
	if lx&(kStop|kNotName|kGreeting) != 0 && !(nk&nameFirst != 0 && strong) {
		// Common words can still be names after a greeting ("Hoi Roos"), but not on their own.
		if nk == 0 || !strong {
			return 0
		}
	}
	if lx&kIntro != 0 && nk == 0 {
		return 0
	}
	if we-a <= 3 && we < len(t) && t[we] == '.' && isUpper(t[a]) && (we-a == 1 || t[a+1] == '.') {
		return s.initials(a, we, strong)
	}
	if e := s.lastFirst(a, we, nk, strong); e > 0 {
		return e
	}
	title := strong && s.nameCtx > 0 && s.e.lexOf(trimDots(t[max(0, s.lastWordStart(s.nameCtx)):s.nameCtx]))&kIntro != 0
	ok := false
	var conf float32
	switch {
	case nk&nameFirst != 0 && nk&nameAmbig == 0:
		ok, conf = true, 0.8
	case nk&nameFirst != 0:
		ok, conf = strong, 0.8
	case strong && (nk&nameLast != 0 || title):
		ok, conf = true, 0.85
	case strong && we-a >= 2 && lx == 0 && !orgWord(w):
		ok, conf = true, 0.75
	}
	// Extend over particles and further capitalised name parts.
	end := we
	parts := 1
	for parts < 4 {
		k, e := nextWord(t, end)
		if k < 0 || inAddressToken(t, e) {
			break // "Joan b@example.org": the next word is an address's local part
		}
		// Particles: "van der", "de", "van 't".
		pk, pe := k, e
		np := 0
		for np < 3 && pe > pk && (s.lexAt(pk, pe)&kParticle != 0 && !startsUpper(t, pk) || capParticle(t[pk:pe])) {
			np++
			k2, e2 := nextWord(t, pe)
			if k2 < 0 {
				break
			}
			pk, pe = k2, e2
		}
		if np > 0 {
			if pk >= 0 && pe > pk && startsUpper(t, pk) && nameKind(s.e.lexOf(t[pk:pe])) == 0 && clearStreet(t[pk:pe]) {
				return 0 // "Johan de Wittlaan", "Jan van Galenstraat": a street named after a person
			}
			if pk < 0 || pe <= pk || !startsUpper(t, pk) || s.e.lexOf(t[pk:pe])&(kStop|kNotName) != 0 {
				break
			}
			end = pe
			parts++
			if !ok {
				ok, conf = nk&nameFirst != 0 || strong, 0.85
				if !ok {
					return 0
				}
			}
			continue
		}
		if !startsUpper(t, k) {
			break
		}
		nw := t[k:e]
		nlx := s.e.lexOf(nw)
		nnk := nameKind(nlx)
		if nnk == 0 && strings.IndexByte(nw, '-') > 0 {
			nnk = ns.kind(nw)
		}
		if nlx&(kStop|kNotName|kGreeting|kStreetType) != 0 && nnk&nameLast == 0 {
			break
		}
		if s.e.isStreet(nw) && houseNumber(t, e) > 0 {
			break
		}
		if nnk == 0 && !ok && !strong {
			break
		}
		if nnk == 0 && nlx != 0 {
			break
		}
		// An unknown capitalised word after a name is a surname unless it is a label ("Sofinummer:")
		// or, without context, does not look like one.
		if nnk == 0 && (e < len(t) && t[e] == ':' || labelWord(nw) || !ok && !strong && !nameEnds(t, e) && !surnameShape(nw)) {
			break
		}
		if !ok {
			if nk&nameLast != 0 && nnk&nameLast != 0 || nk != 0 && nnk&nameLast != 0 {
				ok, conf = true, 0.85
			} else if nk&nameFirst != 0 && nnk != 0 {
				ok, conf = true, 0.8
			} else {
				break
			}
		} else {
			conf = max(conf, 0.9)
		}
		end = e
		parts++
	}
	if !ok {
		if nk != 0 && s.followedByEmail(we) {
			ok, conf = true, 0.85
		} else {
			return 0
		}
	}
	if parts == 1 && !strong && placeContext(t, a, we) {
		return 0 // "the outage in Raleigh", "your Columbus store": a place that is also a name
	}
	if parts >= 2 && end-a <= 24 && brandName(t[a:end]) {
		return end // "Albert Heijn", "Douwe Egberts": a company named after a person
	}
	if strong {
		conf = max(conf, 0.9)
	}
	if sentStart && !strong && parts == 1 && conf < 0.85 {
		conf = 0.7
	}
	s.add(a, end, Person, conf, "person.names", "name list and context")
	s.nameCtx = -1
	return end
}

// placeContext reports whether the single capitalised word t[a:we] stands where a place does:
// after "in", "te", "uit", "near", or before "store", "branch", "winkel", "filiaal".
func placeContext(t string, a, we int) bool {
	if a >= 3 && t[a-1] == ' ' {
		p := a - 1
		ws := p
		for ws > 0 && p-ws < 5 && isLower(t[ws-1]) {
			ws--
		}
		if (ws == 0 || !isNameByte(t[ws-1])) && lowerWordIs(t[ws:p], "in", "te", "uit", "near", "nabij") {
			return true
		}
	}
	return followWord(t, we, "store", "shop", "branch", "office", "warehouse", "depot", "area", "winkel", "filiaal",
		"vestiging", "magazijn", "airport", "station")
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
func capParticle(w string) bool {
	return len(w) >= 2 && len(w) <= 3 && isUpper(w[0]) &&
		lowerWordIs(w, "ben", "bin", "ibn", "abu", "el", "al", "ait", "van", "von", "de", "der", "den", "ter", "ten", "da", "di", "du", "le", "la")
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
	case nameKind(s.e.lexOf(t[k:e]))&nameFirst != 0 && s.e.lexOf(t[k:e])&(kStop|kNotName) == 0 && nameEnds(t, e):
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
		if k < 0 || !startsUpper(t, k) && s.e.lexOf(t[k:e])&kParticle == 0 {
			return 0
		}
		if s.e.lexOf(t[k:e])&(kStop|kNotName|kGreeting) != 0 && s.e.lexOf(t[k:e])&kParticle == 0 {
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
	for k >= 0 && np < 3 && s.e.lexOf(t[k:e])&kParticle != 0 && !startsUpper(t, k) {
		np++
		k, e = nextWord(t, e)
	}
	if k < 0 || !startsUpper(t, k) || e-k < 2 || inAddressToken(t, e) {
		return 0
	}
	lx := s.e.lexOf(t[k:e])
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

// surnameSuffixes are endings typical of family names in the languages Veil sees.
const surnameSuffixes = "sen son man mans ink stra sma ema inga enga huis kamp berg veld horst dijk stein ski ska " +
	"wicz czyk oglu oğlu ini elli etti enko chuk yan ian poulos escu ović ovic ssen ers ens aoui ouri"

// surnameShape reports whether w ends like a family name (Verbruggen, Kowalczyk, Alaoui).
func surnameShape(w string) bool {
	if len(w) < 5 {
		return false
	}
	rest := surnameSuffixes
	for rest != "" {
		suf, tail, _ := strings.Cut(rest, " ")
		rest = tail
		if len(w) > len(suf)+1 && w[len(w)-len(suf):] == suf {
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
		if s.e.lexOf(t[k:e])&kPassword == 0 {
			return 0
		}
		return s.password(e)
	}
	return 0
}

// openingGreeting reports whether the greeting w opens a message (a name may follow on the same
// line) rather than closing it (the name may follow on the next line).
func openingGreeting(w string) bool {
	return lowerWordIs(w, "hi", "hoi", "hallo", "hello", "hey", "hee", "hej", "dear", "beste", "geachte", "goedemorgen",
		"goedemiddag", "goedenavond", "morning", "afternoon", "evening", "welkom", "welcome")
}

// selfNameEnd reports whether an unknown capitalised word after a self-introduction ends like a
// name: punctuation, another capitalised word, or "van", "from", "here", "again".
func selfNameEnd(t string, we int) bool {
	if nameEnds(t, we) {
		return true
	}
	k, e := nextWord(t, we)
	if k < 0 {
		return false
	}
	return isUpper(t[k]) || lowerWordIs(t[k:e], "van", "from", "here", "hier", "again", "weer", "speaking")
}

// brands are companies and brands named after people, written as "Given Family" (lower case).
var brands = func() map[string]bool {
	m := map[string]bool{}
	for _, b := range strings.Split(`albert heijn|douwe egberts|jack wolfskin|tommy hilfiger|calvin klein|ralph lauren|
hugo boss|ted baker|paul smith|michael kors|karl lagerfeld|jo malone|marc jacobs|john lewis|fred perry|ben sherman|
kurt geiger|william hill|thomas cook|john deere|charles schwab|morgan stanley|goldman sachs|wells fargo|dow jones|
harley davidson|rolls royce|aston martin|alfa romeo|mercedes benz|ernst young|warner bros|walt disney|estee lauder|
vivienne westwood|stella mccartney|jimmy choo|tom ford|van haren|jan linders|hans anders|
sherwin williams|john hancock|dr oetker|
ray ban|dolce gabbana|louis vuitton|yves saint laurent|christian dior|coco chanel`, "|") {
		if b = strings.TrimSpace(b); b != "" {
			m[b] = true
		}
	}
	return m
}()

// brandName reports whether the name n (words separated by single spaces) is a brand.
func brandName(n string) bool {
	var buf [24]byte
	if len(n) > len(buf) {
		return false
	}
	for i := 0; i < len(n); i++ {
		buf[i] = lower(n[i])
	}
	return brands[string(buf[:len(n)])]
}

// orgWord reports whether an unknown capitalised word is a department or job word rather than a
// name ("Medewerker Debiteurenbeheer", "Afdeling Klantenzaken").
func orgWord(w string) bool {
	n := len(w)
	if n < 8 {
		return false
	}
	for _, suf := range [...]string{"beheer", "zaken", "dienst", "service", "contact", "administratie", "verkoop",
		"inkoop", "planning", "ondersteuning", "advies", "afdeling", "centrum", "management", "support", "relaties"} {
		if n > len(suf) && hasPrefixFold(w[n-len(suf):], suf) {
			return true
		}
	}
	return false
}

// clearStreet reports whether w ends in an unambiguous Dutch street suffix (Lelylaan, Wittlaan).
func clearStreet(w string) bool {
	n := len(w)
	for _, suf := range [...]string{"straat", "laan", "weg", "gracht", "plein", "singel", "kade", "steeg", "dreef"} {
		if n >= len(suf)+3 && hasPrefixFold(w[n-len(suf):], suf) {
			return true
		}
	}
	return false
}

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

// followWord reports whether the word after the space at i is one of ws.
func followWord(t string, i int, ws ...string) bool {
	k, e := nextWord(t, i)
	return k >= 0 && lowerWordIs(t[k:e], ws...)
}
