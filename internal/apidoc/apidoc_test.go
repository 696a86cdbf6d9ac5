package apidoc

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

const testBase = `{
  "openapi": "3.0.3",
  "info": {"title": "t", "version": "1"},
  "tags": [{"name": "system", "description": "Probes."}],
  "paths": {
    "/healthz": {"get": {"responses": {"200": {"$ref": "#/components/responses/OK"}}}}
  },
  "components": {
    "responses": {"OK": {"description": "ok <fine> & well"}},
    "schemas": {"Error": {"type": "object"}}
  }
}`

const testCases = `{
  "paths": {
    "/cases": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Case"}}}},
      "400": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}}
  },
  "components": {
    "schemas": {
      "Case": {"type": "object", "properties": {"id": {"type": "string"}, "weight": {"type": "number", "maximum": 1.50}}},
      "Error": {"type": "object"}
    },
    "parameters": {"caseId": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}}
  },
  "tags": [{"name": "cases", "description": "The case desk."}]
}`

const testUsers = `{
  "tags": [{"name": "users"}, {"description": "Probes.", "name": "system"}],
  "paths": {"/users": {"get": {"responses": {"200": {"$ref": "#/components/responses/OK"}}}}}
}`

// merged unmarshals a merged document.
func merged(t *testing.T, doc []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatalf("merged document is not JSON: %v\n%s", err, doc)
	}
	return v
}

func keysInOrder(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	o, err := decodeObject(raw)
	if err != nil {
		t.Fatal(err)
	}
	return o.keys
}

func TestMergeUnitesPathsComponentsAndTags(t *testing.T) {
	doc, err := Merge([]byte(testBase), []byte(testCases), []byte(testUsers))
	if err != nil {
		t.Fatal(err)
	}
	v := merged(t, doc)
	paths := v["paths"].(map[string]any)
	for _, path := range []string{"/healthz", "/cases", "/users"} {
		if paths[path] == nil {
			t.Errorf("path %s missing", path)
		}
	}
	components := v["components"].(map[string]any)
	if len(components["schemas"].(map[string]any)) != 2 || components["parameters"].(map[string]any)["caseId"] == nil {
		t.Errorf("components: %v", components)
	}
	var tags []string
	for _, tag := range v["tags"].([]any) {
		tags = append(tags, tag.(map[string]any)["name"].(string))
	}
	if strings.Join(tags, " ") != "system cases users" {
		t.Errorf("tags %v, want system cases users (the same tag twice alike is kept once)", tags)
	}

	// Members keep the order they were written in: the base's, then each fragment's.
	top, _ := decodeObject(doc)
	if got := strings.Join(top.keys, " "); got != "openapi info tags paths components" {
		t.Errorf("top-level order %q", got)
	}
	if got := strings.Join(keysInOrder(t, top.values["paths"]), " "); got != "/healthz /cases /users" {
		t.Errorf("path order %q", got)
	}
	comps, _ := decodeObject(top.values["components"])
	if got := strings.Join(comps.keys, " "); got != "responses schemas parameters" {
		t.Errorf("component kinds order %q", got)
	}
	if got := strings.Join(keysInOrder(t, comps.values["schemas"]), " "); got != "Error Case" {
		t.Errorf("schema order %q", got)
	}

	// Values are kept as written: numbers as they are, < > & not escaped.
	for _, want := range []string{`"maximum": 1.50`, `"ok <fine> & well"`} {
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("merged document lost %s", want)
		}
	}
	if !bytes.HasSuffix(doc, []byte("}\n")) || !bytes.Contains(doc, []byte("\n  \"info\": {\n    \"title\"")) {
		t.Errorf("not indented by two spaces:\n%s", doc)
	}
}

func TestMergeIsDeterministic(t *testing.T) {
	first, err := Merge([]byte(testBase), []byte(testCases), []byte(testUsers))
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		again, err := Merge([]byte(testBase), []byte(testCases), []byte(testUsers))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, again) {
			t.Fatal("the same inputs gave different documents")
		}
	}
	// Merging the result again with the same fragments changes nothing.
	again, err := Merge(first, []byte(testCases), []byte(testUsers))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, again) {
		t.Errorf("merging a merged document again changed it:\n%s\n%s", first, again)
	}
}

func TestMergeWithoutFragments(t *testing.T) {
	doc, err := Merge([]byte(testBase))
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	json.Unmarshal([]byte(testBase), &a)
	json.Unmarshal(doc, &b)
	if ca, _ := json.Marshal(a); !bytes.Equal(ca, must(json.Marshal(b))) {
		t.Errorf("base alone changed:\n%s", doc)
	}
	// A base with neither paths nor components takes them from the fragments.
	doc, err = Merge([]byte(`{"openapi": "3.0.3"}`), []byte(`{"components": {"schemas": {"A": {}}}, "paths": {"/a": {}}}`))
	if err != nil {
		t.Fatal(err)
	}
	top, _ := decodeObject(doc)
	if got := strings.Join(top.keys, " "); got != "openapi paths components" {
		t.Errorf("top-level members %q", got)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestMergeAcceptsTheSameDefinitionTwice(t *testing.T) {
	// Same content, other spacing and member order: not a clash.
	again := `{"components": {"schemas": {"Error": {  "type" : "object" }, "Case": {"properties": {"weight": {"maximum": 1.50, "type": "number"}, "id": {"type": "string"}}, "type": "object"}}}}`
	if _, err := Merge([]byte(testBase), []byte(testCases), []byte(again)); err != nil {
		t.Fatal(err)
	}
}

func TestMergeRefusesClashes(t *testing.T) {
	tests := []struct {
		name      string
		fragments []string
		want      []string // each must appear in the error
	}{
		{"path in base and fragment",
			[]string{`{"paths": {"/healthz": {"post": {}}}}`},
			[]string{`path "/healthz" is defined differently in base and fragment 1 (/healthz …)`}},
		{"path in two fragments",
			[]string{testCases, `{"paths": {"/x": {}}}`, `{"paths": {"/cases": {}}}`},
			[]string{`path "/cases" is defined differently in fragment 1 (/cases …) and fragment 3 (/cases …)`}},
		{"schema",
			[]string{`{"components": {"schemas": {"Error": {"type": "string"}}}}`},
			[]string{`component schemas "Error" is defined differently in base and fragment 1`}},
		{"same name, other kind is no clash; same kind is",
			[]string{`{"components": {"parameters": {"Error": {"name": "e", "in": "query"}}}}`,
				`{"components": {"parameters": {"Error": {"name": "f", "in": "query"}}}}`},
			[]string{`component parameters "Error" is defined differently in fragment 1 and fragment 2`}},
		{"a number written otherwise is other content",
			[]string{testCases, strings.Replace(testCases, "1.50", "1.5", 1)},
			[]string{`component schemas "Case" is defined differently in fragment 1 (/cases …) and fragment 2 (/cases …)`}},
		{"tag",
			[]string{`{"tags": [{"name": "system", "description": "Other."}]}`},
			[]string{`tag "system" is defined differently in base and fragment 1`}},
		{"every clash is named",
			[]string{`{"paths": {"/healthz": {}}, "components": {"responses": {"OK": {"description": "no"}}}}`},
			[]string{`path "/healthz"`, `component responses "OK"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fragments [][]byte
			for _, f := range tt.fragments {
				fragments = append(fragments, []byte(f))
			}
			_, err := Merge([]byte(testBase), fragments...)
			if err == nil {
				t.Fatal("merged; want a clash")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		})
	}
}

func TestMergeRefusesBadParts(t *testing.T) {
	tests := []struct {
		name     string
		base     string
		fragment string
		want     string
	}{
		{"fragment sets info", testBase, `{"info": {"title": "mine"}}`, `fragment 1: member "info" belongs to the base document`},
		{"dangling ref", testBase, `{"paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/Gone"}}}}}}`,
			"refers to what no part defines: #/components/responses/Gone"},
		{"ref with an escaped slash resolves", testBase,
			`{"paths": {"/a/b": {}, "/c": {"$ref": "#/paths/~1a~1b"}}}`, ""},
		{"fragment not JSON", testBase, `{"paths": `, "read fragment 1"},
		{"fragment not an object", testBase, `[]`, "read fragment 1: not a JSON object"},
		{"data after the fragment", testBase, `{} {}`, "data after the JSON object"},
		{"member written twice", testBase, `{"paths": {"/a": {}, "/a": {}}}`, `member "/a" is written twice`},
		{"paths not an object", testBase, `{"paths": []}`, "fragment 1: paths: not a JSON object"},
		{"tag without a name", testBase, `{"tags": [{"description": "x"}]}`, "a tag needs a name"},
		{"base not JSON", `{`, `{}`, "read base document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Merge([]byte(tt.base), []byte(tt.fragment))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && err == nil:
				t.Fatalf("merged; want an error saying %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}
