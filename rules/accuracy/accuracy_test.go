package accuracy

import (
	"math"
	"os"
	"strings"
	"testing"

	"github.com/veil-privacy/veil/rules"
)

func readGold(t *testing.T, path string) []Event {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gold, err := ReadGold(f, path)
	if err != nil {
		t.Fatal(err)
	}
	return gold
}

func readFiles(t *testing.T, goldPath, predPath string) ([]Event, map[string][]Span) {
	t.Helper()
	gold := readGold(t, goldPath)
	pf, err := os.Open(predPath)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	pred, err := ReadPred(pf, predPath)
	if err != nil {
		t.Fatal(err)
	}
	return gold, pred
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

// TestHandMade checks figures worked out by hand for testdata/handmade.*.jsonl
// (each event there is one edge of the definitions).
func TestHandMade(t *testing.T) {
	gold, pred := readFiles(t, "testdata/handmade.gold.jsonl", "testdata/handmade.pred.jsonl")
	rep, err := Score(gold, pred, Options{MaxLeaks: 10})
	if err != nil {
		t.Fatal(err)
	}
	// e1 exact; e2 8 of 10 bytes covered (found); e3 7 of 10 (missed, leak);
	// e4 BSN covered by a PHONE finding (not found, no leak, wrong finding);
	// e5 a finding on 8 non-PII bytes; e6 no prediction (leak); e7 a subject
	// name covered by two overlapping findings plus a wrong one and an empty
	// one; e8 a finding one byte past a name with a two-byte letter.
	if n := Unknown(gold, pred); rep.Events != 8 || rep.GoldSpans != 7 || rep.Leaked != 2 || n != 1 {
		t.Errorf("events %d gold %d leaked %d unknown %d, want 8 7 2 1", rep.Events, rep.GoldSpans, rep.Leaked, n)
	}
	if !near(rep.Recall, 4.0/7) || !near(rep.Precision, 6.0/10) || !near(rep.LeakRate, 2.0/7) {
		t.Errorf("recall %v precision %v leak %v, want 4/7 6/10 2/7", rep.Recall, rep.Precision, rep.LeakRate)
	}
	// Non-PII bytes: 18+9+9+4+22+5+(4+5)+9 = 85; covered by findings: 8 (e5) + 2 (e7) + 1 (e8).
	if rep.NonPIIBytes != 85 || rep.NonPIICovered != 11 || !near(rep.OverRedaction, 11.0/85) {
		t.Errorf("non-PII %d covered %d over-redaction %v, want 85 11 11/85", rep.NonPIIBytes, rep.NonPIICovered, rep.OverRedaction)
	}
	type row struct{ gold, found, pred, correct int }
	want := map[rules.Type]row{
		rules.Email:  {1, 1, 1, 1},
		rules.IBAN:   {1, 0, 0, 0},
		rules.BSN:    {1, 0, 0, 0},
		rules.Person: {2, 2, 5, 3},
		rules.Phone:  {2, 1, 4, 2},
	}
	if len(rep.PerType) != len(want) {
		t.Fatalf("%d types, want %d", len(rep.PerType), len(want))
	}
	for _, ts := range rep.PerType {
		if got := (row{ts.Gold, ts.Found, ts.Pred, ts.Correct}); got != want[ts.Type] {
			t.Errorf("%s: %+v, want %+v", ts.Type, got, want[ts.Type])
		}
		if (ts.Pred == 0) != (ts.Precision == nil) {
			t.Errorf("%s: precision %v with %d findings", ts.Type, ts.Precision, ts.Pred)
		}
	}
	if len(rep.Leaks) != 2 || rep.Leaks[0].Type != rules.IBAN || rep.Leaks[1].Type != rules.Phone {
		t.Fatalf("leaks %+v, want the IBAN (0%% covered) before the phone (70%%)", rep.Leaks)
	}
	for _, l := range rep.Leaks {
		if strings.Contains(l.Context, "0123456789") || strings.Contains(l.Context, "NL91ABNA0417164300") {
			t.Errorf("leak context shows the value: %q", l.Context)
		}
	}
	if got, want := rep.Leaks[0].Context, "iban ⟦XX99XXXX9999999999⟧"; got != want {
		t.Errorf("context %q, want %q", got, want)
	}
	// Wrong findings: the PHONE on the BSN (e4), the PHONE on the order
	// number (e5), "Re" and the empty finding in e7.
	if len(rep.Wrong) != 4 {
		t.Fatalf("wrong findings %+v, want 4", rep.Wrong)
	}
	for _, w := range rep.Wrong {
		if strings.Contains(w.Context, "111222333") || strings.Contains(w.Context, "20240117") {
			t.Errorf("wrong-finding context shows the text: %q", w.Context)
		}
	}
}

func TestScoreEdges(t *testing.T) {
	ev := func(body string, spans ...Span) []Event {
		return []Event{{ID: "x", Text: map[string]string{"body": body}, Spans: spans}}
	}
	sp := func(s, e int, ty rules.Type) Span { return Span{Field: "body", Start: s, End: e, Type: ty} }
	tests := []struct {
		name          string
		gold          []Event
		pred          []Span
		opt           Options
		wantRecall    float64
		wantPrecision float64
		wantLeak      float64
		wantErr       bool
	}{
		{name: "80 percent is found", gold: ev("0123456789", sp(0, 10, rules.Phone)), pred: []Span{sp(1, 9, rules.Phone)},
			wantRecall: 1, wantPrecision: 1},
		{name: "union of findings counts once", gold: ev("0123456789", sp(0, 10, rules.Phone)),
			pred: []Span{sp(0, 5, rules.Phone), sp(0, 5, rules.Phone), sp(3, 7, rules.Phone)}, wantRecall: 0, wantPrecision: 1, wantLeak: 1},
		{name: "other type covers: no leak", gold: ev("0123456789", sp(0, 10, rules.Phone)), pred: []Span{sp(0, 10, rules.BSN)},
			wantRecall: 0, wantPrecision: 0},
		{name: "half overlap is correct", gold: ev("0123456789", sp(0, 4, rules.Phone)), pred: []Span{sp(2, 6, rules.Phone)},
			wantRecall: 0, wantPrecision: 1, wantLeak: 1},
		{name: "under half is wrong", gold: ev("0123456789", sp(0, 4, rules.Phone)), pred: []Span{sp(2, 7, rules.Phone)},
			wantRecall: 0, wantPrecision: 0, wantLeak: 1},
		{name: "type filter drops other findings", gold: ev("0123456789", sp(0, 10, rules.Phone)),
			pred: []Span{sp(0, 10, rules.Phone), sp(0, 3, rules.Person)}, opt: Options{Types: []rules.Type{rules.Phone}},
			wantRecall: 1, wantPrecision: 1},
		{name: "finding past the field", gold: ev("0123", sp(0, 4, rules.Phone)), pred: []Span{sp(0, 5, rules.Phone)}, wantErr: true},
		{name: "negative start", gold: ev("0123"), pred: []Span{sp(-1, 2, rules.Phone)}, wantErr: true},
		{name: "finding in an absent field is ignored", gold: ev("0123"), pred: []Span{{Field: "subject", Start: 0, End: 99, Type: rules.Phone}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Score(tt.gold, map[string][]Span{"x": tt.pred}, tt.opt)
			if tt.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !near(rep.Recall, tt.wantRecall) || !near(rep.Precision, tt.wantPrecision) || !near(rep.LeakRate, tt.wantLeak) {
				t.Errorf("recall %v precision %v leak %v, want %v %v %v", rep.Recall, rep.Precision, rep.LeakRate,
					tt.wantRecall, tt.wantPrecision, tt.wantLeak)
			}
		})
	}
}

func TestMask(t *testing.T) {
	tests := []struct{ give, want string }{
		{"NL91 abna 0417", "XX99 xxxx 9999"},
		{"jan@voorbeeld.nl", "xxx@xxxxxxxxx.xx"},
		{"p#ss\nwörd", "x*xx\\nxxxx"},
		{"+31 (0)6-1234", "+99 (9)9-9999"},
	}
	for _, tt := range tests {
		if got := Mask(tt.give); got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

// TestLeakContextMasksEveryGoldSpan checks that the context of a leak shows
// neither the leaked value nor another labelled value next to it, also when
// spans are malformed or split a character.
func TestLeakContextMasksEveryGoldSpan(t *testing.T) {
	text := "Naam: Zoë Jansen, tel 0612345678, ok"
	gs := []Span{{Start: 6, End: 17, Type: rules.Person}, {Start: 23, End: 33, Type: rules.Phone}}
	got := leakContext(text, gs, gs[1])
	if want := "Naam: Xxx Xxxxxx, tel ⟦9999999999⟧, ok"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// A span that starts inside the two-byte ë and one past the end.
	got = leakContext(text, []Span{{Start: 9, End: 99}}, Span{Start: 9, End: 99})
	if strings.Contains(got, "Jansen") || strings.Contains(got, "0612") {
		t.Errorf("malformed span shows text: %q", got)
	}
	long := strings.Repeat("a", 100) + "SECRET" + strings.Repeat("b", 100)
	got = leakContext(long, []Span{{Start: 100, End: 106}}, Span{Start: 100, End: 106})
	if want := "…" + strings.Repeat("a", contextBytes) + "⟦XXXXXX⟧" + strings.Repeat("b", contextBytes) + "…"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestReadGold(t *testing.T) {
	in := `{"event_id":"a","body":"x","spans":[]}

{"event_id":"b","body":"y","subject":"s","spans":[],"tags":{"source":"p"}}
{"event_id":"a","body":"zz","spans":[{"field":"body","start":0,"end":2,"type":"PERSON"}]}
`
	gold, err := ReadGold(strings.NewReader(in), "in")
	if err != nil {
		t.Fatal(err)
	}
	if len(gold) != 2 || gold[0].ID != "a" || gold[0].Text["body"] != "zz" || len(gold[0].Spans) != 1 || gold[1].Tags["source"] != "p" {
		t.Fatalf("got %+v", gold)
	}
	if _, err := ReadGold(strings.NewReader("{\"event_id\":\"a\",\"spans\":[{\"start\":0}]}\n"), "in"); err == nil ||
		!strings.Contains(err.Error(), "in:1:") {
		t.Errorf("span without field: err %v, want one with the line", err)
	}
	if _, err := ReadPred(strings.NewReader("{\"event_id\":\"a\"}\nnot json\n"), "p"); err == nil || !strings.Contains(err.Error(), "p:2:") {
		t.Errorf("bad JSON: err %v, want one with the line", err)
	}
}

func TestSelectAndGroup(t *testing.T) {
	gold := []Event{
		{ID: "1", Tags: map[string]string{"source": "a", "scope": "in"}},
		{ID: "2", Tags: map[string]string{"source": "b", "scope": "out"}},
		{ID: "3", Tags: map[string]string{"source": "a", "scope": "out"}},
		{ID: "4"},
	}
	if got := Select(gold, map[string]string{"source": "a", "scope": "out"}); len(got) != 1 || got[0].ID != "3" {
		t.Errorf("Select: %+v", got)
	}
	names, groups := Group(gold, "source")
	if strings.Join(names, ",") != "-,a,b" || len(groups[1]) != 2 {
		t.Errorf("Group: %v %v", names, groups)
	}
}

// TestDetectReadsConversations: Detect reads the body of an event with a
// conversation id as the next message of that conversation, so a bare
// answer to the agent's question is found; the same answer in another
// conversation, or with none, is not.
func TestDetectReadsConversations(t *testing.T) {
	engine, err := rules.NewEngine(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	gold, err := ReadGold(strings.NewReader(`{"event_id":"q","conversation_id":"c1","author_role":"agent","locale":"nl-NL","body":"Wat is uw geboortedatum?"}
{"event_id":"a","conversation_id":"c1","author_role":"customer","locale":"nl-NL","body":"14-03-1988"}
{"event_id":"other","conversation_id":"c2","author_role":"customer","locale":"nl-NL","body":"14-03-1988"}
{"event_id":"none","locale":"nl-NL","body":"14-03-1988"}
`), "conversation")
	if err != nil {
		t.Fatal(err)
	}
	pred := Detect(engine, gold, "")
	for _, tc := range []struct {
		id   string
		want int
	}{{"q", 0}, {"a", 1}, {"other", 0}, {"none", 0}} {
		if got := len(pred[tc.id]); got != tc.want {
			t.Errorf("event %s: %d findings %v, want %d", tc.id, got, pred[tc.id], tc.want)
		}
	}
	if f := pred["a"]; len(f) == 1 && f[0].Type != "DATE_OF_BIRTH" {
		t.Errorf("answer found as %s, want DATE_OF_BIRTH", f[0].Type)
	}
}
