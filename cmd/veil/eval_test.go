package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestEvalMatchesReferenceTable runs "veil eval" on the committed sample and
// its frozen findings and compares the table with the one the reference
// scorer (score.py) printed for the same files (sample.score.txt).
func TestEvalMatchesReferenceTable(t *testing.T) {
	const dir = "../../rules/testdata/sample/"
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"eval", "-gold", dir + "sample.jsonl", "-pred", dir + "sample.pred.jsonl"},
		nil, &out, &errOut)
	if err != nil {
		t.Fatalf("eval: %v (%s)", err, errOut.String())
	}
	want, err := os.ReadFile(dir + "sample.score.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.HasPrefix(got, string(want)) {
		t.Errorf("eval table differs from score.py's:\ngot:\n%s\nwant:\n%s", got, want)
	}
	// The worst leaks are listed, but no labelled value is printed.
	if !strings.Contains(out.String(), "worst leaks") {
		t.Errorf("no leaks listed:\n%s", out.String())
	}
	raw, err := os.ReadFile(dir + "sample.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
		var ev struct {
			Spans []struct{ Text string } `json:"spans"`
		}
		if err := json.Unmarshal(line, &ev); err != nil {
			t.Fatal(err)
		}
		for _, s := range ev.Spans {
			if strings.Contains(out.String(), s.Text) {
				t.Errorf("eval output shows a labelled value %q", s.Text)
			}
		}
	}
}

// TestEvalRunsEngine scores the engine itself on the sample, with a tag
// filter and a grouping, and checks the JSON report is whole.
func TestEvalRunsEngine(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"eval", "-gold", "../../rules/testdata/sample/sample.jsonl", "-json", "-by", "none"},
		nil, &out, &errOut)
	if err != nil {
		t.Fatalf("eval: %v (%s)", err, errOut.String())
	}
	var rep struct {
		Events    int                        `json:"events"`
		GoldSpans int                        `json:"gold_spans"`
		Recall    float64                    `json:"recall"`
		Groups    map[string]json.RawMessage `json:"groups"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if rep.Events < 80 || rep.GoldSpans < 50 || rep.Recall <= 0 || len(rep.Groups) != 1 {
		t.Errorf("report %+v", rep)
	}
}

func TestEvalBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := dir + "/bad.jsonl"
	if err := os.WriteFile(bad, []byte("{\"event_id\":\"a\",\"body\":\"x\",\"spans\":[]}\nnot json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := dir + "/good.jsonl"
	if err := os.WriteFile(good, []byte("{\"event_id\":\"a\",\"body\":\"x\",\"spans\":[]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		give []string
		want string
	}{
		{"no gold", []string{"eval"}, "usage"},
		{"bad line", []string{"eval", "-gold", bad}, "bad.jsonl:2"},
		{"bad only", []string{"eval", "-gold", bad, "-only", "scope"}, "key=value"},
		{"missing pred", []string{"eval", "-gold", good, "-pred", dir + "/nope.jsonl"}, "nope.jsonl"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		err := run(context.Background(), tt.give, nil, &out, &errOut)
		if err == nil || !strings.Contains(err.Error()+errOut.String(), tt.want) {
			t.Errorf("%s: err %v, stderr %q, want %q", tt.name, err, errOut.String(), tt.want)
		}
	}
}

// TestAccuracyDocMatchesSample checks that docs/accuracy.md shows what "veil
// eval" prints for the shipped sample with today's engine, so the published
// figure is reproducible from a clean clone. When detection changes, update
// the table there and the frozen findings (see rules/testdata/sample/README.md).
func TestAccuracyDocMatchesSample(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"eval", "-gold", "../../rules/testdata/sample/sample.jsonl", "-leaks", "0"},
		nil, &out, &errOut)
	if err != nil {
		t.Fatalf("eval: %v (%s)", err, errOut.String())
	}
	doc, err := os.ReadFile("../../docs/accuracy.md")
	if err != nil {
		t.Fatal(err)
	}
	table, _, _ := strings.Cut(out.String(), "leaked spans")
	if !strings.Contains(string(doc), table) {
		t.Errorf("docs/accuracy.md does not hold the sample's current figures; veil eval prints:\n%s", table)
	}
}
