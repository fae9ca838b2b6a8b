package schemas

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// scanner checks that a buffer is well-formed Avro binary for one schema
// before goavro decodes it. goavro trusts declared sizes: a map block count of
// 2^31-1 makes it allocate a map of that size whatever the input length, and
// its error messages quote map keys. The scanner rejects every length or count
// that exceeds the bytes left, so decoding allocates in proportion to the
// input, and reports errors by field and byte offset only.
type scanner struct {
	root *avroNode
}

type avroKind int

const (
	kindNull avroKind = iota
	kindBoolean
	kindInt
	kindLong
	kindFloat
	kindDouble
	kindBytes
	kindString
	kindRecord
	kindUnion
	kindMap
	kindArray
	kindEnum
	kindFixed
)

// avroNode is one type of a parsed Avro schema. Named types (records, enums,
// fixed) are shared by every reference to them, so the graph may be cyclic.
type avroNode struct {
	kind     avroKind
	name     string      // full name of a named type
	logical  string      // logicalType, e.g. timestamp-millis
	fields   []avroField // record fields
	children []*avroNode // union branches, map values or array items
	symbols  []string    // enum symbols
	size     int         // fixed size
	def      any         // enum default symbol (JSON), when hasDef
	hasDef   bool
}

// avroField is a field of a record.
type avroField struct {
	name   string
	typ    *avroNode
	def    any // JSON default, when hasDef
	hasDef bool
}

// maxSchemaDepth bounds the nesting of a schema and of a datum's named
// types, so that neither parsing nor walking can exhaust the stack.
const maxSchemaDepth = 64

// newScanner builds a scanner from an Avro schema.
func newScanner(schema []byte) (*scanner, error) {
	root, err := parseSchema(schema)
	if err != nil {
		return nil, err
	}
	return &scanner{root: root}, nil
}

// parseSchema parses Avro schema JSON: primitives (with logical types),
// records, enums, fixed, unions, maps, arrays and references to named types
// defined earlier in the schema.
func parseSchema(schema []byte) (*avroNode, error) {
	var v any
	if err := json.Unmarshal(schema, &v); err != nil {
		return nil, fmt.Errorf("parsing schema: %w", err)
	}
	p := schemaParser{named: map[string]*avroNode{}}
	return p.parse(v, "", 0)
}

type schemaParser struct {
	named map[string]*avroNode
}

// fullName qualifies name with namespace unless it has a dot already.
func fullName(name, namespace string) string {
	if strings.Contains(name, ".") || namespace == "" {
		return name
	}
	return namespace + "." + name
}

func (p *schemaParser) parse(v any, namespace string, depth int) (*avroNode, error) {
	if depth > maxSchemaDepth {
		return nil, fmt.Errorf("schema nested deeper than %d", maxSchemaDepth)
	}
	switch t := v.(type) {
	case string:
		if k, ok := primitiveKinds(t); ok {
			return &avroNode{kind: k}, nil
		}
		if n := p.named[fullName(t, namespace)]; n != nil {
			return n, nil
		}
		if n := p.named[t]; n != nil {
			return n, nil
		}
		return nil, fmt.Errorf("unknown Avro type %q", t)
	case []any:
		n := &avroNode{kind: kindUnion}
		for _, b := range t {
			c, err := p.parse(b, namespace, depth+1)
			if err != nil {
				return nil, err
			}
			if c.kind == kindUnion {
				return nil, fmt.Errorf("union directly inside a union")
			}
			n.children = append(n.children, c)
		}
		if len(n.children) == 0 {
			return nil, fmt.Errorf("empty union")
		}
		return n, nil
	case map[string]any:
		typ, _ := t["type"].(string)
		switch typ {
		case "record", "error", "enum", "fixed":
			return p.parseNamed(t, typ, namespace, depth)
		case "map", "array":
			key, kind := "values", kindMap
			if typ == "array" {
				key, kind = "items", kindArray
			}
			c, err := p.parse(t[key], namespace, depth+1)
			if err != nil {
				return nil, err
			}
			return &avroNode{kind: kind, children: []*avroNode{c}}, nil
		}
		if _, ok := t["type"].(string); !ok {
			// {"type": {...}} or {"type": [...]}: the type is nested.
			return p.parse(t["type"], namespace, depth+1)
		}
		n, err := p.parse(typ, namespace, depth+1)
		if err != nil {
			return nil, err
		}
		if lt, _ := t["logicalType"].(string); knownLogical(n.kind, lt) {
			// A primitive with a logical type: its binary encoding is the
			// primitive's.
			n = &avroNode{kind: n.kind, logical: lt}
		}
		return n, nil
	}
	return nil, fmt.Errorf("unsupported Avro schema element %T", v)
}

func (p *schemaParser) parseNamed(t map[string]any, typ, namespace string, depth int) (*avroNode, error) {
	name, _ := t["name"].(string)
	if name == "" {
		return nil, fmt.Errorf("%s without a name", typ)
	}
	if ns, ok := t["namespace"].(string); ok && !strings.Contains(name, ".") {
		namespace = ns
	}
	full := fullName(name, namespace)
	if i := strings.LastIndexByte(full, '.'); i >= 0 {
		namespace = full[:i]
	}
	if p.named[full] != nil {
		return nil, fmt.Errorf("type %s defined twice", full)
	}
	n := &avroNode{name: full}
	p.named[full] = n
	switch typ {
	case "enum":
		n.kind = kindEnum
		syms, _ := t["symbols"].([]any)
		for _, s := range syms {
			str, ok := s.(string)
			if !ok {
				return nil, fmt.Errorf("enum %s: symbol is not a string", full)
			}
			n.symbols = append(n.symbols, str)
		}
		if len(n.symbols) == 0 {
			return nil, fmt.Errorf("enum %s has no symbols", full)
		}
		n.def, n.hasDef = t["default"]
	case "fixed":
		n.kind = kindFixed
		size, ok := t["size"].(float64)
		if !ok || size < 0 || size > 1<<20 || size != math.Trunc(size) {
			return nil, fmt.Errorf("fixed %s: bad size", full)
		}
		n.size = int(size)
		if lt, _ := t["logicalType"].(string); knownLogical(kindFixed, lt) {
			n.logical = lt
		}
	default:
		n.kind = kindRecord
		fields, _ := t["fields"].([]any)
		seen := map[string]bool{}
		for i, f := range fields {
			fm, ok := f.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("record %s: field %d is not an object", full, i)
			}
			fname, _ := fm["name"].(string)
			if fname == "" || seen[fname] {
				return nil, fmt.Errorf("record %s: field %d has no name or a duplicate one", full, i)
			}
			seen[fname] = true
			c, err := p.parse(fm["type"], namespace, depth+1)
			if err != nil {
				return nil, fmt.Errorf("record %s field %s: %w", full, fname, err)
			}
			fd := avroField{name: fname, typ: c}
			fd.def, fd.hasDef = fm["default"]
			n.fields = append(n.fields, fd)
		}
	}
	return n, nil
}

// knownLogical reports whether goavro decodes logical type lt on kind k to
// a Go type of its own (time.Time, time.Duration, *big.Rat) and names its
// union branch "<kind>.<lt>". Other logical types are ignored, as the
// specification says, and read as the plain type.
func knownLogical(k avroKind, lt string) bool {
	switch lt {
	case "timestamp-millis", "timestamp-micros", "time-micros":
		return k == kindLong
	case "time-millis", "date":
		return k == kindInt
	case "decimal":
		return k == kindBytes || k == kindFixed
	}
	return false
}

func primitiveKinds(name string) (avroKind, bool) {
	switch name {
	case "null":
		return kindNull, true
	case "boolean":
		return kindBoolean, true
	case "int":
		return kindInt, true
	case "long":
		return kindLong, true
	case "float":
		return kindFloat, true
	case "double":
		return kindDouble, true
	case "bytes":
		return kindBytes, true
	case "string":
		return kindString, true
	}
	return 0, false
}

// scanError describes malformed Avro binary by place, never by content.
type scanError struct {
	field  string
	offset int
	what   string
}

func (e *scanError) Error() string {
	if e.field == "" {
		return fmt.Sprintf("avro binary at byte %d: %s", e.offset, e.what)
	}
	return fmt.Sprintf("avro field %s at byte %d: %s", e.field, e.offset, e.what)
}

// check reports whether buf holds exactly one well-formed datum. Errors give
// byte offsets from base, the offset of buf in the whole input.
func (s *scanner) check(buf []byte, base int) error {
	w := walker{buf: buf, base: base}
	if err := w.walk(s.root, ""); err != nil {
		return err
	}
	if w.off != len(buf) {
		return w.fail("", fmt.Sprintf("%d trailing bytes", len(buf)-w.off))
	}
	return nil
}

type walker struct {
	buf   []byte
	off   int
	base  int
	depth int // records entered
}

func (w *walker) fail(field, what string) error {
	return &scanError{field: field, offset: w.base + w.off, what: what}
}

// varint reads a zig-zag encoded long of at most maxBytes bytes.
func (w *walker) varint(field string, maxBytes int) (int64, error) {
	var v uint64
	var shift uint
	for i := 0; i < maxBytes; i++ {
		if w.off+i >= len(w.buf) {
			return 0, w.fail(field, "truncated integer")
		}
		b := w.buf[w.off+i]
		v |= uint64(b&0x7f) << shift
		if b&0x80 == 0 {
			w.off += i + 1
			return int64(v>>1) ^ -int64(v&1), nil
		}
		shift += 7
	}
	return 0, w.fail(field, "integer too long")
}

func (w *walker) skip(field string, n int64) error {
	if n < 0 {
		return w.fail(field, "negative length")
	}
	if n > int64(len(w.buf)-w.off) {
		return w.fail(field, fmt.Sprintf("length %d exceeds the %d bytes left", n, len(w.buf)-w.off))
	}
	w.off += int(n)
	return nil
}

func (w *walker) walk(n *avroNode, field string) error {
	switch n.kind {
	case kindNull:
		return nil
	case kindBoolean:
		if w.off >= len(w.buf) {
			return w.fail(field, "truncated boolean")
		}
		if w.buf[w.off] > 1 {
			return w.fail(field, "invalid boolean")
		}
		w.off++
		return nil
	case kindInt:
		v, err := w.varint(field, 5)
		if err != nil {
			return err
		}
		if v < math.MinInt32 || v > math.MaxInt32 {
			return w.fail(field, "int out of range")
		}
		return nil
	case kindLong:
		_, err := w.varint(field, 10)
		return err
	case kindFloat:
		return w.skip(field, 4)
	case kindDouble:
		return w.skip(field, 8)
	case kindBytes, kindString:
		size, err := w.varint(field, 10)
		if err != nil {
			return err
		}
		return w.skip(field, size)
	case kindRecord:
		w.depth++
		defer func() { w.depth-- }()
		if w.depth > maxSchemaDepth {
			return w.fail(field, "records nested too deep")
		}
		for _, f := range n.fields {
			if err := w.walk(f.typ, f.name); err != nil {
				return err
			}
		}
		return nil
	case kindEnum:
		i, err := w.varint(field, 5)
		if err != nil {
			return err
		}
		if i < 0 || i >= int64(len(n.symbols)) {
			return w.fail(field, fmt.Sprintf("enum index %d out of range", i))
		}
		return nil
	case kindFixed:
		return w.skip(field, int64(n.size))
	case kindUnion:
		i, err := w.varint(field, 10)
		if err != nil {
			return err
		}
		if i < 0 || i >= int64(len(n.children)) {
			return w.fail(field, fmt.Sprintf("union index %d out of range", i))
		}
		return w.walk(n.children[i], field)
	case kindMap, kindArray:
		return w.walkBlocks(n, field)
	}
	return w.fail(field, "unsupported type")
}

// walkBlocks walks the blocks of a map or array. Every item takes at least
// one byte (a map key's length, or an item that is not null), so a count
// above the bytes left is malformed; null items are the exception and are
// rejected by the same rule, which no schema here needs.
func (w *walker) walkBlocks(n *avroNode, field string) error {
	for {
		count, err := w.varint(field, 10)
		if err != nil {
			return err
		}
		if count == 0 {
			return nil
		}
		if count < 0 {
			if count == math.MinInt64 {
				return w.fail(field, "invalid block count")
			}
			count = -count
			size, err := w.varint(field, 10)
			if err != nil {
				return err
			}
			if size < 0 || size > int64(len(w.buf)-w.off) {
				return w.fail(field, "block size exceeds the bytes left")
			}
		}
		if count > int64(len(w.buf)-w.off) {
			return w.fail(field, fmt.Sprintf("block count %d exceeds the %d bytes left", count, len(w.buf)-w.off))
		}
		for range count {
			if n.kind == kindMap {
				size, err := w.varint(field, 10)
				if err != nil {
					return err
				}
				if err := w.skip(field, size); err != nil {
					return err
				}
			}
			if err := w.walk(n.children[0], field); err != nil {
				return err
			}
		}
	}
}
