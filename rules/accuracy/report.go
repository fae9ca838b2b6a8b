package accuracy

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// WriteTable writes r as the reference scorer prints it: a row per type
// (gold, pred, recall, precision, F1), the overall row, the leak rate, the
// over-redaction and the number of events; then the leaks per type and the
// worst leaks, masked.
func WriteTable(w io.Writer, r *Report) error {
	var b strings.Builder
	opt := func(v *float64) string {
		if v == nil {
			return "   -  "
		}
		return fmt.Sprintf("%6.3f", *v)
	}
	fmt.Fprintf(&b, "%-16s %6s %6s %7s %7s %7s\n", "type", "gold", "pred", "recall", "prec", "f1")
	for _, t := range r.PerType {
		fmt.Fprintf(&b, "%-16s %6d %6d %7s %7s %7.3f\n", t.Type, t.Gold, t.Pred, opt(t.Recall), opt(t.Precision), t.F1)
	}
	tp := 0
	for _, t := range r.PerType {
		tp += t.Pred
	}
	fmt.Fprintf(&b, "%-16s %6d %6d %7.3f %7.3f %7.3f\n", "ALL", r.GoldSpans, tp, r.Recall, r.Precision, r.F1)
	fmt.Fprintf(&b, "leak rate %.4f  over-redaction %.4f  events %d\n", r.LeakRate, r.OverRedaction, r.Events)
	if r.Leaked > 0 {
		var parts []string
		for _, t := range r.PerType {
			if t.Leaks > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", t.Type, t.Leaks))
			}
		}
		fmt.Fprintf(&b, "leaked spans by type: %s\n", strings.Join(parts, ", "))
	}
	if len(r.Leaks) > 0 {
		fmt.Fprintf(&b, "worst leaks (values masked: X/x letters, 9 digits):\n")
		for _, l := range r.Leaks {
			fmt.Fprintf(&b, "  %-14s %3.0f%% covered  %s %s  %s\n", l.Type, 100*l.Covered, l.EventID, l.Field, l.Context)
		}
	}
	if len(r.Wrong) > 0 {
		fmt.Fprintf(&b, "worst wrong findings (masked):\n")
		for _, l := range r.Wrong {
			fmt.Fprintf(&b, "  %-14s %3.0f%% on gold  %s %s  %s\n", l.Type, 100*l.Covered, l.EventID, l.Field, l.Context)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteGroups writes one line per group: its name, events, gold spans,
// recall, precision, leak rate and over-redaction.
func WriteGroups(w io.Writer, key string, names []string, reps []*Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%-24s %6s %6s %7s %7s %7s %9s\n", key, "events", "gold", "recall", "prec", "leak", "over-red")
	for i, r := range reps {
		fmt.Fprintf(&b, "%-24s %6d %6d %7.3f %7.3f %7.4f %9.4f\n", names[i], r.Events, r.GoldSpans, r.Recall, r.Precision,
			r.LeakRate, r.OverRedaction)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Select returns the events whose tags hold every key=value pair of want.
func Select(gold []Event, want map[string]string) []Event {
	var out []Event
	for _, ev := range gold {
		ok := true
		for k, v := range want {
			if ev.Tags[k] != v {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, ev)
		}
	}
	return out
}

// Group splits gold by the value of tag key (events without it go to "-")
// and returns the group names in sorted order with their events.
func Group(gold []Event, key string) ([]string, [][]Event) {
	by := map[string][]Event{}
	for _, ev := range gold {
		v := ev.Tags[key]
		if v == "" {
			v = "-"
		}
		by[v] = append(by[v], ev)
	}
	names := make([]string, 0, len(by))
	for k := range by {
		names = append(names, k)
	}
	slices.Sort(names)
	groups := make([][]Event, len(names))
	for i, n := range names {
		groups[i] = by[n]
	}
	return names, groups
}
