package schemas

import (
	"encoding/json"
	"fmt"
	"math"
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
)

type avroNode struct {
	kind     avroKind
	name     string      // field name in a record, for error messages
	children []*avroNode // record fields, union branches, map values or array items
}

// newScanner builds a scanner from the subset of Avro that the schemas of this
// package use: primitives, records, unions, maps and arrays. Named type
// references, enums and fixed are not supported.
func newScanner(schema []byte) (*scanner, error) {
	var v any
	if err := json.Unmarshal(schema, &v); err != nil {
		return nil, fmt.Errorf("parsing schema: %w", err)
	}
	root, err := parseNode(v)
	if err != nil {
		return nil, err
	}
	return &scanner{root: root}, nil
}

func parseNode(v any) (*avroNode, error) {
	switch t := v.(type) {
	case string:
		k, ok := primitiveKinds(t)
		if !ok {
			return nil, fmt.Errorf("unsupported Avro type %q", t)
		}
		return &avroNode{kind: k}, nil
	case []any:
		n := &avroNode{kind: kindUnion}
		for _, b := range t {
			c, err := parseNode(b)
			if err != nil {
				return nil, err
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
		case "record":
			fields, _ := t["fields"].([]any)
			n := &avroNode{kind: kindRecord}
			for i, f := range fields {
				fm, ok := f.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("record field %d is not an object", i)
				}
				c, err := parseNode(fm["type"])
				if err != nil {
					return nil, fmt.Errorf("record field %d: %w", i, err)
				}
				c.name, _ = fm["name"].(string)
				n.children = append(n.children, c)
			}
			return n, nil
		case "map", "array":
			key := "values"
			kind := kindMap
			if typ == "array" {
				key, kind = "items", kindArray
			}
			c, err := parseNode(t[key])
			if err != nil {
				return nil, err
			}
			return &avroNode{kind: kind, children: []*avroNode{c}}, nil
		}
		// A primitive, possibly with a logical type that does not change its
		// binary encoding.
		return parseNode(typ)
	}
	return nil, fmt.Errorf("unsupported Avro schema element %T", v)
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
	buf  []byte
	off  int
	base int
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
		for _, c := range n.children {
			if err := w.walk(c, c.name); err != nil {
				return err
			}
		}
		return nil
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
