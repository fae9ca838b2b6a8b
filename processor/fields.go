package processor

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

// DLQ reasons of fields copied into every view without redaction.
const (
	ReasonField = "field"         // channel, author_role or locale outside what is allowed
	ReasonID    = "id_not_opaque" // event_id or conversation_id holds personal data
)

// maxIDBytes bounds event_id and conversation_id.
const maxIDBytes = 256

var (
	// tokenShape is the shape of a channel or author role: a short
	// lower-case identifier, never free text.
	tokenShape = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,31}$`)
	// localeShape is a BCP 47 language tag (RFC 5646): language, optional
	// script, region and variants, with hyphens.
	localeShape = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-(?:[A-Za-z]{2}|[0-9]{3}))?(-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*$`)
)

// checkFields checks the fields every view and the subject index copy
// verbatim: channel and author_role must be allowed tokens, locale a BCP 47
// tag, and the ids short and opaque (the detector finds nothing in them).
// It returns the DLQ reason and an error that names the field, never its
// value; "" when ev passes.
func (p *Processor) checkFields(ev *schemas.ConversationEvent, findings []rules.Finding) (string, []rules.Finding, error) {
	in := &p.cfg.Input
	if !allowed(ev.Channel, in.Channels) {
		return ReasonField, findings, fmt.Errorf("channel of %d bytes is not an allowed channel", len(ev.Channel))
	}
	if ev.AuthorRole != "" && !allowed(ev.AuthorRole, in.AuthorRoles) {
		return ReasonField, findings, fmt.Errorf("author_role of %d bytes is not an allowed role", len(ev.AuthorRole))
	}
	if ev.Locale != "" && (len(ev.Locale) > 35 || !localeShape.MatchString(ev.Locale)) {
		return ReasonField, findings, fmt.Errorf("locale of %d bytes is not a BCP 47 language tag", len(ev.Locale))
	}
	for _, id := range []struct{ name, v string }{{"event_id", ev.EventID}, {"conversation_id", ev.ConversationID}} {
		if len(id.v) > maxIDBytes {
			return ReasonID, findings, fmt.Errorf("%s of %d bytes exceeds %d", id.name, len(id.v), maxIDBytes)
		}
		findings = p.engine.Detect(findings[:0], id.v, ev.Locale)
		if len(findings) > 0 {
			return ReasonID, findings, fmt.Errorf("%s holds %d findings (first %s): ids must be opaque", id.name, len(findings), findings[0].Type)
		}
	}
	return "", findings, nil
}

// allowed reports whether v is a token in list, or of the token shape when
// list is empty.
func allowed(v string, list []string) bool {
	if len(list) == 0 {
		return tokenShape.MatchString(v)
	}
	return slices.Contains(list, v)
}

// validateTokens checks a list of allowed channels or roles.
func validateTokens(list []string) error {
	for _, v := range list {
		if !tokenShape.MatchString(v) {
			return fmt.Errorf("%q is not a lower-case token of at most 32 characters", v)
		}
	}
	return nil
}
