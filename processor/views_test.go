package processor_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/kafkatest"
	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

// viewRecords reads the three default views and returns, per view name, the
// rendered events by event id, with the raw records.
func viewRecords(t *testing.T, e *env, cfg processor.Config, n int) map[string]map[string]rendered {
	t.Helper()
	out := map[string]map[string]rendered{}
	codec, err := schemas.NewCodec(cfg.Output.Format)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range cfg.Views {
		recs := e.ConsumeKeys(v.Topic, n, 2*time.Minute)
		out[v.Name] = map[string]rendered{}
		for _, r := range recs {
			re, err := codec.DecodeRendered(r.Value)
			if err != nil {
				t.Fatalf("%s: %v", v.Name, err)
			}
			out[v.Name][re.EventID] = rendered{re, r}
		}
		if len(out[v.Name]) != n {
			t.Fatalf("view %s holds %d events, want %d", v.Name, len(out[v.Name]), n)
		}
	}
	return out
}

type rendered struct {
	ev  schemas.RenderedEvent
	rec *kgo.Record
}

// all is every byte of the record a reader of the view sees.
func (r rendered) all() string {
	var b strings.Builder
	b.Write(r.rec.Key)
	b.Write(r.rec.Value)
	for _, h := range r.rec.Headers {
		b.WriteString(h.Key)
		b.Write(h.Value)
	}
	// What Veil itself writes (pseudonym digests, the processing time) is left out: a short value
	// such as a four-digit PIN can occur in it by chance.
	return generatedRE.ReplaceAllString(b.String(), "")
}

var generatedRE = regexp.MustCompile(`[A-Z_]+:[0-9a-f]{12}|"processed_at":"[^"]*"`)

var tokenRE = func(t rules.Type) *regexp.Regexp { return regexp.MustCompile(`^` + string(t) + `:[0-9a-f]{12}$`) }

// TestViewPolicies: each type rendered in each default view as its policy says.
func TestViewPolicies(t *testing.T) {
	const (
		redacted = "redact"
		pseudo   = "pseudonymize"
		kept     = "keep"
	)
	tests := []struct {
		typ                                 rules.Type
		before, value, after                string
		analytics, personalization, support string // action, or the exact rendering for mask
	}{
		{rules.Email, "Mail me at ", "anna.devries@example.nl", " please.", redacted, pseudo, kept},
		{rules.Phone, "Bel me op ", "+31 6 12345678", " vanmiddag.", redacted, pseudo, kept},
		{rules.CreditCard, "My card was charged twice. Card: ", "5555 5555 5555 4444", " too.", redacted, redacted, "•••• •••• •••• 4444"},
		{rules.IBAN, "Mijn rekening is ", "NL91ABNA0417164300", " graag.", redacted, redacted, "••••••••••••••4300"},
		{rules.BSN, "Mijn BSN is ", "111222333", " voor de aanvraag.", redacted, redacted, redacted},
		{rules.SSN, "My SSN is ", "078-05-1120", " for the form.", redacted, redacted, redacted},
		{rules.IP, "The server at ", "203.0.113.42", " is down.", redacted, redacted, redacted},
	}
	e := newEnv(t)
	cfg := e.config(4) // the three default views
	var evs []schemas.ConversationEvent
	for i, tt := range tests {
		evs = append(evs, schemas.ConversationEvent{
			EventID: fmt.Sprintf("ev-%d", i), ConversationID: fmt.Sprintf("conv-%d", i), CustomerID: "cust-1",
			Channel: "chat", Locale: "nl-NL", AuthorRole: "customer", SentAt: time.Now().UTC(),
			Body: tt.before + tt.value + tt.after,
		})
	}
	e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, evs)...)
	e.start(cfg)
	got := viewRecords(t, e, cfg, len(evs))
	for i, tt := range tests {
		for view, want := range map[string]string{"analytics": tt.analytics, "personalization": tt.personalization, "support": tt.support} {
			r := got[view][fmt.Sprintf("ev-%d", i)]
			body, ok := strings.CutPrefix(r.ev.Body, tt.before)
			if ok {
				body, ok = strings.CutSuffix(body, tt.after)
			}
			if !ok {
				t.Errorf("%s in %s: body %q does not keep the text around the value", tt.typ, view, r.ev.Body)
				continue
			}
			switch want {
			case redacted:
				ok = body == "["+string(tt.typ)+"]"
			case pseudo:
				ok = tokenRE(tt.typ).MatchString(body)
			case kept:
				ok = body == tt.value
			default:
				ok = body == want
			}
			if !ok {
				t.Errorf("%s in %s: rendered as %q, want %s", tt.typ, view, body, want)
			}
			if want != kept && strings.Contains(r.all(), tt.value) {
				t.Errorf("%s in %s: raw value present in the record", tt.typ, view)
			}
		}
	}
	// Structured fields: customer_id pseudonymized in analytics and
	// personalization, kept for support agents.
	for view, re := range map[string]*regexp.Regexp{
		"analytics": tokenRE("CUSTOMER_ID"), "personalization": tokenRE("CUSTOMER_ID"), "support": regexp.MustCompile(`^cust-1$`),
	} {
		if id := got[view]["ev-0"].ev.CustomerID; !re.MatchString(id) {
			t.Errorf("customer_id in %s = %q, want %v", view, id, re)
		}
	}
}

// TestPseudonyms: one token per value and customer, across events; other
// customers get other tokens; a replaced key gives new tokens.
func TestPseudonyms(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(4)
	t0 := time.Now().UTC()
	ev := func(id, cust, body string) schemas.ConversationEvent {
		return schemas.ConversationEvent{EventID: id, ConversationID: "conv-" + id, CustomerID: cust,
			Channel: "email", Locale: "en-GB", SentAt: t0, Body: body}
	}
	evs := []schemas.ConversationEvent{
		ev("a1", "cust-a", "Write to shared.inbox@example.com please"),
		ev("a2", "cust-a", "Again: SHARED.INBOX@example.com is mine"),
		ev("b1", "cust-b", "Write to shared.inbox@example.com please"),
	}
	e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, evs)...)
	p, stop := e.startProcessor(cfg)
	got := viewRecords(t, e, cfg, len(evs))["personalization"]
	token := func(id string) string {
		return regexp.MustCompile(`EMAIL_ADDRESS:[0-9a-f]{12}`).FindString(got[id].ev.Body)
	}
	a1, a2, b1 := token("a1"), token("a2"), token("b1")
	if a1 == "" || a1 != a2 {
		t.Errorf("same customer, same address: tokens %q and %q, want equal", a1, a2)
	}
	if b1 == "" || b1 == a1 {
		t.Errorf("two customers, same address: tokens %q and %q, want different", a1, b1)
	}

	if err := p.Keyring().Replace(kafkatest.Context(t), p.Keyring().SubjectID("cust-a")); err != nil {
		t.Fatal(err)
	}
	e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, []schemas.ConversationEvent{ev("a3", "cust-a", "Write to shared.inbox@example.com please")})...)
	got = viewRecords(t, e, cfg, len(evs)+1)["personalization"]
	a3 := token("a3")
	if a3 == "" || a3 == a1 {
		t.Errorf("after the key was replaced: token %q, want one other than %q", a3, a1)
	}

	// A new instance restores the keys from the topic: same tokens.
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, []schemas.ConversationEvent{
		ev("a4", "cust-a", "shared.inbox@example.com"), ev("b2", "cust-b", "shared.inbox@example.com"),
	})...)
	e.start(cfg)
	got = viewRecords(t, e, cfg, len(evs)+3)["personalization"]
	if a4, b2 := token("a4"), token("b2"); a4 != a3 || b2 != b1 {
		t.Errorf("after a restart: tokens %q and %q, want %q and %q (keys restored from the topic)", a4, b2, a3, b1)
	}
}

// TestCorpusViews: the labelled dev corpus through the default views. No
// detected value of a type a view does not keep appears anywhere in that
// view's records, and the analytics view leaks at most 1% of labelled spans.
func TestCorpusViews(t *testing.T) {
	// The dev corpus beside the repository when it is there (a developer's checkout), and always
	// the held-out set committed with the engine's tests.
	corpora := []string{"../../shared/corpus/dev.jsonl", "../rules/testdata/heldout2/heldout2.jsonl"}
	ran := 0
	for _, corpus := range corpora {
		f, err := os.Open(corpus)
		if errors.Is(err, fs.ErrNotExist) {
			t.Logf("%s is not there; not run on it", corpus)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		ran++
		t.Run(filepath.Base(corpus), func(t *testing.T) {
			defer f.Close()
			corpusViews(t, f)
		})
	}
	if ran == 0 {
		t.Fatal("no labelled corpus found")
	}
}

// corpusViews runs a labelled corpus (JSON lines with spans) through every
// view and checks that no value of a type a view does not keep reaches it.
func corpusViews(t *testing.T, f *os.File) {
	type span struct {
		Field, Type, Text string
	}
	type line struct {
		schemas.ConversationEvent
		Spans []span `json:"spans"`
	}
	var lines []line
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	e := newEnv(t)
	cfg := e.config(4)
	evs := make([]schemas.ConversationEvent, len(lines))
	for i, l := range lines {
		evs[i] = l.ConversationEvent
	}
	e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, evs)...)
	e.start(cfg)
	got := viewRecords(t, e, cfg, len(evs))

	engine, err := rules.NewEngine(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	leaks := map[string]int{}
	for _, v := range cfg.Views {
		kept := map[rules.Type]bool{} // masked values must not appear whole either
		for typ, r := range v.Policy.Types {
			kept[typ] = r.Action == rules.Keep
		}
		for _, l := range lines {
			r := got[v.Name][l.EventID]
			all := r.all()
			for _, field := range []string{l.Body, l.Subject} {
				for _, fd := range engine.Detect(nil, field, l.Locale) {
					if val := field[fd.Start:fd.End]; !kept[fd.Type] && len(val) >= 4 && strings.Contains(all, val) {
						t.Errorf("view %s, event %s: detected %s value present in the record", v.Name, l.EventID, fd.Type)
					}
				}
			}
			for _, s := range l.Spans {
				out := r.ev.Body
				if s.Field == "subject" {
					out = r.ev.Subject
				}
				if !kept[rules.Type(s.Type)] && strings.Contains(out, s.Text) {
					leaks[v.Name]++
				}
			}
		}
	}
	spans := 0
	for _, l := range lines {
		spans += len(l.Spans)
	}
	rate := float64(leaks["analytics"]) / float64(spans)
	t.Logf("labelled spans: %d; still readable: analytics %d (rate %.4f), personalization %d, support %d (of types it does not keep)",
		spans, leaks["analytics"], rate, leaks["personalization"], leaks["support"])
	if rate > 0.01 {
		t.Errorf("analytics leak rate %.4f, want <= 0.01", rate)
	}
}

// TestViewSidecar: every view record carries its sidecar (the veil.spans
// header); it describes the rendered texts exactly (Rerender with nothing
// to do accepts it and changes nothing), shows each finding in the form its
// view renders it, and is enough to re-render a record more strictly: the
// support and personalization bodies re-rendered with every finding
// redacted are the analytics body.
func TestViewSidecar(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(4)
	ev := schemas.ConversationEvent{
		EventID: "ev-1", ConversationID: "conv-1", CustomerID: "cust-1", Channel: "email", Locale: "nl-NL",
		AuthorRole: "customer", AuthorName: "Anna de Vries", AuthorEmail: "anna.devries@example.nl", SentAt: time.Now().UTC(),
		Subject: "Rekening NL91ABNA0417164300",
		Body:    "Mail me at anna.devries@example.nl, card 5555 5555 5555 4444, BSN 111222333. Bel +31 6 12345678.",
	}
	e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, []schemas.ConversationEvent{ev})...)
	e.start(cfg)
	got := viewRecords(t, e, cfg, 1)
	type want struct {
		field rules.Field
		typ   rules.Type
		form  rules.Form
		text  string // "" for any
	}
	wants := map[string][]want{
		"analytics": {{rules.FieldBody, rules.Email, rules.Redacted, "[EMAIL_ADDRESS]"}, {rules.FieldBody, rules.BSN, rules.Redacted, "[NL_BSN]"},
			{rules.FieldSubject, rules.IBAN, rules.Redacted, "[IBAN_CODE]"}, {rules.FieldCustomerID, rules.CustomerID, rules.Pseudonymized, ""}},
		"personalization": {{rules.FieldBody, rules.Email, rules.Pseudonymized, ""}, {rules.FieldBody, rules.Phone, rules.Pseudonymized, ""},
			{rules.FieldBody, rules.CreditCard, rules.Redacted, "[CREDIT_CARD]"}, {rules.FieldAuthorEmail, rules.Email, rules.Pseudonymized, ""}},
		"support": {{rules.FieldBody, rules.Email, rules.Kept, "anna.devries@example.nl"}, {rules.FieldBody, rules.CreditCard, rules.Masked, "•••• •••• •••• 4444"},
			{rules.FieldBody, rules.BSN, rules.Redacted, "[NL_BSN]"}, {rules.FieldBody, rules.Phone, rules.Kept, "+31 6 12345678"},
			{rules.FieldSubject, rules.IBAN, rules.Masked, "••••••••••••••4300"}, {rules.FieldCustomerID, rules.CustomerID, rules.Kept, "cust-1"},
			{rules.FieldAuthorName, rules.Person, rules.Kept, "Anna de Vries"}, {rules.FieldAuthorEmail, rules.Email, rules.Kept, "anna.devries@example.nl"}},
	}
	redactAll := rules.RedactAll()
	for view, ws := range wants {
		r := got[view]["ev-1"]
		var side []byte
		n := 0
		for _, h := range r.rec.Headers {
			if h.Key == processor.HeaderSpans {
				side, n = h.Value, n+1
			}
		}
		if n != 1 {
			t.Fatalf("%s: %d %s headers, want 1", view, n, processor.HeaderSpans)
		}
		t.Logf("%s: %s %s", view, processor.HeaderSpans, side)
		spans, err := rules.ParseSidecar(nil, side)
		if err != nil {
			t.Fatalf("%s: sidecar %q: %v", view, side, err)
		}
		texts := []string{r.ev.Body, r.ev.Subject, r.ev.CustomerID, r.ev.AuthorName, r.ev.AuthorEmail}
		for f, text := range texts {
			again, _, err := rules.Rerender(nil, text, rules.FieldSpans(spans, rules.Field(f)), nil, nil, nil, nil)
			if err != nil || string(again) != text {
				t.Errorf("%s: field %s %q with sidecar %q: re-rendered as it is: %q, %v", view, rules.Field(f), text, side, again, err)
			}
		}
		for _, w := range ws {
			found := false
			for _, s := range rules.FieldSpans(spans, w.field) {
				shown := texts[w.field][s.Start:s.End]
				found = found || s.Type == w.typ && s.Form == w.form && (w.text == "" || shown == w.text)
			}
			if !found {
				t.Errorf("%s: no %s span of %s in %s (%q), sidecar %q", view, w.form, w.typ, w.field, texts[w.field], side)
			}
		}
		body, _, err := rules.Rerender(nil, r.ev.Body, rules.FieldSpans(spans, rules.FieldBody), &redactAll, nil, nil, nil)
		if want := got["analytics"]["ev-1"].ev.Body; err != nil || string(body) != want {
			t.Errorf("%s: body re-rendered with every finding redacted: %q, %v; want the analytics body %q", view, body, err, want)
		}
	}
}
