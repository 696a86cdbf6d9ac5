package app

import (
	_ "embed"
	"fmt"
	"net/http"

	"github.com/yiwang-gov/yiwang/internal/apidoc"
	"github.com/yiwang-gov/yiwang/internal/apikey"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/auth"
	"github.com/yiwang-gov/yiwang/internal/calendar"
	"github.com/yiwang-gov/yiwang/internal/cases"
	"github.com/yiwang-gov/yiwang/internal/category"
	"github.com/yiwang-gov/yiwang/internal/grid"
	"github.com/yiwang-gov/yiwang/internal/notify"
	"github.com/yiwang-gov/yiwang/internal/org"
	"github.com/yiwang-gov/yiwang/internal/routing"
	"github.com/yiwang-gov/yiwang/internal/users"
)

// The served API document is the base (info, servers, security, tags, the routes app mounts
// itself, and the components several packages share: the error answer, the lang parameter, the
// security schemes, roles, category classes, urgencies) merged with the fragment each domain
// package keeps beside its handlers (internal/<package>/openapi.json): a new route is documented
// there, beside its handler. GET /api/v1/openapi.json serves the whole.
//
//go:embed openapi_base.json
var openAPIBase []byte

// openAPIFragments lists the API document fragments of the packages whose routes app mounts.
// The only list of them: a package that registers /api/ routes adds its fragment here.
func openAPIFragments() [][]byte {
	return [][]byte{
		auth.OpenAPI,
		users.OpenAPI,
		org.OpenAPI,
		grid.OpenAPI,
		audit.OpenAPI,
		calendar.OpenAPI,
		category.OpenAPI,
		routing.OpenAPI,
		cases.OpenAPI,
		notify.OpenAPI,
		apikey.OpenAPI,
	}
}

// OpenAPIDocument assembles the served document: the base and every package's fragment.
func OpenAPIDocument() ([]byte, error) {
	doc, err := apidoc.Merge(openAPIBase, openAPIFragments()...)
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
