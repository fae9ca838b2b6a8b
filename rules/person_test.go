package rules

import "testing"

// The names below are in none of the lists in data/: they test the name-likeness score and the
// positional cues of personguess.go, not the lists.

func TestPersonNameGuessScore(t *testing.T) {
	e := newTestEngine(t)
	tests := []struct {
		give     string
		wantName bool
	}{
		{give: "Tiina", wantName: true},
		{give: "Zdenka", wantName: true},
		{give: "Wróblewska", wantName: true},
		{give: "Ljiljana", wantName: true},
		{give: "Factuur", wantName: false},
		{give: "Rechnung", wantName: false},
		{give: "Support", wantName: false},
		{give: "Account", wantName: false},
		{give: "Director", wantName: false},
	}
	for _, tt := range tests {
		sc, ok := e.grams.score(tt.give)
		if !ok || (sc >= guessAfterVerb) != tt.wantName {
			t.Errorf("score(%q) = %d, %v; want a name: %v (threshold %d)", tt.give, sc, ok, tt.wantName, guessAfterVerb)
		}
	}
	for _, give := range []string{"R2-D2", "O'Neil", "", "x"} {
		if _, ok := e.grams.score(give); ok {
			t.Errorf("score(%q) ok, want not scored", give)
		}
	}
}

func TestPersonAloneAfterCue(t *testing.T) {
	runCases(t, []detectCase{
		{give: "Could you ask Zdenka to call me back?", locale: "en-GB", want: []string{"PERSON:Zdenka"}},
		{give: "Please tell Ljiljana the parcel arrived.", locale: "en-US", want: []string{"PERSON:Ljiljana"}},
		{give: "Kun je Tiina vragen? Ik bel Tiina morgen.", locale: "nl-NL", want: []string{"PERSON:Tiina"}},
		{give: "Demandez Jarmila pour la facture.", locale: "fr-FR", want: []string{"PERSON:Jarmila"}},
		// A listed surname alone after a verb that takes a person.
		{give: "vraag Kowalczyk even of het gelukt is", locale: "nl-NL", want: []string{"PERSON:Kowalczyk"}},
		// Look-alikes: a pronoun, a department, a place, after the same verbs.
		{give: "Rufen Sie mich bitte an.", locale: "de-DE", want: nil},
		{give: "Please contact Support for help.", locale: "en-GB", want: nil},
		{give: "Contact Berlin office for the invoice.", locale: "en-GB", want: nil},
		{give: "Ask Customer Service about it.", locale: "en-GB", want: nil},
	})
}

func TestPersonFullNameNotListed(t *testing.T) {
	runCases(t, []detectCase{
		{give: "Adreswijziging Tiina Wróblewska", locale: "nl-NL", want: []string{"PERSON:Tiina Wróblewska"}},
		{give: "Address change for Zdenka Vukovic", locale: "en-GB", want: []string{"PERSON:Zdenka Vukovic"}},
		{give: "I had a call with Ljiljana Grzegorczyk yesterday.", locale: "en-GB", want: []string{"PERSON:Ljiljana Grzegorczyk"}},
		{give: "Het pakket is voor Siiri van den Wojtyszko.", locale: "nl-NL", want: []string{"PERSON:Siiri van den Wojtyszko"}},
		{give: "Termin mit Teodora Bjørnstad am Montag.", locale: "de-DE", want: []string{"PERSON:Teodora Bjørnstad"}},
		// Look-alikes: headings, products and places in title case.
		{give: "I spoke with Customer Service about it.", locale: "en-GB", want: nil},
		{give: "Installed with Visual Studio Code.", locale: "en-GB", want: nil},
		{give: "The branch on Old Mill Road told me to contact you.", locale: "en-GB", want: nil},
		{give: "upgraded to Windows Server last week", locale: "en-GB", want: nil},
		{give: "I paid with Apple Pay and Google Wallet.", locale: "en-GB", want: nil},
		{give: "Fehler mit Adobe Acrobat Reader.", locale: "de-DE", want: nil},
	})
}

func TestPersonMiddleInitial(t *testing.T) {
	runCases(t, []detectCase{
		{give: "Lucas M. Castro called", locale: "en-GB", want: []string{"PERSON:Lucas M. Castro"}},
		{give: "Please contact Daniel R. Whitmore about it.", locale: "en-US", want: []string{"PERSON:Daniel R. Whitmore"}},
		{give: "Regards,\nAnna K. Lindqvist", locale: "en-GB", want: []string{"PERSON:Anna K. Lindqvist"}},
		{give: "Address change for Tiina K. Wróblewska", locale: "en-GB", want: []string{"PERSON:Tiina K. Wróblewska"}},
		// An initial that ends the sentence is not taken in with its dot.
		{give: "I spoke to Anna K. yesterday", locale: "en-GB", want: []string{"PERSON:Anna K"}},
	})
}

func TestPersonLowerCase(t *testing.T) {
	runCases(t, []detectCase{
		{give: "hi, my name is tiina and I need help", locale: "en-GB", want: []string{"PERSON:tiina"}},
		{give: "hallo, ik ben zdenka, ik heb een vraag", locale: "nl-NL", want: []string{"PERSON:zdenka"}},
		// A greeting alone does not make an unknown lower-case word a name.
		{give: "hi team, the app crashes", locale: "en-GB", want: nil},
		{give: "my name is on the invoice", locale: "en-GB", want: nil},
	})
}

func TestPersonNotNames(t *testing.T) {
	runCases(t, []detectCase{
		{give: "Reset the MAC address on the router.", locale: "en-GB", want: nil},
		{give: "The Princess Royal visited the hospital.", locale: "en-GB", want: nil},
		{give: "Thanks for Prime Video, it works now.", locale: "en-GB", want: nil},
		{give: "I stayed at Hotel Krasnapolsky.", locale: "nl-NL", want: nil},
		{give: "JAN en ROSE staan in hoofdletters op de doos.", locale: "nl-NL", want: nil},
	})
}
