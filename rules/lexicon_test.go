package rules

import (
	"go/ast"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// wordLike reports whether v reads as natural-language words: letters (any script),
// apostrophes, hyphens, spaces and a trailing dot, with at least three letters, one of
// them lower case (so "NL" or "GB" codes are not words).
func wordLike(v string) bool {
	letters, lowers := 0, 0
	for i, r := range v {
		switch {
		case unicode.IsLetter(r):
			letters++
			if unicode.IsLower(r) {
				lowers++
			}
		case r == '\'' || r == '-' || r == ' ' || r == '.' && i == len(v)-1:
		default:
			return false
		}
	}
	return letters >= 3 && lowers > 0
}

// formatKeys are declarations whose strings are keys of a file format (lexicon section
// names, rule-pack validators), not natural language.
var formatKeys = map[string]bool{"lexSections": true, "validators": true}

// TestNoWordListsInGo fails when natural-language words are listed in Go code in rules/
// instead of rules/lexicon/: three or more word-like string literals in one call or
// composite literal, a literal split into words at run time, or one literal of six or
// more words (other than the Why of a finding, error messages and format keys).
func TestNoWordListsInGo(t *testing.T) {
	fset, files := parseRules(t)
	for _, f := range files {
		exempt := exemptLiterals(t, fset, f)
		ast.Inspect(f, func(n ast.Node) bool {
			var elems []ast.Expr
			switch n := n.(type) {
			case *ast.CallExpr:
				elems = n.Args
			case *ast.CompositeLit:
				elems = n.Elts
			case *ast.CaseClause:
				elems = n.List
			case *ast.BasicLit:
				if v, err := strconv.Unquote(n.Value); err == nil && !exempt[n] && n.Kind == token.STRING &&
					len(strings.Fields(v)) >= 6 && allWordLike(strings.Fields(v)) {
					t.Errorf("%s: %q lists words in Go code; put them in rules/lexicon/", fset.Position(n.Pos()), v)
				}
				return true
			}
			if words := countWords(elems, exempt); words >= 3 {
				t.Errorf("%s: %d words listed in Go code; put them in rules/lexicon/", fset.Position(n.Pos()), words)
			}
			return true
		})
	}
}

// countWords counts the word-like string literals among elems.
func countWords(elems []ast.Expr, exempt map[*ast.BasicLit]bool) int {
	words := 0
	for _, e := range elems {
		if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING && !exempt[lit] {
			if v, err := strconv.Unquote(lit.Value); err == nil && wordLike(strings.TrimSpace(v)) {
				words++
			}
		}
	}
	return words
}

// exemptLiterals returns the literals of f that are not natural language (format keys, the
// Why of findings, error messages) and reports literals split into words at run time.
func exemptLiterals(t *testing.T, fset *token.FileSet, f *ast.File) map[*ast.BasicLit]bool {
	exempt := map[*ast.BasicLit]bool{}
	exemptAll := func(n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok {
				exempt[lit] = true
			}
			return true
		})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			if formatKeys[n.Name.Name] {
				exemptAll(n)
			}
		case *ast.ValueSpec:
			if len(n.Names) > 0 && formatKeys[n.Names[0].Name] {
				exemptAll(n)
			}
		case *ast.AssignStmt:
			if id, ok := n.Lhs[len(n.Lhs)-1].(*ast.Ident); ok && id.Name == "why" {
				exemptAll(n) // the Why of a finding
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			switch sel.Sel.Name {
			case "add", "Errorf", "New":
				exemptAll(n)
			case "Fields", "Split":
				for _, a := range n.Args {
					if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						t.Errorf("%s: a string literal split into words; put the words in rules/lexicon/", fset.Position(lit.Pos()))
					}
				}
			}
		}
		return true
	})
	return exempt
}

func allWordLike(ws []string) bool {
	for _, w := range ws {
		if !wordLike(w) {
			return false
		}
	}
	return true
}

// TestLexiconFilesNameSources checks that every lexicon file says where its words come from.
func TestLexiconFilesNameSources(t *testing.T) {
	paths, err := filepath.Glob("lexicon/*.lex")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no lexicon files: %v", err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), "\n# Sources:") {
			t.Errorf("%s: no \"# Sources:\" header", p)
		}
	}
}

func TestLexiconParseErrors(t *testing.T) {
	tests := []struct {
		give, want string
	}{
		{"[nope]\nx\n", "unknown section [nope]"},
		{"x y\n", "entries before the first [section]"},
		{"[month]\njanuari:13\n", "month \"januari:13\""},
		{"[stop]\nUpper\n", "lower case"},
		{"[ctx-bsn]\n\"open\n", "unterminated"},
	}
	for _, tt := range tests {
		d := &lexData{words: map[string]*[numLangs]uint32{}}
		err := d.parse("t.lex", []byte(tt.give), maskOf(langNL), lexSections())
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "t.lex:") {
			t.Errorf("parse(%q) = %v, want an error with the line and %q", tt.give, err, tt.want)
		}
	}
}

func TestLexiconViews(t *testing.T) {
	d := &lexData{words: map[string]*[numLangs]uint32{}}
	src := "[password]\npasswort +pw\n[title]\nherr\n"
	if err := d.parse("de.lex", []byte(src), maskOf(langDE), lexSections()); err != nil {
		t.Fatal(err)
	}
	tab := newLexTable(d.words, nil)
	tests := []struct {
		word string
		view lang
		want bool
	}{
		{"passwort", langDE, true},
		{"PASSWORT", langDE, true},
		{"passwort", langAll, true},
		{"passwort", langNL, false},
		{"pw", langNL, true}, // marked common with '+'
		{"pw", langFR, true},
	}
	for _, tt := range tests {
		if got := tab.get(tt.word, tt.view)&kPassword != 0; got != tt.want {
			t.Errorf("get(%q, %s): password = %v, want %v", tt.word, langCode(tt.view), got, tt.want)
		}
	}
	if x := d.sets[setTitle]; len(x) != 1 || x[0].mask != maskOf(langDE) {
		t.Errorf("title set = %+v, want herr for de only", x)
	}
}

func TestLangOfLocale(t *testing.T) {
	tests := []struct {
		give string
		want lang
	}{
		{"nl-NL", langNL}, {"nl-BE", langNL}, {"fr-BE", langFR}, {"de", langDE}, {"DE-AT", langDE},
		{"en_GB", langEN}, {"", langAll}, {"pt-BR", langAll}, {"english", langAll},
	}
	for _, tt := range tests {
		if got := langOfLocale(tt.give); got != tt.want {
			t.Errorf("langOfLocale(%q) = %d, want %d", tt.give, got, tt.want)
		}
	}
}

// TestGatesReachEveryWord fails when a fast-path gate derived from the lexicon (or
// a change to one) would hide a listed word from its rule.
func TestGatesReachEveryWord(t *testing.T) {
	s := newTestScanner(t, "")
	d, err := loadLexicon()
	if err != nil {
		t.Fatal(err)
	}
	g := &s.e.gates
	plain := func(w string) bool {
		s.reset("xx "+w+" yy", "")
		return s.plainWord(3, 3+len(w))
	}
	for w, v := range d.words {
		k := v[langAll]
		if k&(kPassword|kGreeting|kIntro|kLogin) != 0 || k>>kMonthShift&0xf != 0 {
			if !s.e.gates.mayTrigger(w) || plain(w) {
				t.Errorf("trigger word %q is skipped by the fast path", w)
			}
		}
		if m := k >> kMonthShift & 0xf; m != 0 {
			s.reset("", "")
			if got := s.monthIndex(w); got != int(m) {
				t.Errorf("monthIndex(%q) = %d, want %d", w, got, m)
			}
		}
		if k&kWeekday != 0 && len(w) < g.weekdayMin {
			t.Errorf("weekday %q is shorter than the gate (%d)", w, g.weekdayMin)
		}
		if k&kParticle != 0 && isLower(w[0]) && !g.particleFirst[w[0]] {
			t.Errorf("particle %q fails the first-letter gate", w)
		}
	}
	for _, x := range d.sets[setPasswordCompound] {
		w := "inlog" + x.w
		if plain(w) {
			t.Errorf("compound %q is skipped by the fast path", w)
		}
		s.reset("", "")
		if len(w) < g.compoundMin || !g.compoundLast[w[len(w)-1]] || !s.suffixIn(setPasswordCompound, w, 1) {
			t.Errorf("compound %q does not reach the password rule", w)
		}
	}
	for _, id := range []setID{setSelfVerb, setSelfShort} {
		for _, x := range d.sets[id] {
			txt := x.w + " x"
			if !g.maybeSelf(txt, len(x.w)+1) || g.selfBack <= len(x.w) {
				t.Errorf("self-introduction word %q fails its gate", x.w)
			}
		}
	}
	for _, x := range d.sets[setSelfSubject] {
		if g.subjectBack <= len(x.w) {
			t.Errorf("subject %q is longer than selfIntro reads back", x.w)
		}
	}
	for _, x := range d.sets[setPlaceBefore] {
		if g.placeBack < len(x.w) {
			t.Errorf("place word %q is longer than placeContext reads back", x.w)
		}
	}
	for id, ents := range d.kws {
		if len(ents) > 255 {
			t.Errorf("context list %d has %d entries; kwList indexes at most 255", id, len(ents))
		}
	}
}

// TestSelfIntroReachesName checks the self-introduction path end to end for every
// subject and verb pair of the lexicon.
func TestSelfIntroReachesName(t *testing.T) {
	s := newTestScanner(t, "")
	for _, subj := range s.e.sets[setSelfSubject] {
		for _, verb := range s.e.sets[setSelfVerb] {
			txt := subj.w + " " + verb.w + " jorrit"
			s.reset(txt, "")
			i := len(txt) - len("jorrit")
			if !s.e.gates.maybeSelf(txt, i) || !s.selfIntro(txt, i) {
				t.Errorf("%q: the self-introduction is not seen", txt)
			}
		}
	}
}

// TestDocExample keeps the worked example in doc.go true.
func TestDocExample(t *testing.T) {
	e := newTestEngine(t)
	text := "Hoi Anna, bel me op 06-12345678.\nWachtwoord: Zomer24!\nGroeten,\nJan de Vries"
	want := []struct {
		start, end int
		typ        Type
		conf       float32
	}{{4, 8, Person, 0.9}, {20, 31, Phone, 0.97}, {45, 53, Password, 0.95}, {63, 75, Person, 0.9}}
	got := e.Detect(nil, text, "nl-NL")
	if len(got) != len(want) {
		t.Fatalf("got %d findings %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		if g := got[i]; g.Start != w.start || g.End != w.end || g.Type != w.typ || g.Confidence != w.conf {
			t.Errorf("finding %d = %+v, want %+v", i, g, w)
		}
	}
}
