package processor

import (
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor/subjects"
	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

// identifiers are the identifier index entries of one event (subjects'
// identifier index: keyed hash of type and normalised value -> view key), in
// a worker's scratch space: one entry per identifier the event shows in at
// least one view, with how each view shows it.
type identifiers struct {
	hasher *subjects.IdentifierHasher
	norm   []byte // the normalised value being hashed
	found  []foundID
	forms  []uint8 // per found identifier, per view: subjects.Form* bits
	views  []subjects.IdentifierView
	at     []int // per found identifier: where its key, value and end are in the values buffer
}

// foundID is one identifier of an event: its type and IdentifierID.
type foundID struct {
	typ rules.Type
	id  [subjects.IdentifierIDLen]byte
}

// Where a finding was, for the form a view gives it.
const (
	inText   = iota // body, subject: the view's policy
	inName          // author_name: the policy, if the view keeps names; else the name hides it
	inStruct        // a structured field (author_email): the view's field rule
)

// collectIdentifiers fills w.ids with the identifying findings of ev (its
// texts' findings and its author's e-mail address) that some view shows:
// kept, masked with characters left, or pseudonymised (pseudo: the event has
// a pseudonymizer). Identical identifiers are one entry.
func (p *Processor) collectIdentifiers(w *worker, ev *schemas.ConversationEvent, body, subj, name []rules.Finding, pseudo bool) {
	ids := &w.ids
	ids.found, ids.forms = ids.found[:0], ids.forms[:0]
	if ids.hasher == nil {
		h, err := subjects.NewIdentifierHasher(p.keys.IdentifierIndexKey())
		if err != nil {
			panic("identifier index key: " + err.Error()) // it is always 32 bytes; handle turns a panic into a DLQ record
		}
		ids.hasher = h
	}
	for _, f := range body {
		p.addIdentifier(ids, f.Type, ev.Body, f.Start, f.End, ev.Locale, inText, pseudo)
	}
	for _, f := range subj {
		p.addIdentifier(ids, f.Type, ev.Subject, f.Start, f.End, ev.Locale, inText, pseudo)
	}
	for _, f := range name {
		p.addIdentifier(ids, f.Type, ev.AuthorName, f.Start, f.End, ev.Locale, inName, pseudo)
	}
	p.addIdentifier(ids, rules.Email, ev.AuthorEmail, 0, len(ev.AuthorEmail), ev.Locale, inStruct, pseudo)
}

// addIdentifier adds the finding of type t at text[start:end] to ids, if
// it is of an identifying type and some view shows it.
func (p *Processor) addIdentifier(ids *identifiers, t rules.Type, text string, start, end int, locale string, where int, pseudo bool) {
	start, end = max(start, 0), min(end, len(text))
	if start >= end || !subjects.Identifying(string(t), false) {
		return
	}
	// Normalised as a request names it, so that its hash finds this entry.
	ids.norm, _ = subjects.AppendNormalizedIdentifier(ids.norm[:0], string(t), text[start:end], locale)
	if len(ids.norm) == 0 {
		return
	}
	var id [subjects.IdentifierIDLen]byte
	ids.hasher.AppendIDOf(id[:0], string(t), ids.norm)
	clear(ids.norm)
	n := len(p.views)
	at := -1
	for i := range ids.found {
		if ids.found[i].id == id {
			at = i * n
			break
		}
	}
	if at < 0 {
		at = len(ids.forms)
		ids.forms = append(ids.forms, make([]uint8, n)...) // appending zeros does not allocate once grown
		ids.found = append(ids.found, foundID{typ: t, id: id})
	}
	shown := false
	for i := range p.views {
		f := p.viewForm(&p.views[i], t, where, pseudo)
		ids.forms[at+i] |= f
		shown = shown || ids.forms[at+i] != 0
	}
	if !shown {
		ids.found, ids.forms = ids.found[:len(ids.found)-1], ids.forms[:at]
	}
}

// viewForm is how view v shows a finding of type t found where: the
// subjects.Form* bit of its rule, or 0 when the view hides it (redacts,
// removes, masks every character, or pseudonymises without a key).
func (p *Processor) viewForm(v *view, t rules.Type, where int, pseudo bool) uint8 {
	var r rules.Rule
	switch where {
	case inStruct:
		r = v.fields.RuleFor(t)
	case inName:
		if v.fields.RuleFor(rules.Person).Action != rules.Keep {
			return 0 // the whole name is rendered as a name
		}
		r = v.policy.RuleFor(t)
	default:
		r = v.policy.RuleFor(t)
	}
	switch {
	case r.Action == rules.Keep:
		return subjects.FormKept
	case r.Action == rules.Mask && r.KeepLast > 0:
		return subjects.FormMasked
	case r.Action == rules.Pseudonymize && pseudo:
		return subjects.FormPseudonymized
	}
	return 0
}

// identifierBytes bounds the bytes of the keys and values of w.ids's
// entries, for view keys of keyLen bytes and a subject of subjectLen.
func (p *Processor) identifierBytes(w *worker, keyLen, subjectLen int) int {
	// key; version, type and subject with their lengths, conversation
	// length and sent_at as varints, the view count; per view its name,
	// length and forms.
	per := subjects.IdentifierIDLen + 1 + keyLen + 1 + 2 + 2 + subjectLen + 2*10 + 1
	for i := range p.views {
		per += 2 + len(p.views[i].name) + 1
	}
	n := 0
	for _, f := range w.ids.found {
		n += per + len(f.typ)
	}
	return n
}

// appendIdentifiers appends the key and value of every entry of w.ids to
// vals, whose first nKey bytes are the view key; e holds what the entries
// share (view key, conversation, subject, sent_at).
func (p *Processor) appendIdentifiers(vals []byte, w *worker, e *subjects.IdentifierEntry, nKey int) ([]byte, error) {
	ids, n := &w.ids, len(p.views)
	ids.at = ids.at[:0]
	for i, f := range ids.found {
		ids.views = ids.views[:0]
		for j, forms := range ids.forms[i*n : (i+1)*n] {
			if forms != 0 {
				ids.views = append(ids.views, subjects.IdentifierView{Name: p.views[j].name, Forms: forms})
			}
		}
		key := len(vals)
		vals = append(vals, f.id[:]...)
		vals = append(vals, '/')
		vals = append(vals, vals[:nKey]...)
		val := len(vals)
		e.Type, e.Views = string(f.typ), ids.views
		var err error
		if vals, err = subjects.AppendIdentifierEntry(vals, e); err != nil {
			return vals, err
		}
		ids.at = append(ids.at, key, val, len(vals))
	}
	e.Views = nil
	return vals, nil
}

// identifierRecords makes recs (one per entry of w.ids) the identifier
// index records cut from vals, as appendIdentifiers placed them, and
// appends them to outs. Each goes to the partition of its identifier id.
func (p *Processor) identifierRecords(outs []output, recs []kgo.Record, w *worker, vals []byte) []output {
	at := w.ids.at
	for i := range w.ids.found {
		k, v, end := at[3*i], at[3*i+1], at[3*i+2]
		recs[i] = kgo.Record{Topic: p.cfg.Topics.Identifiers, Context: p.byKeyPrefix,
			Key: vals[k:v:v], Value: vals[v:end:end]}
		outs = append(outs, output{rec: &recs[i]})
	}
	return outs
}
