package schemas

import (
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// The rendered event is encoded once per view for every event, so it has a
// hand-written JSON encoder; its output is byte for byte what encoding/json
// makes of renderedJSON (FuzzRenderedJSON checks that).

func (e *RenderedEvent) appendJSON(dst []byte) ([]byte, error) {
	if dst == nil {
		dst = make([]byte, 0, 256+len(e.Body)+len(e.Subject))
	}
	dst = append(dst, `{"event_id":`...)
	dst = AppendJSONString(dst, e.EventID)
	dst = append(dst, `,"conversation_id":`...)
	dst = AppendJSONString(dst, e.ConversationID)
	dst = append(dst, `,"customer_id":`...)
	dst = AppendJSONString(dst, e.CustomerID)
	dst = append(dst, `,"channel":`...)
	dst = AppendJSONString(dst, e.Channel)
	dst = appendOptional(dst, "locale", e.Locale)
	dst = appendOptional(dst, "author_role", e.AuthorRole)
	dst = appendOptional(dst, "author_name", e.AuthorName)
	dst = appendOptional(dst, "author_email", e.AuthorEmail)
	var err error
	if dst, err = appendTime(dst, "sent_at", e.SentAt); err != nil {
		return nil, err
	}
	if dst, err = appendTime(dst, "processed_at", e.ProcessedAt); err != nil {
		return nil, err
	}
	dst = appendOptional(dst, "subject", e.Subject)
	dst = append(dst, `,"body":`...)
	dst = AppendJSONString(dst, e.Body)
	dst = append(dst, `,"view":`...)
	dst = AppendJSONString(dst, e.View)
	dst = append(dst, `,"policy_version":`...)
	dst = AppendJSONString(dst, e.PolicyVersion)
	dst = append(dst, `,"detector_version":`...)
	dst = AppendJSONString(dst, e.DetectorVersion)
	if len(e.Redactions) > 0 {
		dst = append(dst, `,"redactions":{`...)
		var arr [16]string // the types of one event fit, most often
		keys := arr[:0]
		for k := range e.Redactions {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendJSONString(dst, k)
			dst = append(dst, ':')
			dst = strconv.AppendInt(dst, int64(e.Redactions[k]), 10)
		}
		dst = append(dst, '}')
	}
	return append(dst, '}'), nil
}

// appendOptional appends `,"name":"v"` unless v is empty (omitempty).
func appendOptional(dst []byte, name, v string) []byte {
	if v == "" {
		return dst
	}
	dst = append(dst, `,"`...)
	dst = append(dst, name...)
	dst = append(dst, `":`...)
	return AppendJSONString(dst, v)
}

// appendTime appends `,"name":"<RFC 3339>"` unless t is zero.
func appendTime(dst []byte, name string, t time.Time) ([]byte, error) {
	if t.IsZero() {
		return dst, nil
	}
	t = t.UTC()
	if y := t.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("%w: %s has a year outside RFC 3339", ErrInvalid, name)
	}
	dst = append(dst, `,"`...)
	dst = append(dst, name...)
	dst = append(dst, `":"`...)
	dst = t.AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"'), nil
}

// jsonSafe tells the ASCII bytes that stand for themselves in a JSON string
// (HTML-safe, as encoding/json writes them).
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// AppendJSONString appends s as a JSON string, escaped as encoding/json does:
// quotes, backslashes, control characters, <, > and & (HTML-safe), U+2028
// and U+2029, and invalid UTF-8 as U+FFFD.
func AppendJSONString(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
