package calendar

import _ "embed"

// OpenAPI is the part of the API document that describes this package's routes: their paths and
// the components only they use. internal/app merges it into the served document.
//
//go:embed openapi.json
var OpenAPI []byte
