package rules

import "testing"

func TestIBANRegistry(t *testing.T) {
	tab, err := loadIBAN()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		give     string
		want     int
		wantBBAN string
	}{
		{give: "NL", want: 18, wantBBAN: "aaaannnnnnnnnn"},
		{give: "no", want: 15, wantBBAN: "nnnnnnnnnnn"},
		{give: "LY", want: 25},
		{give: "XX", want: 0},
	}
	for _, tt := range tests {
		c := tab.country(tt.give[0], tt.give[1])
		got := 0
		if c != nil {
			got = c.length
		}
		if got != tt.want || tt.wantBBAN != "" && c.bban != tt.wantBBAN {
			t.Errorf("country(%q) = %d %v, want %d %q", tt.give, got, c, tt.want, tt.wantBBAN)
		}
	}
}

func TestDetectIBANNotations(t *testing.T) {
	runCases(t, []detectCase{
		{give: "IBAN: NO9386011117947.", want: []string{"IBAN_CODE:NO9386011117947"}},
		{give: "rekening NO 93 8601 1117 947 graag", want: []string{"IBAN_CODE:NO 93 8601 1117 947"}},
		{give: "Konto NO93.8601.11.17947.", want: []string{"IBAN_CODE:NO93.8601.11.17947"}},
		{give: "my account LY83 0020 4800 0020 1001 2036 1", want: []string{"IBAN_CODE:LY83 0020 4800 0020 1001 2036 1"}},
		{give: "compte ME 2550 5000 0123 4567 8951", want: []string{"IBAN_CODE:ME 2550 5000 0123 4567 8951"}},
		{give: "account TL 38 008 00123456789101 57.", want: []string{"IBAN_CODE:TL 38 008 00123456789101 57"}},
		{give: "IBAN MK072 5012 0000 0589 84", want: []string{"IBAN_CODE:MK072 5012 0000 0589 84"}},
		{give: "FR14-2004-1010-0505-0001-3M02-606 svp", want: []string{"IBAN_CODE:FR14-2004-1010-0505-0001-3M02-606"}},
		{give: "op de89 3704 0044 0532 0130 00 graag", want: []string{"IBAN_CODE:de89 3704 0044 0532 0130 00"}},
		{give: "Konto DE89 3704-0044.0532 0130 00", want: []string{"IBAN_CODE:DE89 3704-0044.0532 0130 00"}},
		// A BBAN that breaks the country's structure (a letter where NL has digits), a wrong
		// checksum, a wrong length: no IBAN, and its digit groups are not claimed as a phone.
		{give: "IBAN NL91 ABNA 0417 1A43 00", want: nil},
		{give: "IBAN DE88 3704 0044 0532 0130 00", want: nil},
		{give: "IBAN CY17 0020 0128 0000 0012 0052 760", want: nil},
		// A country code before other numbers.
		{give: "NO 5 items left, DE 12 stuks", want: nil},
	})
}
