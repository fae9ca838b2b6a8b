package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/veil-privacy/veil/rules"
)

// scanLines runs veil scan with args over the JSONL in and returns the findings per event id.
func scanLines(t *testing.T, args []string, in string) map[string][]scanFinding {
	t.Helper()
	var out, errb bytes.Buffer
	if err := runScan(context.Background(), args, strings.NewReader(in), &out, &errb); err != nil {
		t.Fatalf("runScan: %v (%s)", err, errb.String())
	}
	got := map[string][]scanFinding{}
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var r scanResult
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		got[r.EventID] = r.Findings
	}
	return got
}

// TestRunScanConversationState: scan reads events in file order and keeps a state per
// conversation_id: an agent's question primes the customer's next message in the same
// conversation only, in NL, EN, DE and FR; the answer to an order-number question stays clean,
// and events without a conversation_id stand alone.
func TestRunScanConversationState(t *testing.T) {
	in := `{"event_id":"q-nl","conversation_id":"nl","author_role":"agent","locale":"nl-NL","body":"Wat is uw geboortedatum?"}
{"event_id":"q-en","conversation_id":"en","author_role":"agent","locale":"en-GB","body":"What's your password?"}
{"event_id":"q-de","conversation_id":"de","author_role":"agent","locale":"de-DE","body":"Wie lautet Ihr Nachname, bitte?"}
{"event_id":"q-fr","conversation_id":"fr","author_role":"agent","locale":"fr-FR","body":"Quelle est votre date de naissance ?"}
{"event_id":"q-order","conversation_id":"order","author_role":"agent","locale":"nl-NL","body":"Wat is uw ordernummer?"}
{"event_id":"a-other","conversation_id":"other","author_role":"customer","locale":"nl-NL","body":"14-03-1988"}
{"event_id":"a-nl","conversation_id":"nl","author_role":"customer","locale":"nl-NL","body":"14-03-1988"}
{"event_id":"a-en","conversation_id":"en","author_role":"customer","locale":"en-GB","body":"bluefish42"}
{"event_id":"a-de","conversation_id":"de","author_role":"customer","locale":"de-DE","body":"Okafor"}
{"event_id":"a-fr","conversation_id":"fr","author_role":"customer","locale":"fr-FR","body":"14/03/1988"}
{"event_id":"a-order","conversation_id":"order","author_role":"customer","locale":"nl-NL","body":"20240117"}
{"event_id":"a-nl-again","conversation_id":"nl","author_role":"customer","locale":"nl-NL","body":"01-02-2024"}
{"event_id":"q-none","author_role":"agent","locale":"nl-NL","body":"Wat is uw geboortedatum?"}
{"event_id":"a-none","author_role":"customer","locale":"nl-NL","body":"14-03-1988"}
`
	got := scanLines(t, nil, in)
	want := map[string]rules.Type{"a-nl": rules.BirthDate, "a-en": rules.Password, "a-de": rules.Person, "a-fr": rules.BirthDate}
	for id, fs := range got {
		var types []rules.Type
		for _, f := range fs {
			types = append(types, f.Type)
		}
		w, ok := want[id]
		if ok && (len(types) != 1 || types[0] != w) || !ok && len(types) != 0 {
			t.Errorf("%s: found %v, want %q", id, types, w)
		}
	}
	if len(got) != 14 {
		t.Errorf("%d events written, want 14", len(got))
	}
}

// TestRunScanExplain: -explain says for each finding its detector, the validator that passed,
// and the context word or the question word that primed it.
func TestRunScanExplain(t *testing.T) {
	in := `{"event_id":"q","conversation_id":"c","author_role":"agent","locale":"nl-NL","body":"Wat is uw burgerservicenummer?"}
{"event_id":"a","conversation_id":"c","author_role":"customer","locale":"nl-NL","body":"123456782"}
{"event_id":"ctx","conversation_id":"d","locale":"nl-NL","body":"Mijn BSN is 111222333"}
`
	got := scanLines(t, []string{"-explain"}, in)
	tests := []struct {
		give string
		want rules.Explanation
	}{
		{"a", rules.Explanation{Detector: "bsn.elfproef", Validator: "11-proof", Question: "burgerservicenummer"}},
		{"ctx", rules.Explanation{Detector: "bsn.elfproef", Validator: "11-proof and BSN context word", Context: "bsn"}},
	}
	for _, tt := range tests {
		fs := got[tt.give]
		if len(fs) != 1 || fs[0].Explain == nil {
			t.Fatalf("%s: findings %+v, want one explained", tt.give, fs)
		}
		if *fs[0].Explain != tt.want {
			t.Errorf("%s: explain %+v, want %+v", tt.give, *fs[0].Explain, tt.want)
		}
	}
	// Without -explain no explanation is written.
	for id, fs := range scanLines(t, nil, in) {
		for _, f := range fs {
			if f.Explain != nil {
				t.Errorf("%s: explanation without -explain", id)
			}
		}
	}
	var out, errb bytes.Buffer
	if err := runScan(context.Background(), []string{"-explain", "-redact"}, strings.NewReader(in), &out, &errb); err == nil {
		t.Error("-explain with -redact: no error")
	}
}
