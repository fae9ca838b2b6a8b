package rules

import (
	"bufio"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

//go:embed data/iin.tsv
var iinData string

// iinRange is a range of card number prefixes (issuer identification numbers) of one
// scheme and the number lengths the scheme issues.
type iinRange struct {
	digits  int    // the prefix length
	lo, hi  int    // the prefix range
	lengths uint32 // bit n set: n-digit numbers
}

// loadIIN parses data/iin.tsv into the ranges in the order they are tried.
func loadIIN() ([]iinRange, error) {
	var out []iinRange
	sc := bufio.NewScanner(strings.NewReader(iinData))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		_, rest, ok1 := strings.Cut(line, "\t")
		pr, ls, ok2 := strings.Cut(rest, "\t")
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("iin.tsv:%d: want scheme, prefix range and lengths", n)
		}
		r, err := parseIIN(pr, ls)
		if err != nil {
			return nil, fmt.Errorf("iin.tsv:%d: %w", n, err)
		}
		out = append(out, r)
	}
	return out, sc.Err()
}

// parseIIN reads a prefix range ("51-55", "4") and a lengths list ("16", "12-19", "13,16,19").
func parseIIN(pr, ls string) (iinRange, error) {
	var r iinRange
	lo, hi, isRange := strings.Cut(pr, "-")
	if !isRange {
		hi = lo
	}
	if len(lo) != len(hi) || len(lo) > 6 {
		return r, fmt.Errorf("prefix range %q: bounds of one length, at most 6 digits", pr)
	}
	var err1, err2 error
	r.digits = len(lo)
	r.lo, err1 = strconv.Atoi(lo)
	r.hi, err2 = strconv.Atoi(hi)
	if err1 != nil || err2 != nil || r.lo > r.hi {
		return r, fmt.Errorf("prefix range %q", pr)
	}
	for _, part := range strings.FieldsFunc(ls, func(c rune) bool { return c == ',' }) {
		a, b, isSpan := strings.Cut(part, "-")
		if !isSpan {
			b = a
		}
		x, errA := strconv.Atoi(a)
		y, errB := strconv.Atoi(b)
		if errA != nil || errB != nil || x < 12 || y > 19 || x > y {
			return r, fmt.Errorf("lengths %q: 12 to 19 digits", ls)
		}
		r.lengths |= (1<<(y+1) - 1) &^ (1<<x - 1)
	}
	return r, nil
}

// cardIssuer reports whether the digits d (12 to 19 of them) have the length and prefix of a
// scheme in the issuer table: the first range holding the prefix decides.
func cardIssuer(tab []iinRange, d []byte) bool {
	var p [7]int // p[k]: the first k digits as a number
	for k := 1; k <= 6; k++ {
		p[k] = p[k-1]*10 + int(d[k-1]-'0')
	}
	for _, r := range tab {
		if v := p[r.digits]; v >= r.lo && v <= r.hi {
			return r.lengths&(1<<len(d)) != 0
		}
	}
	return false
}
