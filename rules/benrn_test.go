package rules

import "testing"

func TestBENRN(t *testing.T) {
	e := newTestEngine(t)
	tests := []struct {
		give string
		want string // the BE_NRN found, "" for none
	}{
		{"Mijn rijksregisternummer is 85073003328.", "85073003328"},
		{"rijksregisternummer: 850730 033 28", "850730 033 28"},
		{"Numéro de registre national : 85.07.30-033.28", "85.07.30-033.28"},
		{"INSZ 01020300467 (geboren in 2001)", "01020300467"},
		{"Votre numéro national 85.07.30-033.28 a été vérifié.", "85.07.30-033.28"},
		{"Het nummer 85.07.30-033.28 staat op de kaart.", "85.07.30-033.28"}, // the official layout alone
		{"rijksregisternummer 85073003329", ""},                              // check digits wrong
		{"rijksregisternummer 85133003328", ""},                              // month 13
		{"bestelling 85073003328 is verzonden", ""},                          // no context, plain layout
	}
	for _, tt := range tests {
		got := ""
		for _, f := range e.Detect(nil, tt.give, "nl-BE") {
			if f.Type == BENRN {
				got = tt.give[f.Start:f.End]
			}
		}
		if got != tt.want {
			t.Errorf("%q: BE_NRN %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestBENRNValid(t *testing.T) {
	tests := []struct {
		give string
		want bool
	}{
		{"85073003328", true},
		{"01020300467", true},  // born 2001: the check covers 2 followed by the first nine digits
		{"01020300468", false}, //
		{"85270503314", false}, // BIS month 27 valid, check wrong
		{"85073099828", false}, // serial 998 allowed, check wrong
		{"85073000028", false}, // serial 000
	}
	for _, tt := range tests {
		if got := beNRNValid([]byte(tt.give)); got != tt.want {
			t.Errorf("beNRNValid(%s) = %v, want %v", tt.give, got, tt.want)
		}
	}
}
