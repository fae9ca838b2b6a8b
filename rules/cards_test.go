package rules

import "testing"

func TestIINTable(t *testing.T) {
	tab, err := loadIIN()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		give string
		want bool
	}{
		{give: "5019300012345676", want: true}, // Dankort, 16 digits
		{give: "501930001234567", want: false}, // Dankort issues 16 digits only
		{give: "676100000006", want: true},     // Maestro, 12 digits
		{give: "30569309025904", want: true},   // Diners, 14 digits
		{give: "4111111111111111", want: true}, // Visa
		{give: "123456789015", want: false},
	}
	for _, tt := range tests {
		if got := cardIssuer(tab, []byte(tt.give)); got != tt.want {
			t.Errorf("cardIssuer(%s) = %v, want %v", tt.give, got, tt.want)
		}
	}
	for _, bad := range [][2]string{{"5-4", "16"}, {"51-5", "16"}, {"4", "11"}, {"4", "16-13"}, {"x", "16"}} {
		if _, err := parseIIN(bad[0], bad[1]); err == nil {
			t.Errorf("parseIIN(%q, %q) = nil error", bad[0], bad[1])
		}
	}
}

func TestDetectCardIssuerRanges(t *testing.T) {
	runCases(t, []detectCase{
		{give: "betaald met 5019300012345676 gisteren", want: []string{"CREDIT_CARD:5019300012345676"}},
		{give: "Maestro 6761 0000 0006 bitte", want: []string{"CREDIT_CARD:6761 0000 0006"}},
		{give: "carte 3056-9309-0259-04 expirée", want: []string{"CREDIT_CARD:3056-9309-0259-04"}},
		{give: "pay with 58000012345675 now", want: []string{"CREDIT_CARD:58000012345675"}},
		// A 12-digit Luhn-valid number outside the issuer ranges, even after a card word.
		{give: "card 123456789015", want: nil},
		// Company identifiers after their word: a Luhn-valid SIRET is no card.
		{give: "Notre SIRET est 38201234500015.", want: nil},
		{give: "Het registratienummer van het bedrijf is 382 012 345 00015.", want: nil},
	})
}
