package accuracy

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/veil-privacy/veil/rules"
)

// The targets for every source of the external set, in scope. The
// floors below are what the engine reaches today; detection work raises them
// towards the targets, and CI keeps them from dropping.
const (
	targetLeak      = 0.02
	targetPrecision = 0.97
)

// externalFloors are the in-scope figures per source measured on the engine
// when the set was built, rounded down (recall, precision) or up (leak) a
// little; on the two small sources the precision floor is the target, as one
// finding moves it by 0.03. Raise them when detection improves; never lower
// them to make a change pass.
var externalFloors = []struct {
	source                  string
	minRecall, minPrecision float64
	maxLeak                 float64
}{
	// measured after the detection work of issue 11 (IBAN registry, issuer
	// ranges, IPv6 forms, provider formats as data, encoded text, names):
	// recall 0.982, precision 0.991, leak 0.0161
	{"gitleaks", 0.98, 0.99, 0.02},
	// after the numbering plans (data/phoneplan.tsv): recall 1.000,
	// precision 1.000, leak 0 (was 0.979, 0.884, 0.0207)
	{"libphonenumber", 0.99, 0.99, 0.005},
	// recall 1.000, precision 0.991, leak 0 (was 0.998, 0.972, 0.0022)
	{"presidio", 0.99, 0.98, 0.005},
	// recall 0.997, precision 0.987, leak 0.0033
	{"stdnum", 0.99, 0.98, 0.005},
	// after RFC 5322 local parts and quoted strings (EMAIL-4 in scope):
	// recall 1.000, precision 1.000, leak 0 (was 0.895, 1.000, 0.1053)
	{"emailvalidator", 0.99, 0.97, 0.02},
	// recall 1.000, precision 1.000, leak 0
	{"gonetip", 0.99, 0.97, 0.001},
}

func readExternal(t *testing.T, source string) []Event {
	t.Helper()
	return readGold(t, filepath.Join("..", "testdata", "external", source+".jsonl"))
}

// TestExternalFloors runs the engine over each source of the external set
// and checks its in-scope figures against the floors.
func TestExternalFloors(t *testing.T) {
	engine, err := rules.NewEngine(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	for _, fl := range externalFloors {
		gold := readExternal(t, fl.source)
		pred := Detect(engine, gold, "")
		for _, scope := range []string{"", "in"} {
			set := gold
			if scope != "" {
				set = Select(gold, map[string]string{"scope": scope})
			}
			rep, err := Score(set, pred, Options{})
			if err != nil {
				t.Fatal(err)
			}
			name := "raw"
			if scope != "" {
				name = "in scope"
			}
			t.Logf("%-14s %-8s events %4d gold %4d recall %.3f precision %.3f leak %.4f over-redaction %.4f",
				fl.source, name, rep.Events, rep.GoldSpans, rep.Recall, rep.Precision, rep.LeakRate, rep.OverRedaction)
			if scope == "" {
				continue
			}
			if rep.Recall < fl.minRecall || rep.Precision < fl.minPrecision || rep.LeakRate > fl.maxLeak {
				t.Errorf("%s in scope: recall %.4f (floor %.3f), precision %.4f (floor %.3f), leak %.4f (ceiling %.3f)",
					fl.source, rep.Recall, fl.minRecall, rep.Precision, fl.minPrecision, rep.LeakRate, fl.maxLeak)
			}
			if rep.LeakRate <= targetLeak && rep.Precision >= targetPrecision {
				t.Logf("%s meets the targets (leak ≤ %.2f, precision ≥ %.2f): raise its floors", fl.source, targetLeak, targetPrecision)
			}
		}
	}
}

// TestExternalSetIsWellFormed checks that every case says where it came from
// and which scope rule of SCOPE.md decided it, and that its spans are its
// text.
func TestExternalSetIsWellFormed(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "testdata", "external", "SCOPE.md"))
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, m := range regexp.MustCompile(`\*\*([A-Z]+-?[0-9]+)[ *]`).FindAllSubmatch(doc, -1) {
		known[string(m[1])] = true
	}
	if len(known) < 10 {
		t.Fatalf("found %d rules in SCOPE.md", len(known))
	}
	for _, fl := range externalFloors {
		gold := readExternal(t, fl.source)
		if len(gold) < 50 {
			t.Errorf("%s: only %d cases", fl.source, len(gold))
		}
		for _, ev := range gold {
			where := fmt.Sprintf("%s %s", fl.source, ev.ID)
			if ev.Tags["source"] != fl.source || !known[ev.Tags["rule"]] ||
				(ev.Tags["scope"] != "in" && ev.Tags["scope"] != "out") {
				t.Errorf("%s: tags %v", where, ev.Tags)
			}
			for _, s := range ev.Spans {
				if s.Start < 0 || s.End > len(ev.Text[s.Field]) || s.Start >= s.End || !s.Type.Valid() {
					t.Errorf("%s: span %+v", where, s)
				}
			}
		}
	}
}
