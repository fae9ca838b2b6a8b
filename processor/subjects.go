package processor

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// IndexEntry is one record of the subject index (topic veil.subjects): which
// view records hold data of which subject. One entry per rendered event,
// keyed IndexKey(subject, view key), partitioned by customer_id like the
// erasure requests, so the instance that owns a request's partition owns the
// subject's index partition too. It holds no personal data: the subject is a
// keyed hash and conversation and event ids are opaque.
type IndexEntry struct {
	// Subject is the subject id (Keyring.SubjectID of the customer id).
	Subject string `json:"subject"`
	// Key is the record key on every view topic: "<conversation_id>/<event_id>".
	Key string `json:"key"`
	// ConversationID is the partitioning key of the view records.
	ConversationID string `json:"conversation_id"`
	// Views are the view topics the event was rendered to.
	Views []IndexView `json:"views"`
	// SentAt is when the customer or agent sent the event.
	SentAt time.Time `json:"sent_at"`
	// Channel and Locale select the retention policy.
	Channel string `json:"channel"`
	Locale  string `json:"locale,omitempty"`
}

// IndexView names one view and its topic.
type IndexView struct {
	Name  string `json:"name"`
	Topic string `json:"topic"`
}

// IndexKey is the key of an index entry: "<subject>/<view key>".
func IndexKey(subject, viewKey string) string { return subject + "/" + viewKey }

// SubjectOfIndexKey returns the subject of an index key.
func SubjectOfIndexKey(key string) (string, bool) {
	s, _, ok := strings.Cut(key, "/")
	return s, ok
}

// MarshalIndexEntry encodes e for the index topic.
func MarshalIndexEntry(e IndexEntry) []byte {
	b, _ := json.Marshal(e) // cannot fail: plain strings and times
	return b
}

// UnmarshalIndexEntry decodes an index topic value.
func UnmarshalIndexEntry(b []byte) (IndexEntry, error) {
	var e IndexEntry
	if err := json.Unmarshal(b, &e); err != nil {
		return e, fmt.Errorf("decoding index entry: %w", err)
	}
	return e, nil
}
