package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/keyring"
)

// readKeys reads the previous key-encryption keys and the index key that c
// names (the current KEK is read by finish).
func (c *config) readKeys() error {
	getenv := c.getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	var errs []error
	if c.Keys.PreviousKEKs == nil {
		for _, path := range c.Keys.PreviousKEKFiles {
			k, err := keyring.ReadKEK(path, func(string) string { return "" })
			if err != nil {
				errs = append(errs, fmt.Errorf("keys.previous_kek_files: %w", err))
				continue
			}
			c.Keys.PreviousKEKs = append(c.Keys.PreviousKEKs, k)
		}
	}
	if c.Keys.IndexKey == nil {
		k, err := keyring.ReadIndexKey(c.Keys.IndexKeyFile, getenv)
		if err != nil {
			errs = append(errs, fmt.Errorf("keys.index_key_file: %w", err))
		}
		c.Keys.IndexKey = k
	}
	return errors.Join(errs...)
}

// runKeys is 'veil keys': only 'veil keys rotate' for now.
func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const u = "usage: veil keys rotate --config FILE [--brokers HOST:PORT,...] [--timeout 10m]\n"
	switch {
	case len(args) > 0 && args[0] == "rotate":
		return runKeysRotate(ctx, args[1:], stdout, stderr)
	case len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help"):
		fmt.Fprint(stdout, u)
		return errHelp
	}
	fmt.Fprint(stderr, u)
	return errUsage
}

// runKeysRotate is 'veil keys rotate': it re-wraps every data key on the
// keys topic that is not yet under the config's current KEK (keys.kek_file),
// in record format v2, with it, reading the others with
// keys.previous_kek_files (none: it only upgrades version 1 records, whose
// additional data does not bind the subject). The data keys,
// and so the pseudonyms, stay the same; running instances keep working if
// they hold the new KEK (as current or previous). See docs/security.md for
// the order of the steps.
func runKeysRotate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("veil keys rotate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		path    = fs.String("config", "", "YAML config file: keys.kek_file is the new KEK, keys.previous_kek_files the old ones")
		brokers = fs.String("brokers", "", "seed brokers, comma separated (overrides config and VEIL_BROKERS)")
		timeout = fs.Duration("timeout", 10*time.Minute, "give up after this long")
	)
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprint(stderr, "usage: veil keys rotate --config FILE [--brokers HOST:PORT,...] [--timeout 10m]\n")
		return errUsage
	}
	c, err := loadConfig(*path, os.Getenv)
	if err != nil {
		return err
	}
	if *brokers != "" {
		c.Brokers = splitList(*brokers)
	}
	if err := c.finish(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	res, err := rotateKeys(ctx, c.Config, newLogger(c, stderr))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "re-wrapped %d data keys under KEK %s; %d keys on %s are under it\n",
		res.Rewrapped, keyring.KEKID(c.Keys.KEK), res.Current, c.Topics.Keys)
	if res.Unreadable > 0 {
		return fmt.Errorf("%d key records open with none of the configured KEKs: add their KEK to keys.previous_kek_files and run 'veil keys rotate' again", res.Unreadable)
	}
	if len(res.Stale) > 0 {
		ids := make([]string, 0, len(res.Stale))
		for id, n := range res.Stale {
			ids = append(ids, fmt.Sprintf("%s: %d", id, n))
		}
		sort.Strings(ids)
		return fmt.Errorf("keys still under other KEKs (%s): an instance still writes with an old KEK; make the new KEK current everywhere and run 'veil keys rotate' again", strings.Join(ids, ", "))
	}
	fmt.Fprintln(stdout, "no key is under a previous KEK: remove keys.previous_kek_files from every instance, then destroy the old KEK")
	return nil
}

// rotateKeys runs a keyring of cfg until it has re-wrapped every key.
func rotateKeys(ctx context.Context, cfg processor.Config, log *slog.Logger) (keyring.RewrapResult, error) {
	kr, err := keyring.New(cfg.Keys.KEK, cfg.Topics.Keys, log,
		keyring.Previous(cfg.Keys.PreviousKEKs...), keyring.IndexKey(cfg.Keys.IndexKey))
	if err != nil {
		return keyring.RewrapResult{}, err
	}
	conn, err := processor.ClientOpts(cfg)
	if err != nil {
		return keyring.RewrapResult{}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		err := kr.Run(ctx, conn)
		cancel() // Rewrap stops waiting for a keyring that stopped
		done <- err
	}()
	res, err := kr.Rewrap(ctx)
	cancel()
	if rerr := <-done; rerr != nil {
		err = rerr
	}
	return res, err
}
