package processor

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/twmb/franz-go/pkg/kgo"

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

// worker holds per-goroutine scratch space reused across records.
type worker struct {
	findings []rules.Finding
	buf      []byte
	counts   map[rules.Type]int
}

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
	ev, err := p.in.DecodeEvent(r.Value)
	switch {
	case errors.Is(err, schemas.ErrInvalid):
		return []output{p.dlq(r, ReasonInvalid, err)}, nil
	case err != nil:
		return []output{p.dlq(r, ReasonDecode, err)}, nil
	}

	if n := len(ev.Body) + len(ev.Subject); n > p.cfg.Input.MaxTextBytes {
		return []output{p.dlq(r, ReasonText, fmt.Errorf("text of %d bytes exceeds max_text_bytes %d", n, p.cfg.Input.MaxTextBytes))}, nil
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
		z := NewTokenizer(dek)
		pz = func(t rules.Type, v string) (string, bool) { return z.Token(t, v), true }
	}

	w.findings = p.engine.Detect(w.findings[:0], ev.Body, ev.Locale)
	nBody := len(w.findings)
	w.findings = p.engine.Detect(w.findings, ev.Subject, ev.Locale)
	if n := len(w.findings); n > p.cfg.Input.MaxFindings {
		return []output{p.dlq(r, ReasonFindings, fmt.Errorf("%d findings exceed max_findings %d", n, p.cfg.Input.MaxFindings))}, nil
	}
	bodyF, subjF := w.findings[:nBody], w.findings[nBody:]
	for _, f := range w.findings {
		p.m.findings.WithLabelValues(string(f.Type)).Inc()
	}

	key := []byte(ev.ConversationID + "/" + ev.EventID)
	pctx := WithPartitionKey(ev.ConversationID)
	now := time.Now().UTC()
	outs = make([]output, 0, len(p.views)+1)
	entry := IndexEntry{Subject: subject, Key: string(key), ConversationID: ev.ConversationID,
		SentAt: ev.SentAt, Channel: ev.Channel, Locale: ev.Locale}
	for i := range p.views {
		v := &p.views[i]
		if w.counts == nil {
			w.counts = map[rules.Type]int{}
		}
		clear(w.counts)
		w.buf = v.policy.Render(w.buf[:0], ev.Body, bodyF, pz, w.counts)
		outBody := string(w.buf)
		w.buf = v.policy.Render(w.buf[:0], ev.Subject, subjF, pz, w.counts)
		re := schemas.RenderedEvent{
			EventID:         ev.EventID,
			ConversationID:  ev.ConversationID,
			CustomerID:      v.fields.RenderValue(structuredFields["customer_id"], ev.CustomerID, pz),
			Channel:         ev.Channel,
			Locale:          ev.Locale,
			AuthorRole:      ev.AuthorRole,
			AuthorName:      v.fields.RenderValue(rules.Person, ev.AuthorName, pz),
			AuthorEmail:     v.fields.RenderValue(rules.Email, ev.AuthorEmail, pz),
			SentAt:          ev.SentAt,
			ProcessedAt:     now,
			Subject:         string(w.buf),
			Body:            outBody,
			View:            v.name,
			PolicyVersion:   v.policy.Version,
			DetectorVersion: p.engine.Version(),
			Redactions:      make(map[string]int, len(w.counts)),
		}
		for t, n := range w.counts {
			re.Redactions[string(t)] = n
		}
		val, err := p.out.EncodeRendered(re)
		if err != nil {
			return []output{p.dlq(r, ReasonRender, fmt.Errorf("encoding view %s: %w", v.name, err))}, nil
		}
		if len(val) > p.cfg.Output.MaxRecordBytes {
			return []output{p.dlq(r, ReasonOutput, fmt.Errorf("view %s record of %d bytes exceeds max_record_bytes %d", v.name, len(val), p.cfg.Output.MaxRecordBytes))}, nil
		}
		outs = append(outs, output{view: v.name, rec: &kgo.Record{
			Topic: v.topic, Key: key, Value: val, Headers: v.headers, Context: pctx,
		}})
		entry.Views = append(entry.Views, IndexView{Name: v.name, Topic: v.topic})
	}
	// The index entry goes to the partition of the customer, like the
	// customer's erasure requests.
	outs = append(outs, output{rec: &kgo.Record{
		Topic: p.cfg.Topics.Subjects, Key: []byte(IndexKey(subject, string(key))),
		Value: MarshalIndexEntry(entry), Context: WithPartitionKey(ev.CustomerID),
	}})
	p.m.processing.Observe(time.Since(start).Seconds())
	return outs, nil
}

// dlq builds the dead-letter record for r. Its payload is r's value with every
// finding redacted (or the raw value when dlq.include_raw is set), truncated
// to dlq.max_payload_bytes; its headers say why and where from. err must not
// hold payload text (the codecs guarantee that for their errors).
func (p *Processor) dlq(r *kgo.Record, reason string, err error) output {
	p.m.dlq.WithLabelValues(reason).Inc()
	p.log.Warn("record sent to the dead-letter topic", "reason", reason,
		"topic", r.Topic, "partition", r.Partition, "offset", r.Offset, "err", err)
	payload, how := r.Value, "raw"
	if !p.cfg.DLQ.IncludeRaw {
		text := string(r.Value)
		findings := p.engine.Detect(nil, text, "")
		pol := rules.RedactAll()
		payload, how = pol.Render(nil, text, findings, nil, nil), "redacted"
	}
	if n := p.cfg.DLQ.MaxPayloadBytes; len(payload) > n {
		for n > 0 && !utf8.RuneStart(payload[n]) {
			n--
		}
		payload, how = payload[:n], how+",truncated"
	}
	return output{rec: &kgo.Record{
		Topic: p.cfg.Topics.DLQ,
		Key:   r.Key,
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
	}}
}
