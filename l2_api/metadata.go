package api

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"hoc/l5_engines/fault"
)

// Limits of a record's metadata (SPEC §1.4).
const (
	// maxMetadata bounds the canonical form, which is what is stored,
	// hashed and returned.
	maxMetadata = 16 << 10
	// maxMetadataItems bounds the members (duplicates included) and array
	// elements read. Every member or element takes at least two bytes of
	// the canonical form (a value and a comma or bracket), so no metadata
	// within maxMetadata without duplicate names reaches it; it stops an
	// object of a million copies of one name, which would canonicalize to
	// a few bytes, from costing a million steps.
	maxMetadataItems = maxMetadata / 2
	// maxNumberText bounds a number literal, which is stored as sent.
	maxNumberText = 32
)

// metadataBudget is what is left of the limits while one metadata object
// is canonicalized; canonicalJSON stops as soon as either runs out, so the
// work is bounded by the limits, not by the size of the body.
type metadataBudget struct {
	bytes int // of the canonical form, duplicates' replaced values refunded
	items int
}

func newMetadataBudget() metadataBudget {
	return metadataBudget{bytes: maxMetadata, items: maxMetadataItems}
}

var (
	errMetadataTooLarge = fmt.Sprintf("must be at most %d bytes serialized", maxMetadata)
	errMetadataTooMany  = fmt.Sprintf("must hold at most %d members and array elements", maxMetadataItems)
)

// spend takes n bytes of the canonical form from the budget and reports
// whether they were there.
func (b *metadataBudget) spend(n int) bool {
	b.bytes -= n
	return b.bytes >= 0
}

// member is one name of an object being canonicalized.
type member struct {
	name   string
	quoted []byte
	value  []byte
}

// smallObject is how many members an object holds before canonicalJSON
// indexes its names in a map: below it, a scan is cheaper than a map.
const smallObject = 16

// canonicalJSON appends the canonical form of the next value of dec to dst:
// keys sorted, no insignificant whitespace, strings in their shortest
// escaping (never HTML-escaped), numbers exactly as sent, and of duplicate
// names the last. Or it names the first part of the value that breaks the
// rules of SPEC §1.4: strings and keys valid UTF-8 without NUL, number
// literals of at most 32 characters within the range of a float64, and the
// budget's limits, which it checks as it reads (a value the size limit
// would refuse is refused when its canonical form so far passes the limit,
// even if a later duplicate name would have replaced the part that did).
//
// It costs O(n log n) in the members of an object (sorted once; duplicate
// names found in a map once an object is larger than smallObject): the
// earlier scan of every earlier member for each new one made 128,000 keys
// cost up to a minute of CPU.
func canonicalJSON(dst []byte, dec *jsontext.Decoder, path string, b *metadataBudget) ([]byte, *fault.FieldError) {
	invalid := &fault.FieldError{Field: path, Message: "must be valid JSON"}
	switch dec.PeekKind() {
	case '{':
		if _, err := dec.ReadToken(); err != nil {
			return nil, invalid
		}
		if !b.spend(2) {
			return nil, &fault.FieldError{Field: "metadata", Message: errMetadataTooLarge}
		}
		var (
			members []member
			index   map[string]int
		)
		for dec.PeekKind() != '}' {
			if b.items--; b.items < 0 {
				return nil, &fault.FieldError{Field: "metadata", Message: errMetadataTooMany}
			}
			raw, err := dec.ReadValue()
			if err != nil {
				return nil, invalid
			}
			name, ok := unquote(raw)
			switch {
			case !ok:
				return nil, &fault.FieldError{Field: path, Message: "keys must be valid UTF-8"}
			case strings.IndexByte(name, 0) >= 0:
				return nil, &fault.FieldError{Field: path, Message: "keys must not contain NUL characters"}
			}
			// The last of duplicate names wins: what it replaces is
			// refunded before the new value is read.
			i, dup := lookupMember(members, index, name)
			if dup {
				b.bytes += len(members[i].value)
			}
			value, problem := canonicalJSON(nil, dec, path+"."+name, b)
			if problem != nil {
				return nil, problem
			}
			if dup {
				members[i].value = value
				continue
			}
			quoted, _ := jsontext.AppendQuote(nil, name)
			separator := min(len(members), 1)
			if !b.spend(len(quoted) + 1 + separator) {
				return nil, &fault.FieldError{Field: "metadata", Message: errMetadataTooLarge}
			}
			members = append(members, member{name: name, quoted: quoted, value: value})
			switch {
			case index != nil:
				index[name] = len(members) - 1
			case len(members) > smallObject:
				index = make(map[string]int, 2*len(members))
				for i, m := range members {
					index[m.name] = i
				}
			}
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, invalid
		}
		slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.name, b.name) })
		dst = append(dst, '{')
		for i, m := range members {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(append(append(dst, m.quoted...), ':'), m.value...)
		}
		return append(dst, '}'), nil
	case '[':
		if _, err := dec.ReadToken(); err != nil {
			return nil, invalid
		}
		if !b.spend(2) {
			return nil, &fault.FieldError{Field: "metadata", Message: errMetadataTooLarge}
		}
		dst = append(dst, '[')
		for i := 0; dec.PeekKind() != ']'; i++ {
			if b.items--; b.items < 0 {
				return nil, &fault.FieldError{Field: "metadata", Message: errMetadataTooMany}
			}
			if i > 0 {
				if !b.spend(1) {
					return nil, &fault.FieldError{Field: "metadata", Message: errMetadataTooLarge}
				}
				dst = append(dst, ',')
			}
			var problem *fault.FieldError
			if dst, problem = canonicalJSON(dst, dec, path+"["+strconv.Itoa(i)+"]", b); problem != nil {
				return nil, problem
			}
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, invalid
		}
		return append(dst, ']'), nil
	}
	v, err := dec.ReadValue()
	if err != nil {
		return nil, invalid
	}
	start := len(dst)
	switch v.Kind() {
	case '"':
		s, ok := unquote(v)
		switch {
		case !ok:
			return nil, &fault.FieldError{Field: path, Message: "must be valid UTF-8"}
		case strings.IndexByte(s, 0) >= 0:
			return nil, &fault.FieldError{Field: path, Message: "must not contain NUL characters"}
		}
		dst, _ = jsontext.AppendQuote(dst, s)
	case '0':
		if len(v) > maxNumberText {
			return nil, &fault.FieldError{Field: path, Message: "numbers must be at most 32 characters"}
		}
		if _, err := strconv.ParseFloat(string(v), 64); err != nil {
			return nil, &fault.FieldError{Field: path, Message: "numbers must be within the range of a 64-bit float"}
		}
		dst = append(dst, v...)
	default:
		dst = append(dst, v...)
	}
	if !b.spend(len(dst) - start) {
		return nil, &fault.FieldError{Field: "metadata", Message: errMetadataTooLarge}
	}
	return dst, nil
}

// lookupMember finds name among members: by a scan while the object is
// small, in index once it has one.
func lookupMember(members []member, index map[string]int, name string) (int, bool) {
	if index != nil {
		i, ok := index[name]
		return i, ok
	}
	for i := range members {
		if members[i].name == name {
			return i, true
		}
	}
	return 0, false
}
