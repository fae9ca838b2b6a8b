package erasure

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor/changelog"
	"github.com/veil-privacy/veil/processor/keyring"
	"github.com/veil-privacy/veil/processor/subjects"
	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

// Headers of view records that re-rendering reads or writes.
const (
	// HeaderSpans holds a view record's sidecar (rules.AppendSidecar).
	HeaderSpans = "veil.spans"
	// HeaderPolicyVersion is the version of the policy that rendered it.
	HeaderPolicyVersion = "veil.policy.version"
	// HeaderErasure is the id of the erasure request that re-rendered a
	// record last, so that the request, handled again after a restart,
	// counts what it did before.
	HeaderErasure = "veil.erasure.request"
)

// ErasedSuffix is appended to the policy version of a record re-rendered
// with identifiers erased: the view's policy, plus erasures.
const ErasedSuffix = "+erased"

// target is one view record (by view key) that holds identifiers to erase.
type target struct {
	key, conv string
	// subject is the record's own subject: its pseudonyms are made with
	// that subject's key.
	subject string
	// sentAt is when its event was sent: its view records were written after.
	sentAt time.Time
	ids    []rules.Identifier
}

// outcome is what re-rendering did to one view record.
type outcome int

const (
	unchanged   outcome = iota // it shows none of the identifiers
	rerendered                 // written again with them redacted (now or, by this request, before)
	failClosed                 // it cannot be re-rendered safely: tombstoned
	alreadyGone                // a tombstone already
)

// rerender returns what replaces r, the latest version of t's record on its
// view topic, and what was done: r rendered again with t's identifiers
// redacted wherever it shows them (kept, masked or pseudonymised: a
// pseudonym is recognised with the record subject's key, or without one every
// pseudonym of the type is redacted), or a tombstone when r cannot be
// decoded or has no sidecar that fits it (fail closed: it may show the
// values where nothing says), or nil when nothing is to be written.
func (s *Service) rerender(r *kgo.Record, t *target, requestID string) (*kgo.Record, outcome) {
	if r.Value == nil {
		return nil, alreadyGone
	}
	tomb := &kgo.Record{Topic: r.Topic, Key: r.Key, Context: changelog.WithPartitionKey(t.conv)}
	codec, err := s.viewCodec(r.Value)
	if err != nil {
		return tomb, failClosed
	}
	ev, err := codec.DecodeRendered(r.Value)
	if err != nil {
		return tomb, failClosed
	}
	side, ok := header(r, HeaderSpans)
	if !ok {
		return tomb, failClosed
	}
	spans, err := rules.ParseSidecar(nil, side)
	if err != nil {
		return tomb, failClosed
	}
	var pz rules.Pseudonymizer
	if dek, ok := s.kr.DataKey(t.subject); ok {
		tok := keyring.NewTokenizer(dek)
		defer tok.Forget()
		pz = tok.Pseudonym
	}
	locale := ev.Locale
	norm := func(typ rules.Type, v string) string {
		n, _ := subjects.NormalizeIdentifier(string(typ), v, locale)
		return n
	}
	out, changed, err := rerenderFields(&ev, spans, rules.MatchIdentifiers(t.ids, norm, pz), pz)
	if err != nil {
		return tomb, failClosed
	}
	if !changed {
		if by, _ := header(r, HeaderErasure); string(by) == requestID {
			return nil, rerendered // done by this request before a restart
		}
		// The index names this record for one of the values, yet no span
		// matched. Kept and masked spans are compared by normalised value,
		// but a pseudonym is the processor's token of the value as written
		// ("06 1234 5678" in an nl-NL text), which the request's
		// international form need not reproduce. Fail closed: redact every
		// pseudonym of those types in it.
		if out, changed, err = rerenderFields(&ev, spans, pseudonymsOf(t.ids), pz); err != nil {
			return tomb, failClosed
		}
		if !changed {
			return nil, unchanged // nothing of those types shows in it
		}
	}
	if !strings.HasSuffix(ev.PolicyVersion, ErasedSuffix) {
		ev.PolicyVersion += ErasedSuffix
	}
	ev.ProcessedAt = s.now().UTC()
	v, err := codec.EncodeRendered(ev)
	if err != nil {
		return tomb, failClosed
	}
	return &kgo.Record{Topic: r.Topic, Key: r.Key, Value: v, Context: changelog.WithPartitionKey(t.conv),
		Headers: rerenderedHeaders(r.Headers, rules.AppendSidecar(nil, out), ev.PolicyVersion, requestID)}, rerendered
}

// pseudonymsOf matches every pseudonymised span of one of the types of ids.
func pseudonymsOf(ids []rules.Identifier) rules.Matcher {
	return func(t rules.Type, f rules.Form, _ string) bool {
		return f == rules.Pseudonymized && slices.ContainsFunc(ids, func(id rules.Identifier) bool { return id.Type == t })
	}
}

// rerenderFields re-renders every text field of ev in place with match (no
// policy change), counts what it newly redacted in ev.Redactions, and
// returns the new sidecar spans and whether any field changed.
func rerenderFields(ev *schemas.RenderedEvent, spans []rules.Span, match rules.Matcher, pz rules.Pseudonymizer) ([]rules.Span, bool, error) {
	fields := [...]*string{&ev.Body, &ev.Subject, &ev.CustomerID, &ev.AuthorName, &ev.AuthorEmail}
	var out []rules.Span
	var buf []byte
	changed := false
	for f, text := range fields {
		old := rules.FieldSpans(spans, rules.Field(f))
		from := len(out)
		var err error
		buf, out, err = rules.Rerender(buf[:0], *text, old, nil, match, pz, out)
		if err != nil {
			return nil, false, fmt.Errorf("field %s: %w", rules.Field(f), err)
		}
		if string(buf) == *text {
			continue
		}
		changed = true
		*text = string(buf)
		countRedacted(ev, old, out[from:])
	}
	return out, changed, nil
}

// countRedacted adds to ev.Redactions, per type, the spans redacted or
// removed now that old showed.
func countRedacted(ev *schemas.RenderedEvent, old, now []rules.Span) {
	shown := map[rules.Type]int{}
	for _, s := range old {
		if s.Form != rules.Redacted {
			shown[s.Type]++
		}
	}
	for _, s := range now {
		if s.Form != rules.Redacted {
			shown[s.Type]--
		}
	}
	for typ, n := range shown {
		if n > 0 {
			if ev.Redactions == nil {
				ev.Redactions = map[string]int{}
			}
			ev.Redactions[string(typ)] += n
		}
	}
}

// rerenderedHeaders returns hs with the sidecar, policy version and
// erasure request set to side, policy and requestID.
func rerenderedHeaders(hs []kgo.RecordHeader, side []byte, policy, requestID string) []kgo.RecordHeader {
	out := make([]kgo.RecordHeader, 0, len(hs)+1)
	for _, h := range hs {
		switch h.Key {
		case HeaderSpans, HeaderPolicyVersion, HeaderErasure:
		default:
			out = append(out, h)
		}
	}
	return append(out,
		kgo.RecordHeader{Key: HeaderPolicyVersion, Value: []byte(policy)},
		kgo.RecordHeader{Key: HeaderSpans, Value: side},
		kgo.RecordHeader{Key: HeaderErasure, Value: []byte(requestID)})
}

// header returns the value of the first header key of r.
func header(r *kgo.Record, key string) ([]byte, bool) {
	for _, h := range r.Headers {
		if h.Key == key {
			return h.Value, true
		}
	}
	return nil, false
}

// viewCodec returns the codec of the view record value v: the view
// format's; in the confluent format one that writes the configured schema
// id or else the id v carries.
func (s *Service) viewCodec(v []byte) (*schemas.Codec, error) {
	if s.pl.OutputFormat != schemas.FormatConfluent {
		return s.views, nil
	}
	id := s.pl.OutputSchemaID
	if id == 0 {
		if len(v) < 5 || v[0] != 0 {
			return nil, fmt.Errorf("%w: no confluent framing", schemas.ErrMalformed)
		}
		id = binary.BigEndian.Uint32(v[1:5])
	}
	if c, ok := s.confluent[id]; ok {
		return c, nil
	}
	c, err := schemas.NewCodec(schemas.FormatConfluent, schemas.WithSchemaID(schemas.RecordRenderedEvent, id))
	if err != nil {
		return nil, err
	}
	s.confluent[id] = c
	return c, nil
}
