package rules

import "slices"

// keywords holds the context words the detectors look for near a candidate.
// A word matches at the start of a word in the text, so compounds match their
// first part (burgerservicenummer, bsn-nummer, API-sleutel, geboortedatum);
// words written with a leading '*' match anywhere (mijnbsn).
type keywords struct {
	bsn, ssn, card, notCard, notBSN, phone, ip, version, birth, key, addr kwList
}

// kwList is a compiled list of lower-case context words.
type kwList struct {
	ws   []kwWord      // sorted by first byte
	span [256][2]uint8 // for a lower-case first byte, the range of ws starting with it
}

type kwWord struct {
	b        string
	anywhere bool // match inside words too
}

func words(ws ...string) kwList {
	var l kwList
	for _, w := range ws {
		kw := kwWord{b: w}
		if w[0] == '*' {
			kw = kwWord{b: w[1:], anywhere: true}
		}
		if !isAlpha(kw.b[0]) {
			kw.anywhere = true
		}
		l.ws = append(l.ws, kw)
	}
	slices.SortStableFunc(l.ws, func(a, b kwWord) int { return int(a.b[0]) - int(b.b[0]) })
	for i, w := range l.ws {
		c := w.b[0]
		if l.span[c][1] == 0 {
			l.span[c][0] = uint8(i)
		}
		l.span[c][1] = uint8(i + 1)
		if isLower(c) {
			l.span[c-32] = l.span[c]
		}
	}
	return l
}

func defaultKeywords() keywords {
	return keywords{
		bsn: words("*bsn", "burgerservice", "burger service", "*sofi", "sociaal-fiscaal", "sociaal fiscaal",
			"citizen service", "persoonsnummer", "fiscaal nummer", "fiscaalnummer", "service number"),
		ssn: words("ssn", "social security", "soc sec", "soc. sec", "ss#", "ss #", "ss no", "tax id", "itin", "taxpayer"),
		card: words("card", "kaart", "visa", "mastercard", "amex", "american express", "maestro", "discover",
			"creditcard", "credit card", "betaalpas", "debit", "cc "),
		notCard: words("cadeau", "gift", "tracking", "track", "zending", "pakket", "parcel", "shipment", "voucher",
			"bestel", "order", "factuur", "invoice", "ticket", "referentie", "reference", "klantnummer", "coupon",
			"barcode", "ean", "serial", "serie", "imei", "loyalty", "klantenkaart", "spaarkaart", "member",
			"tegoed", "waardebon", "*cadeaubon", "bon ", "bonnummer", "geschenk", "kortingscode", "promo"),
		notBSN: words("bestel", "order", "ticket", "case", "zaak", "factuur", "invoice", "tracking", "pakket",
			"zending", "referentie", "reference", "ref.", "ref:", "klantnummer", "customer number", "cadeau", "gift",
			"voucher", "coupon", "artikel", "article", "sku", "serial", "serie", "versie", "version", "dossier",
			"transactie", "transaction", "kvk", "btw", "vat", "polis", "policy", "contract", "lidmaat", "member",
			"bon", "receipt", "kenmerk", "tegoed", "waardebon", "item", "artikelnr", "product", "rekening", "account", "postbus", "bedrag", "amount", "€", "$", "£", "eur"),
		phone: words("tel", "phone", "bel ", "bel me", "bellen", "belt", "call", "mobiel", "mobile", "gsm", "whatsapp",
			"sms", "fax", "nummer", "number", "bereik", "reach", "contact", "cell", "text me", "app me", "06-",
			"telefoon", "nr.", "nr:", "no.", "ring", "handy", "telefon", "festnetz", "rufnummer", "mobil", "portable",
			"téléphone", "telefono", "teléfono"),
		ip: words("ip", "adres", "address", "server", "host", "router", "vpn", "login", "verbinding", "connect"),
		version: words("versie", "version", "v.", "build", "release", "firmware", "updat", "upgrad", "app ", "ios", "android",
			"patch", "geüpdatet", "bijgewerkt"),
		birth: words("geboren", "geboorte", "geb.", "geb:", "born", "birth", "dob", "d.o.b", "verjaardag", "birthday",
			"jarig", "geburts", "naissance", "nacimiento", "b-day", "bday"),
		addr: words("adres", "address", "woon", "wonen", "woont", "verhuis", "moved", "move to", "ship", "deliver",
			"bezorg", "stuur", "sturen", "send", "post", "live at", "living at", "lives at", "located at"),
		key: words("key", "token", "sleutel", "secret", "geheim", "api", "bearer", "credential", "auth", "client_id",
			"access", "webhook", "signing"),
	}
}

// ctxBefore reports whether one of the words in l occurs (ASCII
// case-insensitively) in the window bytes before pos, not crossing a line break.
func (s *scanner) ctxBefore(pos, window int, l *kwList) bool {
	lo := max(0, pos-window)
	t := s.text
	for i := pos - 1; i >= lo; i-- {
		if t[i] == '\n' {
			lo = i + 1
			break
		}
	}
	return s.ctxIn(lo, pos, l)
}

// ctxIn reports whether one of the words in l occurs in t[lo:hi].
func (s *scanner) ctxIn(lo, hi int, l *kwList) bool {
	t := s.text
	for i := lo; i < hi; i++ {
		sp := l.span[t[i]]
		if sp[1] == 0 {
			continue
		}
		wordStart := i == 0 || !isAlpha(t[i-1])
		for k := int(sp[0]); k < int(sp[1]); k++ {
			w := &l.ws[k]
			if hi-i < len(w.b) || !wordStart && !w.anywhere {
				continue
			}
			if hasPrefixFold(t[i:hi], w.b) {
				return true
			}
		}
	}
	return false
}

// ctxAfter reports whether one of the words in l occurs in the window bytes after pos, on the same line.
func (s *scanner) ctxAfter(pos, window int, l *kwList) bool {
	hi := min(len(s.text), pos+window)
	for i := pos; i < hi; i++ {
		if s.text[i] == '\n' {
			hi = i
			break
		}
	}
	return s.ctxIn(pos, hi, l)
}

// sentenceBefore returns the start of the window before pos, cut at the last
// sentence boundary (". X", "! X", "? X", a line break or a tag).
func (s *scanner) sentenceBefore(pos, window int) int {
	lo := max(0, pos-window)
	t := s.text
	for i := pos - 1; i > lo; i-- {
		c := t[i]
		if c == '\n' || c == '>' {
			return i + 1
		}
		if (c == '.' || c == '!' || c == '?') && i+2 < pos && t[i+1] == ' ' && isUpper(t[i+2]) {
			// "geb. 12-3-1980" and "t.n.v. X" keep going; a capitalised next sentence stops.
			return i + 1
		}
		if (c == '.' || c == '!' || c == '?') && i+2 < pos && t[i+1] == ' ' && isLower(t[i+2]) && i >= 3 &&
			(isDigit(t[i-1]) || c != '.' || plainSentenceEnd(t, i)) {
			// A lower-case next sentence: "took the parcel in. card number". Abbreviations
			// (geb., t.n.v., nr., tel.) keep going.
			return i + 1
		}
	}
	return lo
}

// ctxSentence is like ctxBefore but stops at a sentence boundary.
func (s *scanner) ctxSentence(pos, window int, l *kwList) bool {
	lo := s.sentenceBefore(pos, window)
	return s.ctxIn(lo, pos, l)
}

// plainSentenceEnd reports whether the '.' at i ends a lower-case word of two or more letters
// that is not a common abbreviation.
func plainSentenceEnd(t string, i int) bool {
	ws := i
	for ws > 0 && isLower(t[ws-1]) {
		ws--
	}
	if i-ws < 2 || ws > 0 && (t[ws-1] == '.' || isAlnum(t[ws-1])) {
		return false
	}
	return !lowerWordIs(t[ws:i], "geb", "nr", "no", "tel", "ca", "bijv", "resp", "incl", "excl", "ref", "vs",
		"approx", "dhr", "mevr", "mw", "mr", "mrs", "ms", "dr", "st", "zgn", "evt", "ivm", "mbt", "tav", "nl", "ex", "exp")
}
