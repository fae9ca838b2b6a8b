package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/veil-privacy/veil/rules"
)

// maxScanLine bounds one JSONL event; longer lines are an error.
const maxScanLine = 64 << 20

// scanEvent is the part of a corpus event that scan reads. The conversation, author and time
// feed the conversation state (rules.DetectTurn); sent_at is read when it is RFC 3339.
type scanEvent struct {
	EventID        string  `json:"event_id"`
	ConversationID string  `json:"conversation_id"`
	AuthorRole     string  `json:"author_role"`
	AuthorName     string  `json:"author_name"`
	SentAt         string  `json:"sent_at"`
	Locale         string  `json:"locale"`
	Body           *string `json:"body"`
	Subject        *string `json:"subject"`
}

// turn returns the body of ev as a message of its conversation.
func (ev *scanEvent) turn(locale string) rules.Turn {
	t := rules.Turn{Text: *ev.Body, Locale: locale, Author: cmp.Or(ev.AuthorRole, ev.AuthorName)}
	if at, err := time.Parse(time.RFC3339Nano, ev.SentAt); err == nil {
		t.SentAt = at
	}
	return t
}

// detectField detects the findings of field name of ev: the body as a message of its
// conversation in convs, the subject (and the body of an event without a conversation_id) alone.
func detectField(engine *rules.Engine, convs *rules.Conversations, dst []rules.Finding, ev *scanEvent, name, locale string) []rules.Finding {
	if name == "body" && ev.ConversationID != "" {
		return convs.Detect(engine, dst, ev.ConversationID, ev.turn(locale))
	}
	if name == "body" {
		return engine.Detect(dst, *ev.Body, locale)
	}
	return engine.Detect(dst, *ev.Subject, locale)
}

// scanFinding is one finding as score.py reads it.
type scanFinding struct {
	Field      string     `json:"field"`
	Start      int        `json:"start"`
	End        int        `json:"end"`
	Type       rules.Type `json:"type"`
	Confidence float32    `json:"confidence"`
	Detector   string     `json:"detector"`
	// Explain says why the finding was made (scan -explain).
	Explain *rules.Explanation `json:"explain,omitempty"`
}

type scanResult struct {
	EventID  string        `json:"event_id"`
	Findings []scanFinding `json:"findings"`
}

// runScan implements "veil scan": it reads events as JSONL, detects personal
// data in their subject and body, and writes one line of findings per event,
// or with -redact the events with every finding replaced by [TYPE].
func runScan(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "input JSONL `file` (default stdin)")
	out := fs.String("out", "", "output `file` (default stdout)")
	redact := fs.Bool("redact", false, "write the events redacted instead of findings")
	ruleFiles := fs.String("rules", "", "comma-separated extra rule pack `files`")
	locale := fs.String("locale", "", "locale for events without one (nl-NL, en-GB, en-US)")
	explain := fs.Bool("explain", false, "say for each finding why it was found: the detector, the validator that passed, the context word or the question that primed it")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: veil scan [-in FILE] [-out FILE] [-redact | -explain] [-rules FILES] [-locale L]\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("scan: unexpected arguments %q", fs.Args())
	}
	if *redact && *explain {
		fs.Usage()
		return errors.New("scan: -redact and -explain do not go together: -explain explains findings")
	}
	engine, err := newEngine(*ruleFiles)
	if err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	src := scanSource{r: stdin}
	if *in != "" {
		f, err := os.Open(*in)
		if err != nil {
			return fmt.Errorf("scan: %w", err)
		}
		defer f.Close()
		src.r = f
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			src.size = fi.Size()
		}
	}
	w := stdout
	var outFile *os.File
	if *out != "" {
		outFile, err = os.Create(*out)
		if err != nil {
			return fmt.Errorf("scan: %w", err)
		}
		defer outFile.Close()
		w = outFile
	}
	// A progress line on a terminal, unless the output goes there too.
	if !isTerminal(w) {
		src.progress = newProgress(stderr, "veil scan")
	}
	if err := scanStream(ctx, engine, src, w, stderr, scanMode{redact: *redact, explain: *explain}, *locale); err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	if outFile != nil {
		if err := outFile.Close(); err != nil {
			return fmt.Errorf("scan: %w", err)
		}
	}
	return nil
}

// scanSource is the input of a scan: a reader, its size if known (0
// otherwise) and the progress line to keep, if any.
type scanSource struct {
	r        io.Reader
	size     int64
	progress *progress
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

// scanMode says what scanStream writes: findings (with their explanations if explain) or,
// with redact, the events redacted.
type scanMode struct {
	redact, explain bool
}

// scanStream processes src line by line into w; memory is bounded by the
// longest line and the open questions kept (rules.Conversations). Events are read in file
// order, each body as the next message of its conversation_id (an event without one stands
// alone). A bad line is reported on stderr with its number, after
// every earlier line's output is written, and skipped; the scan goes on and
// returns an error at the end.
func scanStream(ctx context.Context, engine *rules.Engine, src scanSource, w, stderr io.Writer, mode scanMode, defLocale string) error {
	cr := &countingReader{r: src.r}
	sc := bufio.NewScanner(cr)
	sc.Buffer(make([]byte, 0, 1<<20), maxScanLine)
	bw := bufio.NewWriterSize(w, 1<<16)
	defer src.progress.done()
	var line, bad, firstBad, events int
	report := func(err error) error {
		if bad == 0 {
			firstBad = line
		}
		bad++
		if ferr := bw.Flush(); ferr != nil {
			return ferr
		}
		src.progress.done()
		fmt.Fprintf(stderr, "veil scan: %v\n", err)
		return nil
	}
	var (
		findings []rules.Finding
		res      scanResult
		buf      []byte
		policy   = rules.RedactAll()
		convs    rules.Conversations
	)
	for sc.Scan() {
		line++
		if line%256 == 0 {
			if err := ctx.Err(); err != nil {
				_ = bw.Flush()
				return err
			}
		}
		raw := sc.Bytes()
		if len(strings.TrimSpace(string(raw))) == 0 {
			continue
		}
		src.progress.update(cr.n, src.size, int64(events), byteSize)
		var ev scanEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			if err := report(fmt.Errorf("line %d: decoding event: %w", line, err)); err != nil {
				return err
			}
			continue
		}
		events++
		loc := ev.Locale
		if loc == "" {
			loc = defLocale
		}
		if mode.redact {
			var full map[string]json.RawMessage
			if err := json.Unmarshal(raw, &full); err != nil {
				if err := report(fmt.Errorf("line %d: decoding event: %w", line, err)); err != nil {
					return err
				}
				continue
			}
			for _, field := range [...]struct {
				name string
				v    *string
			}{{"subject", ev.Subject}, {"body", ev.Body}} {
				if field.v == nil {
					continue
				}
				findings = detectField(engine, &convs, findings[:0], &ev, field.name, loc)
				buf = policy.Render(buf[:0], *field.v, findings, nil, nil)
				enc, err := json.Marshal(string(buf))
				if err != nil {
					return fmt.Errorf("line %d: encoding %s: %w", line, field.name, err)
				}
				full[field.name] = enc
			}
			delete(full, "spans")
			enc, err := json.Marshal(full)
			if err != nil {
				return fmt.Errorf("line %d: encoding event: %w", line, err)
			}
			bw.Write(enc)
			bw.WriteByte('\n')
			continue
		}
		res.EventID = ev.EventID
		res.Findings = res.Findings[:0]
		for _, field := range [...]struct {
			name string
			v    *string
		}{{"subject", ev.Subject}, {"body", ev.Body}} {
			if field.v == nil {
				continue
			}
			findings = detectField(engine, &convs, findings[:0], &ev, field.name, loc)
			for _, f := range findings {
				sf := scanFinding{Field: field.name, Start: f.Start, End: f.End,
					Type: f.Type, Confidence: f.Confidence, Detector: f.Detector}
				if mode.explain {
					x := engine.Explain(*field.v, loc, f)
					sf.Explain = &x
				}
				res.Findings = append(res.Findings, sf)
			}
		}
		if res.Findings == nil {
			res.Findings = []scanFinding{}
		}
		enc, err := json.Marshal(&res)
		if err != nil {
			return fmt.Errorf("line %d: encoding findings: %w", line, err)
		}
		bw.Write(enc)
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("line %d: event longer than %d bytes: %w", line+1, maxScanLine, err)
		}
		return fmt.Errorf("reading events: %w", err)
	}
	switch {
	case bad == 1:
		return fmt.Errorf("line %d is bad (reported above) and was skipped", firstBad)
	case bad > 1:
		return fmt.Errorf("%d bad lines (the first is line %d), reported above and skipped", bad, firstBad)
	}
	return nil
}

// newEngine builds the detection engine with the built-in packs and the
// comma-separated extra rule pack files of a --rules flag.
func newEngine(ruleFiles string) (*rules.Engine, error) {
	cfg := rules.Default()
	cfg.RuleFiles = splitList(ruleFiles)
	return rules.NewEngine(cfg)
}
