package rules

import "bytes"

// keywords holds the lower-case context words the detectors look for near a
// candidate. Matching is by substring, so compounds (burgerservicenummer,
// bsn-nummer, API-sleutel, geboortedatum) match their roots.
type keywords struct {
	bsn, ssn, card, notCard, notBSN, phone, ip, version, birth, key, addr [][]byte
}

func words(ws ...string) [][]byte {
	out := make([][]byte, len(ws))
	for i, w := range ws {
		out[i] = []byte(w)
	}
	return out
}

func defaultKeywords() keywords {
	return keywords{
		bsn: words("bsn", "burgerservice", "burger service", "sofi", "sociaal-fiscaal", "sociaal fiscaal",
			"citizen service", "persoonsnummer", "fiscaal nummer", "fiscaalnummer", "service number"),
		ssn: words("ssn", "social security", "soc sec", "soc. sec", "ss#", "ss #", "ss no", "tax id", "itin", "taxpayer"),
		card: words("card", "kaart", "visa", "mastercard", "amex", "american express", "maestro", "discover",
			"creditcard", "credit card", "betaalpas", "debit", "cc "),
		notCard: words("cadeau", "gift", "tracking", "track", "zending", "pakket", "parcel", "shipment", "voucher",
			"bestel", "order", "factuur", "invoice", "ticket", "referentie", "reference", "klantnummer", "coupon",
			"barcode", "ean", "serial", "serie", "imei", "loyalty", "klantenkaart", "spaarkaart", "member"),
		notBSN: words("bestel", "order", "ticket", "case", "zaak", "factuur", "invoice", "tracking", "pakket",
			"zending", "referentie", "reference", "ref.", "ref:", "klantnummer", "customer number", "cadeau", "gift",
			"voucher", "coupon", "artikel", "article", "sku", "serial", "serie", "versie", "version", "dossier",
			"transactie", "transaction", "kvk", "btw", "vat", "polis", "policy", "contract", "lidmaat", "member",
			"bon", "receipt", "kenmerk", "rekening", "account", "postbus", "bedrag", "amount", "€", "$", "£", "eur"),
		phone: words("tel", "phone", "bel ", "bel me", "bellen", "belt", "call", "mobiel", "mobile", "gsm", "whatsapp",
			"sms", "fax", "nummer", "number", "bereik", "reach", "contact", "cell", "text me", "app me", "06-",
			"telefoon", "nr.", "nr:", "no.", "ring"),
		ip:      words("ip", "adres", "address", "server", "host", "router", "vpn", "login", "verbinding", "connect"),
		version: words("versie", "version", "v.", "build", "release", "firmware", "update", "app ", "ios", "android", "patch"),
		birth: words("geboren", "geboorte", "geb.", "geb:", "born", "birth", "dob", "d.o.b", "verjaardag", "birthday",
			"jarig", "geburts", "naissance", "nacimiento", "b-day", "bday"),
		addr: words("adres", "address", "woon", "wonen", "woont", "verhuis", "moved", "move to", "ship", "deliver",
			"bezorg", "stuur", "sturen", "send", "post", "live at", "living at", "lives at", "located at", "naar ", " to "),
		key: words("key", "token", "sleutel", "secret", "geheim", "api", "bearer", "credential", "auth", "client_id",
			"access", "webhook", "signing"),
	}
}

// ctxBefore reports whether one of ws occurs (ASCII case-insensitively) in the
// window bytes before pos, not crossing a line break.
func (s *scanner) ctxBefore(pos, window int, ws [][]byte) bool {
	lo := pos - window
	if lo < 0 {
		lo = 0
	}
	var buf [256]byte
	b := buf[:0]
	for i := lo; i < pos && len(b) < len(buf); i++ {
		c := s.text[i]
		if c == '\n' {
			b = b[:0]
			continue
		}
		b = append(b, lower(c))
	}
	for _, w := range ws {
		if bytes.Contains(b, w) {
			return true
		}
	}
	return false
}

// ctxAfter reports whether one of ws occurs in the window bytes after pos, on the same line.
func (s *scanner) ctxAfter(pos, window int, ws [][]byte) bool {
	hi := min(len(s.text), pos+window)
	var buf [256]byte
	b := buf[:0]
	for i := pos; i < hi && len(b) < len(buf); i++ {
		c := s.text[i]
		if c == '\n' {
			break
		}
		b = append(b, lower(c))
	}
	for _, w := range ws {
		if bytes.Contains(b, w) {
			return true
		}
	}
	return false
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
	}
	return lo
}

// ctxSentence is like ctxBefore but stops at a sentence boundary.
func (s *scanner) ctxSentence(pos, window int, ws [][]byte) bool {
	lo := s.sentenceBefore(pos, window)
	return s.ctxBefore(pos, pos-lo, ws)
}
