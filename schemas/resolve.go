package schemas

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/linkedin/goavro/v2"
)

// Avro schema resolution (the "Schema Resolution" section of the Avro
// specification). goavro decodes with one schema only, so a record written
// with another schema (a producer's newer or older version) is decoded with
// the writer's schema and its value then projected onto the reader's: fields
// the reader lacks are dropped, fields the writer lacks get the reader's
// default, numbers are promoted (int to long, float or double; long to float
// or double; float to double), string and bytes convert into each other, and
// union branches are matched by type. Anything else is incompatible, decided
// once per writer schema, not per record.

// projection turns a value decoded by goavro with the writer's schema into
// the value goavro would have decoded with the reader's.
type projection func(v any) (any, error)

// resolve returns the projection from values of writer schema w to values of
// reader schema r, or why a datum written with w cannot be read as r.
func resolve(w, r *avroNode) (projection, error) {
	rs := resolver{memo: map[[2]*avroNode]*projection{}}
	return rs.resolve(w, r, "")
}

type resolver struct {
	// memo holds the projection of each pair of named types being resolved,
	// so recursive types resolve to a projection that calls itself.
	memo map[[2]*avroNode]*projection
}

// shortName is a full name without its namespace: the specification matches
// named types by their unqualified names.
func shortName(full string) string {
	return full[strings.LastIndexByte(full, '.')+1:]
}

func kindName(n *avroNode) string {
	switch n.kind {
	case kindRecord, kindEnum, kindFixed:
		return n.name
	case kindUnion:
		return "union"
	case kindMap:
		return "map"
	case kindArray:
		return "array"
	}
	names := [...]string{"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
	if n.logical != "" {
		return names[n.kind] + "." + n.logical
	}
	return names[n.kind]
}

// promotable reports whether a writer primitive of kind w can be read as
// kind r.
func promotable(w, r avroKind) bool {
	switch {
	case w == r:
		return true
	case w == kindInt:
		return r == kindLong || r == kindFloat || r == kindDouble
	case w == kindLong:
		return r == kindFloat || r == kindDouble
	case w == kindFloat:
		return r == kindDouble
	case w == kindString:
		return r == kindBytes
	case w == kindBytes:
		return r == kindString
	}
	return false
}

// matches reports whether w and r are the same kind of type, and named
// types have the same unqualified name.
func matches(w, r *avroNode) bool {
	if w.kind != r.kind {
		return false
	}
	switch w.kind {
	case kindRecord, kindEnum:
		return shortName(w.name) == shortName(r.name)
	case kindFixed:
		return shortName(w.name) == shortName(r.name) && w.size == r.size
	}
	return true
}

func (rs *resolver) resolve(w, r *avroNode, at string) (projection, error) {
	if at == "" {
		at = "the record"
	}
	if w.kind == kindUnion {
		return rs.fromUnion(w, r, at)
	}
	if r.kind == kindUnion {
		return rs.toUnion(w, r, at)
	}
	if w.kind <= kindString && r.kind <= kindString {
		if !promotable(w.kind, r.kind) {
			return nil, fmt.Errorf("%s: writer type %s cannot be read as %s", at, kindName(w), kindName(r))
		}
		return primitive(w, r, at)
	}
	if !matches(w, r) {
		return nil, fmt.Errorf("%s: writer type %s cannot be read as %s", at, kindName(w), kindName(r))
	}
	switch w.kind {
	case kindRecord:
		key := [2]*avroNode{w, r}
		if p := rs.memo[key]; p != nil {
			return func(v any) (any, error) { return (*p)(v) }, nil
		}
		p := new(projection)
		rs.memo[key] = p
		rec, err := rs.record(w, r, at)
		if err != nil {
			return nil, err
		}
		*p = rec
		return rec, nil
	case kindEnum:
		return enum(w, r, at)
	case kindFixed:
		return func(v any) (any, error) { return v, nil }, nil
	case kindArray:
		items, err := rs.resolve(w.children[0], r.children[0], at)
		if err != nil {
			return nil, err
		}
		return func(v any) (any, error) {
			in, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("%s: array value of type %T", at, v)
			}
			out := make([]any, len(in))
			for i, x := range in {
				y, err := items(x)
				if err != nil {
					return nil, err
				}
				out[i] = y
			}
			return out, nil
		}, nil
	case kindMap:
		values, err := rs.resolve(w.children[0], r.children[0], at)
		if err != nil {
			return nil, err
		}
		return func(v any) (any, error) {
			in, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: map value of type %T", at, v)
			}
			out := make(map[string]any, len(in))
			for k, x := range in {
				y, err := values(x)
				if err != nil {
					return nil, err
				}
				out[k] = y
			}
			return out, nil
		}, nil
	}
	return nil, fmt.Errorf("%s: unsupported writer type %s", at, kindName(w))
}

func (rs *resolver) record(w, r *avroNode, at string) (projection, error) {
	type field struct {
		name   string     // reader's field name
		from   string     // writer's field name, "" when the default is used
		proj   projection // writer value to reader value
		defVal any
	}
	wf := make(map[string]*avroField, len(w.fields))
	for i := range w.fields {
		wf[w.fields[i].name] = &w.fields[i]
	}
	fields := make([]field, 0, len(r.fields))
	for _, f := range r.fields {
		fat := "field " + f.name
		if x := wf[f.name]; x != nil {
			p, err := rs.resolve(x.typ, f.typ, fat)
			if err != nil {
				return nil, err
			}
			fields = append(fields, field{name: f.name, from: x.name, proj: p})
			continue
		}
		if !f.hasDef {
			return nil, fmt.Errorf("%s: the writer has no field %s and the reader has no default for it", at, f.name)
		}
		d, err := defaultValue(f.typ, f.def, 0)
		if err != nil {
			return nil, fmt.Errorf("%s: default of field %s: %w", at, f.name, err)
		}
		fields = append(fields, field{name: f.name, defVal: d})
	}
	return func(v any) (any, error) {
		in, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: record value of type %T", at, v)
		}
		out := make(map[string]any, len(fields))
		for _, f := range fields {
			if f.from == "" {
				out[f.name] = f.defVal
				continue
			}
			x, ok := in[f.from]
			if !ok {
				return nil, fmt.Errorf("%s: field %s missing from the decoded record", at, f.from)
			}
			y, err := f.proj(x)
			if err != nil {
				return nil, err
			}
			out[f.name] = y
		}
		return out, nil
	}, nil
}

func enum(w, r *avroNode, at string) (projection, error) {
	known := make(map[string]bool, len(r.symbols))
	for _, s := range r.symbols {
		known[s] = true
	}
	def, _ := r.def.(string)
	if r.hasDef && !known[def] {
		return nil, fmt.Errorf("%s: enum %s default is not one of its symbols", at, r.name)
	}
	for _, s := range w.symbols {
		if !known[s] && !r.hasDef {
			return nil, fmt.Errorf("%s: writer symbol %q of enum %s is unknown to the reader, which has no default", at, s, r.name)
		}
	}
	return func(v any) (any, error) {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%s: enum value of type %T", at, v)
		}
		if !known[s] {
			return def, nil
		}
		return s, nil
	}, nil
}

// fromUnion resolves a writer union: every branch the writer may use must be
// readable as r (a union or not).
func (rs *resolver) fromUnion(w, r *avroNode, at string) (projection, error) {
	branches := make(map[string]projection, len(w.children))
	var null projection
	for _, b := range w.children {
		p, err := rs.resolve(b, r, at)
		if err != nil {
			return nil, err
		}
		if b.kind == kindNull {
			null = p
		}
		branches[kindName(b)] = p
	}
	return func(v any) (any, error) {
		if v == nil {
			if null == nil {
				return nil, fmt.Errorf("%s: null for a union without null", at)
			}
			return null(nil)
		}
		u, ok := v.(map[string]any)
		if !ok || len(u) != 1 {
			return nil, fmt.Errorf("%s: union value of type %T", at, v)
		}
		for name, x := range u {
			if p := branches[name]; p != nil {
				return p(x)
			}
		}
		return nil, fmt.Errorf("%s: union value of an unknown branch", at)
	}, nil
}

// toUnion resolves a writer type that is no union against a reader union:
// the first reader branch of the same type wins, else the first it can be
// promoted to.
func (rs *resolver) toUnion(w, r *avroNode, at string) (projection, error) {
	pick := slices.IndexFunc(r.children, func(b *avroNode) bool { return matches(w, b) && w.logical == b.logical })
	if pick < 0 {
		pick = slices.IndexFunc(r.children, func(b *avroNode) bool {
			return matches(w, b) || w.kind <= kindString && b.kind <= kindString && promotable(w.kind, b.kind)
		})
	}
	if pick < 0 {
		return nil, fmt.Errorf("%s: writer type %s matches no branch of the reader's union", at, kindName(w))
	}
	b := r.children[pick]
	p, err := rs.resolve(w, b, at)
	if err != nil {
		return nil, err
	}
	if b.kind == kindNull {
		return p, nil
	}
	name := kindName(b)
	return func(v any) (any, error) {
		x, err := p(v)
		if err != nil {
			return nil, err
		}
		return goavro.Union(name, x), nil
	}, nil
}

// primitive converts a primitive value, logical types included: the value is
// taken back to its plain Avro form under the writer's logical type, then
// given the reader's. Timestamps stay times whatever their precision, so a
// timestamp-micros writer can feed a timestamp-millis reader.
func primitive(w, r *avroNode, at string) (projection, error) {
	if isDecimal(w) != isDecimal(r) {
		return nil, fmt.Errorf("%s: writer type %s cannot be read as %s", at, kindName(w), kindName(r))
	}
	if w.kind == r.kind && w.logical == r.logical {
		return func(v any) (any, error) { return v, nil }, nil
	}
	if isTimestamp(w) && isTimestamp(r) {
		return func(v any) (any, error) {
			t, ok := v.(time.Time)
			if !ok {
				return nil, fmt.Errorf("%s: timestamp value of type %T", at, v)
			}
			return t.UTC(), nil
		}, nil
	}
	return func(v any) (any, error) {
		raw, err := plain(v, w.logical)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", at, err)
		}
		out, err := fromPlain(raw, r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", at, err)
		}
		return out, nil
	}, nil
}

func isDecimal(n *avroNode) bool { return n.logical == "decimal" }

func isTimestamp(n *avroNode) bool {
	return n.kind == kindLong && (n.logical == "timestamp-millis" || n.logical == "timestamp-micros")
}

// plain returns a goavro value without its logical type: int32, int64,
// float32, float64, []byte, string or bool.
func plain(v any, logical string) (any, error) {
	switch x := v.(type) {
	case time.Time:
		switch logical {
		case "timestamp-millis":
			return x.UnixMilli(), nil
		case "timestamp-micros":
			return x.UnixMicro(), nil
		case "date":
			return int32(x.Unix() / 86400), nil
		}
	case time.Duration:
		switch logical {
		case "time-millis":
			return int32(x.Milliseconds()), nil
		case "time-micros":
			return x.Microseconds(), nil
		}
	case int32, int64, float32, float64, []byte, string, bool, nil:
		return v, nil
	}
	return nil, fmt.Errorf("value of type %T with logical type %q", v, logical)
}

// fromPlain gives a plain value the Go type goavro uses for reader type r.
func fromPlain(v any, r *avroNode) (any, error) {
	var n int64
	isInt := true
	switch x := v.(type) {
	case int32:
		n = int64(x)
	case int64:
		n = x
	default:
		isInt = false
	}
	switch r.kind {
	case kindNull:
		if v == nil {
			return nil, nil
		}
	case kindBoolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case kindInt, kindLong:
		if !isInt {
			break
		}
		switch r.logical {
		case "timestamp-millis":
			return time.UnixMilli(n).UTC(), nil
		case "timestamp-micros":
			return time.UnixMicro(n).UTC(), nil
		case "date":
			return time.Unix(n*86400, 0).UTC(), nil
		case "time-millis":
			return time.Duration(n) * time.Millisecond, nil
		case "time-micros":
			return time.Duration(n) * time.Microsecond, nil
		}
		if r.kind == kindInt {
			if n < math.MinInt32 || n > math.MaxInt32 {
				return nil, fmt.Errorf("value out of the range of int")
			}
			return int32(n), nil
		}
		return n, nil
	case kindFloat:
		switch x := v.(type) {
		case float32:
			return x, nil
		}
		if isInt {
			return float32(n), nil
		}
	case kindDouble:
		switch x := v.(type) {
		case float32:
			return float64(x), nil
		case float64:
			return x, nil
		}
		if isInt {
			return float64(n), nil
		}
	case kindString:
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		}
	case kindBytes:
		switch x := v.(type) {
		case string:
			return []byte(x), nil
		case []byte:
			return x, nil
		}
	}
	return nil, fmt.Errorf("value of type %T cannot be read as %s", v, kindName(r))
}

// defaultValue converts the JSON default def of a reader field of type r to
// the value goavro would decode. A union's default is of its first branch.
func defaultValue(r *avroNode, def any, depth int) (any, error) {
	if depth > maxSchemaDepth {
		return nil, fmt.Errorf("default nested too deep")
	}
	bad := func() (any, error) { return nil, fmt.Errorf("default does not fit type %s", kindName(r)) }
	switch r.kind {
	case kindUnion:
		b := r.children[0]
		v, err := defaultValue(b, def, depth+1)
		if err != nil || b.kind == kindNull {
			return v, err
		}
		return goavro.Union(kindName(b), v), nil
	case kindRecord:
		m, ok := def.(map[string]any)
		if !ok {
			return bad()
		}
		out := make(map[string]any, len(r.fields))
		for _, f := range r.fields {
			x, ok := m[f.name]
			if !ok {
				if !f.hasDef {
					return bad()
				}
				x = f.def
			}
			v, err := defaultValue(f.typ, x, depth+1)
			if err != nil {
				return nil, err
			}
			out[f.name] = v
		}
		return out, nil
	case kindMap:
		m, ok := def.(map[string]any)
		if !ok {
			return bad()
		}
		out := make(map[string]any, len(m))
		for k, x := range m {
			v, err := defaultValue(r.children[0], x, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	case kindArray:
		a, ok := def.([]any)
		if !ok {
			return bad()
		}
		out := make([]any, len(a))
		for i, x := range a {
			v, err := defaultValue(r.children[0], x, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case kindEnum:
		s, ok := def.(string)
		if !ok || !slices.Contains(r.symbols, s) {
			return bad()
		}
		return s, nil
	case kindFixed, kindBytes:
		s, ok := def.(string)
		if !ok {
			return bad()
		}
		b, ok := latin1(s)
		if !ok || r.kind == kindFixed && len(b) != r.size {
			return bad()
		}
		return b, nil
	case kindNull:
		if def != nil {
			return bad()
		}
		return nil, nil
	case kindBoolean:
		if b, ok := def.(bool); ok {
			return b, nil
		}
		return bad()
	case kindString:
		if s, ok := def.(string); ok {
			return s, nil
		}
		return bad()
	case kindFloat, kindDouble:
		f, ok := def.(float64)
		if !ok {
			return bad()
		}
		if r.kind == kindFloat {
			return float32(f), nil
		}
		return f, nil
	case kindInt, kindLong:
		f, ok := def.(float64)
		if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return bad()
		}
		return fromPlain(int64(f), r)
	}
	return bad()
}

// latin1 decodes a JSON default of bytes or fixed: one byte per code point,
// each at most U+00FF.
func latin1(s string) ([]byte, bool) {
	b := make([]byte, 0, len(s))
	for _, c := range s {
		if c > 0xff {
			return nil, false
		}
		b = append(b, byte(c))
	}
	return b, true
}

// identical reports whether w and r decode the same bytes to the same
// values, so that no projection is needed.
func identical(w, r *avroNode) bool {
	return sameNode(w, r, map[[2]*avroNode]bool{})
}

func sameNode(w, r *avroNode, seen map[[2]*avroNode]bool) bool {
	if w.kind != r.kind || w.logical != r.logical || w.name != r.name || w.size != r.size ||
		len(w.fields) != len(r.fields) || len(w.children) != len(r.children) || len(w.symbols) != len(r.symbols) {
		return false
	}
	key := [2]*avroNode{w, r}
	if seen[key] {
		return true
	}
	seen[key] = true
	for i := range w.fields {
		if w.fields[i].name != r.fields[i].name || !sameNode(w.fields[i].typ, r.fields[i].typ, seen) {
			return false
		}
	}
	for i := range w.children {
		if !sameNode(w.children[i], r.children[i], seen) {
			return false
		}
	}
	for i := range w.symbols {
		if w.symbols[i] != r.symbols[i] {
			return false
		}
	}
	return true
}
