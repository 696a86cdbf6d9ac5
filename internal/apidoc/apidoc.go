// Package apidoc assembles the served OpenAPI document from a base document (info, servers,
// security, tags, the components every package shares) and the fragments that domain packages
// keep beside their handlers (their paths and the components only they use).
//
// Members are kept in the order they are written: the base's first, then each fragment's in the
// order the fragments are given. Paths, components and tags are united; one name given twice with
// different content is an error, given twice alike it is kept once. The result is the same bytes
// for the same inputs.
package apidoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// fragmentMembers are what a fragment may carry; the rest of the document is the base's.
var fragmentMembers = map[string]bool{"paths": true, "components": true, "tags": true}

// Merge returns base with the paths, components and tags of every fragment added, indented by two
// spaces and ending in a newline. It fails when a fragment carries anything else, when a path,
// a component or a tag is defined twice with different content, or when a local $ref ("#/…")
// points at nothing in the merged document.
func Merge(base []byte, fragments ...[]byte) ([]byte, error) {
	doc, err := decodeObject(base)
	if err != nil {
		return nil, fmt.Errorf("read base document: %w", err)
	}
	m := merger{
		paths:      newObject(),
		components: newObject(),
		kinds:      map[string]*object{},
		tags:       []json.RawMessage{},
		tagIndex:   map[string]int{},
		from:       map[string]string{},
	}
	if err := m.add("base", doc); err != nil {
		return nil, err
	}
	var clashes []string
	for i, raw := range fragments {
		origin := fmt.Sprintf("fragment %d", i+1)
		fragment, err := decodeObject(raw)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", origin, err)
		}
		for _, key := range fragment.keys {
			if !fragmentMembers[key] {
				return nil, fmt.Errorf("%s: member %q belongs to the base document (a fragment has paths, components and tags)", origin, key)
			}
		}
		origin = describe(origin, fragment)
		if err := m.add(origin, fragment); err != nil {
			var c clashError
			if !errors.As(err, &c) {
				return nil, err
			}
			clashes = append(clashes, c...)
		}
	}
	if len(clashes) > 0 {
		return nil, fmt.Errorf("merge OpenAPI fragments: %s", strings.Join(clashes, "; "))
	}

	out := m.document(doc)
	if err := checkRefs(out); err != nil {
		return nil, err
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, out, "", "  "); err != nil {
		return nil, fmt.Errorf("indent merged document: %w", err)
	}
	indented.WriteByte('\n')
	return indented.Bytes(), nil
}

// clashError lists names defined twice with different content.
type clashError []string

func (c clashError) Error() string { return strings.Join(c, "; ") }

type merger struct {
	paths      *object
	components *object            // kind → (filled in at the end from kinds)
	kinds      map[string]*object // "schemas" → name → definition
	tags       []json.RawMessage
	tagIndex   map[string]int    // tag name → index in tags
	from       map[string]string // "paths /x", "schemas Y", "tags z" → where it was first defined
}

// add takes the paths, components and tags of one document.
func (m *merger) add(origin string, doc *object) error {
	var clashes clashError
	if raw, ok := doc.values["paths"]; ok {
		paths, err := decodeObject(raw)
		if err != nil {
			return fmt.Errorf("%s: paths: %w", origin, err)
		}
		for _, path := range paths.keys {
			if c := m.put(m.paths, "path", path, paths.values[path], origin); c != "" {
				clashes = append(clashes, c)
			}
		}
	}
	if raw, ok := doc.values["components"]; ok {
		components, err := decodeObject(raw)
		if err != nil {
			return fmt.Errorf("%s: components: %w", origin, err)
		}
		for _, kind := range components.keys {
			named, err := decodeObject(components.values[kind])
			if err != nil {
				return fmt.Errorf("%s: components.%s: %w", origin, kind, err)
			}
			into := m.kinds[kind]
			if into == nil {
				into = newObject()
				m.kinds[kind] = into
				m.components.set(kind, nil)
			}
			for _, name := range named.keys {
				if c := m.put(into, "component "+kind, name, named.values[name], origin); c != "" {
					clashes = append(clashes, c)
				}
			}
		}
	}
	if raw, ok := doc.values["tags"]; ok {
		var tags []json.RawMessage
		if err := json.Unmarshal(raw, &tags); err != nil {
			return fmt.Errorf("%s: tags: %w", origin, err)
		}
		for _, tag := range tags {
			var named struct {
				Name string `json:"name"`
			}
			if err := json.Unmarshal(tag, &named); err != nil || named.Name == "" {
				return fmt.Errorf("%s: a tag needs a name: %s", origin, tag)
			}
			key := "tag " + named.Name
			if i, seen := m.tagIndex[named.Name]; seen {
				if same, err := sameJSON(m.tags[i], tag); err != nil {
					return fmt.Errorf("%s: tag %q: %w", origin, named.Name, err)
				} else if !same {
					clashes = append(clashes, fmt.Sprintf("tag %q is defined differently in %s and %s", named.Name, m.from[key], origin))
				}
				continue
			}
			m.tagIndex[named.Name] = len(m.tags)
			m.tags = append(m.tags, tag)
			m.from[key] = origin
		}
	}
	if len(clashes) > 0 {
		return clashes
	}
	return nil
}

// describe names a fragment in errors by its number and its first path, if it has one.
func describe(origin string, fragment *object) string {
	if paths, err := decodeObject(fragment.values["paths"]); err == nil && len(paths.keys) > 0 {
		return fmt.Sprintf("%s (%s …)", origin, paths.keys[0])
	}
	return origin
}

// put adds one named definition, or returns a clash when the name holds something else.
func (m *merger) put(into *object, what, name string, value json.RawMessage, origin string) string {
	key := what + " " + name
	if prev, ok := into.values[name]; ok {
		same, err := sameJSON(prev, value)
		if err != nil {
			return fmt.Sprintf("%s %q in %s: %v", what, name, origin, err)
		}
		if !same {
			return fmt.Sprintf("%s %q is defined differently in %s and %s", what, name, m.from[key], origin)
		}
		return ""
	}
	into.set(name, value)
	m.from[key] = origin
	return ""
}

// document writes the base's members in its order, with the merged paths, components and tags
// in their places (added at the end when the base has none).
func (m *merger) document(base *object) []byte {
	out := newObject()
	for _, key := range base.keys {
		out.set(key, base.values[key])
	}
	if len(m.paths.keys) > 0 || out.has("paths") {
		out.set("paths", m.paths.encode())
	}
	if len(m.components.keys) > 0 {
		for _, kind := range m.components.keys {
			m.components.set(kind, m.kinds[kind].encode())
		}
		out.set("components", m.components.encode())
	}
	if len(m.tags) > 0 {
		out.set("tags", encodeArray(m.tags))
	}
	return out.encode()
}

// checkRefs reports every local $ref of doc that points at nothing.
func checkRefs(doc []byte) error {
	var tree any
	if err := unmarshalNumbers(doc, &tree); err != nil {
		return fmt.Errorf("read merged document: %w", err)
	}
	dangling := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok && strings.HasPrefix(ref, "#/") && !resolves(tree, ref) {
				dangling[ref] = true
			}
			for _, child := range v {
				walk(child)
			}
		case []any:
			for _, child := range v {
				walk(child)
			}
		}
	}
	walk(tree)
	if len(dangling) == 0 {
		return nil
	}
	refs := make([]string, 0, len(dangling))
	for ref := range dangling {
		refs = append(refs, ref)
	}
	sort.Strings(refs)
	return fmt.Errorf("merged document refers to what no part defines: %s", strings.Join(refs, ", "))
}

// resolves tells whether the JSON pointer ref ("#/components/schemas/Case") names a member of tree.
func resolves(tree any, ref string) bool {
	unescape := strings.NewReplacer("~1", "/", "~0", "~")
	node := tree
	for _, token := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		object, ok := node.(map[string]any)
		if !ok {
			return false
		}
		if node, ok = object[unescape.Replace(token)]; !ok {
			return false
		}
	}
	return true
}

// sameJSON tells whether a and b are the same JSON value, whatever their spacing and member order.
func sameJSON(a, b json.RawMessage) (bool, error) {
	ca, err := canonical(a)
	if err != nil {
		return false, err
	}
	cb, err := canonical(b)
	if err != nil {
		return false, err
	}
	return bytes.Equal(ca, cb), nil
}

// canonical re-encodes a JSON value with sorted members; numbers are kept as written.
func canonical(raw json.RawMessage) ([]byte, error) {
	var v any
	if err := unmarshalNumbers(raw, &v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

func unmarshalNumbers(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}
