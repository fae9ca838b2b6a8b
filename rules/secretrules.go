package rules

import (
	"bufio"
	_ "embed"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

//go:embed data/secrets.tsv
var secretData string

// secretRule is one provider secret format of data/secrets.tsv: a prefix and the shape of the rest.
type secretRule struct {
	id       string
	prefix   string // '#' one digit, '?' one letter or digit
	body     byte   // character class of the rest (see bodyByte)
	min, max int    // length of the rest
	typ      Type   // API_KEY, or PASSWORD for a provider's database password
	ctx      bool   // only after a key or token word
	url      bool   // matched after an http(s):// scheme
	why      string // the finding's Why
	lit      int    // the index of the prefix's first literal byte, tested first
}

// secretRules indexes the rules by the first byte of their prefix; wild holds the rules whose
// prefix starts with a wildcard. Each list is ordered longest prefix first.
type secretRules struct {
	byFirst [256][]*secretRule
	wild    []*secretRule
}

// loadSecretRules parses data/secrets.tsv.
func loadSecretRules() (*secretRules, error) {
	var all []*secretRule
	sc := bufio.NewScanner(strings.NewReader(secretData))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		r, err := parseSecretRule(line)
		if err != nil {
			return nil, fmt.Errorf("secrets.tsv:%d: %w", n, err)
		}
		all = append(all, r)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(all, func(i, k int) bool { return len(all[i].prefix) > len(all[k].prefix) })
	rs := &secretRules{}
	for _, r := range all {
		if c := r.prefix[0]; c == '#' || c == '?' {
			rs.wild = append(rs.wild, r)
		} else {
			rs.byFirst[c] = append(rs.byFirst[c], r)
		}
	}
	return rs, nil
}

// parseSecretRule reads one line: id, prefix, body class, min, max, ctx and an optional type.
func parseSecretRule(line string) (*secretRule, error) {
	var f [7]string
	rest := line
	for k := 0; k < 5; k++ {
		var ok bool
		if f[k], rest, ok = strings.Cut(rest, "\t"); !ok {
			return nil, fmt.Errorf("want 6 or 7 tab-separated columns")
		}
	}
	f[5], f[6], _ = strings.Cut(rest, "\t")
	typ := APIKey
	switch f[6] {
	case "":
	case string(Password):
		typ = Password
	default:
		return nil, fmt.Errorf("rule %q: type is empty or PASSWORD", f[0])
	}
	lo, err1 := strconv.Atoi(f[3])
	hi, err2 := strconv.Atoi(f[4])
	if err1 != nil || err2 != nil || lo < 1 || lo > hi || len(f[2]) != 1 || !strings.Contains("AlUhdwkp", f[2]) || f[1] == "" {
		return nil, fmt.Errorf("rule %q: bad prefix, body class or lengths", f[0])
	}
	if f[5] != "-" && f[5] != "key" {
		return nil, fmt.Errorf("rule %q: ctx is \"key\" or \"-\"", f[0])
	}
	lit := strings.IndexFunc(f[1], func(c rune) bool { return c != '#' && c != '?' })
	if lit < 0 {
		return nil, fmt.Errorf("rule %q: the prefix needs a literal byte", f[0])
	}
	return &secretRule{id: f[0], prefix: f[1], body: f[2][0], min: lo, max: hi, ctx: f[5] == "key", typ: typ,
		url: strings.Contains(f[1], "/"), why: "provider secret format " + f[0] + " (data/secrets.tsv)", lit: lit}, nil
}

// bodyByte reports whether c belongs to the body class k.
func bodyByte(k, c byte) bool {
	switch k {
	case 'A':
		return isAlnum(c)
	case 'l':
		return isLower(c) || isDigit(c)
	case 'U':
		return isUpper(c) || isDigit(c)
	case 'h':
		return isDigit(c) || isHexLetter(c)
	case 'd':
		return isDigit(c)
	case 'w':
		return isAlnum(c) || c == '_' || c == '-'
	case 'p':
		return isAlnum(c) || c == '%'
	}
	return isAlnum(c) || c == '_' || c == '-' || c == '=' || c == '.' || c == '+' || c == '/' || c == '~'
}

// hasPrefixPattern reports whether tok starts with the rule prefix p ('#' a digit, '?' a letter or digit).
func hasPrefixPattern(tok, p string) bool {
	if len(tok) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		switch c := tok[i]; p[i] {
		case '#':
			if !isDigit(c) {
				return false
			}
		case '?':
			if !isAlnum(c) {
				return false
			}
		default:
			if c != p[i] {
				return false
			}
		}
	}
	return true
}

// fits reports whether tok has the rule's prefix and a body of its class and length.
func (r *secretRule) fits(tok string) bool {
	if n := len(tok) - len(r.prefix); n < r.min || n > r.max || tok[r.lit] != r.prefix[r.lit] || !hasPrefixPattern(tok, r.prefix) {
		return false
	}
	rest := tok[len(r.prefix):]
	if len(rest) < r.min || len(rest) > r.max {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if !bodyByte(r.body, rest[i]) {
			return false
		}
	}
	return true
}

// match returns the first rule that tok fits, or nil; rules marked "key" need a key word near
// the token t[a:e] of s, url says whether tok is a URL with its scheme stripped.
func (rs *secretRules) match(tok string, s *scanner, a, e int, url bool) *secretRule {
	if tok == "" {
		return nil
	}
	for _, list := range [2][]*secretRule{rs.byFirst[tok[0]], rs.wild} {
		for _, r := range list {
			if r.url == url && r.fits(tok) && !plainLetters(tok[len(r.prefix):]) && (!r.ctx || s.keyCtx(a, e)) {
				return r
			}
		}
	}
	return nil
}

// placeholder reports whether a key body is a stand-in rather than a secret: a run of six equal
// characters (aaaaaa, 000000), four x's or *'s (xxxx-xxxx), EXAMPLE, a template (<…>, ${…},
// {{…}}), or a character entropy below 3 bits (below three quarters of the most its length
// allows, for bodies shorter than 16; below 2.3 bits for digits only).
func placeholder(b string) bool {
	if placeholderRun(b) {
		return true
	}
	limit := min(3, 0.75*math.Log2(float64(len(b))))
	if strings.Trim(b, "0123456789") == "" {
		limit = min(limit, 2.3) // ten symbols carry at most 3.3 bits
	}
	return len(b) >= 8 && entropyBits(b) < limit
}

// placeholderRun is placeholder without the entropy test: runs, x's, EXAMPLE and templates.
func placeholderRun(b string) bool {
	if hasPrefixFoldAny(b, "example") || strings.Contains(b, "${") || strings.Contains(b, "{{") || strings.ContainsAny(b, "<>") {
		return true
	}
	same, xs := 1, 0
	for i := 0; i < len(b); i++ {
		switch lower(b[i]) {
		case 'x', '*':
			xs++
		default:
			xs = 0
		}
		if i > 0 && b[i] == b[i-1] {
			same++
		} else {
			same = 1
		}
		if same >= 6 || xs >= 4 {
			return true
		}
	}
	return false
}

// plainLetters reports whether a key body is spelled like a word, lower case or capitalised
// ("permarkets", "Datenbank"): no provider rule claims that. (Upper-case bodies are keys: AKIA…)
func plainLetters(b string) bool {
	up, _, dig, other := byteKinds(b)
	return dig == 0 && other == 0 && (up == 0 || up == 1 && isUpper(b[0])) && len(b) < 20
}

// hasPrefixFoldAny reports whether the lower-case word w occurs in s, ignoring ASCII case.
func hasPrefixFoldAny(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		if hasPrefixFold(s[i:], w) {
			return true
		}
	}
	return false
}

// entropyBits returns the Shannon entropy of the bytes of s in bits per byte.
func entropyBits(s string) float64 {
	var n [256]uint16
	for i := 0; i < len(s) && i < 1<<16-1; i++ {
		n[s[i]]++
	}
	h := 0.0
	for i := 0; i < len(s) && i < 1<<16-1; i++ {
		if c := n[s[i]]; c > 0 {
			p := float64(c) / float64(min(len(s), 1<<16-1))
			h -= p * math.Log2(p)
			n[s[i]] = 0 // each byte value counted once
		}
	}
	return h
}

// detector returns the finding's detector id: a provider format of the API_KEY or PASSWORD type.
func (r *secretRule) detector() string {
	if r.typ == Password {
		return "password.keyword"
	}
	return "apikey.prefix"
}
