package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/veil-privacy/veil/processor/keyring"
)

// runKeygen is 'veil keygen': it writes a fresh key-encryption key in the
// format keys.kek_file and VEIL_KEK are read in (32 random bytes, hex or
// base64), to a new file with mode 0600. It never overwrites a file. With
// --index-key it writes an index key (keys.index_key_file) instead: a fresh
// one, or with --from-kek the one derived from that KEK, which keeps the
// subject ids of a deployment that had no index key.
func runKeygen(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("veil keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		out      = fs.String("out", "", "file to create (mode 0600; its directory is made with mode 0700); default kek.hex or index-key.hex in the state directory")
		format   = fs.String("format", "hex", "hex or base64")
		indexKey = fs.Bool("index-key", false, "write an index key (keys.index_key_file), not a key-encryption key")
		fromKEK  = fs.String("from-kek", "", "with --index-key: derive it from this KEK file, as Veil did before the index key was a setting (subject ids stay the same)")
	)
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 || *fromKEK != "" && !*indexKey {
		fmt.Fprintln(stderr, "usage: veil keygen [--out FILE] [--format hex|base64] [--index-key [--from-kek FILE]]")
		return errUsage
	}
	what, path := "a new key-encryption key", defaultKEKFile(os.Getenv)
	if *indexKey {
		what, path = "a new index key", filepath.Join(stateDir(os.Getenv), "index-key.hex")
	}
	setIf(&path, *out)
	key, err := hex.DecodeString(keyring.NewKEK())
	if err != nil {
		return fmt.Errorf("making key: %w", err)
	}
	if *fromKEK != "" {
		kek, err := keyring.ReadKEK(*fromKEK, func(string) string { return "" })
		if err != nil {
			return fmt.Errorf("--from-kek: %w", err)
		}
		key, what = keyring.LegacyIndexKey(kek), "the index key derived from KEK "+keyring.KEKID(kek)
	}
	var text string
	switch *format {
	case "hex":
		text = hex.EncodeToString(key)
	case "base64":
		text = base64.StdEncoding.EncodeToString(key)
	default:
		return fmt.Errorf("--format: unknown %q (want hex or base64)", *format)
	}
	if err := writeNewFile(path, []byte(text+"\n")); err != nil {
		return err
	}
	if *indexKey {
		fmt.Fprintf(stdout, "wrote %s to %s; set keys.index_key_file (or VEIL_INDEX_KEY_FILE) to it\n", what, path)
		return nil
	}
	fmt.Fprintf(stdout, "wrote %s (id %s) to %s\n", what, keyring.KEKID(key), path)
	return nil
}

// writeNewFile creates path with mode 0600 and writes b; it fails if path
// exists. A partly written file is removed.
func writeNewFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("creating key directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists: not overwriting a key (data keys wrapped with it would become unreadable); remove it first or pick another --out", path)
	}
	if err != nil {
		return fmt.Errorf("creating key file: %w", err)
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("writing key file: %w", err)
	}
	return nil
}
