package rules

// personGuess is the last person stage: it finds a name that no list holds, for a capitalised
// word t[a:we] that person left alone, when the position says a name is likely and the
// name-likeness score (namescore.go) agrees:
//   - one word of four letters or more (not a pronoun: "Rufen Sie") after a verb that takes a
//     person: "ask Zdenka", "bel Ljiljana";
//   - two capitalised words, or two joined by particles, that both look like names:
//     "Address change for Zdenka Vukovic", "Siiri van den Wojtyszko", with a lower bar after a
//     preposition that takes a person.
//
// It returns the end of the name, or 0.
func (s *scanner) personGuess(a, we int, lx uint32, sentStart bool) int {
	t := s.text
	if !guessable(t, a, we, lx) {
		return 0
	}
	if lx != 0 {
		// A listed name alone that person left for want of context: "vraag Kowalczyk".
		if nameKind(lx) == 0 || !s.cueBefore(a, setPersonVerb) || !guessShape(t, a, we) ||
			!s.e.enabledAny(Person) || s.placeContext(t, a, we) {
			return 0
		}
		s.add(a, we, Person, 0.8, "person.guess", "a listed name after a verb that takes a person")
		s.nameCtx = -1
		return we
	}
	k, e, particles := s.guessSecond(we)
	verb := k < 0 && a >= 3 && isLower(t[a-2]) && s.cueBefore(a, setPersonVerb)
	if k < 0 && !verb || !guessShape(t, a, we) || !s.e.enabledAny(Person) {
		return 0
	}
	w := t[a:we]
	if s.notNamePart(w, we) || k >= 0 && s.inSet(setPersonVerb, w) {
		return 0
	}
	sc, ok := s.e.grams.score(w)
	if !ok {
		return 0
	}
	if k >= 0 {
		if end := s.guessPair(sc, k, e, particles || s.cueBefore(a, setPersonPrep), sentStart); end > 0 {
			if s.inSet(setBrand, t[a:end]) {
				return end // a brand named like a person ("Albert Heijn")
			}
			s.add(a, end, Person, 0.75, "person.guess", "capitalised words that look like a name, in a name position")
			s.nameCtx = -1
			return end
		}
		verb = s.cueBefore(a, setPersonVerb)
	}
	if verb && we-a >= 4 && sc >= guessAfterVerb && !s.placeContext(t, a, we) {
		s.add(a, we, Person, 0.75, "person.guess", "a word that looks like a name after a verb that takes a person")
		s.nameCtx = -1
		return we
	}
	return 0
}

// guessable is personGuess's first gate (word tests it inline): a word of three bytes or more
// that starts with an ASCII capital and has no lexicon class but name kinds.
func guessable(t string, a, we int, lx uint32) bool {
	return we-a >= 3 && lx&^(7<<kNameShift) == 0 && isUpper(t[a])
}

// guessShape reports whether t[a:we] is written like a name: a capital, then lower case (not
// an acronym such as MAC), letters only.
func guessShape(t string, a, we int) bool {
	if !isUpper(t[a]) || !(isLower(t[a+1]) || t[a+1] >= 0x80) {
		return false
	}
	for i := a + 1; i < we; i++ {
		if c := t[i]; c < 0x80 && !isLower(c) {
			return false
		}
	}
	return true
}

// notNamePart reports whether the unknown capitalised word w, ending at we, is a label, a
// street or a department rather than a name part.
func (s *scanner) notNamePart(w string, we int) bool {
	t := s.text
	return we < len(t) && t[we] == ':' || s.clearStreet(w) || s.orgWord(w) || s.labelWord(w) ||
		s.isStreet(w) && s.houseNumber(t, we) > 0
}

// cueBefore reports whether the word before a, after one space, is in the list id: a verb
// that takes a person ("ask") or a preposition that does ("with").
func (s *scanner) cueBefore(a int, id setID) bool {
	t := s.text
	if a < 3 || t[a-1] != ' ' {
		return false
	}
	ws := a - 1
	for ws > 0 && a-1-ws < 12 && (isAlpha(t[ws-1]) || t[ws-1] >= 0x80 || t[ws-1] == '\'') {
		ws--
	}
	if ws == a-1 || ws > 0 && isNameByte(t[ws-1]) {
		return false
	}
	w := t[ws : a-1]
	h := triggerIndex(w)
	return s.e.gates.cue[h>>6&255]&(1<<(h&63)) != 0 && s.inSet(id, w)
}

// guessSecond finds a second name part after the word ending at we: a capitalised word, after
// at most two particles ("van den"), that no list knows or that the lists know as a family
// name. It returns its bounds and whether particles came first, or k = -1.
func (s *scanner) guessSecond(we int) (k, e int, particles bool) {
	t := s.text
	if we+1 >= len(t) || t[we] != ' ' {
		return -1, -1, false
	}
	if c := t[we+1]; !isUpper(c) && (!s.e.gates.particleFirst[c] || !shortWord(t, we+1)) {
		return -1, -1, false // the common case: a lower-case word that is no particle follows
	}
	k, e = nextWord(t, we)
	if k >= 0 {
		if e2 := s.middleInitial(k, e); e2 > e {
			k, e = nextWord(t, e2) // "Tiwalade R. Nkemdirim"
		}
	}
	for np := 0; k >= 0 && np < 2 && !startsUpper(t, k) && s.lexAt(k, e)&kParticle != 0; np++ {
		particles = true
		if e >= len(t) || t[e] != ' ' {
			return -1, -1, false
		}
		k, e = nextWord(t, e)
	}
	if k < 0 || e-k < 2 || !guessShape(t, k, e) || inAddressToken(t, e) {
		return -1, -1, false
	}
	lx := s.lexOf(t[k:e])
	if lx != 0 && (nameKind(lx)&nameLast == 0 || lx&(kStop|kNotName|kGreeting|kStreetType|kIntro) != 0) {
		return -1, -1, false
	}
	if s.notNamePart(t[k:e], e) || s.titleCaseRun(e) {
		return -1, -1, false
	}
	return k, e, particles
}

// titleCaseRun reports whether a capitalised word that is not a listed name follows the word
// ending at e: such runs are headings, products and places ("Customer Service Portal", "Old
// Mill Road").
func (s *scanner) titleCaseRun(e int) bool {
	t := s.text
	if e >= len(t) || t[e] != ' ' {
		return false
	}
	k, e2 := nextWord(t, e)
	return k >= 0 && upperAt(t, k) && nameKind(s.lexOf(t[k:e2])) == 0
}

// guessPair decides whether the first word (name-likeness sc) and the word t[k:e] make a full
// name, and returns its end or 0. cue is a preposition that takes a person before the first
// word, or particles between the two.
func (s *scanner) guessPair(sc, k, e int, cue, sentStart bool) int {
	t := s.text
	sc2, ok := s.e.grams.score(t[k:e])
	if !ok {
		return 0
	}
	if nameKind(s.lexOf(t[k:e]))&nameLast != 0 {
		sc2 = max(sc2, guessPartMin) // a listed family name after an unknown given name
	}
	if sc < guessPartMin || sc2 < guessPartMin {
		return 0
	}
	need := guessPairSum
	switch {
	case cue:
		need = guessPairCue
	case sentStart:
		need = guessPairSum + guessAfterVerb
	}
	if sc+sc2 < need {
		return 0
	}
	return e
}

// middleInitial returns the end of the name part t[k:e], taking in the dot of a middle initial
// that a capitalised word follows ("Lucas M. Castro": the name goes on after "M.").
func (s *scanner) middleInitial(k, e int) int {
	t := s.text
	if e-k == 1 && isUpper(t[k]) && e+2 < len(t) && t[e] == '.' && t[e+1] == ' ' && isUpper(t[e+2]) {
		return e + 1
	}
	return e
}

// lowerGuess reports whether the lower-case word t[a:we], which no list knows, is a name
// because an introduction comes right before it ("my name is", "ik ben", "I'm") and it looks
// like one. A greeting alone is not enough: "hi team", "hallo allemaal".
func (s *scanner) lowerGuess(a, we int, strong bool) bool {
	t := s.text
	if strong && s.lexOf(trimDots(t[max(0, s.lastWordStart(s.nameCtx)):s.nameCtx]))&kIntro == 0 {
		return false
	}
	for i := a; i < we; i++ {
		if !isLower(t[i]) && t[i] < 0x80 {
			return false
		}
	}
	sc, ok := s.e.grams.score(t[a:we])
	return ok && sc >= guessAfterVerb
}

// allCaps reports whether w has two or more letters and no lower-case ASCII letter.
func allCaps(w string) bool {
	if len(w) < 2 {
		return false
	}
	for i := 0; i < len(w); i++ {
		if isLower(w[i]) {
			return false
		}
	}
	return true
}

// shortWord reports whether a word of at most four letters, the length of every particle
// ("van", "den", "von", "dos"), starts at t[i].
func shortWord(t string, i int) bool {
	n := 0
	for i+n < len(t) && isAlpha(t[i+n]) {
		if n++; n > 4 {
			return false
		}
	}
	return n > 0
}
