// Package rules detects personal data in conversation text and renders text
// under a masking policy. It is pure: no Kafka, no I/O on the hot path.
//
// Detection runs once per event and yields findings (type, UTF-8 byte span,
// confidence, detector id, why); each view then renders the same findings
// with its own Policy.
//
// # How one Detect call works
//
// Detect makes a single pass over the bytes of the text (scanner.run), then adds
// the findings of rule-pack detectors and deny lists, then resolves overlaps
// (Engine.resolve). Nothing is allocated per call: the scanner, its candidate
// slice and its digit buffers come from a pool.
//
// The stages, in the order one token meets them:
//
//  1. Tokens and byte classes. classTable gives every byte a class (space,
//     digit, upper, lower, high UTF-8 byte, '@', ':', '.', hex, symbol, '_' or
//     '-'). run splits the text at space-class bytes; while it walks a token it
//     ORs the classes of its bytes into one uint16 (fl), so later stages ask
//     "does this token hold a digit, a colon, an '@'?" without looking again.
//     Some delimiters are stages of their own: '<' skips an HTML tag (and finds
//     mailto: addresses in it), '&' skips an entity, '[' '(' '{' may open an
//     obfuscated address ("jan [at] example [dot] com"), '\n' starts a sentence.
//
//  2. The fast path. A token of only lower-case letters, hex digits and dots is
//     skipped by plainWord unless a gate derived from the lexicon says a rule may
//     want it (see gates): its length and last letter could end a password
//     compound, its length and first and last letters hit the trigger bitset
//     (password words, greetings, name intros, months), a name context word
//     ended just before it, or it follows "ik ben" / "I am". Most words of a
//     message end here, after one table lookup.
//
//  3. Per-token flags and dispatch. token strips leading punctuation, steps over
//     text Veil rendered itself (rendered.go: "[PERSON]", "PERSON:3f9a0c1d2e4b"),
//     remembers whether the token starts a sentence, and dispatch picks the
//     detectors by the token's first byte and its flags: long mixed tokens try
//     apiKey (provider formats from data/secrets.tsv, values in config syntax);
//     tokens starting with a digit or '+' go to numberRun; hex and colon flags
//     try ipv6; letters go to word.
//
//  4. Candidates and windows. numberRun reads a run of digit groups with their
//     separators ("06-1234 5678", "NL91 ABNA ...", "4111 1111 1111 1111") into
//     s.groups and tries every window of consecutive groups: phoneWindow on the
//     windows that start at the first group, numberWindow (IPv4, cards, BSN,
//     SSN) on all of them, then the run-level detectors (postcodes, street lines,
//     dates). word looks the word up in the lexicon table once (wordClass) and
//     uses the classes: a password keyword hands over to passwordAfter, a month
//     to the date detectors, a greeting or intro sets the name context, a
//     capitalised word goes to street and person.
//
//  5. Validation. A window becomes a candidate only when its checksum or plan
//     holds: Luhn and the issuer table (cardIssuer, data/iin.tsv), the 11-proof
//     (elfproef), the IBAN registry's length and BBAN structure and mod-97
//     (data/iban.tsv), the SSN area rules, the phone numbering plans (possible),
//     octets <= 255, a top-level domain.
//
//  6. Context. Context words are searched in a window before (and sometimes
//     after) the candidate, on the same line or in the same sentence (ctxBefore,
//     ctxSentence, ctxAfter); they raise confidence, or decide ambiguous cases (a
//     nine-digit 11-proof number is a BSN after "bsn", a reference after
//     "bestelling"). Words come from rules/lexicon/, each with the languages it
//     applies in; the scanner's language view (s.lang, s.mask) picks them.
//
//  7. Overlap resolution. Candidates may overlap (a phone number inside an IBAN
//     window, a person inside an address). resolve sorts them by start and keeps,
//     of overlapping ones, the higher confidence, then the longer span, then the
//     lower registry rank (types.go), then the detector name.
//
// A worked example: the Dutch message
//
//	Hoi Anna, bel me op 06-12345678.\nWachtwoord: Zomer24!\nGroeten,\nJan de Vries
//
// "Hoi" is capitalised, so word looks it up: a greeting. nameIntro sets
// s.nameCtx = 3 (its end) and s.ctxOpen (it opens a message). "Anna" is
// capitalised; street finds no house number after it; person sees nameCtxOK (only
// a space since the greeting), the lexicon says Anna is a given name, so a PERSON
// candidate 4..8 with confidence 0.9 is added (strong context) and the name
// context is cleared. "bel", "me", "op" take the fast path. "06-12345678." is a
// digit run of two groups, "06" and "12345678" joined by "-". phoneWindow on
// groups 0..1 (ten digits, trunk prefix 0) finds a Dutch mobile number in the
// plan, and the context word "bel" before it raises it to 0.97: PHONE_NUMBER
// 20..31. numberWindow finds no card, BSN or SSN in it. The '.' ends the
// sentence. "Wachtwoord:" has the password class: passwordAfter reads the ':'
// separator, takes the token "Zomer24!", keeps the '!' (only . , ; : ? ) quotes
// are trimmed) and, as the token mixes letters and digits, adds PASSWORD 45..53
// at 0.95. "Groeten," is a sign-off: the name context is set, and because only
// the comma and a line break follow it, it carries over the '\n'. "Jan" is a
// given name in name context; person extends it over the particle "de" and the
// capitalised "Vries": PERSON 63..75 at 0.9. No candidates overlap, so resolve
// returns the four in order.
//
// Adding a type: see docs/extending.md.
package rules
