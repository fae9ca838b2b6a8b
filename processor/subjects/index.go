// Package subjects owns the subject index: the record formats of the
// compacted topic veil.subjects (which view records hold whose data, and
// which erasure requests are done) and the local store an instance restores
// the partitions it owns into.
package subjects

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/veil-privacy/veil/schemas"
)

// Entry is one record of the subject index: which view records hold data
// of which subject. One entry per rendered event, keyed EntryKey(subject,
// view key), partitioned by customer_id like the erasure requests, so the
// instance that owns a request's partition owns the subject's index
// partition too. It holds no personal data: the subject is a keyed hash and
// conversation and event ids are opaque.
type Entry struct {
	// Subject is the subject id (keyring.Keyring.SubjectID of the customer id).
	Subject string `json:"subject"`
	// Key is the record key on every view topic: "<conversation_id>/<event_id>".
	Key string `json:"key"`
	// ConversationID is the partitioning key of the view records.
	ConversationID string `json:"conversation_id"`
	// Views are the view topics the event was rendered to.
	Views []View `json:"views"`
	// SentAt is when the customer or agent sent the event.
	SentAt time.Time `json:"sent_at"`
	// Channel and Locale select the retention policy.
	Channel string `json:"channel"`
	Locale  string `json:"locale,omitempty"`
}

// View names one view and its topic.
type View struct {
	Name  string `json:"name"`
	Topic string `json:"topic"`
}

// EntryKey is the key of an index entry: "<subject>/<view key>".
func EntryKey(subject, viewKey string) string { return subject + "/" + viewKey }

// SubjectOf returns the subject of an index entry's key; ok is false for
// other keys (completion and progress records).
func SubjectOf(key string) (string, bool) {
	s, rest, ok := strings.Cut(key, "/")
	return s, ok && !strings.HasPrefix(rest, "!")
}

// MarshalEntry encodes e for the index topic, as JSON. It returns nil for
// a SentAt that JSON cannot hold (a year outside 0-9999).
func MarshalEntry(e Entry) []byte {
	b, err := AppendEntry(nil, &e)
	if err != nil {
		return nil
	}
	return b
}

// AppendEntry appends MarshalEntry's encoding of *e to dst: what
// encoding/json makes of Entry, byte for byte (TestAppendEntry checks that),
// without reflection.
func AppendEntry(dst []byte, e *Entry) ([]byte, error) {
	dst = append(dst, `{"subject":`...)
	dst = schemas.AppendJSONString(dst, e.Subject)
	dst = append(dst, `,"key":`...)
	dst = schemas.AppendJSONString(dst, e.Key)
	dst = append(dst, `,"conversation_id":`...)
	dst = schemas.AppendJSONString(dst, e.ConversationID)
	dst = append(dst, `,"views":`...)
	if e.Views == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i, v := range e.Views {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"name":`...)
			dst = schemas.AppendJSONString(dst, v.Name)
			dst = append(dst, `,"topic":`...)
			dst = schemas.AppendJSONString(dst, v.Topic)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"sent_at":"`...)
	dst, err := e.SentAt.AppendText(dst)
	if err != nil {
		return nil, fmt.Errorf("encoding index entry: %w", err)
	}
	dst = append(dst, `","channel":`...)
	dst = schemas.AppendJSONString(dst, e.Channel)
	if e.Locale != "" {
		dst = append(dst, `,"locale":`...)
		dst = schemas.AppendJSONString(dst, e.Locale)
	}
	return append(dst, '}'), nil
}

// UnmarshalEntry decodes an index topic value.
func UnmarshalEntry(b []byte) (Entry, error) {
	var e Entry
	if err := json.Unmarshal(b, &e); err != nil {
		return e, fmt.Errorf("decoding index entry: %w", err)
	}
	return e, nil
}

// doneMarker separates the subject from the request id in the key of a
// completion record on the index topic: "<subject>/!done/<request_id>".
const doneMarker = "/!done/"

// DoneKey is the index-topic key of the completion record of a request.
func DoneKey(subject, requestID string) string { return subject + doneMarker + requestID }

// Done is the value of a completion record: the receipt that was published
// and the request record it answered.
type Done struct {
	Receipt   schemas.ErasureReceipt `json:"receipt"`
	Partition int32                  `json:"partition"`
	Offset    int64                  `json:"offset"`
}

// progressMarker separates the subject from the request id in the key of a
// progress record: "<subject>/!progress/<request_id>".
const progressMarker = "/!progress/"

// ProgressKey is the index-topic key of the progress record of a request.
func ProgressKey(subject, requestID string) string { return subject + progressMarker + requestID }

// Progress is the value of a progress record: what an erasure in hand has
// removed so far, so that a restart continues the count instead of starting
// it again. It is written before each chunk of tombstones: Events and
// Tombstones count the chunks whose index tombstones are acknowledged;
// Pending is the chunk being written, which a restart resolves by looking up
// which of its index entries are gone.
type Progress struct {
	Events     int            `json:"events"`
	Tombstones map[string]int `json:"tombstones"`
	StartedAt  time.Time      `json:"started_at"`
	Pending    []Pending      `json:"pending,omitempty"`
}

// Pending is one index entry of the chunk in hand and the topics its
// tombstones go to (view topics; the index topic is implied).
type Pending struct {
	Key    string   `json:"key"`
	Topics []string `json:"topics"`
}

// MarshalProgress encodes g for the index topic.
func MarshalProgress(g Progress) ([]byte, error) {
	b, err := json.Marshal(g)
	if err != nil {
		return nil, fmt.Errorf("encoding progress record: %w", err)
	}
	return b, nil
}

// MarshalDone encodes d for the index topic.
func MarshalDone(d Done) ([]byte, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encoding completion record: %w", err)
	}
	return b, nil
}
