package schemas

import (
	"errors"
	"fmt"
	"time"
)

// ConversationEvent is one message of a customer conversation (chat or
// e-mail) as a connector produces it onto conversations.raw. It holds raw PII.
//
// Optional fields are empty strings when absent. Decoded times are in UTC.
// Decoded from JSON, the string fields are substrings of one string: a
// caller that keeps one of them beyond the event (as a map key, say) keeps a
// strings.Clone of it, or it keeps the whole event's text alive.
type ConversationEvent struct {
	EventID        string    `json:"event_id"`
	ConversationID string    `json:"conversation_id"`
	CustomerID     string    `json:"customer_id"`
	Channel        string    `json:"channel"`                // "chat" | "email" | other strings allowed
	Locale         string    `json:"locale"`                 // e.g. "nl-NL"; optional
	AuthorRole     string    `json:"author_role"`            // "customer" | "agent" | ...; optional
	AuthorName     string    `json:"author_name,omitempty"`  // optional structured field
	AuthorEmail    string    `json:"author_email,omitempty"` // optional structured field
	SentAt         time.Time `json:"sent_at"`                // RFC 3339 in JSON
	Subject        string    `json:"subject,omitempty"`
	Body           string    `json:"body"`
}

// Validate reports every missing required field (event_id, conversation_id,
// customer_id, channel, sent_at), joined into one error that wraps ErrInvalid.
// It returns nil for a valid event.
func (e *ConversationEvent) Validate() error {
	var errs []error
	errs = appendMissing(errs, "event_id", e.EventID == "")
	errs = appendMissing(errs, "conversation_id", e.ConversationID == "")
	errs = appendMissing(errs, "customer_id", e.CustomerID == "")
	errs = appendMissing(errs, "channel", e.Channel == "")
	errs = appendMissing(errs, "sent_at", e.SentAt.IsZero())
	return errors.Join(errs...)
}

// RenderedEvent is a ConversationEvent rendered for one view (audience) under
// that view's redaction policy, as Veil produces it onto conversations.<view>.
type RenderedEvent struct {
	EventID        string `json:"event_id"`
	ConversationID string `json:"conversation_id"`
	// CustomerID is the pseudonym of the customer id, or "" when the view
	// removes it.
	CustomerID  string    `json:"customer_id"`
	Channel     string    `json:"channel"`
	Locale      string    `json:"locale"`
	AuthorRole  string    `json:"author_role"`
	AuthorName  string    `json:"author_name,omitempty"`
	AuthorEmail string    `json:"author_email,omitempty"`
	SentAt      time.Time `json:"sent_at"`
	// ProcessedAt is when Veil rendered the event.
	ProcessedAt time.Time `json:"processed_at"`
	Subject     string    `json:"subject,omitempty"`
	Body        string    `json:"body"`
	// View names the audience, e.g. "analytics".
	View string `json:"view"`
	// PolicyVersion is the version of the view policy that rendered the event.
	PolicyVersion string `json:"policy_version"`
	// DetectorVersion is the version of the detection rules that found the PII.
	DetectorVersion string `json:"detector_version"`
	// Redactions counts the findings redacted, per PII type name. An empty
	// map decodes as nil.
	Redactions map[string]int `json:"redactions,omitempty"`
}

// ErasureRequest asks to erase all data of one customer, and/or identifiers
// wherever a view record shows them, as produced onto erasure.requests.
type ErasureRequest struct {
	// RequestID makes handling idempotent.
	RequestID string `json:"request_id"`
	// CustomerID is the customer whose records are erased; empty for a
	// request by identifiers only.
	CustomerID  string    `json:"customer_id"`
	RequestedAt time.Time `json:"requested_at"`
	// Reason is free-form, e.g. a ticket reference; it must not hold PII.
	Reason string `json:"reason,omitempty"`
	// Identifiers are values to redact in every view record that shows
	// them (other customers' records included). An empty list decodes as nil.
	Identifiers []Identifier `json:"identifiers,omitempty"`
}

// Identifier is one value to erase: its PII type name and the value.
type Identifier struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// Validate reports every missing required field (request_id; customer_id
// unless identifiers are given; the type and value of each identifier),
// joined into one error that wraps ErrInvalid. It returns nil for a valid
// request. RequestedAt is optional: callers may fall back to the record
// timestamp.
func (r *ErasureRequest) Validate() error {
	var errs []error
	errs = appendMissing(errs, "request_id", r.RequestID == "")
	errs = appendMissing(errs, "customer_id or identifiers", r.CustomerID == "" && len(r.Identifiers) == 0)
	for i, id := range r.Identifiers {
		errs = appendMissing(errs, fmt.Sprintf("identifiers[%d].type", i), id.Type == "")
		errs = appendMissing(errs, fmt.Sprintf("identifiers[%d].value", i), id.Value == "")
	}
	return errors.Join(errs...)
}

// ErasureReceipt is the PII-free proof of an erasure, as produced onto
// erasure.receipts.
type ErasureReceipt struct {
	// RequestID is the id of the erasure request, or of the retention sweep.
	RequestID string `json:"request_id"`
	// SubjectHash is the keyed hash of the customer id; never the raw id.
	SubjectHash string `json:"subject"`
	// Reason is "request" or "retention".
	Reason string `json:"reason"`
	// Policy is the retention policy name, when Reason is "retention".
	Policy string `json:"policy,omitempty"`
	// Tombstones counts the tombstones written, per topic. An empty map
	// decodes as nil.
	Tombstones map[string]int `json:"tombstones,omitempty"`
	// Rerendered counts the view records written again with an erased
	// identifier redacted, per view topic. An empty map decodes as nil.
	Rerendered map[string]int `json:"rerendered,omitempty"`
	// Events is the number of events erased.
	Events    int       `json:"events"`
	StartedAt time.Time `json:"started_at"`
	// CompletedAt is zero when the erasure did not complete.
	CompletedAt time.Time `json:"completed_at,omitzero"`
	// Status is "completed", or "not_found" when no record of the subject was found (counts 0).
	Status string `json:"status"`
}

func appendMissing(errs []error, field string, missing bool) []error {
	if !missing {
		return errs
	}
	return append(errs, fmt.Errorf("missing %s: %w", field, ErrInvalid))
}
