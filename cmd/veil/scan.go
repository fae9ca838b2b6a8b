package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/veil-privacy/veil/rules"
)

// maxScanLine bounds one JSONL event; longer lines are an error.
const maxScanLine = 64 << 20

// scanEvent is the part of a corpus event that scan reads.
type scanEvent struct {
	EventID string  `json:"event_id"`
	Locale  string  `json:"locale"`
	Body    *string `json:"body"`
	Subject *string `json:"subject"`
}

// scanFinding is one finding as score.py reads it.
type scanFinding struct {
	Field      string     `json:"field"`
	Start      int        `json:"start"`
	End        int        `json:"end"`
	Type       rules.Type `json:"type"`
	Confidence float32    `json:"confidence"`
	Detector   string     `json:"detector"`
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
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: veil scan [-in FILE] [-out FILE] [-redact] [-rules FILES] [-locale L]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("scan: unexpected arguments %q", fs.Args())
	}
	cfg := rules.Default()
	if *ruleFiles != "" {
		cfg.RuleFiles = strings.Split(*ruleFiles, ",")
	}
	engine, err := rules.NewEngine(cfg)
	if err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	r := stdin
	if *in != "" {
		f, err := os.Open(*in)
		if err != nil {
			return fmt.Errorf("scan: %w", err)
		}
		defer f.Close()
		r = f
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
	if err := scanStream(ctx, engine, r, w, *redact, *locale); err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	if outFile != nil {
		if err := outFile.Close(); err != nil {
			return fmt.Errorf("scan: %w", err)
		}
	}
	return nil
}

// scanStream processes r line by line into w; memory is bounded by the longest line.
func scanStream(ctx context.Context, engine *rules.Engine, r io.Reader, w io.Writer, redact bool, defLocale string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), maxScanLine)
	bw := bufio.NewWriterSize(w, 1<<16)
	var (
		findings []rules.Finding
		res      scanResult
		buf      []byte
		policy   = rules.RedactAll()
	)
	line := 0
	for sc.Scan() {
		line++
		if line%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		raw := sc.Bytes()
		if len(strings.TrimSpace(string(raw))) == 0 {
			continue
		}
		var ev scanEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return fmt.Errorf("line %d: decoding event: %w", line, err)
		}
		loc := ev.Locale
		if loc == "" {
			loc = defLocale
		}
		if redact {
			var full map[string]json.RawMessage
			if err := json.Unmarshal(raw, &full); err != nil {
				return fmt.Errorf("line %d: decoding event: %w", line, err)
			}
			for _, field := range [...]struct {
				name string
				v    *string
			}{{"subject", ev.Subject}, {"body", ev.Body}} {
				if field.v == nil {
					continue
				}
				findings = engine.Detect(findings[:0], *field.v, loc)
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
			findings = engine.Detect(findings[:0], *field.v, loc)
			for _, f := range findings {
				res.Findings = append(res.Findings, scanFinding{Field: field.name, Start: f.Start, End: f.End,
					Type: f.Type, Confidence: f.Confidence, Detector: f.Detector})
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
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("line %d: event longer than %d bytes: %w", line+1, maxScanLine, err)
		}
		return fmt.Errorf("reading events: %w", err)
	}
	return bw.Flush()
}
