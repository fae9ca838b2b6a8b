package main

import (
	"fmt"
	"io"
	"time"
)

// progress draws one status line, rewritten in place, for a long job on a
// terminal. A nil *progress draws nothing: that is what a job gets when its
// stderr is not a terminal.
type progress struct {
	w     io.Writer
	label string
	now   func() time.Time
	start time.Time
	last  time.Time
	drawn bool
}

// progressEvery is how often the line is redrawn at most.
const progressEvery = 200 * time.Millisecond

// newProgress returns a progress line on w if w is a terminal, else nil.
func newProgress(w io.Writer, label string) *progress {
	if !isTerminal(w) {
		return nil
	}
	return startProgress(w, label, time.Now)
}

func startProgress(w io.Writer, label string, now func() time.Time) *progress {
	t := now()
	return &progress{w: w, label: label, now: now, start: t, last: t}
}

// update redraws the line with done of total units (total 0: unknown) and
// the events so far and per second, at most every progressEvery and not in
// the first progressEvery: a short job shows no line. unit formats done and
// total (bytes or a plain count).
func (p *progress) update(done, total, items int64, unit func(int64) string) {
	if p == nil {
		return
	}
	t := p.now()
	if t.Sub(p.last) < progressEvery {
		return
	}
	p.last, p.drawn = t, true
	line := p.label + ": " + unit(done)
	if total > 0 {
		line += fmt.Sprintf(" of %s (%.0f%%)", unit(total), 100*float64(done)/float64(total))
	}
	if el := t.Sub(p.start).Seconds(); el > 0 && items > 0 {
		line += fmt.Sprintf(", %s events, %s events/s", count(items), count(int64(float64(items)/el)))
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s", line)
}

// restart starts a new phase under label: rates count from now.
func (p *progress) restart(label string) {
	if p != nil {
		p.done()
		t := p.now()
		p.label, p.start, p.last = label, t, t
	}
}

// done clears the line.
func (p *progress) done() {
	if p != nil && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

// count writes n with thousands separators: 1,234,567.
func count(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + count(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// byteSize writes n bytes as kB, MB or GB (powers of 1000).
func byteSize(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}
