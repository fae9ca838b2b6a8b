package rules

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// engineVersion is the version of the detection code; pack versions are appended.
const engineVersion = "veil-rules/1.0.0"

// Config configures an Engine. Default() returns the built-in packs only.
type Config struct {
	// RuleFiles are extra YAML rule packs loaded after the embedded defaults.
	RuleFiles []string `yaml:"rule_files"`
	// Disabled lists types switched off.
	Disabled []Type `yaml:"disabled"`
	// MinConfidence drops findings whose confidence is below it (0 keeps all).
	MinConfidence float32 `yaml:"min_confidence"`
}

// Default returns a Config that uses the embedded rule packs only, with every type enabled.
func Default() Config { return Config{} }

// Validate reports every problem with c at once.
func (c Config) Validate() error {
	var errs []error
	for _, t := range c.Disabled {
		if !t.Valid() {
			errs = append(errs, fmt.Errorf("disabled: unknown type %q", t))
		}
	}
	if c.MinConfidence < 0 || c.MinConfidence > 1 {
		errs = append(errs, fmt.Errorf("min_confidence: %v is outside [0, 1]", c.MinConfidence))
	}
	for _, f := range c.RuleFiles {
		if strings.TrimSpace(f) == "" {
			errs = append(errs, errors.New("rule_files: empty path"))
		}
	}
	return errors.Join(errs...)
}

// Engine detects personal data in text. It is immutable after NewEngine and
// safe for concurrent use.
type Engine struct {
	version  string
	minConf  float32
	disabled [numTypes]bool
	// anyOff is true when some type is disabled, so enabledAny can skip the type lookup.
	anyOff bool
	// locales restricts a built-in type to some locales (by type index); nil means all.
	locales [numTypes][]string

	cls         [256]uint16
	kw          keywords
	typeCtx     [numTypes]kwList // a type's own context words (typeSpec.Context)
	lexTab      lexTable
	sets        [numSets][]lexEntry
	setTab      setTable    // the entries of sets by list and word, for inSet
	setFirst    *firstBytes // the first bytes of the entries of sets, for prefixIn and wordAtIn
	suffixes    [numSets]*suffixIndex
	gates       gates
	secretRules *secretRules // provider secret formats (data/secrets.tsv)
	iban        *ibanTable   // the IBAN registry (data/iban.tsv)
	iin         []iinRange   // card issuer ranges (data/iin.tsv)
	plans       *phonePlans  // numbering plans (data/phoneplan.tsv)
	names       *nameSets
	grams       nameGrams // character n-gram log-odds of names against words (namescore.go)
	custom      []*customDetector
	allow       map[string]Type // lower-cased text -> type ("" = any type)
	// allowLens has bit n set when allow has a text of n bytes (n <= 64; longer texts are never
	// looked up), so resolve skips the lookup of a finding no allowed text is as long as.
	allowLens   lenSet
	deny        []listEntry // literal terms that are always flagged
	entities    entityTable // HTML named character references, for decoding encoded text (decode.go)
	ask, askReq askIndex    // the words of questions that prime a conversation's next message (conversation.go)
	scratch     sync.Pool   // *scanner
	// spare is one scanner kept beside the pool (nil while a call holds it): taking it and giving
	// it back are two atomic operations, cheaper than a round trip through the pool.
	spare atomic.Pointer[scanner]
}

// getScanner returns a scanner for one call: the spare one when no other call holds it, or one
// from the pool.
func (e *Engine) getScanner() *scanner {
	if s := e.spare.Swap(nil); s != nil {
		return s
	}
	return e.scratch.Get().(*scanner)
}

// putScanner gives back a scanner that getScanner returned: as the spare one when that place is
// free, else to the pool.
func (e *Engine) putScanner(s *scanner) {
	if !e.spare.CompareAndSwap(nil, s) {
		e.scratch.Put(s)
	}
}

// NewEngine builds an Engine from the embedded rule packs and cfg.RuleFiles.
func NewEngine(cfg Config) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("validating rules config: %w", err)
	}
	e := &Engine{
		minConf: cfg.MinConfidence,
		allow:   map[string]Type{},
		cls:     classTable(),
	}
	for _, t := range cfg.Disabled {
		e.disabled[typeIndex(t)] = true
		e.anyOff = true
	}
	packs, err := loadPacks(cfg.RuleFiles)
	if err != nil {
		return nil, err
	}
	if e.iban, err = loadIBAN(); err != nil {
		return nil, fmt.Errorf("loading IBAN registry: %w", err)
	}
	if e.secretRules, err = loadSecretRules(); err != nil {
		return nil, fmt.Errorf("loading secret rules: %w", err)
	}
	if e.iin, err = loadIIN(); err != nil {
		return nil, fmt.Errorf("loading card issuer ranges: %w", err)
	}
	if e.plans, err = loadPhonePlans(); err != nil {
		return nil, fmt.Errorf("loading numbering plans: %w", err)
	}
	if err := e.buildLexicon(packs); err != nil {
		return nil, err
	}
	var versions []string
	for _, p := range packs {
		if err := e.addPack(p); err != nil {
			return nil, fmt.Errorf("loading rule pack %s: %w", p.Name, err)
		}
		if p.Version != "" {
			versions = append(versions, p.Version)
		}
	}
	e.version = engineVersion
	if len(versions) > 0 {
		e.version += "+" + strings.Join(versions, "+")
	}
	if e.entities, err = loadEntities(); err != nil {
		return nil, fmt.Errorf("loading HTML entities: %w", err)
	}
	e.scratch.New = func() any { return &scanner{e: e} }
	return e, nil
}

// loadPacks returns the embedded rule packs followed by the packs in files.
func loadPacks(files []string) ([]*Pack, error) {
	packs, err := defaultPacks()
	if err != nil {
		return nil, fmt.Errorf("loading embedded rule packs: %w", err)
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading rule pack: %w", err)
		}
		p, err := ParsePack(path, data)
		if err != nil {
			return nil, fmt.Errorf("loading rule pack %s: %w", path, err)
		}
		packs = append(packs, p)
	}
	return packs, nil
}

// buildLexicon loads the name lists and the lexicon files, adds the lexicon entries of the
// rule packs, and builds the lexicon table, the word lists and the gates from them.
func (e *Engine) buildLexicon(packs []*Pack) error {
	names, err := loadNames()
	if err != nil {
		return fmt.Errorf("loading name lists: %w", err)
	}
	e.names = names
	if e.grams, err = loadNameGrams(); err != nil {
		return fmt.Errorf("loading name n-grams: %w", err)
	}
	lex, err := loadLexicon()
	if err != nil {
		return fmt.Errorf("loading lexicon: %w", err)
	}
	for w, k := range names.kinds {
		if len(w) <= 24 {
			lex.add(w, uint32(k)<<kNameShift, allLangs)
		}
	}
	// Veil's own type names, as rendered pseudonyms start with them ("PERSON:3f9a0c1d2e4b").
	for i := range registry {
		lex.add(strings.ToLower(string(registry[i].Type)), kNotName, allLangs)
	}
	secs := lexSections()
	for _, p := range packs {
		for _, x := range p.Lexicon {
			if err := lex.addEntry(secs[x.Section], x.Word, x.mask); err != nil {
				return fmt.Errorf("rule pack %s: lexicon: %w", p.Name, err)
			}
		}
	}
	lex.merge()
	e.kw = newKeywords(&lex.kws)
	for i := range lex.typeCtx {
		e.typeCtx[i] = newKwList(lex.typeCtx[i])
	}
	e.sets = lex.sets
	e.setTab = newSetTable(&e.sets)
	e.setFirst = newFirstBytes(&e.sets)
	e.suffixes = newSuffixIndexes(&e.sets)
	e.askReq, e.ask = newAskIndexes(&e.sets)
	e.gates = deriveGates(lex)
	e.lexTab = newLexTable(lex.words, e.suffixes[setStreetSuffix])
	return nil
}

func (e *Engine) addPack(p *Pack) error {
	for t, locs := range p.Locales {
		i := typeIndex(t)
		if i < 0 {
			return fmt.Errorf("locales: unknown type %q", t)
		}
		e.locales[i] = slices.Clone(locs)
	}
	for _, d := range p.Detectors {
		cd, err := compileCustom(d)
		if err != nil {
			return fmt.Errorf("detector %s: %w", d.ID, err)
		}
		e.custom = append(e.custom, cd)
	}
	for _, a := range p.Allow {
		l := strings.ToLower(a.Text)
		e.allow[l] = a.Type
		e.allowLens.set(len(l))
	}
	for _, d := range p.Deny {
		d.lower = strings.ToLower(d.Text)
		e.deny = append(e.deny, d)
	}
	return nil
}

// Version names the detection code and the loaded rule packs, e.g. "veil-rules/1.0.0+builtin-2025.11".
func (e *Engine) Version() string { return e.version }

// enabled reports whether type index ti is on for locale.
func (e *Engine) enabled(ti int, locale string) bool {
	if e.disabled[ti] {
		return false
	}
	locs := e.locales[ti]
	if locs == nil || locale == "" {
		return true
	}
	return localeMatch(locs, locale)
}

// localeMatch reports whether locale is in locs; an entry "nl" matches "nl-NL", and "*" matches all.
func localeMatch(locs []string, locale string) bool {
	for _, l := range locs {
		if l == "*" || strings.EqualFold(l, locale) {
			return true
		}
		if len(locale) > len(l) && locale[len(l)] == '-' && strings.EqualFold(locale[:len(l)], l) {
			return true
		}
	}
	return false
}

// Detect appends the findings in text to dst and returns it, sorted by Start, non-overlapping.
// locale is like "nl-NL", "en-GB", "en-US" or "" (unknown). Safe for concurrent use.
// Encoded text is also read decoded (decode.go); those findings cover the encoded form whole.
func (e *Engine) Detect(dst []Finding, text string, locale string) []Finding {
	return e.detectAll(dst, text, locale, prime{})
}

// detectAll is Detect with what an earlier question primes (see DetectTurn).
func (e *Engine) detectAll(dst []Finding, text, locale string, pr prime) []Finding {
	base := len(dst)
	dst, maybeEncoded := e.detectWith(dst, text, locale, pr)
	if !maybeEncoded {
		return dst // the scan read every byte and no '&', '\\', '=' or '%'
	}
	return e.detectDecoded(dst, base, text, locale)
}

// detect appends the findings in text as it stands.
func (e *Engine) detect(dst []Finding, text string, locale string) []Finding {
	dst, _ = e.detectWith(dst, text, locale, prime{})
	return dst
}

// detectWith is detect with what an earlier question primes. It also reports whether the text
// may hold an encoded form (see scanner.maybeEncoded).
func (e *Engine) detectWith(dst []Finding, text, locale string, pr prime) ([]Finding, bool) {
	s := e.getScanner()
	s.reset(text, locale)
	if pr.types != 0 || pr.not {
		s.primeAnswer(pr)
	}
	s.run()
	if s.pr.types != 0 {
		s.primedSecret()
	}
	for _, cd := range e.custom {
		if cd.locales == nil || locale == "" || localeMatch(cd.locales, locale) {
			s.cands = cd.find(s.cands, text)
		}
	}
	if len(e.deny) > 0 {
		s.cands = e.findDeny(s.cands, text)
	}
	dst = e.resolve(dst, s.cands, text, locale)
	maybeEncoded := s.maybeEncoded
	s.text = ""
	s.cands = s.cands[:0]
	e.putScanner(s)
	return dst, maybeEncoded
}

// better reports whether a should win over b when they overlap.
func better(a, b *Finding) bool {
	if a.Confidence != b.Confidence {
		return a.Confidence > b.Confidence
	}
	if la, lb := a.End-a.Start, b.End-b.Start; la != lb {
		return la > lb
	}
	if a.Type != b.Type {
		return typeRank(a.Type) < typeRank(b.Type)
	}
	return a.Detector < b.Detector
}

// resolve filters, sorts and de-overlaps cands and appends the winners to dst.
func (e *Engine) resolve(dst, cands []Finding, text, locale string) []Finding {
	if len(cands) > 1 {
		sortCands(cands)
	}
	base := len(dst)
	for i := range cands {
		c := &cands[i]
		if c.Start < 0 || c.End > len(text) || c.Start >= c.End {
			continue
		}
		if c.Confidence < e.minConf {
			continue
		}
		if ti := typeIndex(c.Type); ti >= 0 && !e.enabled(ti, locale) {
			continue
		}
		if len(e.allow) > 0 && c.End-c.Start <= 64 && e.allowLens.has(c.End-c.Start) && e.allowed(c, text) {
			continue
		}
		if n := len(dst); n > base && dst[n-1].End > c.Start {
			if better(c, &dst[n-1]) {
				dst[n-1] = *c
				// The replacement may still overlap the finding before it only if it starts
				// earlier, which sorting by Start rules out.
			}
			continue
		}
		dst = append(dst, *c)
	}
	return dst
}

// allowed reports whether the text of c (at most 64 bytes), ASCII lower-cased, is on the allow
// list for its type.
func (e *Engine) allowed(c *Finding, text string) bool {
	var buf [64]byte
	n := copy(buf[:], text[c.Start:c.End])
	for k := 0; k < n; k++ {
		buf[k] = lower(buf[k])
	}
	t, ok := e.allow[string(buf[:n])]
	return ok && (t == "" || t == c.Type)
}

// sortCands sorts candidates by Start, the better of two at the same Start first.
func sortCands(cands []Finding) {
	slices.SortFunc(cands, func(a, b Finding) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		if better(&a, &b) {
			return -1
		}
		if better(&b, &a) {
			return 1
		}
		return 0
	})
}

// lenSet is a set of the lengths 0 to 127.
type lenSet [2]uint64

func (u *lenSet) set(n int) {
	if n >= 0 && n < 128 {
		u[n>>6] |= 1 << (n & 63)
	}
}

func (u *lenSet) has(n int) bool { return n >= 0 && n < 128 && u[n>>6]&(1<<(n&63)) != 0 }
