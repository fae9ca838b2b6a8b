package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunScanFindings(t *testing.T) {
	in := `{"event_id":"e1","locale":"nl-NL","subject":"Adreswijziging Anna de Vries","body":"Mijn BSN is 111222333, mail anna@example.nl","other":1}
{"event_id":"e2","body":"nothing here"}

{"event_id":"e3","locale":"en-US","body":"My SSN is 123-45-6789"}
`
	var out, errb bytes.Buffer
	if err := runScan(context.Background(), nil, strings.NewReader(in), &out, &errb); err != nil {
		t.Fatalf("runScan: %v (%s)", err, errb.String())
	}
	if errb.Len() != 0 {
		t.Errorf("stderr is not a terminal, yet scan wrote to it: %q", errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3:\n%s", len(lines), out.String())
	}
	type finding struct {
		Field, Type string
		Start, End  int
		Detector    string
		Confidence  float64
	}
	var got []struct {
		EventID  string    `json:"event_id"`
		Findings []finding `json:"findings"`
	}
	for _, l := range lines {
		var r struct {
			EventID  string    `json:"event_id"`
			Findings []finding `json:"findings"`
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		got = append(got, r)
	}
	want := map[string][]string{
		"e1": {"subject:PERSON", "body:NL_BSN", "body:EMAIL_ADDRESS"},
		"e2": nil,
		"e3": {"body:US_SSN"},
	}
	for _, r := range got {
		var kinds []string
		for _, f := range r.Findings {
			kinds = append(kinds, f.Field+":"+f.Type)
			if f.Detector == "" || f.Confidence <= 0 {
				t.Errorf("%s: finding %+v lacks detector or confidence", r.EventID, f)
			}
		}
		if strings.Join(kinds, ",") != strings.Join(want[r.EventID], ",") {
			t.Errorf("%s: got %v, want %v", r.EventID, kinds, want[r.EventID])
		}
		if r.Findings == nil {
			t.Errorf("%s: findings is null, want a list", r.EventID)
		}
	}
}

func TestRunScanRedactFiles(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	outPath := filepath.Join(dir, "out.jsonl")
	ev := `{"event_id":"e1","body":"Bel me op 06-12345678, groetjes Sanne","channel":"chat"}` + "\n"
	if err := os.WriteFile(in, []byte(ev), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err := runScan(context.Background(), []string{"--in", in, "--out", outPath, "--redact"}, strings.NewReader(""), &stdout, &stderr)
	if err != nil {
		t.Fatalf("runScan: %v (%s)", err, stderr.String())
	}
	data, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("output %q: %v", data, err)
	}
	if got["body"] != "Bel me op [PHONE_NUMBER], groetjes [PERSON]" || got["channel"] != "chat" {
		t.Errorf("redacted event = %v", got)
	}
}

func TestRunScanErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		in   string
	}{
		{name: "bad json", in: "{not json}\n"},
		{name: "missing file", args: []string{"--in", "/nonexistent/in.jsonl"}},
		{name: "extra args", args: []string{"stray"}},
		{name: "bad flag", args: []string{"--nope"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if err := runScan(context.Background(), tt.args, strings.NewReader(tt.in), &out, &errb); err == nil {
				t.Errorf("runScan(%v) = nil, want an error", tt.args)
			}
		})
	}
}

func TestRunRulesLint(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte("version: '1'\nallow:\n  - a@b.example\n"), 0o600)
	os.WriteFile(bad, []byte("version: '1'\nallow:\n  - text: x\n    colour: red\ndetectors:\n  - id: d\n    type: X\n    pattern: '('\n"), 0o600)
	var out, errb bytes.Buffer
	if err := runRulesLint(context.Background(), []string{good}, &out, &errb); err != nil {
		t.Fatalf("lint good: %v\n%s", err, out.String())
	}
	out.Reset()
	err := runRulesLint(context.Background(), []string{good, bad}, &out, &errb)
	if err == nil {
		t.Fatal("lint bad: no error")
	}
	got := out.String()
	for _, w := range []string{"good.yaml: ok", "bad.yaml:4:5: unknown key \"colour\"", "bad.yaml:8:14: pattern:"} {
		if !strings.Contains(got, w) {
			t.Errorf("lint output lacks %q:\n%s", w, got)
		}
	}
	if err := runRulesLint(context.Background(), nil, &out, &errb); err == nil {
		t.Error("lint without files: no error")
	}
}
