// Package accuracy scores findings of personal data against a labelled
// corpus: recall, precision and F1 per type, the leak rate and the
// over-redaction. The definitions are those of the project's reference
// scorer (score.py) and of docs/accuracy.md:
//
//   - recall: a gold span counts as found when at least 80% of its bytes are
//     covered by findings of the same type;
//   - precision: a finding counts as correct when at least 50% of its bytes
//     overlap gold spans of the same type;
//   - leak rate: the share of gold spans (of any type) with less than 80% of
//     their bytes covered by findings of any type, i.e. personal data that
//     reaches a reader in clear;
//   - over-redaction: the share of non-PII bytes covered by findings.
//
// Offsets are UTF-8 byte offsets into a field ("body" or "subject"), end
// exclusive. Events with no prediction count as "no findings".
package accuracy

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/veil-privacy/veil/rules"
)

// Fields are the event fields that are scored, in the order they are scored.
var Fields = []string{"body", "subject"}

// Span is one labelled (gold) or found (predicted) piece of personal data.
type Span struct {
	// Field is the event field the offsets point into.
	Field string `json:"field"`
	// Start and End are UTF-8 byte offsets, End exclusive.
	Start int `json:"start"`
	End   int `json:"end"`
	// Type is the category of personal data.
	Type rules.Type `json:"type"`
}

// Event is one labelled event of a gold corpus.
type Event struct {
	// ID is the event id that predictions refer to.
	ID string
	// Locale is the event's locale, if the corpus gives one.
	Locale string
	// Text holds the scored fields that are present ("body", "subject").
	Text map[string]string
	// Spans are the labelled spans.
	Spans []Span
	// Tags are free-form labels of the event (source, scope, …) used to
	// select or group events; they are not scored.
	Tags map[string]string
	// Conversation, Author and SentAt place the event in its conversation
	// (empty and zero when the corpus does not say): Detect reads the body
	// as the next message of it, as the processor and veil scan do.
	Conversation string
	Author       string
	SentAt       time.Time
}

// Options selects what is scored.
type Options struct {
	// Types, when not empty, restricts gold spans and findings to these types.
	Types []rules.Type
	// MaxLeaks bounds the leaks and the wrong findings kept in the report
	// (the worst first); 0 keeps none.
	MaxLeaks int
}

// TypeScore is the score of one type.
type TypeScore struct {
	Type rules.Type `json:"type"`
	// Gold and Pred count the gold spans and the findings of this type.
	Gold int `json:"gold"`
	Pred int `json:"pred"`
	// Found counts gold spans found; Correct counts correct findings.
	Found   int `json:"found"`
	Correct int `json:"correct"`
	// Recall and Precision are nil when there is nothing to divide by.
	Recall    *float64 `json:"recall"`
	Precision *float64 `json:"precision"`
	F1        float64  `json:"f1"`
	// Leaks counts gold spans of this type left readable.
	Leaks int `json:"leaks"`
}

// Example is a gold span left readable (a leak) or a wrong finding. It
// holds no value of the event: Context is rendered with every gold span and
// the example's own span masked (see Mask).
type Example struct {
	EventID string     `json:"event_id"`
	Field   string     `json:"field"`
	Type    rules.Type `json:"type"`
	Start   int        `json:"start"`
	End     int        `json:"end"`
	// Covered is, for a leak, the share of the span's bytes covered by
	// findings of any type; for a wrong finding, the share of its bytes in
	// gold spans of its type.
	Covered float64 `json:"covered"`
	// Context is the text around the span with every gold span and the
	// example's own span masked.
	Context string `json:"context"`
}

// Report is the score of a set of findings against a gold corpus.
type Report struct {
	Events        int         `json:"events"`
	GoldSpans     int         `json:"gold_spans"`
	Recall        float64     `json:"recall"`
	Precision     float64     `json:"precision"`
	F1            float64     `json:"f1"`
	LeakRate      float64     `json:"leak_rate"`
	OverRedaction float64     `json:"over_redaction"`
	PerType       []TypeScore `json:"per_type"`
	// Leaked counts gold spans left readable; NonPIIBytes and NonPIICovered
	// are the terms of the over-redaction.
	Leaked        int `json:"leaked"`
	NonPIIBytes   int `json:"non_pii_bytes"`
	NonPIICovered int `json:"non_pii_covered"`
	// Leaks are the worst leaks: least covered first, then longest, then in
	// corpus order; at most Options.MaxLeaks.
	Leaks []Example `json:"leaks,omitempty"`
	// Wrong are the worst wrong findings, in the same order; at most
	// Options.MaxLeaks.
	Wrong []Example `json:"wrong,omitempty"`
}

type interval struct{ a, b int }

// covered returns how many bytes of [s,e) the union of iv covers.
func covered(iv []interval, s, e int) int {
	pts := make([]interval, 0, len(iv))
	for _, x := range iv {
		if x.a < e && x.b > s {
			pts = append(pts, interval{max(x.a, s), min(x.b, e)})
		}
	}
	slices.SortFunc(pts, func(x, y interval) int { return cmp.Or(cmp.Compare(x.a, y.a), cmp.Compare(x.b, y.b)) })
	tot, cur := 0, s
	for _, p := range pts {
		a := max(p.a, cur)
		if p.b > a {
			tot += p.b - a
			cur = p.b
		}
	}
	return tot
}

// merge returns the union of iv as sorted, disjoint intervals (touching ones joined).
func merge(iv []interval) []interval {
	s := slices.Clone(iv)
	slices.SortFunc(s, func(x, y interval) int { return cmp.Or(cmp.Compare(x.a, y.a), cmp.Compare(x.b, y.b)) })
	var out []interval
	for _, x := range s {
		if n := len(out); n > 0 && x.a <= out[n-1].b {
			out[n-1].b = max(out[n-1].b, x.b)
			continue
		}
		out = append(out, x)
	}
	return out
}

func ratio(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	v := float64(n) / float64(d)
	return &v
}

func f1(r, p float64) float64 {
	if r == 0 || p == 0 {
		return 0
	}
	return 2 * r * p / (r + p)
}

// Score scores pred (findings per event id) against gold. A finding outside
// its field is an error, as it cannot be a finding of that text.
func Score(gold []Event, pred map[string][]Span, opt Options) (*Report, error) {
	only := func(t rules.Type) bool { return len(opt.Types) == 0 || slices.Contains(opt.Types, t) }
	rep := &Report{Events: len(gold)}
	type counts struct{ gold, found, pred, correct, leaks int }
	per := map[rules.Type]*counts{}
	get := func(t rules.Type) *counts {
		c := per[t]
		if c == nil {
			c = &counts{}
			per[t] = c
		}
		return c
	}
	var leaks, wrong []Example
	for _, ev := range gold {
		for _, field := range Fields {
			text, ok := ev.Text[field]
			if !ok {
				continue
			}
			flen := len(text)
			var fs, gs []Span
			for _, f := range pred[ev.ID] {
				if f.Field == field && only(f.Type) {
					fs = append(fs, f)
				}
			}
			for _, s := range ev.Spans {
				if s.Field == field && only(s.Type) {
					gs = append(gs, s)
				}
			}
			for _, f := range fs {
				if f.Start < 0 || f.Start > f.End || f.End > flen {
					return nil, fmt.Errorf("event %s: finding %s [%d,%d) out of range for field %s (%d bytes)",
						ev.ID, f.Type, f.Start, f.End, field, flen)
				}
			}
			findByType := map[rules.Type][]interval{}
			allF := make([]interval, 0, len(fs))
			for _, f := range fs {
				findByType[f.Type] = append(findByType[f.Type], interval{f.Start, f.End})
				allF = append(allF, interval{f.Start, f.End})
			}
			goldByType := map[rules.Type][]interval{}
			allG := make([]interval, 0, len(gs))
			for _, s := range gs {
				goldByType[s.Type] = append(goldByType[s.Type], interval{s.Start, s.End})
				allG = append(allG, interval{s.Start, s.End})
			}
			for _, s := range gs {
				l := float64(s.End - s.Start)
				c := get(s.Type)
				c.gold++
				rep.GoldSpans++
				if float64(covered(findByType[s.Type], s.Start, s.End)) >= 0.8*l {
					c.found++
				}
				if cov := covered(allF, s.Start, s.End); float64(cov) < 0.8*l {
					rep.Leaked++
					c.leaks++
					share := 0.0
					if l > 0 {
						share = float64(cov) / l
					}
					leaks = append(leaks, Example{EventID: ev.ID, Field: field, Type: s.Type, Start: s.Start, End: s.End,
						Covered: share, Context: leakContext(text, gs, s)})
				}
			}
			for _, f := range fs {
				l := float64(max(1, f.End-f.Start))
				c := get(f.Type)
				c.pred++
				if cov := covered(goldByType[f.Type], f.Start, f.End); float64(cov) >= 0.5*l {
					c.correct++
				} else {
					wrong = append(wrong, Example{EventID: ev.ID, Field: field, Type: f.Type, Start: f.Start, End: f.End,
						Covered: float64(cov) / l, Context: leakContext(text, gs, f)})
				}
			}
			rep.NonPIIBytes += flen - covered(allG, 0, flen)
			inter := 0
			for _, g := range merge(allG) {
				inter += covered(allF, g.a, g.b)
			}
			rep.NonPIICovered += covered(allF, 0, flen) - inter
		}
	}
	types := make([]rules.Type, 0, len(per))
	for t := range per {
		types = append(types, t)
	}
	slices.Sort(types)
	var tg, tf, tp, tok int
	for _, t := range types {
		c := per[t]
		ts := TypeScore{Type: t, Gold: c.gold, Pred: c.pred, Found: c.found, Correct: c.correct, Leaks: c.leaks,
			Recall: ratio(c.found, c.gold), Precision: ratio(c.correct, c.pred)}
		if ts.Recall != nil && ts.Precision != nil {
			ts.F1 = f1(*ts.Recall, *ts.Precision)
		}
		rep.PerType = append(rep.PerType, ts)
		tg, tf, tp, tok = tg+c.gold, tf+c.found, tp+c.pred, tok+c.correct
	}
	if tg > 0 {
		rep.Recall = float64(tf) / float64(tg)
	}
	if tp > 0 {
		rep.Precision = float64(tok) / float64(tp)
	}
	rep.F1 = f1(rep.Recall, rep.Precision)
	if rep.GoldSpans > 0 {
		rep.LeakRate = float64(rep.Leaked) / float64(rep.GoldSpans)
	}
	if rep.NonPIIBytes > 0 {
		rep.OverRedaction = float64(rep.NonPIICovered) / float64(rep.NonPIIBytes)
	}
	rep.Leaks = worst(leaks, opt.MaxLeaks)
	rep.Wrong = worst(wrong, opt.MaxLeaks)
	return rep, nil
}

// worst returns the n worst examples: least covered first, then longest; the
// stable sort keeps corpus order.
func worst(ex []Example, n int) []Example {
	slices.SortStableFunc(ex, func(x, y Example) int {
		return cmp.Or(cmp.Compare(x.Covered, y.Covered), cmp.Compare(y.End-y.Start, x.End-x.Start))
	})
	if len(ex) > n {
		ex = ex[:n]
	}
	return ex
}

// Unknown counts the events of pred that are not in gold: findings for a
// different corpus, or a corpus that lost events.
func Unknown(gold []Event, pred map[string][]Span) int {
	ids := make(map[string]bool, len(gold))
	for _, ev := range gold {
		ids[ev.ID] = true
	}
	n := 0
	for id := range pred {
		if !ids[id] {
			n++
		}
	}
	return n
}

// Detect runs engine over every scored field of gold and returns its
// findings per event id, in the form Score reads. defLocale stands in for
// events without a locale. The body of an event in a conversation is read as
// its next message (rules.Conversations), the events in file order.
func Detect(engine *rules.Engine, gold []Event, defLocale string) map[string][]Span {
	out := make(map[string][]Span, len(gold))
	var found []rules.Finding
	var convs rules.Conversations
	for _, ev := range gold {
		loc := ev.Locale
		if loc == "" {
			loc = defLocale
		}
		spans := []Span{}
		for _, field := range Fields {
			text, ok := ev.Text[field]
			if !ok {
				continue
			}
			if field == "body" && ev.Conversation != "" {
				turn := rules.Turn{Text: text, Locale: loc, Author: ev.Author, SentAt: ev.SentAt}
				found = convs.Detect(engine, found[:0], ev.Conversation, turn)
			} else {
				found = engine.Detect(found[:0], text, loc)
			}
			for _, f := range found {
				spans = append(spans, Span{Field: field, Start: f.Start, End: f.End, Type: f.Type})
			}
		}
		out[ev.ID] = spans
	}
	return out
}
