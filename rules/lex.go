package rules

// Word classes in the lexicon (a word may have several).
const (
	kPassword   uint32 = 1 << iota // a password keyword: the secret follows
	kConnector                     // "is", "was", "now" between a keyword and its value
	kStop                          // a common word, never a name or a secret
	kNotSecret                     // words that follow a password keyword but are not the secret
	kGreeting                      // a greeting or sign-off: a name may follow
	kIntro                         // introduces a name: "naam is", "t.n.v.", "schreef", titles
	kParticle                      // surname particle: van, de, der, ...
	kStreetType                    // English street type: Street, Road, Avenue
	kAddrCtx                       // address context: adres, address, woon, ship to
	kNotName                       // capitalised words that are never names (months, days, places, brands)
)

// kWeekday marks weekday names (maandag, Tuesday); the [weekday] section also marks them kNotName.
const kWeekday uint32 = 1 << 10

// kStreetWord marks street words that can start a street name on their own (Laan van ..., Plein 1944).
const kStreetWord uint32 = 1 << 12

// kLogin marks weak password keywords ("my login is X"): only "is"/"was" and a secret-looking token.
const kLogin uint32 = 1 << 13

// kStreetEnding marks, in a language view, a common word or greeting (kStop, kGreeting) that
// ends in a street suffix of the view's languages (isStreet): street refuses the others at once.
// It is derived when the lexicon table is built (deriveClasses), not listed.
const kStreetEnding uint32 = 1 << 14

// kHyphenated marks, in a language view, a common word (kStop, kNotName, kGreeting) written
// with a '-' ("e-mail"): nameKindOf looks for a hyphenated name only in such common words (and in
// words of other classes). It is derived when the lexicon table is built, not listed.
const kHyphenated uint32 = 1 << 15

// kMonthShift: bits 24..27 of a lexicon entry hold the month number of a month name.
const kMonthShift = 24

// kNameShift: bits 28..30 of a lexicon entry hold the name kinds (nameFirst, nameLast, nameAmbig).
const kNameShift = 28

// nameKind returns the name kinds stored in a lexicon entry, as nameSets.kind would.
func nameKind(lx uint32) uint8 {
	k := uint8(lx >> kNameShift & 7)
	if k == nameAmbig {
		return 0
	}
	return k
}

// triggerIndex maps a word to a bit of the trigger bitset by its length and
// its first and last letters (case-folded).
func triggerIndex(w string) uint32 {
	return uint32(len(w)&15)<<10 | uint32(w[0]&31)<<5 | uint32(w[len(w)-1]&31)
}

// triggerSet returns the bitset of lower-case words that matter even when not
// capitalised (password keywords, greetings, name intros, months), so most
// plain words skip the lexicon lookup.
func triggerSet(lex map[string]*[numLangs]uint32) [256]uint64 {
	var b [256]uint64
	for w, v := range lex {
		k := v[langAll]
		if w != "" && (k&(kPassword|kGreeting|kIntro|kLogin) != 0 || k>>kMonthShift&0xf != 0) {
			h := triggerIndex(w)
			b[h>>6] |= 1 << (h & 63)
		}
	}
	return b
}

// mayTrigger reports whether w might be a trigger word (false positives possible).
func (g *gates) mayTrigger(w string) bool {
	h := triggerIndex(w)
	return g.trigger[h>>6&255]&(1<<(h&63)) != 0
}

// quiet reports whether no rule wants the lower-case word w: it cannot end a password
// compound and is not a trigger word.
func (g *gates) quiet(w string) bool {
	return (len(w) < g.compoundMin || !g.compoundLast[w[len(w)-1]]) && !g.mayTrigger(w)
}

// lexOf returns the word classes of w in the event's language, compared case-insensitively.
func (s *scanner) lexOf(w string) uint32 { return s.e.lexTab.get(w, s.lang) }
