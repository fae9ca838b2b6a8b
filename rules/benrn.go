package rules

// beNRNWindow reports a Belgian national register number (rijksregisternummer, numéro de
// registre national) in groups g0..g1 holding 11 digits: the date of birth YYMMDD, a
// three-digit serial and a two-digit mod-97 check. It needs a context word before it
// ("rijksregisternummer", "numéro national", "INSZ") or the official dotted layout
// 85.07.30-033.28: a bare 11-digit number is as often an order or account number.
func (s *scanner) beNRNWindow(g0, g1 int, sep byte) {
	layout := s.beNRNLayout(g0, g1, sep)
	if layout == 0 {
		return
	}
	d := s.collect(g0, g1)
	if !beNRNValid(d) {
		return
	}
	st, en := s.groups[g0].start, s.groups[g1].end
	ctx := s.ctxBefore(st, 48, s.e.typeContext(BENRN)) || s.primed(BENRN)
	if !ctx && layout != nrnDotted {
		return
	}
	conf := float32(0.9)
	if ctx {
		conf = 0.99
	}
	s.add(st, en, BENRN, conf, "be_nrn.mod97", "birth date, serial and mod-97 check")
}

// Layouts of a Belgian national register number.
const (
	nrnPlain  = 1 + iota // 85073003328
	nrnSpaced            // 850730 033 28, 850730-033-28
	nrnDotted            // 85.07.30-033.28
)

// beNRNLayout returns the layout of groups g0..g1, or 0.
func (s *scanner) beNRNLayout(g0, g1 int, sep byte) int {
	switch {
	case g0 == g1:
		return nrnPlain
	case s.sizes(g0, g1, 6, 3, 2) && (sep == ' ' || sep == '-'):
		return nrnSpaced
	case s.sizes(g0, g1, 2, 2, 2, 3, 2) && (sep == '.' || s.sepOf(g0) == "." && s.sepOf(g0+1) == "." &&
		s.sepOf(g0+2) == "-" && s.sepOf(g0+3) == "."):
		return nrnDotted
	}
	return 0
}

// beNRNValid reports whether the 11 ASCII digits in d are a possible Belgian national register
// number: a month 0-12 (plus 20 or 40 for a BIS number), a day 0-31, a serial 001-998, and the
// check 97 - (the first nine digits mod 97), with a 2 before them for births from 2000 on.
func beNRNValid(d []byte) bool {
	if len(d) != 11 {
		return false
	}
	month, day, serial := atoi(string(d[2:4])), atoi(string(d[4:6])), atoi(string(d[6:9]))
	if m := month % 20; month > 52 || m > 12 || day > 31 || serial < 1 || serial > 998 {
		return false
	}
	n := 0
	for _, c := range d[:9] {
		n = n*10 + int(c-'0')
	}
	check := atoi(string(d[9:]))
	return check == 97-n%97 || check == 97-(2_000_000_000+n)%97
}

// typeContext returns the context words of type t (typeSpec.Context).
func (e *Engine) typeContext(t Type) *kwList {
	if i := typeIndex(t); i >= 0 {
		return &e.typeCtx[i]
	}
	return &kwList{}
}
