package rules

import (
	"bufio"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

//go:embed data/iban.tsv
var ibanData string

// ibanCountry is one country of the IBAN registry: the IBAN length and, per BBAN position,
// the character class the registry allows there ('n' digit, 'a' upper-case letter, 'c' either).
type ibanCountry struct {
	length int
	bban   string
}

// ibanTable holds the IBAN registry by country code (index (c0-'A')*26 + c1-'A').
type ibanTable [26 * 26]ibanCountry

// loadIBAN parses data/iban.tsv (country, IBAN length, BBAN structure in the registry's
// notation such as "4!a10!n").
func loadIBAN() (*ibanTable, error) {
	tab := &ibanTable{}
	sc := bufio.NewScanner(strings.NewReader(ibanData))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		cc, rest, ok1 := strings.Cut(line, "\t")
		ln, st, ok2 := strings.Cut(rest, "\t")
		if !ok1 || !ok2 || len(cc) != 2 || !isUpper(cc[0]) || !isUpper(cc[1]) {
			return nil, fmt.Errorf("iban.tsv:%d: want country, length and BBAN structure", n)
		}
		length, err := strconv.Atoi(ln)
		if err != nil {
			return nil, fmt.Errorf("iban.tsv:%d: length: %w", n, err)
		}
		bban, err := expandBBAN(st)
		if err != nil || len(bban)+4 != length || length > 34 {
			return nil, fmt.Errorf("iban.tsv:%d: structure %q does not give length %d", n, st, length)
		}
		tab[int(cc[0]-'A')*26+int(cc[1]-'A')] = ibanCountry{length: length, bban: bban}
	}
	return tab, sc.Err()
}

// expandBBAN turns "4!a10!n" into one class letter per position ("aaaannnnnnnnnn").
func expandBBAN(st string) (string, error) {
	var b strings.Builder
	for st != "" {
		k := strings.IndexByte(st, '!')
		if k <= 0 || k+1 >= len(st) || !strings.ContainsRune("nac", rune(st[k+1])) {
			return "", fmt.Errorf("bad structure element %q", st)
		}
		n, err := strconv.Atoi(st[:k])
		if err != nil {
			return "", err
		}
		b.WriteString(strings.Repeat(st[k+1:k+2], n))
		st = st[k+2:]
	}
	return b.String(), nil
}

// country returns the registry entry of the country code c0c1 (either case), or nil.
func (tab *ibanTable) country(c0, c1 byte) *ibanCountry {
	c0, c1 = c0&^0x20, c1&^0x20
	if !isUpper(c0) || !isUpper(c1) {
		return nil
	}
	c := &tab[int(c0-'A')*26+int(c1-'A')]
	if c.length == 0 {
		return nil
	}
	return c
}

// fits reports whether the upper-cased BBAN b has the registry's character class at every position.
func (c *ibanCountry) fits(b []byte) bool {
	if len(b) != len(c.bban) {
		return false
	}
	for i, ch := range b {
		switch c.bban[i] {
		case 'n':
			if !isDigit(ch) {
				return false
			}
		case 'a':
			if !isUpper(ch) {
				return false
			}
		}
	}
	return true
}

// ibanSep returns the end of a single group separator at i inside an IBAN: a space, a no-break
// space, '-' or '.', or i if there is none.
func ibanSep(t string, i int) int {
	switch t[i] {
	case ' ', '-', '.':
		return i + 1
	}
	if l, _ := uniSep(t, i); l > 0 {
		return i + l
	}
	return i
}

// ibanShaped returns the end of an IBAN-shaped run that failed validation (a country code, two
// check digits and at least 14 characters, buf), so that its digit groups are not claimed as a
// phone, card or BSN; or 0 for a shorter run, which the other detectors still see.
func ibanShaped(t string, buf []byte, end int) int {
	if len(buf) < 14 || !isDigit(buf[2]) || !isDigit(buf[3]) {
		return 0
	}
	for end < len(t) && isAlnum(t[end]) {
		end++
	}
	return end
}

// iban detects an IBAN starting at a: a registry country code, check digits and a BBAN of the
// country's length and structure, in any case, compact or with single separators (space, '-',
// '.') anywhere after the country code ("NO 89 4200 4151 326", "NO71.4202.47.14777",
// "ES72 2013-0692-81-0201150993"), with a valid mod-97 checksum. It returns the end, or 0; an IBAN-shaped run that fails is
// consumed without a finding (see ibanShaped).
func (s *scanner) iban(a int) int {
	t := s.text
	if a > 0 && isAlnum(t[a-1]) || a+2 > len(t) {
		return 0
	}
	c := s.e.iban.country(t[a], t[a+1])
	if c == nil {
		return 0
	}
	var buf [34]byte
	n, i, end := 0, a, a
	for i < len(t) && n < c.length {
		ch := t[i]
		if isAlnum(ch) {
			buf[n] = ch
			if isLower(ch) {
				buf[n] = ch &^ 0x20
			}
			n++
			i++
			end = i
			continue
		}
		if k := ibanSep(t, i); n >= 2 && k > i && k < len(t) && isAlnum(t[k]) {
			i = k
			continue
		}
		break
	}
	if n != c.length || end < len(t) && isAlnum(t[end]) || !c.fits(buf[4:n]) || !mod97(buf[:n]) {
		return ibanShaped(t, buf[:n], end)
	}
	s.add(a, end, IBAN, 0.99, "iban.mod97", "registry length and BBAN structure, mod-97 checksum")
	return end
}

// ibanAfterCode detects an IBAN whose country code t[a:j] stands alone before its digits
// ("NO 89 4200 4151 326"), and returns its end, or 0.
func (s *scanner) ibanAfterCode(a, j int) int {
	t := s.text
	if j-a != 2 || j+1 >= len(t) || t[j] != ' ' || !isDigit(t[j+1]) {
		return 0
	}
	return s.iban(a)
}
