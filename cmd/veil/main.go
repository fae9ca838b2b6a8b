// Command veil is a Kafka-native privacy processor for customer
// conversations: it consumes raw chat and e-mail events, detects and redacts
// personal data, and publishes one cleaned stream per audience.
//
// Usage:
//
//	veil dev [--listen HOST:PORT] [--data-dir DIR] [--broker-only]   embedded broker + sample data + processor
//	veil run --config FILE [--brokers LIST]                          the processor against a cluster
//	veil erase --customer ID [--wait]                                 request erasure of a customer's data
//	veil scan [--in FILE] [--out FILE] [--redact]                    detect personal data in JSONL events
//	veil rules lint FILE...                                          check rule packs
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
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

const usage = `veil: a Kafka-native privacy processor for customer conversations

Commands:
  veil dev [--listen 127.0.0.1:9092] [--data-dir DIR] [--broker-only]
                      run an embedded Kafka broker with sample data and the processor
  veil run --config FILE [--brokers HOST:PORT,...]
                      run the processor against an existing Kafka cluster
  veil erase --customer ID [--brokers HOST:PORT] [--reason R] [--request-id ID] [--wait] [--timeout 60s]
                      request erasure of a customer's data; --wait prints the receipt
  veil scan [--in FILE] [--out FILE] [--redact]
                      detect personal data in events (JSON lines)
  veil rules lint FILE...
                      check rule packs and report every error with its place
  veil bench [--events N] [--workers W] [--partitions P] [--guarantee G] [--rounds R]
                      load harness: Veil against a plain copier on an embedded broker
  veil version        print the version

Run 'veil COMMAND -h' for the flags of a command.
`

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "dev":
		return runDev(ctx, rest, stdout, stderr)
	case "run":
		return runRun(ctx, rest, stdout, stderr)
	case "bench":
		return runBench(ctx, rest, stdout, stderr)
	case "erase":
		return runErase(ctx, rest, stdout, stderr)
	case "scan":
		return runScan(ctx, rest, stdin, stdout, stderr)
	case "rules":
		if len(rest) > 0 && rest[0] == "lint" {
			return runRulesLint(ctx, rest[1:], stdout, stderr)
		}
		fmt.Fprint(stderr, "usage: veil rules lint FILE...\n")
		return errUsage
	case "version":
		fmt.Fprintln(stdout, "veil", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "veil: unknown command %q\n\n%s", cmd, usage)
	return errUsage
}
