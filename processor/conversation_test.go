package processor_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/veil-privacy/veil/schemas"
)

// TestConversationState: an agent's question primes the customer's next message in the same
// conversation, through kfake and the worker pool (rules.DetectTurn). A bare date of birth,
// password and name after their questions are redacted in every view, though each alone is
// not; the answer to an order-number question is left alone. (The support view keeps names.)
func TestConversationState(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	convs := []struct {
		locale, question, answer string
		leaks                    bool   // the answer is no personal data and stays readable
		keptIn                   string // a view whose policy keeps this type
	}{
		{"nl-NL", "Wat is uw geboortedatum?", "14-03-1988", false, ""},
		{"en-GB", "What's your password?", "bluefish42", false, ""},
		{"de-DE", "Wie ist Ihr Nachname?", "Okafor", false, "support"},
		{"fr-FR", "Quel est votre mot de passe ?", "soleil#77", false, ""},
		{"nl-NL", "Wat is uw ordernummer?", "20240117", true, ""},
	}
	var evs []schemas.ConversationEvent
	for i, c := range convs {
		conv := fmt.Sprintf("conv-%d", i)
		for k, m := range []struct{ role, body string }{{"agent", c.question}, {"customer", c.answer}} {
			evs = append(evs, schemas.ConversationEvent{
				EventID: fmt.Sprintf("%s/ev-%d", conv, k), ConversationID: conv, CustomerID: "cust-" + conv,
				Channel: "chat", Locale: c.locale, AuthorRole: m.role, SentAt: t0.Add(time.Duration(k) * time.Minute),
				Body: m.body,
			})
		}
	}
	e := newEnv(t)
	cfg := e.config(4)
	e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, evs)...)
	e.start(cfg)
	got := viewRecords(t, e, cfg, len(evs))
	for view, byID := range got {
		for i, c := range convs {
			r := byID[fmt.Sprintf("conv-%d/ev-1", i)]
			if leaked := strings.Contains(r.ev.Body, c.answer); leaked != (c.leaks || view == c.keptIn) {
				t.Errorf("%s: answer %q to %q rendered as %q; readable %v", view, c.answer, c.question, r.ev.Body, leaked)
			}
		}
	}
}
