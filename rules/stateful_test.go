package rules

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
)

// statefulCase is one line of testdata/stateful/turns.jsonl.
type statefulCase struct {
	Locale   string `json:"locale"`
	Question string `json:"question"`
	Answer   string `json:"answer"`
	Type     Type   `json:"type"`
	Value    string `json:"value"`
}

// statefulScore counts, over the answers of one language: the values found whole with their
// type, the values left readable, and the findings in controls.
type statefulScore struct {
	values, found, fp, controls int
}

func (s statefulScore) leak() float64 { return float64(s.values-s.found) / float64(max(1, s.values)) }

func (s statefulScore) precision() float64 {
	return float64(s.found) / float64(max(1, s.found+s.fp))
}

// TestStatefulSet scores the bare answers of testdata/stateful/ with the conversation state
// (the question, then the answer, through DetectTurn) and without it (Detect on the answer
// alone). With the state no control is claimed, each language leaks at most 0.15 (one value
// of its seven to eleven) and less than without, and all together at most 0.05; the figures are in docs/accuracy.md
// (go test ./rules/ -run TestStatefulSet -v prints them).
func TestStatefulSet(t *testing.T) {
	e := newTestEngine(t)
	f, err := os.Open("testdata/stateful/turns.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	with, without := map[string]*statefulScore{}, map[string]*statefulScore{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c statefulCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		lang := c.Locale[:2]
		for _, m := range []map[string]*statefulScore{with, without} {
			if m[lang] == nil {
				m[lang] = &statefulScore{}
			}
		}
		var st Conversation
		e.DetectTurn(nil, &st, Turn{Text: c.Question, Locale: c.Locale, Author: "agent"})
		primed := e.DetectTurn(nil, &st, Turn{Text: c.Answer, Locale: c.Locale, Author: "customer"})
		alone := e.Detect(nil, c.Answer, c.Locale)
		for _, r := range []struct {
			fs []Finding
			s  *statefulScore
			on bool
		}{{primed, with[lang], true}, {alone, without[lang], false}} {
			if c.Type == "" {
				r.s.controls++
				r.s.fp += len(r.fs)
				if r.on && len(r.fs) > 0 {
					t.Errorf("control %q -> %q: claimed %+v", c.Question, c.Answer, r.fs)
				}
				continue
			}
			r.s.values++
			ok := false
			for _, f := range r.fs {
				if f.Type == c.Type && c.Answer[f.Start:f.End] == c.Value {
					ok = true
				} else {
					r.s.fp++
				}
			}
			if ok {
				r.s.found++
			} else if r.on {
				t.Logf("missed with the state: %q -> %q: %s %q (findings %+v)", c.Question, c.Answer, c.Type, c.Value, r.fs)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	var tot [2]statefulScore
	for _, lang := range []string{"nl", "en", "de", "fr"} {
		w, wo := with[lang], without[lang]
		if w == nil || w.values == 0 {
			t.Fatalf("no cases for %s", lang)
		}
		t.Logf("%s: %d values, %d controls | with state: leak %.3f precision %.3f | without: leak %.3f precision %.3f",
			lang, w.values, w.controls, w.leak(), w.precision(), wo.leak(), wo.precision())
		if w.leak() > 0.15 || w.leak() >= wo.leak() {
			t.Errorf("%s: leak %.3f with the state (%.3f without), want at most 0.15 and less than without", lang, w.leak(), wo.leak())
		}
		for i, s := range []*statefulScore{w, wo} {
			tot[i].values += s.values
			tot[i].found += s.found
			tot[i].fp += s.fp
			tot[i].controls += s.controls
		}
	}
	if tot[0].leak() > 0.05 {
		t.Errorf("leak %.3f with the state over all languages, want at most 0.05", tot[0].leak())
	}
	t.Logf("all: %d values, %d controls | with state: leak %.3f precision %.3f | without: leak %.3f precision %.3f",
		tot[0].values, tot[0].controls, tot[0].leak(), tot[0].precision(), tot[1].leak(), tot[1].precision())
}
