package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/veil-privacy/veil/rules"
)

// errLint reports that at least one rule pack has problems.
var errLint = errors.New("rules lint: problems found")

// runRulesLint implements "veil rules lint FILE...": it parses every rule pack
// and prints each problem as FILE:LINE:COL: message.
func runRulesLint(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rules lint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: veil rules lint FILE...\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("rules lint: no files given")
	}
	bad := 0
	for _, path := range fs.Args() {
		if err := ctx.Err(); err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stdout, "%s: %v\n", path, err)
			bad++
			continue
		}
		_, err = rules.ParsePack(path, data)
		var pe rules.PackErrors
		switch {
		case errors.As(err, &pe):
			for _, e := range pe {
				fmt.Fprintln(stdout, e.Error())
			}
			bad++
		case err != nil:
			fmt.Fprintf(stdout, "%s: %v\n", path, err)
			bad++
		default:
			fmt.Fprintf(stdout, "%s: ok\n", path)
		}
	}
	if bad > 0 {
		return errLint
	}
	return nil
}
