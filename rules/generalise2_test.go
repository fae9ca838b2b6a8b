package rules

import "testing"

// Cases found with the second held-out generator (rules/testdata/heldout2): signature blocks,
// config snippets, other phrasings. Each fix has positives and look-alikes. The values here are
// written for the tests, not copied from the generator.

func TestGeneralise2AddressBlock(t *testing.T) {
	runCases(t, []detectCase{
		// Street line, then town and postcode lines (UK), "City, ST ZIP" (US), "1234 AB CITY" (NL).
		{give: "Regards,\nTom\n14 Foxglove Road\nDerby\nDE1 3GT", locale: "en-GB",
			want: []string{"PERSON:Tom", "ADDRESS:14 Foxglove Road\nDerby\nDE1 3GT"}},
		{give: "210 Larch Street, Apt. 4B\nBoise, ID 83702", locale: "en-US",
			want: []string{"ADDRESS:210 Larch Street, Apt. 4B\nBoise, ID 83702"}},
		{give: "Bezorgen op:\nMolenstraat 8 zwart\n7511 AB ENSCHEDE",
			want: []string{"ADDRESS:Molenstraat 8 zwart\n7511 AB ENSCHEDE"}},
		{give: "Kanaalweg 3 II, 's-Gravenhage", want: []string{"ADDRESS:Kanaalweg 3 II, 's-Gravenhage"}},
		// Directional + ordinal street names, two street-type words, slash numbers, no comma before the state.
		{give: "ship to 455 W 34th St, Eugene OR 97401", locale: "en-US", want: []string{"ADDRESS:455 W 34th St, Eugene OR 97401"}},
		{give: "new address: 88 Fern Hollow Lane", locale: "en-US", want: []string{"ADDRESS:88 Fern Hollow Lane"}},
		{give: "I live at 2/14 Poplar Avenue, Leeds", locale: "en-GB", want: []string{"ADDRESS:2/14 Poplar Avenue, Leeds"}},
		{give: "Stuur het naar Brink 12 alsjeblieft", want: []string{"ADDRESS:Brink 12"}},
		// Look-alikes: a signature line after the street is not a town; month abbreviations and
		// capitalised words after an address word in an earlier sentence are not streets.
		{give: "12 Foxglove Road\nCustomer Care Advisor\nAcme Ltd", locale: "en-GB", want: []string{"ADDRESS:12 Foxglove Road"}},
		{give: "Ordered 3 May, delivered 10 Feb 2026.", locale: "en-GB", want: nil},
		{give: "Kan het naar mijn werk? Uw abonnement Plus 50 kost meer.", want: nil},
		{give: "Page 3/12 of the 2nd edition", locale: "en-GB", want: nil},
	})
}

func TestGeneralise2Password(t *testing.T) {
	runCases(t, []detectCase{
		{give: "```\n\"password\": \"Gr4nd!Piano\",\n```", want: []string{"PASSWORD:Gr4nd!Piano"}},
		{give: "MAIL_PASSWORD=q8Zr!t2Lw\nPORT=25", want: []string{"PASSWORD:q8Zr!t2Lw"}},
		{give: "ftp_pass = Walvis#77", want: []string{"PASSWORD:Walvis#77"}},
		{give: "I changed my password to Harbour_88 last night", locale: "en-GB", want: []string{"PASSWORD:Harbour_88"}},
		{give: "The password I've been using is Oyster2001!.", locale: "en-GB", want: []string{"PASSWORD:Oyster2001!"}},
		{give: "my login is Fjord@512 btw", locale: "en-GB", want: []string{"PASSWORD:Fjord@512"}},
		{give: "wachtwoord dat ik gebruik is QwPlMzKo", want: []string{"PASSWORD:QwPlMzKo"}},
		// Look-alikes: a plain word after "to", a login name, a failing login, config keys that are not secrets.
		{give: "I need my password to change every month", locale: "en-GB", want: nil},
		{give: "Please reset the password to default.", locale: "en-GB", want: nil},
		{give: "my login is broken since Monday", locale: "en-GB", want: nil},
		{give: "Login: jdoe77", locale: "en-GB", want: nil},
		{give: "DB_HOST=db1\nDB_USER=admin", want: nil},
	})
}

func TestGeneralise2URLKeys(t *testing.T) {
	runCases(t, []detectCase{
		{give: "GET https://api.example.org/v2/items?access_token=Zr8kQ2mW7xP4vN9bT3yL6cH1&page=2", locale: "en-GB",
			want: []string{"API_KEY:Zr8kQ2mW7xP4vN9bT3yL6cH1"}},
		{give: "zie export?key=sk_live_4eC39HqLyjWDarjtT1zdp7dc", want: []string{"API_KEY:sk_live_4eC39HqLyjWDarjtT1zdp7dc"}},
		// Look-alikes: ordinary query values.
		{give: "https://shop.example.com/search?q=winter+jacket&utm_source=newsletter_december", locale: "en-GB", want: nil},
	})
}

func TestGeneralise2BirthDate(t *testing.T) {
	runCases(t, []detectCase{
		{give: "Ik ben geboren op 2 april '71 in Gouda.", want: []string{"DATE_OF_BIRTH:2 april '71"}},
		{give: "born on March 9, ’84 in Cork", locale: "en-GB", want: []string{"DATE_OF_BIRTH:March 9, ’84"}},
		{give: "Geboren op dinsdag 4 mei 1982.", want: []string{"DATE_OF_BIRTH:dinsdag 4 mei 1982"}},
		{give: "I was born on Friday, 13 June 1975", locale: "en-GB", want: []string{"DATE_OF_BIRTH:Friday, 13 June 1975"}},
		// Look-alikes: dates with an apostrophe year or a weekday but no birth word.
		{give: "Geleverd op vrijdag 4 mei 2025, factuur van 2 april '24.", want: nil},
		{give: "Opened in May '98 and still going", locale: "en-GB", want: nil},
	})
}

func TestGeneralise2Numbers(t *testing.T) {
	runCases(t, []detectCase{
		{give: "Visa 4111  1111  1111  1111, exp 01/29", locale: "en-GB", want: []string{"CREDIT_CARD:4111  1111  1111  1111"}},
		// A lower-case sentence after a parcel word is a new sentence: the card is not vetoed.
		{give: "They left the parcel outside. card number 4111111111111111 exp 11/27", locale: "en-GB",
			want: []string{"CREDIT_CARD:4111111111111111"}},
		{give: "Tel: 1 (503) 555-0172", locale: "en-US", want: []string{"PHONE_NUMBER:1 (503) 555-0172"}},
		{give: "Connection from [::ffff:81.4.8.97]:443 is refused", locale: "en-GB", want: []string{"IP_ADDRESS:::ffff:81.4.8.97"}},
		{give: "DB_HOST=81.4.8.97\n", want: []string{"IP_ADDRESS:81.4.8.97"}},
		{give: "client_ip=::ffff:81.4.8.97 blocked", want: []string{"IP_ADDRESS:::ffff:81.4.8.97"}},
		// Look-alikes: a gift card in the same lower-case sentence, a version glued to a key, an abbreviation.
		{give: "the gift card 4111  1111  1111  1111 has no balance", locale: "en-GB", want: nil},
		{give: "APP_VERSION=2.4.1\n", want: nil},
		{give: "Bestelling nr. 4111111111111111 is onderweg", want: nil},
	})
}

func TestGeneralise2Person(t *testing.T) {
	runCases(t, []detectCase{
		// Mail headers: "Last, First" in quotes, [mailto:], a quoted name.
		{give: "From: \"Quigley, Saoirse\" <sq@example.ie>", locale: "en-GB",
			want: []string{"PERSON:Quigley, Saoirse", "EMAIL_ADDRESS:sq@example.ie"}},
		{give: "Van: Teuntje Brandsma [mailto:tb@example.nl]", want: []string{"PERSON:Teuntje Brandsma", "EMAIL_ADDRESS:tb@example.nl"}},
		{give: "Van: \"Okke Rienstra\" <okke@example.nl>", want: []string{"PERSON:Okke Rienstra", "EMAIL_ADDRESS:okke@example.nl"}},
		// Agents and customers introducing themselves; thanks + "je"/"you"; a name after "! " ending the message.
		{give: "Hoi! Ik ben Zwaantje van de webshop.", want: []string{"PERSON:Zwaantje"}},
		{give: "Hi, you're chatting with Oisin. How can I help?", locale: "en-GB", want: []string{"PERSON:Oisin"}},
		{give: "Thanks for waiting, my name's Tadhg.", locale: "en-GB", want: []string{"PERSON:Tadhg"}},
		{give: "Dank je Wietse, ik kijk even.", want: []string{"PERSON:Wietse"}},
		{give: "Nog een fijne avond! Okke", want: []string{"PERSON:Okke"}},
		{give: "Dear Mr Mac Suibhne,", locale: "en-GB", want: []string{"PERSON:Mac Suibhne"}},
		{give: "hoi, met anna zwierstra. mijn pakket is zoek", want: []string{"PERSON:anna zwierstra"}},
		{give: "hey, emma kowalczuk again. still no refund", locale: "en-GB", want: []string{"PERSON:emma kowalczuk"}},
		{give: "hoi, met anna. mijn pakket is zoek", want: []string{"PERSON:anna"}},
		{give: "hi its emma here, any news?", locale: "en-GB", want: []string{"PERSON:emma"}},
		// Look-alikes: the first line after an opening greeting, brands named after people, departments,
		// streets after a title, a word after "!" that does not end the message.
		{give: "Good afternoon,\n\nConnection from the office keeps dropping.", locale: "en-GB", want: nil},
		{give: "Goedemorgen,\n\nTijdelijk geen bereik in de wijk.", want: nil},
		{give: "Ik heb koffie van Douwe Egberts en Albert Heijn gekocht.", want: nil},
		{give: "Met vriendelijke groet,\nAfdeling Debiteurenbeheer", want: nil},
		{give: "De winkel aan de Dr. Lelylaan was dicht.", want: nil},
		{give: "Top! Bedankt voor de hulp.", want: nil},
		{give: "I'm Dutch and I'm happy.", locale: "en-GB", want: nil},
	})
}
