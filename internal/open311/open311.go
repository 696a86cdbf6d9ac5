// Package open311 is yiwang's Open311 GeoReport v2 server: a strict v2 façade over the case desk,
// so that any existing 311 client can list services, post a report and follow it.
//
// Base URL /open311/v2, discovery at /open311/discovery.{xml,json}. Every method answers in XML
// (required by the spec) and JSON, chosen by the path suffix. Reports become ordinary cases on the
// channel open311 through the case desk's intake pipeline (cases.Take, intake.go); GET answers are
// read through cases.PublicRequests and carry nothing that identifies a reporter. Internal statuses map to open/closed; richer detail
// goes out only with extensions=true. Errors follow the spec: 404 for an unknown resource, 403
// for a missing or bad api_key, 400 for everything else — never a 500.
package open311

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apikey"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/cases"
	"github.com/yiwang-gov/yiwang/internal/grid"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
	"github.com/yiwang-gov/yiwang/internal/org"
)

// HTTP serves the GeoReport v2 API.
type HTTP struct {
	Services *Services
	Cases    *cases.Service
	Grids    *grid.Service
	Org      *org.Service
	Keys     *apikey.Service
	Catalog  *i18n.Catalog
	Log      *slog.Logger
	// BaseURL is the public address of yiwang (https://yiwang.example.gov), used for the discovery
	// document and media URLs; empty: taken from each request.
	BaseURL string
	// Test marks the endpoint as a test endpoint in discovery (a demo district).
	Test bool

	mu       sync.Mutex
	district string
}

// Base is the path of the GeoReport v2 endpoint.
const Base = "/open311/v2"

// Specification is what discovery names the endpoint's specification.
const Specification = "http://wiki.open311.org/GeoReport_v2"

// Register mounts the API. The suffix routing of the spec (requests/{id}.json) does not fit
// ServeMux wildcards, so each resource takes {file} and splits the suffix itself.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("GET /open311/{file}", h.guard(h.discovery))
	mux.HandleFunc("GET "+Base+"/{file}", h.guard(h.getList))
	mux.HandleFunc("POST "+Base+"/{file}", h.guard(h.post))
	mux.HandleFunc("GET "+Base+"/services/{file}", h.guard(h.definition))
	mux.HandleFunc("GET "+Base+"/requests/{file}", h.guard(h.request))
	mux.HandleFunc("GET "+Base+"/tokens/{file}", h.guard(h.token))
	mux.HandleFunc("GET "+Base+"/media/{file}", h.guard(h.media))
	mux.HandleFunc("/open311/", h.guard(h.unmatched))
}

// format is the answer's format, from the path suffix.
type format string

const (
	formatXML  format = "xml"
	formatJSON format = "json"
)

// splitFile cuts "requests.json" into "requests" and the format.
func splitFile(file string) (string, format, bool) {
	if name, ok := strings.CutSuffix(file, ".xml"); ok && name != "" {
		return name, formatXML, true
	}
	if name, ok := strings.CutSuffix(file, ".json"); ok && name != "" {
		return name, formatJSON, true
	}
	return "", formatXML, false
}

// formatOf guesses the format of an answer to a path that names none (errors of unmatched paths).
func formatOf(path string) format {
	if strings.HasSuffix(path, ".json") {
		return formatJSON
	}
	return formatXML
}

// Content types (the spec's; some validators want them without the charset).
const (
	contentXML  = "text/xml; charset=utf-8"
	contentJSON = "application/json; charset=utf-8"
)

// write sends a document: v as JSON, or xmlDoc (v when nil) as XML with the declaration.
func write(w http.ResponseWriter, f format, status int, v, xmlDoc any) {
	w.Header().Set("Cache-Control", "no-store")
	var buf bytes.Buffer
	if f == formatJSON {
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false) // JSON needs no HTML escapes; they would make the formats look different
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			buf.Reset()
			buf.WriteString(`[{"code":400,"description":"encoding failed"}]` + "\n")
			status = http.StatusBadRequest
		}
		w.Header().Set("Content-Type", contentJSON)
		w.WriteHeader(status)
		w.Write(buf.Bytes())
		return
	}
	if xmlDoc == nil {
		xmlDoc = v
	}
	buf.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(xmlDoc); err != nil {
		buf.Reset()
		buf.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n<errors><error><code>400</code><description>encoding failed</description></error></errors>")
		status = http.StatusBadRequest
	}
	buf.WriteString("\n")
	w.Header().Set("Content-Type", contentXML)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// problems collects the errors of one request, several at once.
type problems struct {
	lang    string
	catalog *i18n.Catalog
	list    []Error
}

func (h *HTTP) problems(lang string) *problems { return &problems{lang: lang, catalog: h.Catalog} }

// add records an error: code is its HTTP-like code, key a catalogue key of the open311 texts.
func (p *problems) add(code int, key string, args ...any) {
	p.list = append(p.list, Error{Code: code, Description: p.catalog.T(p.lang, key, args...)})
}

func (p *problems) any() bool { return len(p.list) > 0 }

// status is the answer's HTTP status: 403 before 404 before 400 (the spec's three).
func (p *problems) status() int {
	status := http.StatusBadRequest
	for _, e := range p.list {
		switch {
		case e.Code == http.StatusForbidden:
			return http.StatusForbidden
		case e.Code == http.StatusNotFound:
			status = http.StatusNotFound
		}
	}
	return status
}

func (h *HTTP) writeProblems(w http.ResponseWriter, f format, p *problems) {
	write(w, f, p.status(), p.list, errorsXML{Errors: p.list})
}

// fail answers with one error.
func (h *HTTP) fail(w http.ResponseWriter, r *http.Request, f format, code int, key string, args ...any) {
	p := h.problems(language(r))
	p.add(code, key, args...)
	h.writeProblems(w, f, p)
}

// failWith answers with what a domain error says, in the spec's codes: not found 404, forbidden
// 403, refused input 400 (one error per field when the error has details), and anything else —
// an outage, a bug — 400 as the spec's "CRM is down", logged.
func (h *HTTP) failWith(w http.ResponseWriter, r *http.Request, f format, err error) {
	p := h.problems(language(r))
	h.addError(p, r, err)
	h.writeProblems(w, f, p)
}

func (h *HTTP) addError(p *problems, r *http.Request, err error) {
	e, ok := apperr.As(httpx.Classify(err)) // a value the database refuses as data is the client's 400
	if !ok || e.Code == apperr.Internal {
		h.Log.Error("open311 request failed", "request_id", httpx.RequestID(r.Context()), "path", r.URL.Path, "err", err)
		p.add(http.StatusBadRequest, "open311.error.unavailable")
		return
	}
	code := map[apperr.Code]int{apperr.NotFound: 404, apperr.Forbidden: 403, apperr.Unauthenticated: 403}[e.Code]
	if code == 0 {
		code = http.StatusBadRequest
	}
	if len(e.Details) == 0 {
		p.list = append(p.list, Error{Code: code, Description: p.catalog.T(p.lang, e.Key, e.Args...)})
		return
	}
	for _, d := range e.Details {
		text := d.Message
		if p.catalog.Has(i18n.ZH, d.Message) {
			text = p.catalog.T(p.lang, d.Message, d.Args...)
		}
		if field := fieldNames[d.Field]; field != "" {
			text = field + ": " + text
		}
		p.list = append(p.list, Error{Code: code, Description: text})
	}
}

// fieldNames maps the case desk's field names to the GeoReport v2 names a client sent.
var fieldNames = map[string]string{"lat": "lat/long", "description": "description", "address": "address_string",
	"reporter_phone": "phone", "kind": "service_code", "urgency": "service_code"}

// guard turns a panic into an Open311 error: the spec knows no 500.
func (h *HTTP) guard(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				h.Log.Error("open311 panic", "request_id", httpx.RequestID(r.Context()), "path", r.URL.Path, "panic", fmt.Sprint(v))
				h.fail(w, r, formatOf(r.URL.Path), http.StatusBadRequest, "open311.error.unavailable")
			}
		}()
		// Bad text in the query (NUL, broken UTF-8) is refused here, in the spec's error format,
		// rather than by httpx.CheckInput, whose answers are yiwang's JSON (issue 10).
		if err := httpx.CheckValues(r.URL.Query()); err != nil {
			h.failWith(w, r, formatOf(r.URL.Path), err)
			return
		}
		next(w, r)
	}
}

// language is the answer's language: the locale parameter (Helsinki's extension), then what
// yiwang reads everywhere (lang, cookie, Accept-Language); Chinese by default.
func language(r *http.Request) string {
	if l := i18n.Normalize(r.URL.Query().Get("locale")); l != "" {
		return l
	}
	return i18n.FromRequest(r)
}

// districtCode is the code of the district this yiwang serves ("" before one is loaded).
func (h *HTTP) districtCode(ctx context.Context) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.district != "" {
		return h.district, nil
	}
	n, ok, err := h.Org.DistrictNode(ctx)
	if err != nil || !ok {
		return "", err
	}
	h.district = n.Code
	return h.district, nil
}

// public is the caller every unauthenticated Open311 request acts as: a resident of the
// district, who may read the catalogue and locate points. Whoever is signed in, Open311 answers
// the same.
func (h *HTTP) public(ctx context.Context, district string) context.Context {
	return access.WithPrincipal(ctx, &access.Principal{UserID: "open311:public", Username: "open311",
		Grants: []access.Grant{{Role: access.Resident, OrgCode: district, OrgPath: "/" + district + "/"}}})
}

// jurisdiction checks jurisdiction_id: empty (or absent) or the district's code is this
// jurisdiction; anything else is not found.
func (h *HTTP) jurisdiction(p *problems, id, district string) bool {
	id = strings.TrimSpace(id)
	if id == "" || (district != "" && id == district) {
		return true
	}
	p.add(http.StatusNotFound, "open311.error.jurisdiction", id)
	return false
}

// beginFile starts a GET of one resource named by its file ({name}.{fmt}): the name (which must
// be want, when want is not empty), its format, and the context of begin. A bad file is 404.
func (h *HTTP) beginFile(w http.ResponseWriter, r *http.Request, want string) (context.Context, string, format, bool) {
	name, f, ok := splitFile(r.PathValue("file"))
	if !ok || (want != "" && name != want) {
		h.fail(w, r, formatOf(r.URL.Path), http.StatusNotFound, "open311.error.no_resource")
		return nil, "", f, false
	}
	ctx, _, ok := h.begin(w, r, f, r.URL.Query().Get("jurisdiction_id"))
	return ctx, name, f, ok
}

// begin does what every method does first: the district, the public caller, the jurisdiction.
func (h *HTTP) begin(w http.ResponseWriter, r *http.Request, f format, jurisdictionID string) (context.Context, string, bool) {
	district, err := h.districtCode(r.Context())
	if err != nil {
		h.failWith(w, r, f, err)
		return nil, "", false
	}
	p := h.problems(language(r))
	if !h.jurisdiction(p, jurisdictionID, district) {
		h.writeProblems(w, f, p)
		return nil, "", false
	}
	return h.public(r.Context(), district), district, true
}

// known matches the paths of the API, to tell a wrong method (400) from an unknown path (404).
var known = regexp.MustCompile(`^/open311/(discovery\.(xml|json)|v2/(services|requests)\.(xml|json)|v2/(services|requests|tokens)/[^/]+\.(xml|json)|v2/media/[^/]+\.jpg)$`)

func (h *HTTP) unmatched(w http.ResponseWriter, r *http.Request) {
	f := formatOf(r.URL.Path)
	if known.MatchString(r.URL.Path) {
		h.fail(w, r, f, http.StatusBadRequest, "open311.error.method", r.Method)
		return
	}
	h.fail(w, r, f, http.StatusNotFound, "open311.error.no_resource")
}

// Datetimes are shown in Beijing time with the zone, as the spec requires a zone.
var beijing = time.FixedZone("CST", 8*3600)

func datetime(t time.Time) string { return t.In(beijing).Format("2006-01-02T15:04:05-07:00") }

// parseDatetime reads a W3C datetime with a zone. A "+" of the zone arrives as a space when a
// client forgot to encode it; a date alone means its start in Beijing.
func parseDatetime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, " "); i > 10 {
		s = s[:i] + "+" + s[i+1:]
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if t, err := time.ParseInLocation("2006-01-02", s, beijing); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// base is the public address of yiwang.
func (h *HTTP) base(r *http.Request) string {
	if h.BaseURL != "" {
		return strings.TrimRight(h.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
