package app

import (
	_ "embed"
	"fmt"
	"net/http"

	"github.com/yiwang-gov/yiwang/internal/apidoc"
)

// The served API document is the base (info, servers, security, tags, the routes app mounts
// itself, and the components several packages share: the error answer, the lang parameter, the
// security schemes, roles, category classes, urgencies) merged with the fragment each domain
// package keeps beside its handlers (internal/<package>/openapi.json): a new route is documented
// there, beside its handler. GET /api/v1/openapi.json serves the whole.
//
//go:embed openapi_base.json
var openAPIBase []byte

// OpenAPIDocument assembles the served document: the base and every module's fragment.
func (a *App) OpenAPIDocument() ([]byte, error) {
	doc, err := apidoc.Merge(openAPIBase, a.Modules.OpenAPI()...)
	if err != nil {
		return nil, fmt.Errorf("assemble the OpenAPI document: %w", err)
	}
	return doc, nil
}

// serveOpenAPI answers GET /api/v1/openapi.json with doc, assembled once at start-up.
func serveOpenAPI(doc []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(doc)
	}
}
