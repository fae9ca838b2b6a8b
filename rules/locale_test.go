package rules

import "testing"

// localeTables holds one table per locale, in the format of the per-type tables
// (detectCase, "TYPE:text"). A new locale gets its own table here, with positives
// written the way that market writes them and look-alikes that must stay clean.
var localeTables = map[string][]detectCase{
	"de-DE": {
		{give: "Meine neue Adresse: Hauptstraße 12, 10115 Berlin.", want: []string{"ADDRESS:Hauptstraße 12, 10115 Berlin"}},
		{give: "Lieferadresse:\nGoethestraße 8\n04109 Leipzig", want: []string{"ADDRESS:Goethestraße 8\n04109 Leipzig"}},
		{give: "Sie erreichen mich unter 030 12345678.", want: []string{"PHONE_NUMBER:030 12345678"}},
		{give: "Ich bin am 18. September 1974 geboren.", want: []string{"DATE_OF_BIRTH:18. September 1974"}},
		{give: "Geburtsdatum: 03.04.1985", want: []string{"DATE_OF_BIRTH:03.04.1985"}},
		{give: "Mein Passwort ist Sonne42!x", want: []string{"PASSWORD:Sonne42!x"}},
		{give: "Kennwort: Blume07#3", want: []string{"PASSWORD:Blume07#3"}},
		{give: "Mit freundlichen Grüßen\nThomas zu Hohenberg", want: []string{"PERSON:Thomas zu Hohenberg"}},
		{give: "Ihre Bestellnummer 4839201 wurde am 12.03.2024 versandt."},
		{give: "Die App ist jetzt auf Version 2.3.1 aktualisiert."},
	},
	"fr-FR": {
		{give: "Ma nouvelle adresse : 12 rue de la Paix, 75002 Paris.", want: []string{"ADDRESS:12 rue de la Paix, 75002 Paris"}},
		{give: "Je suis née le 16/02/1951.", want: []string{"DATE_OF_BIRTH:16/02/1951"}},
		{give: "Date de naissance : 9 février 1973", want: []string{"DATE_OF_BIRTH:9 février 1973"}},
		{give: "Mon mot de passe est Soleil12&4", want: []string{"PASSWORD:Soleil12&4"}},
		{give: "mdp : Maison55#1", want: []string{"PASSWORD:Maison55#1"}},
		{give: "Cordialement,\nHélène Dubois", want: []string{"PERSON:Hélène Dubois"}},
		{give: "Vous pouvez me joindre au 06 12 34 56 78.", want: []string{"PHONE_NUMBER:06 12 34 56 78"}},
		{give: "Votre commande n° 4839201 a été expédiée le 12/03/2024."},
		{give: "Le montant de 49,90 € a été remboursé."},
	},
	"nl-BE": {
		{give: "Mijn nieuwe adres is Kerkstraat 12, 2000 Antwerpen.", want: []string{"ADDRESS:Kerkstraat 12, 2000 Antwerpen"}},
		{give: "U kunt mij bereiken op 0470 12 34 56.", want: []string{"PHONE_NUMBER:0470 12 34 56"}},
		{give: "Mijn rekeningnummer is BE68 5390 0754 7034.", want: []string{"IBAN_CODE:BE68 5390 0754 7034"}},
		{give: "Mijn rijksregisternummer is 85073003328.", want: []string{"BE_NRN:85073003328"}},
	},
	"fr-BE": {
		{give: "Ma nouvelle adresse : Rue de la Loi 16, 1000 Bruxelles.", want: []string{"ADDRESS:Rue de la Loi 16, 1000 Bruxelles"}},
		{give: "Appelez-moi au +32 470 12 34 56 s'il vous plaît.", want: []string{"PHONE_NUMBER:+32 470 12 34 56"}},
		{give: "Numéro de registre national : 85.07.30-033.28", want: []string{"BE_NRN:85.07.30-033.28"}},
	},
}

func TestLocaleTables(t *testing.T) {
	for locale, tests := range localeTables {
		for i := range tests {
			tests[i].locale = locale
		}
		t.Run(locale, func(t *testing.T) { runCases(t, tests) })
	}
}

// TestLanguageViews checks that a word of one language does not trigger a rule in an event of
// another language unless the lexicon marks it common, and that an unknown locale reads all.
func TestLanguageViewsApply(t *testing.T) {
	e := newTestEngine(t)
	tests := []struct {
		give, locale string
		want         bool // a PASSWORD is found
	}{
		{"Kennwort: Blume07#3", "de-DE", true},
		{"Kennwort: Blume07#3", "nl-NL", false}, // German password word in a Dutch event
		{"Kennwort: Blume07#3", "", true},       // unknown locale: every language
		{"wachtwoord: Blume07#3", "fr-FR", false},
		{"pw: Blume07#3", "fr-FR", true}, // common
	}
	for _, tt := range tests {
		found := false
		for _, f := range e.Detect(nil, tt.give, tt.locale) {
			found = found || f.Type == Password
		}
		if found != tt.want {
			t.Errorf("%q in %q: password found = %v, want %v", tt.give, tt.locale, found, tt.want)
		}
	}
}

func TestFoldAccents(t *testing.T) {
	tests := []struct{ give, want string }{
		{"Jérôme", "Jerome"}, {"Hélène", "Helene"}, {"Zoë", "Zoe"}, {"Anna", "Anna"}, {"Ñúñez", "Nunez"},
	}
	for _, tt := range tests {
		if got, _ := foldAccents(tt.give, nil); string(got) != tt.want {
			t.Errorf("foldAccents(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}
