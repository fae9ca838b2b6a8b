package rules

import "strings"

// Text Veil rendered itself. Policy.Render writes a placeholder ("[PERSON]") or a
// pseudonym (a type name, ':' and exactly PseudonymLen lower-case hex digits:
// "PERSON:3f9a0c1d2e4b"). A second pass over rendered text must leave it unchanged,
// so every detector asks the functions below, and only these, whether bytes are
// Veil's own: renderedLen at a position, renderedIn inside a token, rendered for a
// whole candidate value. A longer hex value after a type name
// ("API_KEY:a94a8fe5cc...") is still a secret.

// renderedToken returns the end of a pseudonym that Policy.Render wrote ("PERSON:" and exactly
// PseudonymLen lower-case hex digits, not followed by another one) starting at t[a],
// within the token ending at j, or 0. Text that was rendered once must come out of a second pass
// unchanged; a longer hex value after a type name ("API_KEY:a94a8fe5cc...") is still a secret.
func renderedToken(t string, a, j int) int {
	i := a
	for i < j && (isUpper(t[i]) || t[i] == '_') {
		i++
	}
	if i >= j || t[i] != ':' || !Type(t[a:i]).Valid() {
		return 0
	}
	k := i + 1
	for k < j && (isDigit(t[k]) || t[k] >= 'a' && t[k] <= 'f') {
		k++
	}
	if k-i-1 != PseudonymLen || k < len(t) && (isDigit(t[k]) || t[k] >= 'a' && t[k] <= 'f') {
		return 0
	}
	return k
}

// renderedIn finds a pseudonym Render wrote inside the token t[a:j] and returns its bounds, or -1.
func renderedIn(t string, a, j int) (int, int) {
	for k := a; k < j; k++ {
		if t[k] != ':' || !typeEndsAt(t, k) {
			continue
		}
		for r := range registry {
			ty := registry[r].Type
			if p := k - len(ty); p >= a && t[p:k] == string(ty) {
				if e := renderedToken(t, p, j); e > 0 {
					return p, e
				}
			}
		}
	}
	return -1, -1
}

// rendered reports whether t[st:e] is a value Policy.Render wrote: a placeholder ("[PASSWORD]")
// or a pseudonym ("PASSWORD:3f9a0c1d2e4b"), or the digest part of one.
func rendered(t string, st, e int) bool {
	return renderedLen(t[:e], st) == e-st || renderedBefore(t, st, e)
}

// renderedLen returns the length of a rendered value ("[PERSON]" or "PERSON:3f9a0c1d2e4b") at t[i:],
// or 0.
func renderedLen(t string, i int) int {
	if i < len(t) && t[i] == '[' {
		if k := strings.IndexByte(t[i:min(len(t), i+20)], ']'); k > 1 && Type(t[i+1:i+k]).Valid() {
			return k + 1
		}
		return 0
	}
	j := i
	for j < len(t) && t[j] > ' ' && j-i < 64 {
		j++
	}
	if e := renderedToken(t, i, j); e > 0 {
		return e - i
	}
	return 0
}

// renderedBefore reports whether t[st:e] starts with the digest part of a rendered pseudonym whose
// type name ends just before st ("PASSWORD:3f9a0c1d2e4b": PASSWORD reads as a keyword, the digest as its
// value).
func renderedBefore(t string, st, e int) bool {
	if st < 2 || t[st-1] != ':' {
		return false
	}
	for r := range registry {
		ty := registry[r].Type
		if ws := st - 1 - len(ty); ws >= 0 && t[ws:st-1] == string(ty) && renderedToken(t, ws, e) > 0 {
			return true
		}
	}
	return false
}

// typeEndsAt reports whether a type name ("PERSON", "EMAIL_ADDRESS") ends at t[i].
func typeEndsAt(t string, i int) bool {
	if i < 2 || !isUpper(t[i-1]) {
		return false // every type name ends in an upper-case letter
	}
	for r := range registry {
		ty := registry[r].Type
		if i >= len(ty) && t[i-len(ty):i] == string(ty) {
			return true
		}
	}
	return false
}
