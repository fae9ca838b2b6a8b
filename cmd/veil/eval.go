package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/rules/accuracy"
)

// runEval implements "veil eval": it scores findings against a labelled
// corpus, the findings of a file given with -pred or else those of Veil's
// engine run on the corpus, and prints recall, precision, leak rate and
// over-redaction per type with the worst leaks and wrong findings masked.
func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	goldPaths := fs.String("gold", "", "labelled corpus `files` (JSONL events with spans), comma-separated")
	predPath := fs.String("pred", "", "findings `file` as veil scan writes it (default: run the engine on the corpus)")
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	types := fs.String("types", "", "score only these comma-separated `types`")
	only := fs.String("only", "", "score only events whose tags match every comma-separated `key=value`")
	by := fs.String("by", "", "also print one summary line per value of this event tag `key`")
	examples := fs.Int("leaks", 15, "show at most `n` worst leaks and n worst wrong findings (masked)")
	locale := fs.String("locale", "", "locale for events without one (nl-NL, en-GB, en-US, …)")
	ruleFiles := fs.String("rules", "", "comma-separated extra rule pack `files` for the engine")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: veil eval -gold FILE[,FILE…] [-pred FILE] [-json] [-types T,…] [-only KEY=VALUE,…] [-by KEY] [-leaks N]\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *goldPaths == "" || fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	opt := accuracy.Options{MaxLeaks: *examples}
	for _, t := range strings.Split(*types, ",") {
		if t = strings.TrimSpace(t); t != "" {
			opt.Types = append(opt.Types, rules.Type(t))
		}
	}
	want, err := parseTags(*only)
	if err != nil {
		return fmt.Errorf("eval: -only: %w", err)
	}
	var gold []accuracy.Event
	for _, path := range strings.Split(*goldPaths, ",") {
		g, err := readFile(path, accuracy.ReadGold)
		if err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		gold = append(gold, g...)
	}
	pred, err := evalPredictions(ctx, gold, *predPath, *ruleFiles, *locale)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if n := accuracy.Unknown(gold, pred); n > 0 {
		fmt.Fprintf(stderr, "warning: %d predicted events are not in the gold file\n", n)
	}
	if len(want) > 0 {
		gold = accuracy.Select(gold, want)
	}
	rep, err := accuracy.Score(gold, pred, opt)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	var names []string
	var groups []*accuracy.Report
	if *by != "" {
		var sets [][]accuracy.Event
		names, sets = accuracy.Group(gold, *by)
		for _, set := range sets {
			g, err := accuracy.Score(set, pred, accuracy.Options{Types: opt.Types})
			if err != nil {
				return fmt.Errorf("eval: %w", err)
			}
			groups = append(groups, g)
		}
	}
	if *asJSON {
		out := struct {
			*accuracy.Report
			Groups map[string]*accuracy.Report `json:"groups,omitempty"`
		}{Report: rep}
		if *by != "" {
			out.Groups = make(map[string]*accuracy.Report, len(names))
			for i, n := range names {
				out.Groups[n] = groups[i]
			}
		}
		return json.NewEncoder(stdout).Encode(out)
	}
	if err := accuracy.WriteTable(stdout, rep); err != nil {
		return err
	}
	if *by != "" {
		fmt.Fprintln(stdout)
		return accuracy.WriteGroups(stdout, *by, names, groups)
	}
	return nil
}

// evalPredictions reads the findings file at predPath or, when it is empty,
// runs the engine (with the extra rule packs in ruleFiles) on gold.
func evalPredictions(ctx context.Context, gold []accuracy.Event, predPath, ruleFiles, locale string) (map[string][]accuracy.Span, error) {
	if predPath != "" {
		return readFile(predPath, accuracy.ReadPred)
	}
	engine, err := newEngine(ruleFiles)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return accuracy.Detect(engine, gold, locale), nil
}

// parseTags reads comma-separated key=value pairs.
func parseTags(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		if kv = strings.TrimSpace(kv); kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("%q: want key=value", kv)
		}
		out[k] = v
	}
	return out, nil
}

// readFile opens path and reads it with read.
func readFile[T any](path string, read func(io.Reader, string) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	return read(f, path)
}
