package rules

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// parseRules parses the non-test Go files of this package.
func parseRules(t *testing.T) (*token.FileSet, []*ast.File) {
	t.Helper()
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return fset, files
}

// registryUse is what the package source says about types: the Type constants, the
// detector ids passed to scanner.add with the constant they report, and every string literal.
type registryUse struct {
	consts   map[string]Type // constant name -> value
	emitted  map[string]Type // detector id -> constant name it reports
	literals map[string]bool
}

func readRegistryUse(t *testing.T) registryUse {
	fset, files := parseRules(t)
	u := registryUse{consts: map[string]Type{}, emitted: map[string]Type{}, literals: map[string]bool{}}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "Type" {
					for i, name := range n.Names {
						if lit, ok := n.Values[i].(*ast.BasicLit); ok {
							v, _ := strconv.Unquote(lit.Value)
							u.consts[name.Name] = Type(v)
						}
					}
				}
			case *ast.BasicLit:
				if v, err := strconv.Unquote(n.Value); err == nil {
					u.literals[v] = true
				}
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "add" || len(n.Args) != 6 {
					return true
				}
				typ, ok1 := n.Args[2].(*ast.Ident)
				det, ok2 := n.Args[4].(*ast.BasicLit)
				if ok1 && ok2 {
					d, _ := strconv.Unquote(det.Value)
					if prev, dup := u.emitted[d]; dup && prev != Type(typ.Name) {
						t.Errorf("%s: detector %s reports two types", fset.Position(n.Pos()), d)
					}
					u.emitted[d] = Type(typ.Name)
				}
			}
			return true
		})
	}
	return u
}

// TestRegistryComplete fails when a type is half-declared: a Type constant without a
// registry row, a row without a name, rank, detector or field, a detector that
// reports a type it is not declared for, or a declared detector that nothing reports.
func TestRegistryComplete(t *testing.T) {
	u := readRegistryUse(t)
	seen := map[Type]bool{}
	dets := map[string]Type{}
	for i, r := range registry {
		switch {
		case r.Type == "" || strings.ToUpper(string(r.Type)) != string(r.Type):
			t.Errorf("registry row %d: name %q is not UPPER_SNAKE_CASE", i, r.Type)
		case seen[r.Type]:
			t.Errorf("registry row %d: %s declared twice", i, r.Type)
		case r.Rank < rankNationalID || r.Rank > rankOther:
			t.Errorf("%s: rank %d out of range", r.Type, r.Rank)
		case len(r.Detectors) == 0 && len(r.Fields) == 0:
			t.Errorf("%s: neither detectors nor structured fields", r.Type)
		case len(r.Detectors) > 0 && r.Rank == rankOther:
			t.Errorf("%s: a type found in free text needs an overlap rank below rankOther", r.Type)
		}
		seen[r.Type] = true
		for _, d := range r.Detectors {
			if _, dup := dets[d]; dup {
				t.Errorf("detector %s declared for two types", d)
			}
			dets[d] = r.Type
			if !u.literals[d] || !strings.Contains(d, ".") {
				t.Errorf("%s: declared detector %q is never reported", r.Type, d)
			}
		}
	}
	for name, v := range u.consts {
		if !seen[v] {
			t.Errorf("Type constant %s = %q has no registry row", name, v)
		}
	}
	for d, c := range u.emitted {
		want, ok := u.consts[string(c)]
		if !ok {
			t.Errorf("detector %s reports %s, which is not a Type constant", d, c)
		} else if got, ok := dets[d]; !ok || got != want {
			t.Errorf("detector %s reports %s but the registry declares it for %q", d, want, got)
		}
	}
	if len(Types()) != numTypes {
		t.Errorf("Types() has %d entries, numTypes is %d", len(Types()), numTypes)
	}
}

func TestTypesIsACopy(t *testing.T) {
	ts := Types()
	ts[0] = "CHANGED"
	if Types()[0] == "CHANGED" {
		t.Fatal("Types() returns the registry's own storage")
	}
}

func TestTypeNamesAreNotNames(t *testing.T) {
	s := newTestScanner(t, "")
	for _, ty := range Types() {
		if s.lexOf(string(ty))&kNotName == 0 {
			t.Errorf("%s is not marked as a non-name word", ty)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		typ        Type
		give, want string
	}{
		{Phone, " 06-1234 5678 ", "0612345678"},
		{Phone, "+31 (0)6.1234/5678", "+31061234" + "5678"},
		{IBAN, "NL91 ABNA 0417 1643 00", "nl91abna0417164300"},
		{Email, " Anna.Bakker@Example.NL ", "anna.bakker@example.nl"},
		{Person, "Anna   van\tDijk", "anna van dijk"},
		{Address, "Kerkstraat 12,\n1234 AB  Utrecht", "kerkstraat 12, 1234 ab utrecht"},
		{CustomerID, "Cust-00 49", "cust0049"},
		{"ACME_ID", "AC-12 3", "ac123"}, // a rule-pack type
	}
	for _, tt := range tests {
		if got := tt.typ.Normalize(tt.give); got != tt.want {
			t.Errorf("%s.Normalize(%q) = %q, want %q", tt.typ, tt.give, got, tt.want)
		}
	}
}

func TestStructuredField(t *testing.T) {
	tests := []struct {
		give string
		want Type
		ok   bool
	}{
		{"customer_id", CustomerID, true},
		{"author_name", Person, true},
		{"author_email", Email, true},
		{"body", "", false},
	}
	for _, tt := range tests {
		got, ok := StructuredField(tt.give)
		if got != tt.want || ok != tt.ok {
			t.Errorf("StructuredField(%q) = %q, %v, want %q, %v", tt.give, got, ok, tt.want, tt.ok)
		}
	}
	if got := StructuredFields(); !slices.Equal(got, []string{"author_email", "author_name", "customer_id"}) {
		t.Errorf("StructuredFields() = %v", got)
	}
}

// newTestScanner returns a scanner of a test engine set up for an event in locale.
func newTestScanner(t testing.TB, locale string) *scanner {
	t.Helper()
	s := &scanner{e: newTestEngine(t)}
	s.reset("", locale)
	return s
}
