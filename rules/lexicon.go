package rules

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"path"
	"strconv"
	"strings"
)

//go:embed lexicon/*.lex
var lexiconFiles embed.FS

// lang is a language the lexicon has a file for. langAll is the view used when
// an event's language is unknown: every word of every file applies.
type lang uint8

const (
	langAll lang = iota
	langNL
	langEN
	langDE
	langFR
	langES
	numLangs
)

// langCode returns the ISO 639-1 code of l ("" for langAll); lexicon files are named after it.
func langCode(l lang) string {
	switch l {
	case langNL:
		return "nl"
	case langEN:
		return "en"
	case langDE:
		return "de"
	case langFR:
		return "fr"
	case langES:
		return "es"
	}
	return ""
}

// langOfLocale returns the language of a locale such as "nl-BE" or "de" (ASCII case
// ignored), or langAll when the locale is empty or names a language without a file.
func langOfLocale(locale string) lang {
	if len(locale) < 2 || len(locale) > 2 && locale[2] != '-' && locale[2] != '_' {
		return langAll
	}
	a, b := lower(locale[0])-'a', lower(locale[1])-'a'
	if a >= 26 || b >= 26 {
		return langAll
	}
	return langByCode[a][b]
}

// langByCode maps the letters of a language code (less 'a') to its language, langAll (0) when
// there is no lexicon file for it.
var langByCode = func() (t [26][26]lang) {
	for l := langNL; l < numLangs; l++ {
		c := langCode(l)
		t[c[0]-'a'][c[1]-'a'] = l
	}
	return t
}()

// langOf returns the lexicon view for an event in locale. Until the per-language
// lexicon files have been checked against every labelled set, every locale reads
// every language (langAll), which is exactly the vocabulary of the engine before
// the words moved into files; langOfLocale is the selection that replaces it.
func (e *Engine) langOf(locale string) lang { return langOfLocale(locale) }

// langMask has bit l set for each language l an entry applies in.
type langMask uint8

// allLangs marks an entry that applies in every language (the common file, or a '+' entry).
const allLangs langMask = 1<<numLangs - 1

// maskOf returns the mask of the entries that apply in view l.
func maskOf(l lang) langMask {
	if l == langAll {
		return allLangs
	}
	return 1 << l
}

// lexEntry is one entry of a lexicon list with the languages it applies in.
type lexEntry struct {
	w    string
	mask langMask
}

// setID names an ordered word list that code matches exactly, as a suffix or as a prefix.
type setID uint8

// The word lists, one per [section] of the lexicon files that is not a word class.
const (
	setPasswordCompound setID = iota // [password-compound] endings of compounds that are password words
	setStreetSuffix                  // [street-suffix] endings of street names (Kerkstraat, Hauptstraße)
	setClearStreet                   // [clear-street] street endings never part of a surname
	setOrgSuffix                     // [org-suffix] endings of department and job words
	setLabelSuffix                   // [label-suffix] endings of form labels (Klantnummer)
	setSurnameSuffix                 // [surname-suffix] endings typical of family names
	setBrand                         // [brand] brands named after people ("albert heijn")
	setSelfVerb                      // [self-verb] "ben", "am" in "ik ben X"
	setSelfShort                     // [self-short] "i'm", "it's": a self-introduction in one word
	setSelfSubject                   // [self-subject] "ik", "this" before a self-verb
	setNameLabel                     // [name-label] labels before ':' and a name ("Naam:")
	setTitle                         // [title] titles and salutations before a surname
	setNameGap                       // [name-gap] words between a name intro and the name ("naam is")
	setPlaceBefore                   // [place-before] words before a place ("in", "near")
	setPlaceAfter                    // [place-after] words after a place ("store", "filiaal")
	setCapParticle                   // [cap-particle] capitalised particles joining given and family name
	setOpeningGreeting               // [opening-greeting] greetings that open a message
	setSelfNameFollow                // [self-name-follow] words after a self-introduced name ("here")
	setLowerNameFollow               // [lower-name-follow] words after a lower-case name ("again")
	setHouseSuffix                   // [house-suffix] letters glued to a house number (12bis)
	setHouseSuffixWord               // [house-suffix-word] words after a house number (12 hs, 3 boven)
	setUnitBefore                    // [unit-before] unit words before a house number ("Flat ")
	setUnitAfter                     // [unit-after] unit words after a street line ("Apt ")
	setCityJoiner                    // [city-joiner] lower-case words inside city names ("aan")
	setOrdinal                       // [ordinal] ordinal suffixes after a day number (3rd, 3e)
	setPwWeakIs                      // [password-weak-is] "is" after a weak keyword ("login is")
	setPwIs                          // [password-is] verbs between a password word and the secret
	setPwTo                          // [password-to] "to", "naar": "reset my password to X"
	setPwFiller                      // [password-filler] "now", "nu" before the secret
	setPwSepVerb                     // [password-sep-verb] verbs ending "password for the portal is"
	setAbbrev                        // [abbreviation] abbreviations whose dot does not end a sentence
	setWayEnd                        // [way-end] street-name endings standing alone ("Queensway")
	setBornOf                        // [born-of] "of" in "3rd of May"
	setStreetOrdinal                 // [street-ordinal] "st", "nd" in "W 42nd St"
	setCityBefore                    // [city-before] "in", "te" before a town after a street line
	setAtWord                        // [at-word] "at" in an obfuscated address: jan [at] example.com
	setDotWord                       // [dot-word] "dot" in an obfuscated address: example [dot] com
	setPersonVerb                    // [person-verb] verbs whose object is a person ("ask", "bel")
	setPersonPrep                    // [person-prep] prepositions before a full name ("with", "voor")
	setAskRequest                    // [ask-request] words that make a sentence a request ("graag", "please")
	setAskNot                        // [ask-not] questions for values that are no personal data ("ordernummer")
	setAskName                       // [ask-name] words asking for a person's name
	setAskBSN                        // [ask-bsn] words asking for a BSN
	setAskSSN                        // [ask-ssn] words asking for an SSN
	setAskBirth                      // [ask-birth] words asking for a date of birth
	setAskPassword                   // [ask-password] words asking for a password or PIN
	setAskBENRN                      // [ask-be-nrn] words asking for a Belgian national number
	setAnswerLead                    // [answer-lead] words that may open a bare answer ("ja", "it's")
	numSets
)

// kwID names a context-word list (see keywords).
type kwID uint8

// The context-word lists, one per [ctx-*] section.
const (
	kwBSN kwID = iota
	kwSSN
	kwCard
	kwNotCard
	kwNotBSN
	kwPhone
	kwIP
	kwVersion
	kwBirth
	kwKey
	kwAddr
	kwNotPhone
	numKws
)

// lexSection says what one [section] of a lexicon file feeds.
type lexSection struct {
	class   uint32 // word classes in the lexicon table, or 0
	month   bool   // entries are name:number month names
	set     setID  // an ordered list, when class == 0 and !month and kw == numKws
	kw      kwID   // a context-word list, or numKws
	typeCtx int    // 1 + the registry index of the type whose own context words these are, or 0
}

// lexSections maps the section names of the lexicon files to what they feed.
func lexSections() map[string]lexSection {
	m := map[string]lexSection{
		"password": {class: kPassword}, "login": {class: kLogin}, "connector": {class: kConnector},
		"stop": {class: kStop}, "not-secret": {class: kNotSecret}, "greeting": {class: kGreeting},
		"intro": {class: kIntro}, "particle": {class: kParticle}, "street-type": {class: kStreetType},
		"address-context": {class: kAddrCtx}, "not-name": {class: kNotName}, "street-word": {class: kStreetWord},
		"weekday": {class: kWeekday | kNotName}, "month": {month: true},
	}
	sets := [numSets]string{"password-compound", "street-suffix", "clear-street", "org-suffix", "label-suffix",
		"surname-suffix", "brand", "self-verb", "self-short", "self-subject", "name-label", "title", "name-gap",
		"place-before", "place-after", "cap-particle", "opening-greeting", "self-name-follow", "lower-name-follow",
		"house-suffix", "house-suffix-word", "unit-before", "unit-after", "city-joiner", "ordinal",
		"password-weak-is", "password-is", "password-to", "password-filler", "password-sep-verb", "abbreviation",
		"way-end", "born-of", "street-ordinal", "city-before", "at-word", "dot-word",
		"person-verb", "person-prep", "ask-request", "ask-not", "ask-name", "ask-bsn", "ask-ssn", "ask-birth",
		"ask-password", "ask-be-nrn", "answer-lead"}
	for i, name := range sets {
		m[name] = lexSection{set: setID(i), kw: numKws}
	}
	kws := [numKws]string{"ctx-bsn", "ctx-ssn", "ctx-card", "ctx-not-card", "ctx-not-bsn", "ctx-phone", "ctx-ip",
		"ctx-version", "ctx-birth", "ctx-key", "ctx-address", "ctx-not-phone"}
	for i, name := range kws {
		m[name] = lexSection{set: numSets, kw: kwID(i)}
	}
	for i := range registry {
		if c := registry[i].Context; c != "" {
			m[c] = lexSection{set: numSets, kw: numKws, typeCtx: i + 1}
		}
	}
	for name, sec := range m {
		if sec.class != 0 || sec.month {
			sec.set, sec.kw = numSets, numKws
			m[name] = sec
		}
	}
	return m
}

// lexData is the parsed lexicon.
type lexData struct {
	// words maps a lower-case word to its classes in each language view.
	words map[string]*[numLangs]uint32
	sets  [numSets][]lexEntry
	kws   [numKws][]lexEntry
	// typeCtx holds the context words of the types that declare a Context section.
	typeCtx [numTypes][]lexEntry
}

// add records class c for w in every view whose language is in mask.
func (d *lexData) add(w string, c uint32, mask langMask) {
	v := d.words[w]
	if v == nil {
		v = new([numLangs]uint32)
		d.words[w] = v
	}
	for l := langAll; l < numLangs; l++ {
		if l == langAll || mask&maskOf(l) != 0 {
			v[l] |= c
		}
	}
}

// loadLexicon reads the embedded lexicon files: common.lex applies in every
// language, <code>.lex in its own language only.
func loadLexicon() (*lexData, error) {
	d := &lexData{words: map[string]*[numLangs]uint32{}}
	ents, err := lexiconFiles.ReadDir("lexicon")
	if err != nil {
		return nil, fmt.Errorf("listing lexicon: %w", err)
	}
	secs := lexSections()
	for _, ent := range ents {
		name := ent.Name()
		if path.Ext(name) != ".lex" {
			continue
		}
		mask, ok := fileMask(strings.TrimSuffix(name, ".lex"))
		if !ok {
			return nil, fmt.Errorf("lexicon file %s: no language of that name", name)
		}
		data, err := lexiconFiles.ReadFile("lexicon/" + name)
		if err != nil {
			return nil, fmt.Errorf("reading lexicon %s: %w", name, err)
		}
		if err := d.parse(name, data, mask, secs); err != nil {
			return nil, err
		}
	}
	d.merge()
	return d, nil
}

// merge merges the list entries listed more than once (see mergeEntries).
func (d *lexData) merge() {
	for i := range d.sets {
		d.sets[i] = mergeEntries(d.sets[i])
	}
	for i := range d.kws {
		d.kws[i] = mergeEntries(d.kws[i])
	}
	for i := range d.typeCtx {
		d.typeCtx[i] = mergeEntries(d.typeCtx[i])
	}
}

// mergeEntries merges entries listed in several files into one with the union of their
// languages, keeping the order of first appearance.
func mergeEntries(ents []lexEntry) []lexEntry {
	out := ents[:0]
	at := map[string]int{}
	for _, x := range ents {
		if i, ok := at[x.w]; ok {
			out[i].mask |= x.mask
			continue
		}
		at[x.w] = len(out)
		out = append(out, x)
	}
	return out
}

// caseSensitive reports whether the entries of list id are matched with their case (unit
// words "Apt ", house-number suffixes " II", surname endings); the others ignore case and are
// written in lower case.
func caseSensitive(id setID) bool {
	switch id {
	case setHouseSuffix, setHouseSuffixWord, setUnitBefore, setUnitAfter, setOrdinal, setSurnameSuffix,
		setWayEnd, setBornOf, setStreetOrdinal, setCityBefore:
		return true
	}
	return false
}

// suffixSets are the lists matched as word endings; suffixIn looks their entries up by last byte.
var suffixSets = [...]setID{setPasswordCompound, setStreetSuffix, setClearStreet, setOrgSuffix, setLabelSuffix}

// suffixIndex holds the entries of one suffix list by their (lower-case) last byte.
type suffixIndex [256][]lexEntry

// newSuffixIndexes indexes the suffix lists of sets.
func newSuffixIndexes(sets *[numSets][]lexEntry) [numSets]*suffixIndex {
	var idx [numSets]*suffixIndex
	for _, id := range suffixSets {
		x := new(suffixIndex)
		for _, ent := range sets[id] {
			c := ent.w[len(ent.w)-1]
			x[c] = append(x[c], ent)
		}
		idx[id] = x
	}
	return idx
}

// LexiconLanguages returns the language names a rule pack's lexicon entries may use: "common"
// (every language) and the codes of the lexicon files.
func LexiconLanguages() []string {
	ls := []string{"common"}
	for l := langNL; l < numLangs; l++ {
		ls = append(ls, langCode(l))
	}
	return ls
}

// fileMask returns the languages the entries of the lexicon file named base apply in.
func fileMask(base string) (langMask, bool) {
	if base == "common" {
		return allLangs, true
	}
	for l := langNL; l < numLangs; l++ {
		if langCode(l) == base {
			return maskOf(l), true
		}
	}
	return 0, false
}

// parse adds one lexicon file. Lines starting with '#' are comments, "[name]"
// starts a section, and other lines hold entries separated by white space; an
// entry in double quotes may hold spaces. A '+' before an entry makes it apply
// in every language.
func (d *lexData) parse(file string, data []byte, mask langMask, secs map[string]lexSection) error {
	var sec *lexSection
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		if line[0] == '[' && line[len(line)-1] == ']' {
			s, ok := secs[line[1:len(line)-1]]
			if !ok {
				return fmt.Errorf("lexicon %s:%d: unknown section %s", file, n, line)
			}
			sec = &s
			continue
		}
		if sec == nil {
			return fmt.Errorf("lexicon %s:%d: entries before the first [section]", file, n)
		}
		ents, err := splitEntries(line)
		if err != nil {
			return fmt.Errorf("lexicon %s:%d: %w", file, n, err)
		}
		for _, w := range ents {
			m := mask
			if w[0] == '+' && len(w) > 1 {
				w, m = w[1:], allLangs
			}
			if err := d.addEntry(*sec, w, m); err != nil {
				return fmt.Errorf("lexicon %s:%d: %w", file, n, err)
			}
		}
	}
	return sc.Err()
}

// addEntry files one entry under its section.
func (d *lexData) addEntry(sec lexSection, w string, m langMask) error {
	if strings.TrimLeft(w, "*") == "" {
		return fmt.Errorf("empty entry %q", w)
	}
	switch {
	case sec.month:
		name, num, ok := strings.Cut(w, ":")
		k, err := strconv.Atoi(num)
		if !ok || err != nil || k < 1 || k > 12 || name == "" {
			return fmt.Errorf("month %q: want name:number with a number 1..12", w)
		}
		d.add(strings.ToLower(name), uint32(k)<<kMonthShift, m)
	case sec.class != 0:
		if strings.ToLower(w) != w || len(w) > 24 {
			return fmt.Errorf("word %q: lexicon words are lower case and at most 24 bytes", w)
		}
		d.add(w, sec.class, m)
	case (sec.kw < numKws || sec.typeCtx > 0 || !caseSensitive(sec.set)) && strings.ToLower(w) != w:
		return fmt.Errorf("entry %q: this section is matched ignoring case and must be written in lower case", w)
	case sec.kw < numKws:
		d.kws[sec.kw] = append(d.kws[sec.kw], lexEntry{w: w, mask: m})
	case sec.typeCtx > 0:
		d.typeCtx[sec.typeCtx-1] = append(d.typeCtx[sec.typeCtx-1], lexEntry{w: w, mask: m})
	default:
		d.sets[sec.set] = append(d.sets[sec.set], lexEntry{w: w, mask: m})
	}
	return nil
}

// splitEntries splits a line at white space, keeping "quoted entries" whole.
func splitEntries(line string) ([]string, error) {
	var out []string
	for line = strings.TrimSpace(line); line != ""; line = strings.TrimSpace(line) {
		if line[0] == '"' || line[0] == '+' && len(line) > 1 && line[1] == '"' {
			plus := line[0] == '+'
			if plus {
				line = line[1:]
			}
			k := strings.IndexByte(line[1:], '"')
			if k < 1 {
				return nil, fmt.Errorf("unterminated or empty quoted entry in %q", line)
			}
			w := line[1 : k+1]
			if plus {
				w = "+" + w
			}
			out = append(out, w)
			line = line[k+2:]
			continue
		}
		k := strings.IndexAny(line, " \t")
		if k < 0 {
			k = len(line)
		}
		out = append(out, line[:k])
		line = line[k:]
	}
	return out, nil
}

// gates are the fast-path filters of the scanner, derived from the lexicon when
// the Engine is built (over every language, so a filter never hides a word).
// TestGatesReachEveryWord checks that each listed word still passes its gate.
type gates struct {
	// trigger is the bitset of words that matter even when not capitalised (see triggerSet).
	trigger [256]uint64
	// compoundMin is the shortest word that can end in a [password-compound] suffix
	// with something before it; compoundLast holds the suffixes' last bytes, both cases.
	compoundMin  int
	compoundLast [256]bool
	// particleFirst holds the first bytes of the lower-case [particle] words.
	particleFirst [256]bool
	// monthMin and monthMax bound the byte length of [month] names.
	monthMin, monthMax int
	// weekdayMin is the byte length of the shortest [weekday] name.
	weekdayMin int
	// selfPair[c] has bit pairBit(b) set when a [self-verb] or [self-short] word ends in b, c.
	selfPair [256]uint32
	// pairBits[b] is pairBit(b), looked up.
	pairBits [256]uint32
	// selfBack and subjectBack are how many bytes selfIntro reads back for the self-verb and
	// the subject before it; placeBack the same for [place-before] words.
	selfBack, subjectBack, placeBack int
	// cue is the bitset (by triggerIndex) of the [person-verb] and [person-prep] words.
	cue [256]uint64
}

// pairBit maps a second-to-last byte to a bit of gates.selfPair (0 for other bytes).
func pairBit(b byte) uint32 {
	switch {
	case isLower(b):
		return 1 << (b - 'a')
	case b == '\'':
		return 1 << 26
	}
	return 0
}

// deriveGates computes the gates from the lexicon.
func deriveGates(d *lexData) gates {
	g := gates{trigger: triggerSet(d.words)}
	g.compoundMin = 1 << 30
	for _, x := range d.sets[setPasswordCompound] {
		g.compoundMin = min(g.compoundMin, len(x.w)+1)
		c := x.w[len(x.w)-1]
		g.compoundLast[c] = true
		if isLower(c) {
			g.compoundLast[c-32] = true
		}
	}
	for b := range g.pairBits {
		g.pairBits[b] = pairBit(byte(b))
	}
	g.monthMin, g.weekdayMin = 1<<30, 1<<30
	for w, v := range d.words {
		k := v[langAll]
		if k&kParticle != 0 && isLower(w[0]) {
			g.particleFirst[w[0]] = true
		}
		if k>>kMonthShift&0xf != 0 {
			g.monthMin, g.monthMax = min(g.monthMin, len(w)), max(g.monthMax, len(w))
		}
		if k&kWeekday != 0 {
			g.weekdayMin = min(g.weekdayMin, len(w))
		}
	}
	for _, id := range [...]setID{setSelfVerb, setSelfShort} {
		for _, x := range d.sets[id] {
			n := len(x.w)
			if n >= 2 {
				g.selfPair[x.w[n-1]] |= pairBit(x.w[n-2])
			}
			g.selfBack = max(g.selfBack, n+1)
		}
	}
	for _, x := range d.sets[setSelfSubject] {
		g.subjectBack = max(g.subjectBack, len(x.w)+1)
	}
	for _, x := range d.sets[setPlaceBefore] {
		g.placeBack = max(g.placeBack, len(x.w))
	}
	for _, id := range [...]setID{setPersonVerb, setPersonPrep} {
		for _, x := range d.sets[id] {
			if x.w != "" {
				h := triggerIndex(x.w)
				g.cue[h>>6&255] |= 1 << (h & 63)
			}
		}
	}
	return g
}

// maybeSelf is a cheap filter for selfIntro: the word before the space at i-1 ends like a
// self-introduction word ("ben", "am", "i'm", "is", "it's").
func (g *gates) maybeSelf(t string, i int) bool {
	return g.selfPair[t[i-2]]&g.pairBits[t[i-3]] != 0
}

// selfSlot is maybeSelf at a word start i after a space: what selfIntro needs to look further.
func (g *gates) selfSlot(t string, i int) bool { return i >= 3 && t[i-1] == ' ' && g.maybeSelf(t, i) }

// inSet reports whether w equals a lower-case entry of list id that applies in the
// event's language, ignoring ASCII case.
func (s *scanner) inSet(id setID, w string) bool { return s.e.setTab.has(id, w, s.mask) }

// suffixIn reports whether w ends in an entry of the suffix list id (ASCII case ignored)
// with at least extra bytes before it.
func (s *scanner) suffixIn(id setID, w string, extra int) bool {
	return s.e.suffixes[id].has(w, extra, s.mask)
}

// has reports whether w ends in an entry of the list (ASCII case ignored) that applies in a
// language of mask, with at least extra bytes before it.
func (x *suffixIndex) has(w string, extra int, mask langMask) bool {
	n := len(w)
	if n == 0 {
		return false
	}
	for _, e := range x[lower(w[n-1])] {
		if e.mask&mask != 0 && n >= len(e.w)+extra && hasPrefixFold(w[n-len(e.w):], e.w) {
			return true
		}
	}
	return false
}

// firstBytes holds, for each word list, the bytes its entries start with (every byte when
// one is empty): prefixIn and wordAtIn compare the text with the entries only when one starts
// with the text's next byte.
type firstBytes [numSets][256]bool

func newFirstBytes(sets *[numSets][]lexEntry) *firstBytes {
	f := new(firstBytes)
	for id, ents := range sets {
		for _, x := range ents {
			if x.w == "" {
				for c := range f[id] {
					f[id][c] = true
				}
				continue
			}
			f[id][x.w[0]] = true
		}
	}
	return f
}

// prefixIn returns the length of the entry of list id that rest starts with
// (case-sensitive), or 0.
func (s *scanner) prefixIn(id setID, rest string) int {
	if len(rest) > 0 && !s.e.setFirst[id][rest[0]] {
		return 0
	}
	for _, x := range s.e.sets[id] {
		if x.mask&s.mask != 0 && strings.HasPrefix(rest, x.w) {
			return len(x.w)
		}
	}
	return 0
}

// wordAtIn returns the length of the entry of list id that t[i:] starts with
// (case-sensitive) when no letter follows it, or 0.
func (s *scanner) wordAtIn(id setID, t string, i int) int {
	if i < len(t) && !s.e.setFirst[id][t[i]] {
		return 0
	}
	for _, x := range s.e.sets[id] {
		if n := len(x.w); x.mask&s.mask != 0 && strings.HasPrefix(t[i:], x.w) && (i+n == len(t) || !isAlpha(t[i+n])) {
			return n
		}
	}
	return 0
}

// endsIn reports whether w ends in an entry of list id (case-sensitive).
func (s *scanner) endsIn(id setID, w string) bool {
	for _, x := range s.e.sets[id] {
		if x.mask&s.mask != 0 && strings.HasSuffix(w, x.w) {
			return true
		}
	}
	return false
}

// followWord reports whether the word after the space at i is in list id.
func (s *scanner) followWord(i int, id setID) bool {
	k, e := nextWord(s.text, i)
	return k >= 0 && s.inSet(id, s.text[k:e])
}
