package processor_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/veil-privacy/veil/processor"
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

// TestConversationStateRebuilt: the questions are handled by one instance, which then stops;
// the bare answers come after it, to a new instance with no state of its own. It reads back
// what the first one handled of its partitions and redacts the answers as if it had seen the
// questions, under either guarantee. The control (an order number) stays readable.
func TestConversationStateRebuilt(t *testing.T) {
	for _, guarantee := range []string{processor.AtLeastOnce, processor.ExactlyOnce} {
		t.Run(guarantee, func(t *testing.T) {
			t0 := time.Now().UTC().Add(-2 * time.Minute).Truncate(time.Second)
			convs := []struct{ locale, question, answer string }{
				{"nl-NL", "Wat is uw burgerservicenummer?", "123456782"},
				{"en-GB", "What's your password?", "bluefish42"},
				{"fr-FR", "Quelle est votre date de naissance ?", "14/03/1988"},
				{"nl-NL", "Wat is uw ordernummer?", "20240117"}, // the control
			}
			// Other traffic on the same partitions before and between, so the read-back has
			// something to go through.
			var questions, answers []schemas.ConversationEvent
			for i := range 40 {
				questions = append(questions, schemas.ConversationEvent{
					EventID: fmt.Sprintf("other-%d", i), ConversationID: fmt.Sprintf("other-%d", i%7), CustomerID: "cust-other",
					Channel: "chat", Locale: "en-GB", AuthorRole: "customer", SentAt: t0, Body: "Thanks, that helps.",
				})
			}
			for i, c := range convs {
				conv := fmt.Sprintf("conv-%d", i)
				ev := schemas.ConversationEvent{
					ConversationID: conv, CustomerID: "cust-" + conv, Channel: "chat", Locale: c.locale,
				}
				q, a := ev, ev
				q.EventID, q.AuthorRole, q.SentAt, q.Body = conv+"/q", "agent", t0, c.question
				a.EventID, a.AuthorRole, a.SentAt, a.Body = conv+"/a", "customer", t0.Add(time.Minute), c.answer
				questions, answers = append(questions, q), append(answers, a)
			}
			e := newEnv(t)
			cfg := e.config(4)
			cfg.Processing.Guarantee = guarantee
			cfg.Processing.TransactionalID = e.Prefix + "-txn"
			e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, questions)...)
			stop := e.start(cfg)
			e.WaitCommitted(cfg.Group, cfg.Topics.Raw, 2*time.Minute)
			if err := stop(); err != nil {
				t.Fatalf("first instance: %v", err)
			}
			e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, answers)...)
			e.start(cfg)
			got := viewRecords(t, e, cfg, len(questions)+len(answers))
			for view, byID := range got {
				for i, c := range convs {
					r := byID[fmt.Sprintf("conv-%d/a", i)]
					if leaked, control := strings.Contains(r.ev.Body, c.answer), i == len(convs)-1; leaked != control {
						t.Errorf("%s: answer %q to %q, asked of the first instance, rendered by the second as %q",
							view, c.answer, c.question, r.ev.Body)
					}
				}
			}
		})
	}
}
