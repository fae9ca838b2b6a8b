package rules

import (
	"slices"
	"strings"
	"time"
)

// How long a question primes the answers to it.
const (
	// primeTurns is how many messages of the other party a question primes; a primed finding
	// of a type asked for ends the priming of that type sooner.
	primeTurns = 2
	// PrimeFor is how long after the question an answer is still primed, when both messages
	// carry a time.
	PrimeFor = 15 * time.Minute
)

// Turn is one message of a conversation, as DetectTurn reads it.
type Turn struct {
	// Text is the message body.
	Text string
	// Locale is like "nl-NL", or "" (unknown).
	Locale string
	// Author says who wrote the message: a role ("agent", "customer") or a name; "" when unknown.
	// A question primes the messages of other authors only; when no author is known, every
	// next message.
	Author string
	// SentAt is when the message was sent; the zero time when unknown.
	SentAt time.Time
}

// Conversation is the detection state of one conversation: what the last question in it asked
// for, who asked it and when. Its zero value is a conversation with nothing asked. It is 16
// bytes and holds no text of the conversation: the question is kept as an index of the
// lexicon word that asked.
type Conversation struct {
	asked uint16 // registry-index bits of the types asked for
	cue   uint16 // 1 + the index in Engine.ask of the word that asked, or 0
	asker uint32 // authorKey of the asker, 0 when unknown
	at    uint32 // the question's time in Unix seconds, 0 when unknown
	left  uint8  // the messages of another author still primed
	not   bool   // the question asked for a number that is no personal data (an order number)
}

// Active reports whether a question in c still primes the next message.
func (c Conversation) Active() bool { return c.left > 0 }

// prime is what a question primes in one Detect call.
type prime struct {
	types uint16 // registry-index bits of the types asked for
	not   bool   // asked for a number that is no personal data
}

// has reports whether p primes the type at registry index ti.
func (p prime) has(ti int) bool { return ti >= 0 && p.types&(1<<ti) != 0 }

// primedMark starts the note DetectTurn appends to the Why of a finding that the question of
// an earlier message made possible; Explain reads it back.
const primedMark = "primed by the question word "

// DetectTurn is Detect for one message of a conversation whose state is c: an earlier question
// ("Wat is uw burgerservicenummer?", "what's your password?") lets the detectors claim a bare
// answer they would not claim alone ("123456782", "bluefish42"), still only when its
// validator passes (the 11-proof, a real date, a name's shape, a secret's shape). The Why of
// such a finding ends in a note naming the question word. c is then updated with the
// question this message asks, if any. c must not be used by two calls at once.
func (e *Engine) DetectTurn(dst []Finding, c *Conversation, t Turn) []Finding {
	return e.turn(dst, c, t, true)
}

// ReplayTurn updates c with message t exactly as DetectTurn would, and finds nothing: for
// rebuilding the state of a conversation from messages that were handled before (by another
// instance, before a rebalance). It detects only in a message that answers an open question,
// since that decides what the question still primes; other messages cost a question check.
func (e *Engine) ReplayTurn(c *Conversation, t Turn) {
	e.turn(nil, c, t, false)
}

// turn is DetectTurn; with detect false it leaves out the detection in a message no question
// primes, which cannot change c, and its findings are only for updating c.
func (e *Engine) turn(dst []Finding, c *Conversation, t Turn, detect bool) []Finding {
	base := len(dst)
	author := authorKey(t.Author)
	at := unixSeconds(t.SentAt)
	pr, answer := c.primeFor(author, at)
	if pr.types == 0 && !pr.not {
		if detect {
			dst = e.Detect(dst, t.Text, t.Locale)
		}
	} else {
		dst = e.detectAll(dst, t.Text, t.Locale, pr)
		if pr.types != 0 && slices.ContainsFunc(dst[base:], func(f Finding) bool { return pr.has(typeIndex(f.Type)) }) {
			var answered uint16
			dst, answered = e.markPrimed(dst, base, t.Text, t.Locale, pr, c.cue)
			c.asked &^= answered
		}
	}
	if answer {
		c.left--
		if c.left == 0 || c.asked == 0 && !c.not {
			*c = Conversation{}
		}
	}
	if q := e.question(t.Text, t.Locale); q.types != 0 || q.not {
		*c = Conversation{asked: q.types, cue: q.cue, asker: author, at: at, left: primeTurns, not: q.not}
	}
	return dst
}

// primeFor returns what c primes in a message by author sent at at (Unix seconds, 0 unknown),
// and whether the message counts as an answer. A question expires after primeTurns answers or
// PrimeFor; the asker's own messages are no answers.
func (c *Conversation) primeFor(author, at uint32) (prime, bool) {
	if c.left == 0 {
		return prime{}, false
	}
	if c.at != 0 && at != 0 && at > c.at && time.Duration(at-c.at)*time.Second > PrimeFor {
		*c = Conversation{}
		return prime{}, false
	}
	if author != 0 && author == c.asker {
		return prime{}, false
	}
	return prime{types: c.asked, not: c.not}, true
}

// markPrimed appends the priming note to the Why of the findings in dst[base:] that the plain
// Detect of text would not have made (or made with less confidence), drops the primed names
// that do not look like names (primedName), and returns dst and the registry-index bits of the
// types of the primed findings kept.
func (e *Engine) markPrimed(dst []Finding, base int, text, locale string, pr prime, cue uint16) ([]Finding, uint16) {
	plain := e.Detect(make([]Finding, 0, len(dst)-base+2), text, locale)
	var answered uint16
	note := primedMark + "\"" + e.cueWord(cue) + "\""
	out := dst[:base]
	var dropped []Finding
	for _, f := range dst[base:] {
		ti := typeIndex(f.Type)
		if ti >= 0 && pr.has(ti) && !slices.ContainsFunc(plain, func(p Finding) bool {
			return p.Start == f.Start && p.End == f.End && p.Type == f.Type && p.Confidence >= f.Confidence
		}) {
			if f.Type == Person && !e.primedName(text[f.Start:f.End], locale) {
				dropped = append(dropped, f)
				continue
			}
			f.Why = joinWhy(f.Why, note)
			answered |= 1 << ti
		}
		out = append(out, f)
	}
	if dropped == nil {
		return out, answered
	}
	// What the plain Detect found where a dropped name stood (the name may have won an overlap
	// against it) comes back, unless it overlaps a finding kept.
	overlaps := func(fs []Finding, p Finding) bool {
		return slices.ContainsFunc(fs, func(f Finding) bool { return f.Start < p.End && p.Start < f.End })
	}
	for _, p := range plain {
		if overlaps(dropped, p) && !overlaps(out[base:], p) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out[base:], func(a, b Finding) int { return a.Start - b.Start })
	return out, answered
}

// primedName reports whether name, found only because a question asked for a name, looks like
// one: each of its words (particles aside) is a listed name or scores as a part of a full name
// no list knows (guessPartMin). A filler answer ("Momentje", "Moment bitte", "Un instant") does
// not.
func (e *Engine) primedName(name, locale string) bool {
	l := langOfLocale(locale)
	parts := 0
	for _, w := range strings.Fields(name) {
		lx := e.lexTab.get(w, l)
		if lx&kParticle != 0 {
			continue
		}
		parts++
		if nameKind(lx) != 0 {
			continue
		}
		if sc, ok := e.grams.score(w); !ok || len(w) < 3 || sc < guessPartMin {
			return false
		}
	}
	return parts > 0
}

// cueWord returns the lexicon word of a Conversation cue, or "" for none.
func (e *Engine) cueWord(cue uint16) string {
	if cue == 0 || int(cue) > len(e.ask.words) {
		return ""
	}
	return e.ask.words[cue-1].w
}

// authorKey hashes an author (FNV-1a, case-insensitive for ASCII); 0 means unknown.
func authorKey(a string) uint32 {
	a = strings.TrimSpace(a)
	if a == "" {
		return 0
	}
	h := uint32(2166136261)
	for i := 0; i < len(a); i++ {
		h = (h ^ uint32(lower(a[i]))) * 16777619
	}
	return max(h, 1)
}

// unixSeconds returns t in Unix seconds, or 0 for the zero time and times outside uint32.
func unixSeconds(t time.Time) uint32 {
	if t.IsZero() {
		return 0
	}
	s := t.Unix()
	if s <= 0 || s > 1<<32-1 {
		return 0
	}
	return uint32(s)
}

// cWord holds the byte classes of the bytes of a word: letters, digits, UTF-8 sequences.
const cWord = cDigit | cUpper | cLower | cHigh

// askKinds maps the [ask-*] lexicon lists to what a match of them means: a type asked for
// (its registry index), or one of the kinds below.
const (
	askRequest = -1 // the sentence is a request
	askNot     = -2 // a value that is no personal data is asked for
)

// askWord is one entry of an [ask-*] list.
type askWord struct {
	w      string
	kind   int  // the registry index of the type asked for, or askRequest, askNot
	prefix bool // "geboorte*": the word may go on
	suffix bool // "*wachtwoord": the word may start earlier
	mask   langMask
}

// askIndex holds the [ask-*] entries: words by their first three bytes, and the entries
// written with a leading '*' ("*wachtwoord"), matched as word endings. Most words of a message
// start with three bytes no entry starts with, and end in three bytes no suffix entry ends in:
// gate and suffixGate let question skip them after one lookup each.
type askIndex struct {
	words      []askWord           // every entry; a cue is 1 + an index here
	first      map[uint32][]uint16 // gateKey of the first three bytes -> entries
	short      []uint16            // entries shorter than three bytes, looked at for every word
	suffix     []uint16
	gate       [512]uint64 // bit gateKey(entry) is set for each entry in first
	suffixGate [512]uint64 // bit gateKey of the last three bytes of each suffix entry
}

// gateKey hashes three bytes of a word to a bit of askIndex.gate, the same for either case of
// an ASCII letter (its low five bits).
func gateKey(a, b, c byte) uint32 {
	return uint32(a&31)<<10 | uint32(b&31)<<5 | uint32(c&31)
}

// newAskIndexes compiles the [ask-*] lists: the request words, and the words that ask for
// something (a type, or a value that is no personal data).
func newAskIndexes(sets *[numSets][]lexEntry) (req, ask askIndex) {
	req = newAskIndex(sets, []askList{{setAskRequest, askRequest}})
	ask = newAskIndex(sets, []askList{
		{setAskNot, askNot}, {setAskName, typeIndex(Person)}, {setAskBSN, typeIndex(BSN)},
		{setAskSSN, typeIndex(SSN)}, {setAskBirth, typeIndex(BirthDate)},
		{setAskPassword, typeIndex(Password)}, {setAskBENRN, typeIndex(BENRN)},
	})
	return req, ask
}

// newAskIndex compiles the entries of lists, in their order.
func newAskIndex(sets *[numSets][]lexEntry, lists []askList) askIndex {
	x := askIndex{first: map[uint32][]uint16{}}
	for _, l := range lists {
		for _, ent := range sets[l.id] {
			w := ent.w
			suffix := w[0] == '*'
			w = strings.TrimPrefix(w, "*")
			prefix := strings.HasSuffix(w, "*")
			w = strings.TrimSuffix(w, "*")
			if w == "" {
				continue
			}
			i := uint16(len(x.words))
			x.words = append(x.words, askWord{w: w, kind: l.kind, prefix: prefix, suffix: suffix, mask: ent.mask})
			switch {
			case suffix:
				x.suffix = append(x.suffix, i)
				if n := len(w); n >= 3 {
					k := gateKey(w[n-3], w[n-2], w[n-1])
					x.suffixGate[k>>6] |= 1 << (k & 63)
				}
			case len(w) < 3:
				x.short = append(x.short, i)
			default:
				k := gateKey(w[0], w[1], w[2])
				x.gate[k>>6] |= 1 << (k & 63)
				x.first[k] = append(x.first[k], i)
			}
		}
	}
	return x
}

// askList is one [ask-*] list and what a match of it means.
type askList struct {
	id   setID
	kind int
}

// question is what one message asks for.
type question struct {
	types uint16 // registry-index bits of the types asked for
	cue   uint16 // 1 + the index of the first word that asked, or 0
	not   bool   // a value that is no personal data is asked for
}

// question returns what text asks the other party for: the [ask-*] words of its sentences that
// end in '?' or hold a request word ("graag", "please"). A word inside a longer [ask-not]
// entry ("user name", "naam van uw bedrijf") asks for nothing personal.
func (e *Engine) question(text, locale string) question {
	s := e.getScanner()
	s.reset(text, locale)
	q := s.question()
	s.text = ""
	e.putScanner(s)
	return q
}

func (s *scanner) question() question {
	t := s.text
	cls := &s.e.cls
	var st askScan
	for i := 0; i < len(t); {
		c := t[i]
		if cls[c]&cWord == 0 {
			switch {
			case c == '?':
				s.flush(&st, i, true)
			case c == '!' || c == '\n' || c == '.' && i+2 < len(t) && t[i+1] == ' ' && isUpper(t[i+2]):
				s.flush(&st, i, false)
			}
			i++
			continue
		}
		we := i + 1
		for we < len(t) && cls[t[we]]&cWord != 0 {
			we++
		}
		if cls[c]&cDigit == 0 { // no entry starts with a digit
			s.askWord(&st, i, we)
		}
		i = we
	}
	s.flush(&st, len(t), false)
	return st.q
}

// askScan is the state of question's pass: what the message asks so far, what the current
// sentence (from its start) asks and whether it holds a request word, and the end of the last
// [ask-not] match (words that ask for a type and start before skip lie inside it).
type askScan struct {
	q, sent    question
	from, skip int
	req        bool // the current sentence holds a request word ([ask-request])
}

// flush ends the sentence at end: what it asks counts when it ends in '?' (asked) or holds a
// request word.
func (s *scanner) flush(st *askScan, end int, asked bool) {
	if sent := st.sent; (sent.types != 0 || sent.not) && (asked || st.req) {
		st.q.types |= sent.types
		st.q.not = st.q.not || sent.not
		if st.q.cue == 0 {
			st.q.cue = sent.cue
		}
	}
	st.sent, st.from, st.req = question{}, end+1, false
}

// askWord adds what the [ask-*] entries matching at the word t[i:we] ask to st.sent, and
// notes a request word ([ask-request]) in st.req. Most words pass no gate of the two indexes
// and cost four bit tests.
func (s *scanner) askWord(st *askScan, i, we int) {
	t := s.text
	x, r := &s.e.ask, &s.e.askReq
	if i+3 <= len(t) {
		k := gateKey(t[i], t[i+1], t[i+2])
		if x.gate[k>>6]&(1<<(k&63)) != 0 {
			s.askIDs(st, x.first[k], i, we)
		}
		if !st.req && r.gate[k>>6]&(1<<(k&63)) != 0 {
			st.req = s.anyAsk(r, r.first[k], i, we)
		}
	}
	if x.short != nil {
		s.askIDs(st, x.short, i, we)
	}
	if !st.req && r.short != nil {
		st.req = s.anyAsk(r, r.short, i, we)
	}
	if we-i >= 4 {
		k := gateKey(t[we-3], t[we-2], t[we-1])
		if x.suffixGate[k>>6]&(1<<(k&63)) != 0 {
			s.askIDs(st, x.suffix, i, we)
		}
		if !st.req && r.suffixGate[k>>6]&(1<<(k&63)) != 0 {
			st.req = s.anyAsk(r, r.suffix, i, we)
		}
	}
}

// askIDs adds what the entries ids of Engine.ask that match at t[i:we] ask to st.sent.
func (s *scanner) askIDs(st *askScan, ids []uint16, i, we int) {
	x := &s.e.ask
	for _, id := range ids {
		a, e, ok := s.askMatch(x, id, i, we)
		if !ok {
			continue
		}
		if w := &x.words[id]; w.kind == askNot {
			st.sent.not = true
			st.skip = max(st.skip, e)
		} else if a >= st.skip {
			st.sent.types |= 1 << w.kind
			if st.sent.cue == 0 {
				st.sent.cue = id + 1
			}
		}
	}
}

// anyAsk reports whether one of the entries ids of x matches at t[i:we].
func (s *scanner) anyAsk(x *askIndex, ids []uint16, i, we int) bool {
	for _, id := range ids {
		if _, _, ok := s.askMatch(x, id, i, we); ok {
			return true
		}
	}
	return false
}

// askMatch reports whether entry id of x matches at the word t[ws:we] (a suffix entry at its
// end), and where the match lies.
func (s *scanner) askMatch(x *askIndex, id uint16, ws, we int) (a, e int, ok bool) {
	t := s.text
	w := &x.words[id]
	if w.mask&s.mask == 0 {
		return 0, 0, false
	}
	a = ws
	if w.suffix {
		a = we - len(w.w)
		if a <= ws {
			return 0, 0, false
		}
	}
	if len(w.w) > len(t)-a || !hasPrefixFold(t[a:], w.w) {
		return 0, 0, false
	}
	e = a + len(w.w)
	if !w.prefix && e < len(t) && isNameByte(t[e]) {
		return 0, 0, false
	}
	return a, e, true
}

// primed reports whether an earlier question primes type t in this call.
func (s *scanner) primed(t Type) bool { return s.pr.types != 0 && s.pr.has(typeIndex(t)) }

// primeAnswer sets up the scan of a primed answer: a name question makes the start of the
// answer a name position, as a name label would ("Naam: ...").
// A date of birth is primed only at the start of the answer (in its first line, within
// primedDateWindow bytes): a longer reply holds other dates (a forwarded mail's header, a
// delivery day) that the question did not ask for.
func (s *scanner) primeAnswer(pr prime) {
	s.pr = pr
	if s.primed(Person) {
		s.nameCtx = s.answerStart()
		s.ctxOpen = false
	}
	if s.primed(BirthDate) {
		a := s.answerStart()
		s.primedTo = min(len(s.text), a+primedDateWindow)
		if k := strings.IndexByte(s.text[a:s.primedTo], '\n'); k >= 0 {
			s.primedTo = a + k
		}
	}
}

// primedDateWindow is how far into the answer a primed date of birth may start.
const primedDateWindow = 16

// answerStart returns where the answer in the text starts: after spaces, punctuation and up to
// three [answer-lead] words ("Ja, het is", "Sure, it's").
func (s *scanner) answerStart() int {
	t := s.text
	i := skipAnswerSep(t, 0)
	for n := 0; n < 3; n++ {
		k := s.leadAt(i)
		if k == 0 {
			break
		}
		i = skipAnswerSep(t, i+k)
	}
	return i
}

// leadAt returns the length of the longest [answer-lead] entry at t[i:] followed by no letter,
// or 0.
func (s *scanner) leadAt(i int) int {
	t := s.text
	best := 0
	for _, x := range s.e.sets[setAnswerLead] {
		if n := len(x.w); n > best && x.mask&s.mask != 0 && hasPrefixFold(t[i:], x.w) && (i+n == len(t) || !isNameByte(t[i+n])) {
			best = n
		}
	}
	return best
}

// skipAnswerSep skips spaces and the punctuation between answer words (, : - !) from i.
func skipAnswerSep(t string, i int) int {
	for i < len(t) {
		switch t[i] {
		case ' ', '\t', '\r', '\n', ',', ':', '-', '!':
			i++
			continue
		}
		break
	}
	return i
}

// primedSecret claims a bare answer to a password question: the message is one token, maybe
// after [answer-lead] words, and it has a secret's shape (digits, symbols or inner capitals;
// a plain word is not claimed: "vergeten", "sure").
func (s *scanner) primedSecret() {
	if !s.primed(Password) || !s.e.enabledAny(Password) {
		return
	}
	t := s.text
	st, e := passwordToken(t, s.answerStart())
	if e-st < 4 || strings.TrimRight(t[e:], " \t\r\n.!") != "" || rendered(t, st, e) {
		return
	}
	tok := t[st:e]
	if !s.secretShape(tok, pwSep{i: st, sep: true, strong: true}, false) || letters(tok) && !ascii(tok) {
		return // a plain word: secretShape reads non-ASCII letters as symbols ("oublié")
	}
	s.add(st, e, Password, 0.9, "password.primed", "a bare token with a secret's shape")
}

// DefaultConversations is how many open questions a zero Conversations keeps.
const DefaultConversations = 4096

// Conversations holds the states of many conversations for one goroutine: the processor keeps
// one per worker, veil scan one per run. Only conversations with a question still open take
// room. At most Max are kept; a new one then replaces the oldest entry (whose next answer is
// then read as if nothing had been asked). The zero value is ready to use.
type Conversations struct {
	// Max bounds the number of conversations kept; 0 means DefaultConversations.
	Max int

	at   map[string]int // conversation id -> index in ring
	ring []convSlot
	next int // the ring slot a new conversation takes when the ring is full
}

type convSlot struct {
	id string // "" for a free slot
	st Conversation
}

// Len returns the number of conversations with an open question.
func (cs *Conversations) Len() int { return len(cs.at) }

// Get returns the state of conversation id (the zero state when none is kept).
func (cs *Conversations) Get(id string) Conversation {
	if i, ok := cs.at[id]; ok {
		return cs.ring[i].st
	}
	return Conversation{}
}

// Put stores the state of conversation id; a state with no open question is dropped.
func (cs *Conversations) Put(id string, st Conversation) {
	i, ok := cs.at[id]
	switch {
	case ok && !st.Active():
		delete(cs.at, id)
		cs.ring[i] = convSlot{}
	case ok:
		cs.ring[i].st = st
	case !st.Active():
	default:
		// A copy: id may share its memory with the whole event.
		id = strings.Clone(id)
		if cs.at == nil {
			cs.at = map[string]int{}
		}
		limit := cs.Max
		if limit <= 0 {
			limit = DefaultConversations
		}
		if len(cs.ring) < limit {
			cs.at[id] = len(cs.ring)
			cs.ring = append(cs.ring, convSlot{id: id, st: st})
			return
		}
		i = cs.next % len(cs.ring)
		if old := cs.ring[i].id; old != "" {
			delete(cs.at, old)
		}
		cs.ring[i] = convSlot{id: id, st: st}
		cs.at[id] = i
		cs.next = i + 1
	}
}

// Detect runs DetectTurn on message t of conversation id with the state kept for it.
func (cs *Conversations) Detect(e *Engine, dst []Finding, id string, t Turn) []Finding {
	st := cs.Get(id)
	dst = e.DetectTurn(dst, &st, t)
	cs.Put(id, st)
	return dst
}

// Replay runs ReplayTurn on message t of conversation id with the state kept for it.
func (cs *Conversations) Replay(e *Engine, id string, t Turn) {
	st := cs.Get(id)
	e.ReplayTurn(&st, t)
	cs.Put(id, st)
}

// letters reports whether w holds only letters (ASCII, or bytes of UTF-8 sequences).
func letters(w string) bool {
	for i := 0; i < len(w); i++ {
		if !isAlpha(w[i]) && w[i] < 0x80 {
			return false
		}
	}
	return true
}

// ascii reports whether w holds only ASCII bytes.
func ascii(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 {
			return false
		}
	}
	return true
}
