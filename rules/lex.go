package rules

import "strings"

// Word classes in the lexicon (a word may have several).
const (
	kPassword   uint32 = 1 << iota // a password keyword: the secret follows
	kConnector                     // "is", "was", "now" between a keyword and its value
	kStop                          // a common word, never a name or a secret
	kNotSecret                     // words that follow a password keyword but are not the secret
	kGreeting                      // a greeting or sign-off: a name may follow
	kIntro                         // introduces a name: "naam is", "t.n.v.", "schreef", titles
	kParticle                      // surname particle: van, de, der, ...
	kStreetType                    // English street type: Street, Road, Avenue
	kAddrCtx                       // address context: adres, address, woon, ship to
	kNotName                       // capitalised words that are never names (months, days, places, brands)
)

// kStreetWord marks street words that can start a street name on their own (Laan van ..., Plein 1944).
const kStreetWord uint32 = 1 << 12

// kLogin marks weak password keywords ("my login is X"): only "is"/"was" and a secret-looking token.
const kLogin uint32 = 1 << 13

// kMonthShift: bits 24..27 of a lexicon entry hold the month number of a month name.
const kMonthShift = 24

// kNameShift: bits 28..30 of a lexicon entry hold the name kinds (nameFirst, nameLast, nameAmbig).
const kNameShift = 28

// nameKind returns the name kinds stored in a lexicon entry, as nameSets.kind would.
func nameKind(lx uint32) uint8 {
	k := uint8(lx >> kNameShift & 7)
	if k == nameAmbig {
		return 0
	}
	return k
}

// lexicon builds the word-class table. Entries are lower-case.
func lexicon() map[string]uint32 {
	m := map[string]uint32{}
	add := func(k uint32, list string) {
		for _, w := range strings.Fields(list) {
			m[w] |= k
		}
	}
	add(kPassword, `wachtwoord ww pw pwd passwd password passw passwort paswoord pass wachtwoordje pincode pin
		pin-code pinnummer pin-nummer
		passcode passphrase wachtzin inlogcode toegangscode wifi-wachtwoord inlogwachtwoord kennwort contraseña mot-de-passe mdp`)
	add(kLogin, `login logon log-in inlog`)
	add(kConnector, `is was nu now to naar wordt becomes equals reads luidt currently still gewoon just are zijn
		was: is: set changed veranderd gewijzigd new nieuw nieuwe het de the my mijn of van`)
	add(kNotSecret, `verlopen expired incorrect correct verkeerd wrong vergeten forgotten forgot kwijt lost reset resetten
		gewijzigd changed veranderd geblokkeerd blocked locked werkt works working accepted geaccepteerd ongeldig invalid
		niet not never nooit nog still veilig safe sterk strong zwak weak te too kort short lang long manager vault
		policy beleid requirements eisen field veld hint herstellen recovery protected beveiligd required vereist
		sharing delen change wijzigen aanpassen updaten update vernieuwen opnieuw again instellen setup aanmaken create
		link email e-mail mail sms code via per voor for with met en and or of op on in at bij by dat that this dit
		deze die was is are zijn been geweest ingevoerd entered typed getypt uw your je jouw jullie our ons onze`)
	add(kGreeting, `hi hoi hallo hello hey hee hej dear beste geachte dag goedemorgen goedemiddag goedenavond morning
		evening afternoon groetjes groeten groet regards wishes cheers thanks thank bedankt dank gr mvg vriendelijke
		sincerely yours best liefs doei bye salut ciao namens thx welkom welcome`)
	add(kIntro, `naam name heet called t.n.v t.n.v. tnv schreef wrote mr mrs ms miss mister dr dhr mevr meneer mevrouw
		collega colleague medewerker spoke gesproken sprak zus broer vader moeder man vrouw
		husband wife son daughter zoon dochter partner vriend vriendin friend contactpersoon
		heer hr prof ir ing drs mw sir madam madame neighbour neighbor buurman buurvrouw buren holder
		spreekt speaking talking chatting name's naam's fam familie family rekeninghouder accounthouder
		kaarthouder cardholder`)
	add(kParticle, `van de der den het 't ter ten te op in la le du da di del della von vom zu zum al el bin ibn y dos das
		des du van't v.d. vd`)
	add(kStreetType, `street st road rd avenue ave lane ln drive dr close way court ct place pl crescent grove gardens
		terrace square sq boulevard blvd hill park row walk mews parkway pkwy highway hwy circle cir trail path green
		rise view yard wharf quay embankment broadway parade approach gate hollow ridge meadow meadows vale
		esplanade crossing loop run pike plaza alley bank wynd`)
	add(kAddrCtx, `adres address adresse addr woon woonadres wonen woont woon verhuisd moved move ship shipping deliver
		delivery bezorg bezorgen bezorgadres afleveradres factuuradres postadres straat located live lives living
		send sturen stuur naar to`)
	// Veil's own type names, as rendered pseudonyms start with them ("PERSON:3f9a0c1d2e4b").
	add(kNotName, `person email_address phone_number credit_card iban_code nl_bsn us_ssn ip_address password
		api_key address date_of_birth`)
	add(kNotName, `januari februari maart april mei juni juli augustus september oktober november december
		january february march may june july august october
		maandag dinsdag woensdag donderdag vrijdag zaterdag zondag monday tuesday wednesday thursday friday
		saturday sunday nederland netherlands holland belgie belgië belgium duitsland germany england engeland
		london londen amsterdam rotterdam utrecht haarlem groningen europe europa google apple microsoft paypal
		visa mastercard ideal iban bsn api ip ssn dob pin ww klantenservice support helpdesk team service
		christmas kerst easter pasen whatsapp facebook instagram twitter linkedin amazon bol coolblue zalando
		king koning queen koningin god lord iphone android windows ios stichting bv b.v vof gemeente
		afdeling care desk office kantoor holding group groep services sales billing accounts enquiries
		klantcontact administratie facturatie webshop helpdesk
		dutch english british american irish scottish welsh german french polish turkish moroccan indian chinese
		nigerian belgian spanish italian canadian australian european nederlands nederlandse engels duits frans
		pools turks marokkaans belgisch`)
	add(kStop, `a an the and or but if then else when while of to in on at by for with from into onto over under about
		as is are was were be been being am do does did done have has had having i me my mine myself you your yours
		yourself he him his she her hers it its we us our ours they them their theirs this that these those there
		here what which who whom whose where why how all any both each few more most other some such no nor not
		only own same so than too very can will just should now also again please thanks thank yes okay ok sorry
		hello hi dear kind best regards cheers could would may might must shall let get got make made see seen
		good great nice fine sure valued everyone everybody folks guys allemaal iedereen still yet already ever never always sometimes today tomorrow yesterday
		order account card number payment refund ticket invoice address email mail phone call help support team
		customer service package parcel delivery shipping tracking subscription app version update problem issue
		question answer request reply message thank thanks
		de het een en of maar als dan want dus omdat dat die dit deze daar hier wat wie waar waarom hoe welke
		ik mij me mijn jij je jou jouw u uw hij hem zijn zij ze haar wij we ons onze jullie hun hen
		is ben bent was waren zijn wordt worden werd heb hebt heeft hebben had kan kun kunt kunnen kon wil wilt
		willen wou moet moeten mag mogen zal zult zullen zou zouden ga gaat gaan doe doet doen
		niet geen wel ook nog al al nu toen straks morgen gisteren vandaag altijd nooit soms graag alvast even
		van voor met naar op in uit aan bij over onder tot door om tegen zonder sinds tijdens na
		ja nee oké ok sorry bedankt dank hoi hallo beste groetjes groet vriendelijke
		bestelling rekening kaart nummer betaling pakket levering bezorging abonnement factuur klant
		vraag antwoord bericht probleem account wachtwoord adres straat
		dear hey re fw fwd subject onderwerp aw
		klopt kunnen kunt kun kan wilt graag alvast helaas gelukkig inmiddels verder daarnaast echter misschien
		zou zouden moet hierbij bijgaand excuses vanaf tijdens wanneer daarom welke waarom hoe wie er
		bel stuur mail neem laat zie kijk geef ga kom heb heeft hebben werd wordt alle elke iedere betaling levering
		klacht opzegging adreswijziging retour terugbetaling zending pakketje bevestiging vriendelijk hartelijk
		could would should shall might must does did were i'm i've i'll i'd we're we've we'll you're it's
		unfortunately however hopefully attached regarding send find check ok okay yes nope great
		hartelijke hoogachtend kindly sincerely additionally meanwhile also thereafter geboren born
		volgens zodra nadat voordat terwijl toch eigenlijk trouwens overigens gisteren vorige volgende
		vandaag morgen straks binnenkort momenteel zojuist net nogmaals opnieuw hoi hey yesterday today
		tomorrow recently currently again once after before since until while although because
		everything nothing something anything our we us their yours any every each`)
	for _, f := range strings.Fields(monthNames) {
		name, num, _ := strings.Cut(f, ":")
		m[name] |= uint32(atoi(num)) << kMonthShift
	}
	add(kStreetWord, "laan weg plein kade dijk singel gracht straat dreef steeg markt wal hof park boulevard ring brink "+
		"rue avenue chaussée chaussee place quai chemin impasse allée")
	return m
}

// triggerIndex maps a word to a bit of the trigger bitset by its length and
// its first and last letters (case-folded).
func triggerIndex(w string) uint32 {
	return uint32(len(w)&15)<<10 | uint32(w[0]&31)<<5 | uint32(w[len(w)-1]&31)
}

// triggerSet returns the bitset of lower-case words that matter even when not
// capitalised (password keywords, greetings, name intros, months), so most
// plain words skip the lexicon lookup.
func triggerSet(lex map[string]uint32) [256]uint64 {
	var b [256]uint64
	for w, k := range lex {
		if w != "" && (k&(kPassword|kGreeting|kIntro|kLogin) != 0 || k>>kMonthShift&0xf != 0) {
			h := triggerIndex(w)
			b[h>>6] |= 1 << (h & 63)
		}
	}
	return b
}

// mayTrigger reports whether w might be a trigger word (false positives possible).
func (e *Engine) mayTrigger(w string) bool {
	h := triggerIndex(w)
	return e.trigger[h>>6&255]&(1<<(h&63)) != 0
}

// lexOf returns the word classes of w, compared case-insensitively.
func (e *Engine) lexOf(w string) uint32 { return e.lexTab.get(w) }

// streetSuffixes are endings of Dutch (and Flemish) street names.
func streetSuffixes() []string {
	return strings.Fields(`straat laan weg gracht plein singel kade dijk dreef steeg pad hof markt park plantsoen
		baan wal burgwal haven allee boulevard dam veld erf ring zijde oord kwartier pier promenade steenweg
		straatweg rijweg dwarsstraat lei vest wetering vaart brink hoven akker weide berg heuvel hoek kamp
		wijk horst donk bosch bos eiland poort toren molen tuin gaarde stede strasse straße gasse platz allee`)
}
