package rules

// monthIndex returns 1..12 for a month name w (any case, optional trailing dot), or 0.
func (s *scanner) monthIndex(w string) int {
	if len(w) > 0 && w[len(w)-1] == '.' {
		w = w[:len(w)-1]
	}
	if len(w) < s.e.gates.monthMin || len(w) > s.e.gates.monthMax {
		return 0
	}
	return int(s.lexOf(w) >> kMonthShift & 0xf)
}

func validDMY(d, m, y int) bool {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return false
	}
	if y < 100 {
		return true
	}
	return y >= 1880 && y <= 2100
}

func atoi(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		v = v*10 + int(s[i]-'0')
	}
	return v
}

// birthDate emits a DATE_OF_BIRTH for the date at [st, en) if a birth context
// word precedes it in the same sentence.
func (s *scanner) birthDate(st, en int, det string) bool {
	// The birth word must sit between the previous date of birth and this date:
	// "Geboortedatum: 3-4-1985 (niet 1-1-1900)" has one birth date.
	// A question for a date of birth primes the first date of the answer.
	primed := s.lastDOB == 0 && s.primed(BirthDate) && st < s.primedTo
	if !primed && !s.ctxSince(st, 64, s.lastDOB, &s.e.kw.birth) && !s.ctxAfter(en, 10, &s.e.kw.birth) {
		return false // "Ich bin am 12.03.1985 geboren", "ik ben op 3 mei 1980 geboren"
	}
	s.lastDOB = en
	why := "date after a birth context word"
	if primed {
		why = "a valid day, month and year" // DetectTurn notes the question that primed it
	}
	s.add(s.weekdayBefore(s.text, st), en, BirthDate, 0.95, det, why)
	return true
}

// weekdayBefore extends a date starting at st over a weekday name before it ("zondag 3 maart
// 1968", "Tuesday, 4 July 1990") and returns the new start.
func (s *scanner) weekdayBefore(t string, st int) int {
	p := st - 1
	if p < 1 || t[p] != ' ' {
		return st
	}
	if t[p-1] == ',' {
		p--
	}
	ws := p
	for ws > 0 && isAlpha(t[ws-1]) {
		ws--
	}
	if p-ws < s.e.gates.weekdayMin || ws > 0 && isAlpha(t[ws-1]) {
		return st
	}
	w := t[ws:p]
	if s.lexOf(w)&kWeekday != 0 {
		return ws
	}
	return st
}

// numericDates looks for d-m-y, m/d/y and y-m-d dates among the run's groups.
func (s *scanner) numericDates(gs []group) {
	t := s.text
	for g := 0; g+2 < len(gs); g++ {
		if g > 0 && s.sepOf(g-1) != " " {
			continue
		}
		sep := s.uniformSep(g, g+2)
		if sep != '-' && sep != '/' && sep != '.' {
			continue
		}
		if g+3 < len(gs) && s.sepOf(g+2) == string(sep) {
			continue
		}
		a, b, c := t[gs[g].start:gs[g].end], t[gs[g+1].start:gs[g+1].end], t[gs[g+2].start:gs[g+2].end]
		ok := false
		switch {
		case len(a) <= 2 && len(b) <= 2 && (len(c) == 4 || len(c) == 2):
			ok = validDMY(atoi(a), atoi(b), atoi(c)) || validDMY(atoi(b), atoi(a), atoi(c))
		case len(a) == 4 && len(b) <= 2 && len(c) <= 2:
			ok = validDMY(atoi(c), atoi(b), atoi(a))
		}
		if ok {
			s.birthDate(gs[g].start, gs[g+2].end, "dob.numeric")
		}
	}
}

// skipOrdinal skips an ordinal suffix (st, nd, rd, th, e, ste, de) after a day number at i.
func (s *scanner) skipOrdinal(t string, i int) int { return i + s.wordAtIn(setOrdinal, t, i) }

// wordAt returns the end of the ASCII/UTF-8 letter run at i.
func wordAt(t string, i int) int {
	for i < len(t) && (isAlpha(t[i]) || t[i] >= 0x80) {
		i++
	}
	return i
}

// yearAt reads a 4-digit year at i (after optional ", " or " "), returning its end or -1.
func yearAt(t string, i int) int {
	if i < len(t) && t[i] == ',' {
		i++
	}
	for i < len(t) && t[i] == ' ' {
		i++
	}
	// Two-digit year with an apostrophe: '68, ’68.
	k := -1
	if i < len(t) && t[i] == '\'' {
		k = i + 1
	} else if len(t)-i >= 3 && t[i:i+3] == "’" {
		k = i + 3
	}
	if k > 0 {
		if k+2 <= len(t) && isDigit(t[k]) && isDigit(t[k+1]) && (k+2 == len(t) || !isAlnum(t[k+2])) {
			return k + 2
		}
		return -1
	}
	if i+4 <= len(t) && isDigit(t[i]) && isDigit(t[i+1]) && isDigit(t[i+2]) && isDigit(t[i+3]) && (i+4 == len(t) || !isAlnum(t[i+4])) {
		y := atoi(t[i : i+4])
		if y >= 1880 && y <= 2100 {
			return i + 4
		}
	}
	return -1
}

// dateWords handles "3 maart 1968", "7th of April 1994" with the day number at st.
// It returns the end of the date, or 0.
func (s *scanner) dateWords(st int) int {
	t := s.text
	i := st
	for i < len(t) && isDigit(t[i]) {
		i++
	}
	day := atoi(t[st:i])
	i = s.skipOrdinal(t, i)
	if i+1 < len(t) && t[i] == '.' && t[i+1] == ' ' {
		i++ // "18. September 1974": the German ordinal dot
	}
	if i >= len(t) || t[i] != ' ' {
		return 0
	}
	i++
	if n := s.prefixIn(setBornOf, t[i:]); n > 0 && len(t)-i > n+1 && t[i+n] == ' ' {
		i += n + 1 // "7th of April"
	}
	we := wordAt(t, i)
	m := s.monthIndex(t[i:we])
	if we < len(t) && t[we] == '.' {
		we++
	}
	if m == 0 || day < 1 || day > 31 {
		return 0
	}
	end := yearAt(t, we)
	if end < 0 {
		return 0
	}
	if s.birthDate(st, end, "dob.words") {
		return end
	}
	return 0
}

// monthFirst handles "October 16, 1965" and "May 3rd 1990" with the month name at [a, j).
func (s *scanner) monthFirst(a, j int) int {
	t := s.text
	i := j
	if i < len(t) && t[i] == '.' {
		i++
	}
	if i >= len(t) || t[i] != ' ' {
		return 0
	}
	i++
	ds := i
	for i < len(t) && isDigit(t[i]) && i-ds < 2 {
		i++
	}
	if i == ds {
		return 0
	}
	day := atoi(t[ds:i])
	i = s.skipOrdinal(t, i)
	if day < 1 || day > 31 {
		return 0
	}
	end := yearAt(t, i)
	if end < 0 {
		return 0
	}
	if s.birthDate(a, end, "dob.words") {
		return end
	}
	return 0
}
