package rules

import (
	"bufio"
	_ "embed"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

//go:embed data/phoneplan.tsv
var phonePlanData string

// phonePlans holds the numbering plan of every region (data/phoneplan.tsv,
// derived from libphonenumber's metadata): which national numbers are valid,
// of what length, and with which national prefix.
type phonePlans struct {
	byCC     map[int][]*regionPlan // a calling code's regions, its main region first
	byRegion map[string]*regionPlan
}

// regionPlan is the numbering plan of one region. Its patterns are compiled
// when the plan is first asked about: compiling all of them would take a
// tenth of a second for every engine, and most texts meet a few plans.
type regionPlan struct {
	cc     int
	prefix string // national (trunk) prefix, "" for none
	// lengths[n] is set when some number type has national numbers of n digits.
	lengths [18]bool
	types   []planType

	once sync.Once
	// kinds are the number types compiled, mobile and fixed line first (the
	// numbers people give); each pattern alone is cheaper to match than their
	// union, which overlaps and so cannot be matched in one pass.
	kinds []numberKind
}

// planType is one number type of a plan as the data file gives it.
type planType struct {
	name, pattern, example string
	lengths                [18]bool
}

// numberKind is one number type of a plan, compiled.
type numberKind struct {
	pattern *regexp.Regexp
	lengths [18]bool
	example string // "" for none
	shape   bool   // mobile or fixed line: used by shape
}

// compiled returns rp with its patterns compiled. A pattern that does not
// compile (TestPhonePlansCompile keeps the data free of them) leaves its
// type out: the plan then claims fewer numbers, never more.
func (rp *regionPlan) compiled() *regionPlan {
	rp.once.Do(func() {
		for pass := 0; pass < 2; pass++ {
			for _, t := range rp.types {
				shape := t.name == "fixed" || t.name == "mobile"
				if shape != (pass == 0) {
					continue
				}
				re, err := regexp.Compile("^(?:" + t.pattern + ")$")
				if err != nil {
					continue
				}
				rp.kinds = append(rp.kinds, numberKind{pattern: re, lengths: t.lengths, example: t.example, shape: shape})
			}
		}
	})
	return rp
}

// matches reports whether nsn is a valid national number of rp's plan.
func (rp *regionPlan) matches(nsn []byte) bool {
	if len(nsn) >= len(rp.lengths) || !rp.lengths[len(nsn)] {
		return false
	}
	for i := range rp.compiled().kinds {
		k := &rp.kinds[i]
		if k.lengths[len(nsn)] && k.pattern.Match(nsn) {
			return true
		}
	}
	return false
}

// loadPhonePlans parses data/phoneplan.tsv (region, calling code, national
// prefix, number type, possible lengths, pattern, example).
func loadPhonePlans() (*phonePlans, error) {
	p := &phonePlans{byCC: map[int][]*regionPlan{}, byRegion: map[string]*regionPlan{}}
	var rp *regionPlan // the plan of the lines being read
	region := ""
	sc := bufio.NewScanner(strings.NewReader(phonePlanData))
	sc.Buffer(nil, 1<<16)
	for n := 0; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.FieldsFunc(line, func(r rune) bool { return r == '\t' })
		if len(f) != 7 {
			return nil, fmt.Errorf("phoneplan.tsv:%d: want 7 fields, have %d", n+1, len(f))
		}
		cc, err := strconv.Atoi(f[1])
		if err != nil || cc < 1 || cc > 999 {
			return nil, fmt.Errorf("phoneplan.tsv:%d: calling code %q", n+1, f[1])
		}
		if rp == nil || f[0] != region || cc != rp.cc {
			rp, region = &regionPlan{cc: cc}, f[0]
			if f[2] != "-" {
				rp.prefix = f[2]
			}
			if region != "001" { // the non-geographic codes share one name
				p.byRegion[region] = rp
			}
			p.byCC[cc] = append(p.byCC[cc], rp)
		}
		pt := planType{name: f[3], pattern: f[5], example: strings.TrimPrefix(f[6], "-")}
		for _, l := range strings.FieldsFunc(f[4], func(r rune) bool { return r == ',' }) {
			if k, err := strconv.Atoi(l); err == nil && k > 0 && k < len(rp.lengths) {
				rp.lengths[k], pt.lengths[k] = true, true
			}
		}
		rp.types = append(rp.types, pt)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("phoneplan.tsv: %w", err)
	}
	if len(p.byCC[31]) == 0 || len(p.byCC[1]) == 0 {
		return nil, fmt.Errorf("phoneplan.tsv: no plans for +31 or +1")
	}
	return p, nil
}

// hasLength reports whether some region of calling code cc has numbers of
// len(nsn) digits.
func (p *phonePlans) hasLength(cc int, nsn []byte) bool {
	for _, rp := range p.byCC[cc] {
		if len(nsn) < len(rp.lengths) && rp.lengths[len(nsn)] {
			return true
		}
	}
	return false
}

// valid reports whether nsn is a valid national significant number of
// calling code cc: one of the number types of one of its regions (fixed line,
// mobile, toll free, …) has a pattern it matches, not only a possible length.
func (p *phonePlans) valid(cc int, nsn []byte) bool {
	for _, rp := range p.byCC[cc] {
		if rp.matches(nsn) {
			return true
		}
	}
	return false
}

// shape reports whether nsn has the shape of a mobile or fixed-line number
// of calling code cc without being in an allocated range: the length of the
// main region's example number of that type, and a first digit that keeps
// the example valid ("+31 6 0…" in the Netherlands, "+44 113 6…" in the
// United Kingdom). People give invented or mistyped numbers, and allocations
// change; a number cut short, or of a length no such number has, is refused.
func (p *phonePlans) shape(cc int, nsn []byte) bool {
	rs := p.byCC[cc]
	if len(rs) == 0 || len(nsn) < 6 || nsn[0] == '0' {
		return false
	}
	var buf [17]byte
	for _, k := range rs[0].compiled().kinds {
		if !k.shape || len(k.example) != len(nsn) || len(nsn) > len(buf) || k.example[0] == '0' {
			continue
		}
		m := append(buf[:0], k.example...)
		m[0] = nsn[0]
		if k.pattern.Match(m) {
			return true
		}
	}
	return false
}

// ok reports whether nsn is a valid number of calling code cc or has the
// shape of one.
func (p *phonePlans) ok(cc int, nsn []byte) bool { return p.valid(cc, nsn) || p.shape(cc, nsn) }

// national reports whether d, written without a calling code, is a valid
// number of region r's plan. A plan with a national prefix (the trunk 0 of
// most of Europe) is written with it; a plan without one (Luxembourg, Italy,
// Spain) as its numbers stand.
func (p *phonePlans) national(r string, d []byte) bool {
	rp := p.byRegion[r]
	if rp == nil {
		return false
	}
	if rp.prefix != "" {
		if len(d) <= len(rp.prefix) || string(d[:len(rp.prefix)]) != rp.prefix {
			return false
		}
		d = d[len(rp.prefix):]
	}
	return rp.matches(d)
}
