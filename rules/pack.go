package rules

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed packs/*.yaml
var embeddedPacks embed.FS

// Pack is one YAML rule pack: custom detectors, allow- and deny-lists and
// per-locale enablement of the built-in types.
//
//	version: "2025.11"
//	locales:             # built-in types restricted to some locales ("*" = all)
//	  US_SSN: [en-US, en]
//	detectors:
//	  - id: acme.customer_id
//	    type: CUSTOMER_ID
//	    pattern: 'ACME-[0-9]{8}'
//	    prefilter: [ACME-]   # literals, one of which must occur (derived from pattern if omitted)
//	    validator: luhn      # luhn, mod97, elfproef or none
//	    context: [klant, customer]
//	    window: 40           # bytes before the match searched for context words
//	    confidence: 0.9
//	    locales: [nl-NL]
//	allow:
//	  - text: support@veil.example
//	    type: EMAIL_ADDRESS  # optional; empty allows the text as any type
//	deny:
//	  - text: Project Nightingale
//	    type: PERSON
type Pack struct {
	// Name is where the pack came from (file name), for messages.
	Name string
	// Version is the pack's version string.
	Version string
	// Locales restricts built-in types to some locales.
	Locales map[Type][]string
	// Detectors are user-defined pattern detectors.
	Detectors []DetectorSpec
	// Allow lists texts that are never reported.
	Allow []listEntry
	// Deny lists texts that are always reported.
	Deny []listEntry
	// Lexicon adds words to the built-in lexicon: a context word or a street type for a market.
	Lexicon []LexiconEntry
}

// LexiconEntry is one word a rule pack adds to a section of the lexicon (see rules/lexicon/).
type LexiconEntry struct {
	// Language is "common" (every language) or a lexicon language code ("de").
	Language string
	// Section is a lexicon section ("street-suffix", "ctx-phone", "password").
	Section string
	// Word is the entry, written as in a lexicon file ("gasse", "tel.", "pin:1" for months).
	Word string
	mask langMask
}

// DetectorSpec is a user-defined detector in a rule pack.
type DetectorSpec struct {
	// ID names the detector in findings (Finding.Detector).
	ID string
	// Type is a built-in type or a custom UPPER_SNAKE_CASE name.
	Type Type
	// Pattern is a Go regular expression (RE2 syntax).
	Pattern string
	// Prefilter lists literals one of which must occur (case-insensitively) before
	// Pattern runs; derived from the pattern's literal prefix when empty.
	Prefilter []string
	// Validator checks the match's digits: "luhn", "mod97", "elfproef" or "none".
	Validator string
	// Context lists words one of which must occur in the Window bytes before a match; empty means none needed.
	Context []string
	// Window is how many bytes before a match are searched for Context words (default 40).
	Window int
	// Confidence is given to the detector's findings (default 0.8).
	Confidence float32
	// Locales restricts the detector to some locales; empty means all.
	Locales []string
}

// listEntry is one allow- or deny-list entry: a literal text and, optionally, the type it applies to.
type listEntry struct {
	Text  string
	Type  Type
	lower string
}

// PackError is one problem in a rule pack, with its place.
type PackError struct {
	// File is the pack's name as given to ParsePack.
	File string
	// Line and Column locate the problem (1-based; 0 when unknown).
	Line, Column int
	// Msg describes the problem.
	Msg string
}

func (e PackError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// PackErrors is every problem found in a rule pack.
type PackErrors []PackError

func (es PackErrors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// defaultPacks parses the embedded rule packs.
func defaultPacks() ([]*Pack, error) {
	entries, err := fs.ReadDir(embeddedPacks, "packs")
	if err != nil {
		return nil, fmt.Errorf("listing embedded packs: %w", err)
	}
	var out []*Pack
	for _, ent := range entries {
		name := path.Join("packs", ent.Name())
		data, err := embeddedPacks.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		p, err := ParsePack(name, data)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

var validators = []string{"", "none", "luhn", "mod97", "elfproef"}

// ParsePack parses and checks a YAML rule pack. Unknown keys are errors. On
// failure the error is a PackErrors listing every problem with its line and column.
func ParsePack(name string, data []byte) (*Pack, error) {
	p := &Pack{Name: name}
	var errs PackErrors
	add := func(n *yaml.Node, format string, args ...any) {
		line, col := 0, 0
		if n != nil {
			line, col = n.Line, n.Column
		}
		errs = append(errs, PackError{File: name, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)})
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return p, nil
		}
		return nil, PackErrors{yamlError(name, err)}
	}
	if len(doc.Content) == 0 {
		return p, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		add(root, "a rule pack must be a mapping")
		return nil, errs
	}
	eachKey(root, add, func(k, v *yaml.Node) { p.parseKey(k, v, add) })
	if len(errs) > 0 {
		return nil, errs
	}
	return p, nil
}

type addFunc func(n *yaml.Node, format string, args ...any)

// yamlError turns a YAML syntax error ("yaml: line N: msg") into a PackError with its line.
func yamlError(name string, err error) PackError {
	line := 0
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "yaml: line "); ok {
		if i := strings.IndexByte(rest, ':'); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				line = n
				msg = strings.TrimSpace(rest[i+1:])
			}
		}
	}
	return PackError{File: name, Line: line, Column: 1, Msg: msg}
}

// parseKey parses one top-level key of a rule pack.
func (p *Pack) parseKey(k, v *yaml.Node, add addFunc) {
	switch k.Value {
	case "version":
		p.Version = scalar(v, add)
	case "locales":
		if v.Kind != yaml.MappingNode {
			add(v, "locales must be a mapping of type to locale list")
			return
		}
		p.Locales = map[Type][]string{}
		eachKey(v, add, func(tk, tv *yaml.Node) {
			t := Type(tk.Value)
			if !t.Valid() {
				add(tk, "unknown type %q", tk.Value)
			}
			p.Locales[t] = stringList(tv, add)
		})
	case "detectors":
		p.parseDetectors(v, add)
	case "allow", "deny":
		p.parseEntries(k.Value, v, add)
	case "lexicon":
		p.parseLexicon(v, add)
	default:
		add(k, "unknown key %q", k.Value)
	}
}

// parseLexicon parses the lexicon of a rule pack: a mapping of language to a mapping of
// section to words. Every word is checked as a lexicon file's would be.
//
//	lexicon:
//	  de:
//	    street-suffix: [gasse, chaussee]
//	  common:
//	    ctx-phone: [hotline]
func (p *Pack) parseLexicon(v *yaml.Node, add addFunc) {
	if v.Kind != yaml.MappingNode {
		add(v, "lexicon must be a mapping of language to sections")
		return
	}
	secs := lexSections()
	eachKey(v, add, func(lk, lv *yaml.Node) {
		mask, ok := fileMask(lk.Value)
		if !ok {
			add(lk, "lexicon: unknown language %q (want one of %s)", lk.Value, strings.Join(LexiconLanguages(), ", "))
			return
		}
		if lv.Kind != yaml.MappingNode {
			add(lv, "lexicon %s must be a mapping of section to words", lk.Value)
			return
		}
		eachKey(lv, add, func(sk, sv *yaml.Node) {
			sec, ok := secs[sk.Value]
			if !ok {
				add(sk, "lexicon: unknown section %q", sk.Value)
				return
			}
			if sv.Kind != yaml.SequenceNode {
				add(sv, "lexicon %s %s must be a list of words", lk.Value, sk.Value)
				return
			}
			check := &lexData{words: map[string]*[numLangs]uint32{}}
			for _, n := range sv.Content {
				w := strings.TrimSpace(scalar(n, add))
				if err := check.addEntry(sec, w, mask); err != nil {
					add(n, "lexicon %s %s: %v", lk.Value, sk.Value, err)
					continue
				}
				p.Lexicon = append(p.Lexicon, LexiconEntry{Language: lk.Value, Section: sk.Value, Word: w, mask: mask})
			}
		})
	})
}

// parseDetectors parses the detectors list of a rule pack.
func (p *Pack) parseDetectors(v *yaml.Node, add addFunc) {
	if v.Kind != yaml.SequenceNode {
		add(v, "detectors must be a list")
		return
	}
	seen := map[string]bool{}
	for _, dn := range v.Content {
		d := parseDetector(dn, add)
		if d.ID != "" && seen[d.ID] {
			add(dn, "duplicate detector id %q", d.ID)
		}
		seen[d.ID] = true
		p.Detectors = append(p.Detectors, d)
	}
}

// parseEntries parses the allow or deny list (key) of a rule pack.
func (p *Pack) parseEntries(key string, v *yaml.Node, add addFunc) {
	if v.Kind != yaml.SequenceNode {
		add(v, "%s must be a list", key)
		return
	}
	for _, en := range v.Content {
		le := parseEntry(en, add)
		if key == "allow" {
			p.Allow = append(p.Allow, le)
			continue
		}
		if le.Type == "" {
			add(en, "deny entry %q needs a type", le.Text)
		}
		p.Deny = append(p.Deny, le)
	}
}

// eachKey calls f for every key/value pair of mapping m, reporting duplicate keys.
func eachKey(m *yaml.Node, add addFunc, f func(k, v *yaml.Node)) {
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if seen[k.Value] {
			add(k, "duplicate key %q", k.Value)
			continue
		}
		seen[k.Value] = true
		f(k, v)
	}
}

func scalar(v *yaml.Node, add addFunc) string {
	if v.Kind != yaml.ScalarNode {
		add(v, "expected a single value")
		return ""
	}
	return v.Value
}

func stringList(v *yaml.Node, add addFunc) []string {
	if v.Kind != yaml.SequenceNode {
		add(v, "expected a list")
		return nil
	}
	out := make([]string, 0, len(v.Content))
	for _, n := range v.Content {
		s := scalar(n, add)
		if s == "" && n.Kind == yaml.ScalarNode {
			add(n, "empty string in list")
			continue
		}
		out = append(out, s)
	}
	return out
}

func parseEntry(n *yaml.Node, add addFunc) listEntry {
	var le listEntry
	if n.Kind == yaml.ScalarNode {
		le.Text = n.Value
		if le.Text == "" {
			add(n, "empty text")
		}
		return le
	}
	if n.Kind != yaml.MappingNode {
		add(n, "expected a text or a mapping with text and type")
		return le
	}
	eachKey(n, add, func(k, v *yaml.Node) {
		switch k.Value {
		case "text":
			le.Text = scalar(v, add)
		case "type":
			le.Type = Type(scalar(v, add))
			if !validTypeName(le.Type) {
				add(v, "invalid type %q (use UPPER_SNAKE_CASE)", v.Value)
			}
		default:
			add(k, "unknown key %q", k.Value)
		}
	})
	if le.Text == "" {
		add(n, "entry needs a non-empty text")
	}
	return le
}

// validTypeName accepts the built-in types and custom UPPER_SNAKE_CASE names.
func validTypeName(t Type) bool {
	if t.Valid() {
		return true
	}
	if len(t) == 0 || len(t) > 64 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'A' && c <= 'Z' || c == '_' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func parseDetector(n *yaml.Node, add addFunc) DetectorSpec {
	d := DetectorSpec{Confidence: 0.8, Window: 40}
	if n.Kind != yaml.MappingNode {
		add(n, "a detector must be a mapping")
		return d
	}
	var patNode *yaml.Node
	eachKey(n, add, func(k, v *yaml.Node) {
		switch k.Value {
		case "id":
			d.ID = scalar(v, add)
		case "type":
			d.Type = Type(scalar(v, add))
			if !validTypeName(d.Type) {
				add(v, "invalid type %q (use a built-in type or UPPER_SNAKE_CASE)", v.Value)
			}
		case "pattern":
			d.Pattern = scalar(v, add)
			patNode = v
		case "prefilter":
			d.Prefilter = stringList(v, add)
		case "validator":
			d.Validator = scalar(v, add)
			if !slices.Contains(validators, d.Validator) {
				add(v, "unknown validator %q (want one of none, luhn, mod97, elfproef)", d.Validator)
			}
		case "context":
			d.Context = stringList(v, add)
		case "window":
			w, err := strconv.Atoi(scalar(v, add))
			if err != nil || w < 0 || w > 1000 {
				add(v, "window must be an integer in [0, 1000]")
			}
			d.Window = w
		case "confidence":
			c, err := strconv.ParseFloat(scalar(v, add), 32)
			if err != nil || c <= 0 || c > 1 {
				add(v, "confidence must be a number in (0, 1]")
			}
			d.Confidence = float32(c)
		case "locales":
			d.Locales = stringList(v, add)
		default:
			add(k, "unknown key %q", k.Value)
		}
	})
	if d.ID == "" {
		add(n, "detector needs an id")
	}
	if d.Type == "" {
		add(n, "detector %q needs a type", d.ID)
	}
	if d.Pattern == "" {
		add(n, "detector %q needs a pattern", d.ID)
	} else if re, err := regexp.Compile(d.Pattern); err != nil {
		add(patNode, "pattern: %v", err)
	} else if len(d.Prefilter) == 0 {
		if lit, _ := re.LiteralPrefix(); len(lit) < 2 {
			add(patNode, "pattern has no literal prefix of 2+ bytes: give a prefilter list of literals")
		}
	}
	return d
}
