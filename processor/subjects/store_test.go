package subjects

import (
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/schemas"
)

func entryRecord(subject, key string) *kgo.Record {
	e := Entry{Subject: subject, Key: key, ConversationID: "c", SentAt: time.Unix(0, 0).UTC(),
		Views: []View{{Name: "v", Topic: "t"}}}
	return &kgo.Record{Key: []byte(EntryKey(subject, key)), Value: MarshalEntry(e)}
}

func keysOf(t *testing.T, st *Store, p int32, prefix string) []string {
	t.Helper()
	var out []string
	if err := st.Entries(p, prefix, func(k string, e Entry) error {
		if EntryKey(e.Subject, e.Key) != k {
			t.Errorf("key %q holds entry of %q", k, EntryKey(e.Subject, e.Key))
		}
		out = append(out, k)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestStore(t *testing.T) {
	base := t.TempDir()
	st, err := OpenStore(base, 1<<20, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	rc := Done{Receipt: schemas.ErasureReceipt{RequestID: "r1", SubjectHash: "aa", Events: 2}, Partition: 1, Offset: 7}
	dv, _ := json.Marshal(rc)
	if err := st.Apply(0, []*kgo.Record{
		entryRecord("aa", "c1/e1"), entryRecord("aa", "c1/e2"), entryRecord("ab", "c2/e1"),
		entryRecord("a", "c3/e1"), // a subject that is a prefix of another
		{Key: []byte(DoneKey("aa", "r1")), Value: dv},
		{Key: []byte("aa/garbage"), Value: []byte("not json")},
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.Apply(1, []*kgo.Record{entryRecord("aa", "c9/e9")}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		p      int32
		prefix string
		want   []string
	}{
		{0, "aa/", []string{"aa/c1/e1", "aa/c1/e2"}},
		{0, "a/", []string{"a/c3/e1"}},
		{0, "", []string{"a/c3/e1", "aa/c1/e1", "aa/c1/e2", "ab/c2/e1"}},
		{1, "aa/", []string{"aa/c9/e9"}},
		{2, "", nil},
	}
	for _, tt := range tests {
		if got := keysOf(t, st, tt.p, tt.prefix); !equal(got, tt.want) {
			t.Errorf("entries(%d, %q) = %v, want %v", tt.p, tt.prefix, got, tt.want)
		}
	}

	got, ok, err := st.Done(0, "aa", "r1")
	if err != nil || !ok || got.Offset != 7 || got.Receipt.Events != 2 {
		t.Errorf("done(0, aa, r1) = %+v, %v, %v", got, ok, err)
	}
	if _, ok, _ := st.Done(1, "aa", "r1"); ok {
		t.Error("completion record visible in another partition")
	}

	// A tombstone deletes; dropping a partition keeps the others.
	if err := st.Apply(0, []*kgo.Record{{Key: []byte("aa/c1/e1")}, {Key: []byte(DoneKey("aa", "r1"))}}); err != nil {
		t.Fatal(err)
	}
	if got := keysOf(t, st, 0, "aa/"); !equal(got, []string{"aa/c1/e2"}) {
		t.Errorf("after tombstone: %v", got)
	}
	if _, ok, _ := st.Done(0, "aa", "r1"); ok {
		t.Error("completion record survives its tombstone")
	}
	if err := st.Drop(0); err != nil {
		t.Fatal(err)
	}
	if got := keysOf(t, st, 0, ""); got != nil {
		t.Errorf("after drop: %v", got)
	}
	if got := keysOf(t, st, 1, ""); len(got) != 1 {
		t.Errorf("drop(0) touched partition 1: %v", got)
	}

	dir := st.dir
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("store directory %s left behind", dir)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func identifierRecord(t *testing.T, id, key string) *kgo.Record {
	t.Helper()
	conv, _, _ := strings.Cut(key, "/")
	v, err := AppendIdentifierEntry(nil, &IdentifierEntry{Key: key, ConversationID: conv, Type: "EMAIL_ADDRESS",
		Subject: "s", SentAt: time.UnixMilli(0).UTC(), Views: []IdentifierView{{Name: "v", Forms: FormKept}}})
	if err != nil {
		t.Fatal(err)
	}
	return &kgo.Record{Key: []byte(IdentifierEntryKey(id, key)), Value: v}
}

func TestStoreIdentifiers(t *testing.T) {
	st, err := OpenStore(t.TempDir(), 1<<20, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, b := strings.Repeat("a", IdentifierIDLen), strings.Repeat("b", IdentifierIDLen)
	if err := st.ApplyIdentifiers(0, []*kgo.Record{
		identifierRecord(t, a, "c1/e1"), identifierRecord(t, a, "c1/e2"), identifierRecord(t, b, "c2/e1"),
		{Key: []byte(a + "/c3/e1"), Value: []byte("garbage")},
		{Key: []byte(IdentifierEntryKey(a, "c1/e2"))}, // a tombstone
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.ApplyIdentifiers(1, []*kgo.Record{identifierRecord(t, a, "c9/e9")}); err != nil {
		t.Fatal(err)
	}
	// The subject index of the same partition number is another keyspace.
	if err := st.Apply(0, []*kgo.Record{entryRecord(a, "c5/e5")}); err != nil {
		t.Fatal(err)
	}
	keys := func(p int32, id string) []string {
		var out []string
		if err := st.Identifiers(p, id, func(e IdentifierEntry) error {
			if e.ID != id {
				t.Errorf("entry of %s listed for %s", e.ID, id)
			}
			out = append(out, e.Key)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	tests := []struct {
		p    int32
		id   string
		want []string
	}{
		{0, a, []string{"c1/e1"}},
		{0, b, []string{"c2/e1"}},
		{1, a, []string{"c9/e9"}},
		{1, b, nil},
	}
	for _, tt := range tests {
		if got := keys(tt.p, tt.id); !equal(got, tt.want) {
			t.Errorf("Identifiers(%d, %s) = %v, want %v", tt.p, tt.id[:1], got, tt.want)
		}
	}
	if err := st.DropIdentifiers(0); err != nil {
		t.Fatal(err)
	}
	if got := keys(0, a); got != nil {
		t.Errorf("after DropIdentifiers(0): %v", got)
	}
	if got := keys(1, a); !equal(got, []string{"c9/e9"}) {
		t.Errorf("DropIdentifiers(0) dropped partition 1: %v", got)
	}
	if got := keysOf(t, st, 0, ""); !equal(got, []string{a + "/c5/e5"}) {
		t.Errorf("DropIdentifiers(0) touched the subject index: %v", got)
	}
}
