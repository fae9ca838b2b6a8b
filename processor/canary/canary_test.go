package canary

import (
	"strings"
	"testing"
	"time"

	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		give Config
		want string // "" for valid
	}{
		{"default", Default(), ""},
		{"off with no interval", Config{}, ""},
		{"on", Config{Enabled: true, Interval: time.Second}, ""},
		{"on too fast", Config{Enabled: true, Interval: time.Millisecond}, "below 100ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.give.Validate()
			if (err == nil) != (tt.want == "") || err != nil && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestLeaks renders a canary with real policies and checks what Leaks
// reports: nothing for a rendering by the view's own policy, the type of a
// value left readable (as written or respaced), never a type the policy keeps.
func TestLeaks(t *testing.T) {
	e, err := rules.NewEngine(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	cs, err := rules.NewCanaries()
	if err != nil {
		t.Fatal(err)
	}
	m := cs.Make(42)
	iban := value(m, rules.IBAN)
	redact := rules.Policy{Default: rules.Rule{Action: rules.Redact}}
	keepIBAN := rules.Policy{Default: rules.Rule{Action: rules.Redact}, Types: map[rules.Type]rules.Rule{rules.IBAN: {Action: rules.Keep}}}
	mask := rules.Policy{Default: rules.Rule{Action: rules.Mask, KeepLast: 4}}
	render := func(p rules.Policy, text string) string {
		return string(p.Render(nil, text, e.Detect(nil, text, "en"), nil, nil))
	}
	tests := []struct {
		name  string
		view  rules.Policy
		body  string
		email string // the rendered author_email
		want  []rules.Type
	}{
		{"redacted", redact, render(redact, m.Text), "", nil},
		{"masked to the last four", mask, render(mask, m.Text), "", nil},
		{"IBAN left as written", redact, render(redact, m.Text) + " " + iban, "", []rules.Type{rules.IBAN}},
		{"IBAN respaced", redact, render(redact, m.Text) + " " + strings.ReplaceAll(iban, " ", ""), "", []rules.Type{rules.IBAN}},
		{"IBAN kept by the policy", keepIBAN, render(keepIBAN, m.Text), "", nil},
		{"first name alone", redact, render(redact, m.Text) + " Hi " + strings.Fields(value(m, rules.Person))[0] + "!", "", []rules.Type{rules.Person}},
		{"e-mail field left", redact, render(redact, m.Text), value(m, rules.Email), []rules.Type{rules.Email}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := View{Name: "v", Text: tt.view, Fields: rules.Policy{Default: rules.Rule{Action: rules.Remove}}}
			got := Leaks(v, m, schemas.RenderedEvent{Body: tt.body, AuthorEmail: tt.email})
			if len(got) != len(tt.want) || len(got) > 0 && got[0] != tt.want[0] {
				t.Errorf("Leaks = %v, want %v\nbody: %s", got, tt.want, tt.body)
			}
		})
	}
}

// TestNewRefusesConfluentInput: a confluent-framed canary event would need
// a schema id; New says so instead of sending what the processor cannot
// decode.
func TestNewRefusesConfluentInput(t *testing.T) {
	_, err := New(Config{Enabled: true, Interval: time.Second}, Setup{Input: schemas.FormatConfluent, Output: schemas.FormatJSON},
		nil, nil)
	if err == nil || !strings.Contains(err.Error(), "confluent") {
		t.Errorf("New = %v, want confluent input refused", err)
	}
}
