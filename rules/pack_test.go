package rules

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParsePackErrors(t *testing.T) {
	tests := []struct {
		name string
		give string
		want []string // substrings of the error lines, in order
	}{
		{name: "ok", give: "version: '1'\ndetectors:\n  - id: a\n    type: ACME_ID\n    pattern: 'ACME-[0-9]{6}'\n", want: nil},
		{name: "unknown keys everywhere", give: "version: 1\ncolour: red\ndetectors:\n  - id: a\n    type: X\n    pattern: 'AB[0-9]'\n    shape: round\n",
			want: []string{`2:1: unknown key "colour"`, `7:5: unknown key "shape"`}},
		{name: "bad values", give: "detectors:\n  - id: a\n    type: lower\n    pattern: '(ab'\n    validator: crc\n    confidence: 2\n",
			want: []string{"3:11: invalid type", "4:14: pattern:", "5:16: unknown validator", "6:17: confidence"}},
		{name: "missing fields", give: "detectors:\n  - id: ''\n", want: []string{"detector needs an id", "needs a type", "needs a pattern"}},
		{name: "no literal prefix", give: "detectors:\n  - id: a\n    type: X\n    pattern: '[0-9]+'\n", want: []string{"4:14: pattern has no literal prefix"}},
		{name: "locales", give: "locales:\n  NOPE: [nl]\n  US_SSN: en-US\n", want: []string{`2:3: unknown type "NOPE"`, "3:11: expected a list"}},
		{name: "deny needs type", give: "deny:\n  - Project X\n", want: []string{"2:5: deny entry"}},
		{name: "syntax", give: "version: [\n", want: []string{"fuzz.yaml:"}},
		{name: "duplicate", give: "version: a\nversion: b\n", want: []string{`2:1: duplicate key "version"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePack("fuzz.yaml", []byte(tt.give))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("ParsePack: %v", err)
				}
				return
			}
			var pe PackErrors
			if !errors.As(err, &pe) {
				t.Fatalf("ParsePack error %v, want PackErrors", err)
			}
			got := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("errors\n%s\nlack %q", got, w)
				}
			}
		})
	}
}

func TestRulePackApplied(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "acme.yaml")
	pack := `version: acme-3
locales:
  US_SSN: [en-US]
detectors:
  - id: acme.customer
    type: CUSTOMER_ID
    pattern: 'ACME-[0-9]{8}'
    context: [klant, customer]
    window: 10
    confidence: 0.9
  - id: acme.card
    type: CREDIT_CARD
    pattern: 'CARD#[0-9]{16}'
    validator: luhn
allow:
  - text: help@acme.example
    type: EMAIL_ADDRESS
deny:
  - text: Project Nightingale
    type: PERSON
`
	if err := os.WriteFile(path, []byte(pack), 0o600); err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(Config{RuleFiles: []string{path}, Disabled: []Type{IP}})
	if err != nil {
		t.Fatal(err)
	}
	if v := e.Version(); !strings.HasPrefix(v, "veil-rules/") || !strings.HasSuffix(v, "+acme-3") {
		t.Errorf("Version() = %q", v)
	}
	tests := []struct {
		give, locale string
		want         []string
	}{
		{give: "klant ACME-12345678 en ACME-87654321", want: []string{"CUSTOMER_ID:ACME-12345678"}},
		// The built-in card detector skips numbers after '#'; the pack's detector and validator find them.
		{give: "CARD#4111111111111111 CARD#4111111111111112", want: []string{"CREDIT_CARD:CARD#4111111111111111"}},
		{give: "mail help@acme.example of jan@acme.example", want: []string{"EMAIL_ADDRESS:jan@acme.example"}},
		{give: "about project nightingale today", want: []string{"PERSON:project nightingale"}},
		{give: "SSN 123-45-6789 from 10.0.0.1", locale: "nl-NL", want: nil},
		{give: "SSN 123-45-6789 from 10.0.0.1", locale: "en-US", want: []string{"US_SSN:123-45-6789"}},
	}
	for _, tt := range tests {
		got := found(tt.give, e.Detect(nil, tt.give, tt.locale))
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("Detect(%q, %q) = %q, want %q", tt.give, tt.locale, got, tt.want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		give    Config
		wantErr bool
	}{
		{give: Default()},
		{give: Config{Disabled: []Type{"NOPE"}}, wantErr: true},
		{give: Config{MinConfidence: 1.5}, wantErr: true},
		{give: Config{RuleFiles: []string{" "}}, wantErr: true},
	}
	for _, tt := range tests {
		if err := tt.give.Validate(); (err != nil) != tt.wantErr {
			t.Errorf("Validate(%+v) = %v, want error %v", tt.give, err, tt.wantErr)
		}
	}
	if _, err := NewEngine(Config{RuleFiles: []string{"/nonexistent.yaml"}}); err == nil {
		t.Error("NewEngine with a missing rule file: no error")
	}
}

func TestDetectRobustness(t *testing.T) {
	e := newTestEngine(t)
	long := strings.Repeat("a", 1<<20) + " mail x@y.nl " + strings.Repeat("9", 5000) + " \xff\xfe Özlem"
	tests := []string{
		long,
		"<html><body><p class=\"Jansen\">Hoi Anna,</p><img alt=\"Kerkstraat 12\"></body></html>",
		"> > quoted 06-12345678\n>\n> Groeten,\n> Piet",
		strings.Repeat("06 ", 10000),
		strings.Repeat("<", 5000) + strings.Repeat("&", 5000),
	}
	for _, give := range tests {
		checkFindings(t, give, e.Detect(nil, give, ""))
	}
	got := found(tests[1], e.Detect(nil, tests[1], ""))
	if strings.Join(got, "|") != "PERSON:Anna" {
		t.Errorf("HTML attributes: got %q, want only PERSON:Anna", got)
	}
}

func TestPackLexicon(t *testing.T) {
	src := `version: t1
lexicon:
  de:
    street-suffix: [gasse]
    ctx-phone: [durchwahl]
  common:
    password: [geheimzahl]
`
	p, err := ParsePack("lex.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Lexicon) != 3 {
		t.Fatalf("lexicon entries = %+v, want 3", p.Lexicon)
	}
	dir := t.TempDir()
	path := dir + "/lex.yaml"
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(Config{RuleFiles: []string{path}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		give, locale string
		want         Type
		wantText     string
	}{
		{"Bitte an Klostergasse 4, 10115 Berlin", "de-DE", Address, "Klostergasse 4, 10115 Berlin"},
		{"meine geheimzahl: 4711x", "de-DE", Password, "4711x"},
	}
	for _, tt := range tests {
		found := false
		for _, f := range e.Detect(nil, tt.give, tt.locale) {
			if f.Type == tt.want && tt.give[f.Start:f.End] == tt.wantText {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: no %s %q with the pack's lexicon: %+v", tt.give, tt.want, tt.wantText, e.Detect(nil, tt.give, tt.locale))
		}
	}
}

func TestPackLexiconLint(t *testing.T) {
	tests := []struct {
		give, want string
	}{
		{"lexicon:\n  xx:\n    password: [a]\n", "lex.yaml:2:3: lexicon: unknown language \"xx\""},
		{"lexicon:\n  de:\n    nope: [a]\n", "lex.yaml:3:5: lexicon: unknown section \"nope\""},
		{"lexicon:\n  de:\n    password: [Kennwort]\n", "lex.yaml:3:16: lexicon de password: word \"Kennwort\": lexicon words are lower case"},
		{"lexicon:\n  fr:\n    month: [\"brumaire:13\"]\n", "lex.yaml:3:13: lexicon fr month: month \"brumaire:13\""},
		{"lexicon:\n  de:\n    ctx-phone: [\"*\"]\n", "lex.yaml:3:17: lexicon de ctx-phone: empty entry"},
		{"lexicon: [a]\n", "lexicon must be a mapping"},
	}
	for _, tt := range tests {
		_, err := ParsePack("lex.yaml", []byte(tt.give))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParsePack(%q) = %v, want an error containing %q", tt.give, err, tt.want)
		}
	}
}
