package rules

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// ruleBody returns a body of rule r's class and length n, drawn from rng, that is no placeholder.
func ruleBody(r *secretRule, n int, rng *rand.Rand) string {
	var pool []byte
	for c := 0; c < 128; c++ {
		if bodyByte(r.body, byte(c)) {
			pool = append(pool, byte(c))
		}
	}
	for {
		b := make([]byte, n)
		for i := range b {
			b[i] = pool[rng.IntN(len(pool))]
		}
		if !placeholder(string(b)) && !plainLetters(string(b)) && isAlnum(b[n-1]) {
			return string(b)
		}
	}
}

// rulePrefix writes the rule's prefix with its wildcards filled in.
func rulePrefix(r *secretRule) string {
	return strings.NewReplacer("#", "7", "?", "q").Replace(r.prefix)
}

// ruleExample builds a sentence holding a token of rule r with a body of n bytes.
func ruleExample(r *secretRule, body string) (string, string) {
	tok := rulePrefix(r) + body
	if r.url {
		tok = "https://" + tok
	}
	if r.ctx {
		return "the token is " + tok + " thanks", tok
	}
	return "see " + tok + " thanks", tok
}

// TestSecretRuleExamples checks every rule of data/secrets.tsv on its own examples: a token of
// its shape is found by that rule (true positive), and the same prefix with a placeholder body,
// a body one byte short or one byte long, or a byte outside its class is not (false positives).
func TestSecretRuleExamples(t *testing.T) {
	e := newTestEngine(t)
	rng := rand.New(rand.NewPCG(11, 13))
	var rules []*secretRule
	for c := range e.secretRules.byFirst {
		rules = append(rules, e.secretRules.byFirst[c]...)
	}
	rules = append(rules, e.secretRules.wild...)
	if len(rules) < 140 {
		t.Fatalf("loaded %d secret rules, want at least 140", len(rules))
	}
	byRule := func(give string, r *secretRule) bool {
		for _, f := range e.Detect(nil, give, "en-GB") {
			if f.Why == r.why {
				return true
			}
		}
		return false
	}
	for _, r := range rules {
		give, tok := ruleExample(r, ruleBody(r, r.min, rng))
		if !byRule(give, r) {
			t.Errorf("rule %s: true positive %q not found", r.id, tok)
		}
		fps := []string{strings.Repeat("x", r.min), ruleBody(r, r.max+1, rng)}
		if r.min > 1 {
			fps = append(fps, ruleBody(r, r.min-1, rng))
		}
		if r.body != 'k' {
			b := []byte(ruleBody(r, r.min, rng))
			b[len(b)/2] = '~'
			fps = append(fps, string(b))
		}
		for _, fp := range fps {
			if give, tok := ruleExample(r, fp); byRule(give, r) {
				t.Errorf("rule %s: false positive %q found", r.id, tok)
			}
		}
		if r.ctx {
			if give := "see " + tok + " thanks"; byRule(give, r) {
				t.Errorf("rule %s: found without a key word in %q", r.id, give)
			}
		}
	}
}

func TestSecretRuleParse(t *testing.T) {
	for _, bad := range []string{
		"x\tab_\tA\t10",            // too few columns
		"x\tab_\tZ\t10\t10\t-",     // unknown class
		"x\tab_\tA\t10\t5\t-",      // min > max
		"x\tab_\tA\t10\t10\tmaybe", // bad ctx
		"x\tab_\tA\t10\t10\t-\tIBAN_CODE",
	} {
		if _, err := parseSecretRule(bad); err == nil {
			t.Errorf("parseSecretRule(%q) = nil error", bad)
		}
	}
}

func TestDetectSecretsInCode(t *testing.T) {
	runCases(t, []detectCase{
		{give: "export SERVICE_TOKEN='ghp_R7xk2LmQ9vT4bN8wZ1cY6dF3hJ5sA0pE2gKu'",
			want: []string{"API_KEY:ghp_R7xk2LmQ9vT4bN8wZ1cY6dF3hJ5sA0pE2gKu"}},
		{give: "var x = \"q8Fz3LmW2vXk9TnB4cR7yH1d\";", want: []string{"API_KEY:q8Fz3LmW2vXk9TnB4cR7yH1d"}},
		{give: "conf := `q8Fz3LmW2vXk9TnB4cR7yH1d`", want: []string{"API_KEY:q8Fz3LmW2vXk9TnB4cR7yH1d"}},
		{give: "$cfg .= 'q8Fz3LmW2vXk9TnB4cR7yH1d';", want: []string{"API_KEY:q8Fz3LmW2vXk9TnB4cR7yH1d"}},
		{give: "<apiKey>zq7Lm3Xv9Tk2Wb5N</apiKey>", want: []string{"API_KEY:zq7Lm3Xv9Tk2Wb5N"}},
		{give: "APP_SECRET=duffel_live_Qm3xT8vL2kZ9wB4nR7cY1dF6hJ0sA5pE3gKuVb2Wn8x", want: []string{"API_KEY:duffel_live_Qm3xT8vL2kZ9wB4nR7cY1dF6hJ0sA5pE3gKuVb2Wn8x"}},
		{give: "run curl -u deploy:Wq9xL2mp https://ci.example.com/api", want: []string{"PASSWORD:Wq9xL2mp"}},
		{give: "curl --user=deploy:Wq9xL2mp", want: []string{"PASSWORD:Wq9xL2mp"}},
		{give: "db postgres://app:Sup3rS3cret9@db.example.com:5432/main ok", want: []string{"PASSWORD:Sup3rS3cret9"}},
		{give: "post to https://hooks.slack.com/services/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",
			want: []string{"API_KEY:https://hooks.slack.com/services/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"}},
		// Split secrets: an app id and its secret, a bot id and its token, a hex pair after a key word.
		{give: "token 1234567890123456|Rk3mQ8xL2vZ9wT4nB7cY1dF6hJ0", want: []string{"API_KEY:1234567890123456|Rk3mQ8xL2vZ9wT4nB7cY1dF6hJ0"}},
		{give: "bot 482910375:AAq8Fz3LmW2vXk9TnB4cR7yH1dW5sE0pG2jK", want: []string{"API_KEY:482910375:AAq8Fz3LmW2vXk9TnB4cR7yH1dW5sE0pG2jK"}},
		{give: "api key 08d1ba3a:bf2e4762", want: []string{"API_KEY:08d1ba3a:bf2e4762"}},
		{give: "Das Token 7304918265510473 wurde geteilt.", want: []string{"API_KEY:7304918265510473"}},
		{give: "login: jan.smit@example.com:Tr0ub4dor!3", want: []string{"EMAIL_ADDRESS:jan.smit@example.com", "PASSWORD:Tr0ub4dor!3"}},
	})
}

func TestSecretLookAlikes(t *testing.T) {
	runCases(t, []detectCase{
		// Placeholders of documentation and templates.
		{give: "token ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", want: nil},
		{give: "export API_KEY='<your-token-here>'", want: nil},
		{give: "api_key: \"${API_KEY}\"", want: nil},
		{give: "secret 000000000000000000", want: nil},
		{give: "token aaaaaaaaaa1111111111bbbbbbbbbb2222222222", want: nil},
		// UUIDs, host names, versions and times without a key word.
		{give: "order 3f2b8c1e-9d4a-4e7b-b6c5-0a1d2e3f4a5b was shipped", want: nil},
		{give: "see lh3.example-cdn.com/a8Xk2/Qm9Lz/photo-1234.jpg for the picture", want: nil},
		{give: "update to version 12.4.0-beta3+build2024 tonight", want: nil},
		{give: "the meeting is at 10:30:15 sharp", want: nil},
		{give: "key signing at cdn7.images.example.com today", want: nil},
		// Lines of a PGP public-key block.
		{give: "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBGRk2xQBEADc3Lq0yT7vZ8kWm4Xr9nB2pF5hJ1sA0gE3uK6iO8lR7tY2wQ9c\nVb4Nn1Mz5Lx3Kc7Jd8Hf2Gs6Ah0Qp9Wo4Ei5Ru3Ty1Ui8Yo2Pl7Ak6Sj9Dh3Fg5\n-----END PGP PUBLIC KEY BLOCK-----", want: nil},
		// URL-encoded prose in a query string is text, not a key.
		{give: "https://support.example.org/contact?msg=Met%20de%20code%20a%3Db%20in%20de%20instellingen%20werkt%20het%20weer", want: nil},
		// Words after a key word are not keys, nor short ids.
		{give: "the api key supermarkets", want: nil},
		{give: "token Datenbankverbindung", want: nil},
	})
}
