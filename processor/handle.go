package processor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor/changelog"
	"github.com/veil-privacy/veil/processor/erasure"
	"github.com/veil-privacy/veil/processor/keyring"
	"github.com/veil-privacy/veil/processor/subjects"
	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

// DLQ reasons, the value of the veil.dlq.reason header and the metric label.
const (
	ReasonDecode    = "decode"    // the payload cannot be decoded
	ReasonInvalid   = "invalid"   // decoded, but required fields are missing
	ReasonOversized = "oversized" // larger than input.max_event_bytes
	ReasonOutput    = "output_too_large"
	ReasonRender    = "render" // detection or rendering failed
	ReasonText      = "text_too_long"
	ReasonFindings  = "too_many_findings"
	ReasonSchema    = "schema" // unknown schema id, or a writer schema Veil cannot read
)

// Header keys of DLQ records.
const (
	HeaderReason          = "veil.dlq.reason"
	HeaderError           = "veil.dlq.error"
	HeaderSourceTopic     = "veil.source.topic"
	HeaderSourcePartition = "veil.source.partition"
	HeaderSourceOffset    = "veil.source.offset"
	HeaderSourceSize      = "veil.source.size"
	HeaderPayload         = "veil.dlq.payload"
)

// HeaderSpans is the header of every view record that holds its sidecar:
// the findings its rendered texts still show (kept, masked, pseudonymised)
// and its redaction tokens, by field, type and byte span, without values
// (rules.AppendSidecar; docs/erasure.md). It is a header so that the view
// payload and its schema stay as consumers know them.
const HeaderSpans = erasure.HeaderSpans

// worker holds per-goroutine scratch space reused across records. Nothing
// in it is handed on in an output: outputs get memory of their own.
type worker struct {
	findings []rules.Finding
	buf      []byte               // the rendered texts of every view of one event
	counts   []map[rules.Type]int // per view
	// redactions is RenderedEvent.Redactions of the view being encoded;
	// the encoders keep no reference to it.
	redactions map[string]int
	texts      []viewTexts           // where each view's texts are in buf
	spans      []rules.Span          // the sidecar spans of the view being rendered
	side       []byte                // the sidecars of every view of one event
	sideEnds   []int                 // where each view's sidecar ends in side
	ends       []int                 // where each view's value ends in the outputs' buffer
	views      []subjects.View       // of the index entry being encoded
	ids        identifiers           // the identifier index entries of one event
	tok        keyring.Tokenizer     // the pseudonyms of the event's subject
	re         schemas.RenderedEvent // the view being encoded
	pz         rules.Pseudonymizer
	// convs holds the open questions of the conversations this worker owns (rules.DetectTurn),
	// rebuilt for a partition newly assigned by replaying what was handled of it (replay.go).
	convs rules.Conversations
}

// viewTexts are the ends, in worker.buf, of one view's rendered body,
// subject, customer id, author name and author e-mail, in that order.
type viewTexts [5]int

// handle turns one raw record into its outputs: one record per view and a
// subject index entry, or one DLQ record, or nothing for a late event of an
// erased subject. It never returns an output holding unredacted text unless
// dlq.include_raw is set. An error means the record could not be handled for
// now (its subject's key could not be stored): the batch must not commit.
func (p *Processor) handle(ctx context.Context, w *worker, r *kgo.Record) (outs []output, err error) {
	defer func() {
		if v := recover(); v != nil {
			// Fail closed: a bug in detection or rendering must not publish.
			p.log.Error("panic while handling record", "topic", r.Topic, "partition", r.Partition, "offset", r.Offset, "panic", fmt.Sprint(v))
			outs, err = []output{p.dlq(r, ReasonRender, errors.New("internal error while rendering"))}, nil
		}
	}()
	if len(r.Value) > p.cfg.Input.MaxEventBytes {
		return []output{p.dlq(r, ReasonOversized, fmt.Errorf("event of %d bytes exceeds max_event_bytes %d", len(r.Value), p.cfg.Input.MaxEventBytes))}, nil
	}
	start := time.Now()
	ev, err := p.in.DecodeEventContext(ctx, r.Value)
	switch {
	case errors.Is(err, schemas.ErrRegistryUnavailable):
		return nil, fmt.Errorf("record %s/%d@%d: %w", r.Topic, r.Partition, r.Offset, err)
	case errors.Is(err, schemas.ErrSchema):
		return []output{p.dlq(r, ReasonSchema, err)}, nil
	case errors.Is(err, schemas.ErrInvalid):
		return []output{p.dlq(r, ReasonInvalid, err)}, nil
	case err != nil:
		return []output{p.dlq(r, ReasonDecode, err)}, nil
	}

	if n := len(ev.Body) + len(ev.Subject); n > p.cfg.Input.MaxTextBytes {
		return []output{p.dlq(r, ReasonText, fmt.Errorf("text of %d bytes exceeds max_text_bytes %d", n, p.cfg.Input.MaxTextBytes))}, nil
	}
	reason, f, err := p.checkFields(&ev, w.findings[:0])
	w.findings = f
	if reason != "" {
		return []output{p.dlq(r, reason, err)}, nil
	}
	subject := p.keys.SubjectID(ev.CustomerID)
	var pz rules.Pseudonymizer
	if e, erased := p.keys.Erased(subject); erased && !ev.SentAt.After(e.At) {
		// Sent before its subject was erased: drop it, issue no key.
		p.m.lateDropped.Inc()
		return nil, nil
	}
	if p.pseudo {
		dek, ok, err := p.keys.Key(ctx, subject, ev.SentAt)
		if err != nil {
			return nil, fmt.Errorf("data key for record %s/%d@%d: %w", r.Topic, r.Partition, r.Offset, err)
		}
		if !ok {
			p.m.lateDropped.Inc()
			return nil, nil
		}
		w.tok.SetKey(dek)
		defer w.tok.Forget() // no key material or value stays in the worker
		if w.pz == nil {
			w.pz = w.tok.Pseudonym
		}
		pz = w.pz
	}

	w.findings = w.convs.Detect(p.engine, w.findings[:0], ev.ConversationID, turnOf(&ev))
	nBody := len(w.findings)
	w.findings = p.engine.Detect(w.findings, ev.Subject, ev.Locale)
	if n := len(w.findings); n > p.cfg.Input.MaxFindings {
		return []output{p.dlq(r, ReasonFindings, fmt.Errorf("%d findings exceed max_findings %d", n, p.cfg.Input.MaxFindings))}, nil
	}
	nSubj := len(w.findings)
	// author_name is a name field, but what is typed there is detected too:
	// a card number there is masked even in a view that keeps names.
	w.findings = p.engine.Detect(w.findings, ev.AuthorName, ev.Locale)
	bodyF, subjF, nameF := w.findings[:nBody], w.findings[nBody:nSubj], w.findings[nSubj:]
	nameF = slices.DeleteFunc(nameF, func(f rules.Finding) bool { return f.Type == rules.Person })
	w.findings = w.findings[:nSubj+len(nameF)]
	for _, f := range w.findings {
		p.m.findings.WithLabelValues(string(f.Type)).Inc()
	}

	// Render the texts of every view into w.buf, then make one string of
	// them all: the rendered events' fields are substrings of it.
	for len(w.counts) < len(p.views) {
		w.counts = append(w.counts, map[rules.Type]int{})
	}
	if w.redactions == nil {
		w.redactions = map[string]int{}
	}
	w.buf, w.texts = w.buf[:0], w.texts[:0]
	w.side, w.sideEnds = w.side[:0], w.sideEnds[:0]
	for i := range p.views {
		v, counts := &p.views[i], w.counts[i]
		clear(counts)
		var t viewTexts
		w.spans = w.spans[:0]
		w.buf, w.spans = v.policy.RenderSpans(w.buf, ev.Body, bodyF, pz, counts, w.spans, rules.FieldBody)
		t[0] = len(w.buf)
		w.buf, w.spans = v.policy.RenderSpans(w.buf, ev.Subject, subjF, pz, counts, w.spans, rules.FieldSubject)
		t[1] = len(w.buf)
		w.buf, w.spans = renderField(w.buf, &v.fields, rules.CustomerID, ev.CustomerID, pz, w.spans, rules.FieldCustomerID)
		t[2] = len(w.buf)
		w.buf, w.spans = p.renderName(w.buf, v, ev.AuthorName, nameF, pz, counts, w.spans)
		t[3] = len(w.buf)
		w.buf, w.spans = renderField(w.buf, &v.fields, rules.Email, ev.AuthorEmail, pz, w.spans, rules.FieldAuthorEmail)
		t[4] = len(w.buf)
		w.texts = append(w.texts, t)
		w.side = rules.AppendSidecar(w.side, w.spans)
		w.sideEnds = append(w.sideEnds, len(w.side))
	}
	texts := string(w.buf)
	p.collectIdentifiers(w, &ev, bodyF, subjF, nameF, pz != nil)

	// The outputs of the event share one allocation for their records and
	// one for their keys and values. None of it is reused: a record is
	// never touched again once it is handed to the client.
	recs := make([]kgo.Record, len(p.views)+1+len(w.ids.found))
	outs = make([]output, 0, len(recs))
	vals := make([]byte, 0, outputBytes(&ev, len(p.views), len(texts))+len(w.side)+p.identifierBytes(w, len(ev.ConversationID)+1+len(ev.EventID), len(subject)))
	vals = append(vals, ev.ConversationID...)
	vals = append(vals, '/')
	vals = append(vals, ev.EventID...)
	nKey := len(vals)
	vals = append(vals, w.side...) // the sidecars, cut into headers by cut
	nSide := len(vals)
	pctx := changelog.WithPartitionKey(ev.ConversationID)
	now := time.Now().UTC()
	mark, isCanary := canaryMark(r, &ev)
	// The headers of every view record, in one allocation: the view's own,
	// the sidecar, and the canary mark.
	nHeaders := 0
	for i := range p.views {
		nHeaders += len(p.views[i].headers) + 2
	}
	hdrs := make([]kgo.RecordHeader, 0, nHeaders)
	w.views, w.ends = w.views[:0], w.ends[:0]
	from := 0
	for i := range p.views {
		v, t := &p.views[i], w.texts[i]
		clear(w.redactions)
		for typ, n := range w.counts[i] {
			w.redactions[string(typ)] = n
		}
		w.re = schemas.RenderedEvent{
			EventID:         ev.EventID,
			ConversationID:  ev.ConversationID,
			CustomerID:      texts[t[1]:t[2]],
			Channel:         ev.Channel,
			Locale:          ev.Locale,
			AuthorRole:      ev.AuthorRole,
			AuthorName:      texts[t[2]:t[3]],
			AuthorEmail:     texts[t[3]:t[4]],
			SentAt:          ev.SentAt,
			ProcessedAt:     now,
			Subject:         texts[t[0]:t[1]],
			Body:            texts[from:t[0]],
			View:            v.name,
			PolicyVersion:   v.policy.Version,
			DetectorVersion: p.engine.Version(),
			Redactions:      w.redactions,
		}
		from = t[4]
		at := len(vals)
		vals, err = p.out.AppendRendered(vals, &w.re)
		w.re = schemas.RenderedEvent{} // it holds the event's strings
		if err != nil {
			return []output{p.dlq(r, ReasonRender, fmt.Errorf("encoding view %s: %w", v.name, err))}, nil
		}
		if n := len(vals) - at; n > p.cfg.Output.MaxRecordBytes {
			return []output{p.dlq(r, ReasonOutput, fmt.Errorf("view %s record of %d bytes exceeds max_record_bytes %d", v.name, n, p.cfg.Output.MaxRecordBytes))}, nil
		}
		h := len(hdrs)
		hdrs = append(hdrs, v.headers...)
		hdrs = append(hdrs, kgo.RecordHeader{Key: HeaderSpans}) // its value is set by cut
		if isCanary {
			hdrs = append(hdrs, mark)
		}
		recs[i] = kgo.Record{Topic: v.topic, Headers: hdrs[h:len(hdrs):len(hdrs)], Context: pctx}
		w.ends = append(w.ends, len(vals))
		outs = append(outs, output{view: v.name, rec: &recs[i]})
		w.views = append(w.views, subjects.View{Name: v.name, Topic: v.topic})
	}
	// The views' keys and values are cut from vals only once it is whole:
	// appending may move it.
	cut := func() {
		key, end, side := vals[:nKey:nKey], nSide, vals[nKey:nSide:nSide]
		sideFrom := 0
		for i := range p.views {
			start := end
			end = w.ends[i]
			recs[i].Key, recs[i].Value = key, vals[start:end:end]
			sideTo := w.sideEnds[i]
			recs[i].Headers[len(p.views[i].headers)].Value = side[sideFrom:sideTo:sideTo]
			sideFrom = sideTo
		}
		p.m.processing.Observe(time.Since(start).Seconds())
	}
	if isCanary {
		// Canary events are synthetic: never indexed for erasure.
		cut()
		return outs, nil
	}
	// The index entry goes to the partition of the customer, like the
	// customer's erasure requests.
	idxKey := len(vals)
	vals = append(vals, subject...)
	vals = append(vals, '/')
	vals = append(vals, vals[:nKey]...)
	idxVal := len(vals)
	viewKey := string(vals[:nKey])
	entry := subjects.Entry{Subject: subject, Key: viewKey, ConversationID: ev.ConversationID,
		SentAt: ev.SentAt, Channel: ev.Channel, Locale: ev.Locale, Views: w.views}
	if vals, err = subjects.AppendEntry(vals, &entry); err != nil {
		return []output{p.dlq(r, ReasonRender, err)}, nil
	}
	idxEnd := len(vals)
	ie := subjects.IdentifierEntry{Key: viewKey, ConversationID: ev.ConversationID, Subject: subject, SentAt: ev.SentAt}
	if vals, err = p.appendIdentifiers(vals, w, &ie, nKey); err != nil {
		return []output{p.dlq(r, ReasonRender, err)}, nil
	}
	idx := &recs[len(p.views)]
	*idx = kgo.Record{Topic: p.cfg.Topics.Subjects, Context: changelog.WithPartitionKey(ev.CustomerID),
		Key: vals[idxKey:idxVal:idxVal], Value: vals[idxVal:idxEnd:idxEnd]}
	outs = append(outs, output{rec: idx})
	outs = p.identifierRecords(outs, recs[len(p.views)+1:], w, vals)
	cut()
	return outs, nil
}

// outputBytes estimates the bytes of the keys and values of the outputs of
// ev, of views views whose rendered texts take texts bytes.
func outputBytes(ev *schemas.ConversationEvent, views, texts int) int {
	ids := len(ev.EventID) + len(ev.ConversationID) + len(ev.Channel) + len(ev.Locale) + len(ev.AuthorRole)
	// Per view: the ids, the field names, times, versions and counts.
	return texts + views*(ids+400) + 3*ids + 300
}

// renderField renders a whole structured field value of type t under pol
// (pol.RenderValue, appended to dst), and appends its sidecar span, of
// field f, to spans.
func renderField(dst []byte, pol *rules.Policy, t rules.Type, value string, pz rules.Pseudonymizer, spans []rules.Span, f rules.Field) ([]byte, []rules.Span) {
	if value == "" {
		return dst, spans
	}
	whole := [1]rules.Finding{{Type: t, Start: 0, End: len(value)}}
	return pol.RenderSpans(dst, value, whole[:], pz, nil, spans, f)
}

// renderName appends author_name rendered in view v: as a name under the view's
// field rule, unless that rule keeps names and the detector found other
// types in it; those are then rendered under the view's policy, and the rest
// of the field, kept, is a name in the sidecar.
func (p *Processor) renderName(dst []byte, v *view, name string, other []rules.Finding, pz rules.Pseudonymizer, counts map[rules.Type]int, spans []rules.Span) ([]byte, []rules.Span) {
	if len(other) == 0 || v.fields.RuleFor(rules.Person).Action != rules.Keep {
		return renderField(dst, &v.fields, rules.Person, name, pz, spans, rules.FieldAuthorName)
	}
	base, first := len(dst), len(spans)
	dst, spans = v.policy.RenderSpans(dst, name, other, pz, counts, spans, rules.FieldAuthorName)
	return dst, keptGaps(spans, first, dst[base:], rules.Person, rules.FieldAuthorName)
}

// keptGaps adds to spans[first:], the spans of text (rendered, of field f),
// a span of type t, kept, for every run of text between them that is not
// white space, keeping spans sorted.
func keptGaps(spans []rules.Span, first int, text []byte, t rules.Type, f rules.Field) []rules.Span {
	n := len(spans)
	last := 0
	for i := first; i <= n; i++ {
		end := len(text)
		if i < n {
			end = spans[i].Start
		}
		a, b := last, end
		for a < b && isSpace(text[a]) {
			a++
		}
		for b > a && isSpace(text[b-1]) {
			b--
		}
		if a < b {
			spans = append(spans, rules.Span{Field: f, Type: t, Start: a, End: b, Form: rules.Kept})
		}
		if i < n {
			last = spans[i].End
		}
	}
	if len(spans) > n {
		// Few spans: sort the tail by start in place.
		tail := spans[first:]
		slices.SortFunc(tail, func(x, y rules.Span) int { return x.Start - y.Start })
	}
	return spans
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// dlq builds the dead-letter output for r: see dlqPayload and dlqRecord.
// err must not hold payload text (the codecs guarantee that for their
// errors).
func (p *Processor) dlq(r *kgo.Record, reason string, err error) output {
	payload, how := p.dlqPayload(r, reason)
	return output{rec: p.dlqRecord(r, reason, err, payload, how)}
}

// dlqPayload returns the DLQ payload of r and how it was made (the
// veil.dlq.payload header): nothing for a record over max_event_bytes (it is
// not looked at at all); the raw value, cut to dlq.max_payload_bytes, only
// when dlq.include_raw is set; otherwise the text dlqText can make of the
// value, cut to dlq.max_payload_bytes before it is scanned, with every
// finding redacted and every long run of digits masked.
func (p *Processor) dlqPayload(r *kgo.Record, reason string) ([]byte, string) {
	n := p.cfg.DLQ.MaxPayloadBytes
	switch {
	case reason == ReasonOversized || n == 0:
		return nil, "dropped"
	case p.cfg.DLQ.IncludeRaw:
		if len(r.Value) > n {
			return r.Value[:n], "raw,truncated"
		}
		return r.Value, "raw"
	}
	text, how := dlqText(p.cfg.Input.Format, r.Value), "redacted"
	if len(text) > n {
		text, how = cutText(text, n), how+",truncated"
	}
	findings := p.engine.Detect(nil, string(text), "")
	pol := rules.RedactAll()
	out := maskDigitRuns(pol.Render(nil, string(text), findings, nil, nil))
	if len(out) > n {
		out = out[:n]
		for len(out) > 0 && !utf8.Valid(out) {
			out = out[:len(out)-1]
		}
	}
	return out, how
}

// dlqRecord builds the dead-letter record for r with payload; its headers
// say why and where from, its key is a keyed hash of r's key (never the key
// itself: keys are made of ids that may hold personal data).
func (p *Processor) dlqRecord(r *kgo.Record, reason string, err error, payload []byte, how string) *kgo.Record {
	p.m.dlq.WithLabelValues(reason).Inc()
	p.log.Warn("record sent to the dead-letter topic", "reason", reason,
		"topic", r.Topic, "partition", r.Partition, "offset", r.Offset, "err", err)
	var key []byte
	if len(r.Key) > 0 {
		key = []byte("k-" + p.keys.SubjectID("\x00veil.dlq.key\x00"+string(r.Key)))
	}
	return &kgo.Record{
		Topic: p.cfg.Topics.DLQ,
		Key:   key,
		Value: payload,
		Headers: []kgo.RecordHeader{
			{Key: HeaderReason, Value: []byte(reason)},
			{Key: HeaderError, Value: []byte(err.Error())},
			{Key: HeaderSourceTopic, Value: []byte(r.Topic)},
			{Key: HeaderSourcePartition, Value: []byte(strconv.Itoa(int(r.Partition)))},
			{Key: HeaderSourceOffset, Value: []byte(strconv.FormatInt(r.Offset, 10))},
			{Key: HeaderSourceSize, Value: []byte(strconv.Itoa(len(r.Value)))},
			{Key: HeaderPayload, Value: []byte(how)},
		},
		Partition: r.Partition,
	}
}
