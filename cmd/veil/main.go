// Command veil is a Kafka-native privacy processor for customer
// conversations: it consumes raw chat and e-mail events, detects and redacts
// personal data, and publishes one cleaned stream per audience.
//
// Run 'veil help' for the commands and 'veil COMMAND -h' for their flags.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, errUsage) {
		fmt.Fprintln(os.Stderr, "veil:", err)
	}
	if err != nil {
		os.Exit(1)
	}
}

// errUsage reports a command line that was wrong; the usage was printed.
var errUsage = errors.New("usage")

// errHelp reports that help was asked for and printed; the command exits 0.
var errHelp = errors.New("help requested")

// runFunc runs one subcommand with its arguments.
type runFunc func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error

// command is one subcommand of veil.
type command struct {
	name    string
	args    string // synopsis of the flags, for the usage
	summary string
	run     runFunc
}

// commands lists veil's subcommands, one line each, in the order of the usage.
func commands() []command {
	return []command{
		{"dev", "[--listen 127.0.0.1:9092] [--data-dir DIR] [--broker-only]", "run an embedded Kafka broker with sample data and the processor", noStdin(runDev)},
		{"run", "--config FILE [--brokers HOST:PORT,...]", "run the processor against an existing Kafka cluster", noStdin(runRun)},
		{"status", "[--http HOST:PORT] [--brokers HOST:PORT,...] [--interval 2s]", "live view of a running Veil: lag, rates, findings, DLQ, erasures", noStdin(runStatus)},
		{"erase", "--customer ID [--brokers HOST:PORT] [--reason R] [--request-id ID] [--wait] [--timeout 60s]", "request erasure of a customer's data; --wait prints the receipt", noStdin(runErase)},
		{"scan", "[--in FILE] [--out FILE] [--redact]", "detect personal data in events (JSON lines)", runScan},
		{"eval", "--gold LABELLED.jsonl [--pred FINDINGS.jsonl] [--by TAG] [--only TAG=V] [--json]", "score Veil's findings (or a findings file) against a labelled corpus", noStdin(runEval)},
		{"rules", "lint FILE...", "check rule packs and report every error with its place", noStdin(runRules)},
		{"keygen", "[--out FILE] [--format hex|base64] [--index-key [--from-kek FILE]]", "write a new key-encryption key or index key (mode 0600, never overwrites)", noStdin(runKeygen)},
		{"keys", "rotate --config FILE [--brokers HOST:PORT,...]", "re-wrap every data key under the current key-encryption key", noStdin(runKeys)},
		{"acls", "[--config FILE] [--format table|args]", "print the Kafka ACLs Veil and its consumers need for a config", noStdin(runACLs)},
		{"bench", "[--events N] [--workers W] [--partitions P] [--guarantee G] [--rounds R] [--brokers B]", "load harness: Veil against a pass-through that writes the same outputs", noStdin(runBench)},
		{"completion", "bash|zsh|fish", "print a shell completion script", noStdin(runCompletion)},
		{"version", "", "print the version and VCS revision", noStdin(runVersion)},
	}
}

// noStdin adapts a subcommand that does not read standard input.
func noStdin(f func(ctx context.Context, args []string, stdout, stderr io.Writer) error) runFunc {
	return func(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
		return f(ctx, args, stdout, stderr)
	}
}

func usage() string {
	var b strings.Builder
	b.WriteString("veil: a Kafka-native privacy processor for customer conversations\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %s\n                      %s\n", strings.TrimSpace("veil "+c.name+" "+c.args), c.summary)
	}
	b.WriteString("\nRun 'veil COMMAND -h' for the flags of a command; 'veil --version' prints the version.\n")
	return b.String()
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return errUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 {
			return run(ctx, []string{rest[0], "-h"}, stdin, stdout, stderr)
		}
		fmt.Fprint(stdout, usage())
		return nil
	case "-version", "--version":
		return runVersion(ctx, rest, stdout, stderr)
	}
	for _, c := range commands() {
		if c.name == name {
			err := c.run(ctx, rest, stdin, stdout, stderr)
			if errors.Is(err, errHelp) {
				return nil
			}
			return err
		}
	}
	fmt.Fprintf(stderr, "veil: unknown command %q\n\n%s", name, usage())
	return errUsage
}

// parseFlags parses args into fs. Asked for help (-h, --help), it prints the
// usage on stdout and returns errHelp; on a bad flag it prints the error and
// the usage on fs's output and returns errUsage.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	errOut := fs.Output()
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	err := fs.Parse(args)
	fs.SetOutput(errOut)
	switch {
	case errors.Is(err, flag.ErrHelp):
		_, _ = stdout.Write(buf.Bytes())
		return errHelp
	case err != nil:
		_, _ = errOut.Write(buf.Bytes())
		return errUsage
	}
	return nil
}

// runRules is 'veil rules': only 'veil rules lint' for now.
func runRules(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const u = "usage: veil rules lint FILE...\n"
	switch {
	case len(args) > 0 && args[0] == "lint":
		return runRulesLint(ctx, args[1:], stdout, stderr)
	case len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help"):
		fmt.Fprint(stdout, u)
		return errHelp
	}
	fmt.Fprint(stderr, u)
	return errUsage
}

// version overrides the module version when set at build time with
// -ldflags "-X main.version=..." (the container image does).
var version = ""

// runVersion is 'veil version' and 'veil --version'.
func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("veil version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	bi, _ := debug.ReadBuildInfo()
	fmt.Fprintln(stdout, versionLine(bi, version))
	return nil
}

// versionLine describes the build: the module version (or override), the
// VCS revision and time, whether the tree was modified, and the Go version.
func versionLine(bi *debug.BuildInfo, override string) string {
	v, rev, when, modified, goVersion := override, "", "", false, ""
	if bi != nil {
		goVersion = bi.GoVersion
		if v == "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	var b strings.Builder
	b.WriteString("veil " + v)
	if rev != "" {
		b.WriteString(" revision " + rev)
		if when != "" {
			b.WriteString(" (" + when + ")")
		}
		if modified {
			b.WriteString(" modified")
		}
	} else {
		b.WriteString(" revision unknown")
	}
	if goVersion != "" {
		b.WriteString(" " + goVersion)
	}
	return b.String()
}
