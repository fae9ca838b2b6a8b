package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veil-privacy/veil/processor/keyring"
)

func TestKeygen(t *testing.T) {
	tests := []struct {
		give []string
		want string // how the file's text starts to be parsed: hex or base64
	}{
		{nil, "hex"},
		{[]string{"--format", "base64"}, "base64"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			state := t.TempDir()
			t.Setenv("VEIL_STATE_DIR", filepath.Join(state, "veil"))
			var out bytes.Buffer
			if err := runKeygen(context.Background(), tt.give, &out, io.Discard); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(state, "veil", "kek.hex")
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
			}
			if dst, _ := os.Stat(filepath.Dir(path)); dst.Mode().Perm() != 0o700 {
				t.Errorf("key directory mode %v, want 0700", dst.Mode().Perm())
			}
			b, _ := os.ReadFile(path)
			if tt.want == "hex" && len(strings.TrimSpace(string(b))) != 64 || tt.want == "base64" && len(strings.TrimSpace(string(b))) != 44 {
				t.Errorf("key text %d bytes, not %s of 32 bytes", len(strings.TrimSpace(string(b))), tt.want)
			}
			// What Veil reads: keys.kek_file, and VEIL_KEK with the same text.
			kek, err := keyring.ReadKEK(path, func(string) string { return "" })
			if err != nil || len(kek) != 32 {
				t.Fatalf("ReadKEK(file) = %d bytes, %v", len(kek), err)
			}
			if env, err := keyring.ReadKEK("", func(string) string { return string(b) }); err != nil || !bytes.Equal(env, kek) {
				t.Errorf("ReadKEK(VEIL_KEK) = %x, %v; want the file's key", env, err)
			}
			if !strings.Contains(out.String(), path) {
				t.Errorf("output %q does not name the file", out.String())
			}

			// Never overwrites.
			err = runKeygen(context.Background(), tt.give, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), "exists") {
				t.Errorf("second keygen: %v, want a refusal", err)
			}
			if again, _ := os.ReadFile(path); !bytes.Equal(again, b) {
				t.Error("the key file changed")
			}
		})
	}
}

// TestKeygenFreshKeys: two keys differ.
func TestKeygenFreshKeys(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, p := range []string{a, b} {
		if err := runKeygen(context.Background(), []string{"--out", p}, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	ka, _ := os.ReadFile(a)
	kb, _ := os.ReadFile(b)
	if bytes.Equal(ka, kb) {
		t.Error("two keygen runs wrote the same key")
	}
}

// TestKeygenIndexKey: --index-key writes an index key; with --from-kek it
// is the one the keyring derives from that KEK, so that a deployment
// keeps its subject ids when it sets it and then rotates the KEK.
func TestKeygenIndexKey(t *testing.T) {
	dir := t.TempDir()
	kekFile, fresh, derived := filepath.Join(dir, "kek.hex"), filepath.Join(dir, "fresh.hex"), filepath.Join(dir, "derived.hex")
	for _, args := range [][]string{
		{"--out", kekFile},
		{"--index-key", "--out", fresh},
		{"--index-key", "--from-kek", kekFile, "--out", derived, "--format", "base64"},
	} {
		if err := runKeygen(context.Background(), args, io.Discard, io.Discard); err != nil {
			t.Fatalf("keygen %v: %v", args, err)
		}
	}
	none := func(string) string { return "" }
	kek, err := keyring.ReadKEK(kekFile, none)
	if err != nil {
		t.Fatal(err)
	}
	ik, err := keyring.ReadIndexKey(derived, none)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := keyring.New(kek, "keys", nil)
	after, _ := keyring.New(bytes.Repeat([]byte{1}, 32), "keys", nil, keyring.Previous(kek), keyring.IndexKey(ik))
	if before.SubjectID("cust-1") != after.SubjectID("cust-1") {
		t.Error("the index key derived from the KEK changes subject ids")
	}
	if fk, err := keyring.ReadIndexKey(fresh, none); err != nil || len(fk) != 32 || bytes.Equal(fk, ik) {
		t.Errorf("fresh index key: %d bytes, %v; want 32 new bytes", len(fk), err)
	}
	if err := runKeygen(context.Background(), []string{"--from-kek", kekFile}, io.Discard, io.Discard); err != errUsage {
		t.Errorf("--from-kek without --index-key: %v, want a usage error", err)
	}
}
