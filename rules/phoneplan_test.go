package rules

import (
	"regexp"
	"strings"
	"testing"
)

// TestPhonePlansCompile compiles every pattern of data/phoneplan.tsv: a
// pattern Go's regexp cannot read would silently leave its number type out.
func TestPhonePlansCompile(t *testing.T) {
	p, err := loadPhonePlans()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, rs := range p.byCC {
		for _, rp := range rs {
			for _, pt := range rp.types {
				if _, err := regexp.Compile("^(?:" + pt.pattern + ")$"); err != nil {
					t.Errorf("+%d %s: %v", rp.cc, pt.name, err)
				}
				n++
			}
			if len(rp.compiled().kinds) != len(rp.types) {
				t.Errorf("+%d: no plan", rp.cc)
			}
		}
	}
	if n < 1000 {
		t.Errorf("only %d number types", n)
	}
}

// TestPhonePlans checks the plan look-ups on the plans' own example numbers
// and on numbers they do not allow.
func TestPhonePlans(t *testing.T) {
	p, err := loadPhonePlans()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		give      string // calling code and national number
		cc        int
		wantValid bool
		wantShape bool
	}{
		{"31 612345678", 31, true, true},
		{"31 601234567", 31, false, true},  // an unallocated mobile block, mobile shape
		{"31 91712345", 31, false, false},  // one digit short
		{"44 1212345678", 44, true, true},  // Birmingham
		{"44 121234567", 44, false, false}, // Birmingham numbers have ten digits
		{"39 0612345678", 39, true, false}, // the leading 0 belongs to an Italian number
		{"229 0195123456", 229, true, false},
		{"683 7012", 683, true, false}, // Niue: four digits
		{"1 2015550123", 1, true, true},
	}
	for _, tt := range tests {
		_, num, _ := strings.Cut(tt.give, " ")
		nsn := []byte(num)
		if got := p.valid(tt.cc, nsn); got != tt.wantValid {
			t.Errorf("valid(%s) = %v, want %v", tt.give, got, tt.wantValid)
		}
		if got := p.shape(tt.cc, nsn); got != tt.wantShape {
			t.Errorf("shape(%s) = %v, want %v", tt.give, got, tt.wantShape)
		}
	}
	if !p.national("LU", []byte("27123456")) || p.national("NL", []byte("612345678")) || !p.national("NL", []byte("0612345678")) {
		t.Error("national: LU without a prefix, NL only with its trunk 0")
	}
}
