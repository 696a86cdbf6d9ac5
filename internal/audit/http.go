package audit

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/httpx"
)

// HTTP serves the audit log to audit administrators.
type HTTP struct {
	DB *db.DB
	R  *httpx.Responder
	// AnchorEvery is the period of the job that anchors the chain's head (0: DefaultAnchorEvery).
	AnchorEvery time.Duration
}

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("GET /api/v1/audit", h.search)
	mux.HandleFunc("GET /api/v1/audit/verify", h.verify)
	mux.HandleFunc("GET /api/v1/audit/plain", h.plain)
	mux.HandleFunc("GET /api/v1/audit/export", h.export)
}

// ParseFilter reads a Filter from query parameters (shared by the API and the audit page).
func ParseFilter(q map[string][]string) (Filter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	for _, k := range []string{"actor", "action", "object_type", "object_id", "object", "result"} {
		// Text the log could never hold: refuse it plainly rather than let the database choke.
		if v := get(k); len(v) > 200 || strings.ContainsRune(v, 0) || !utf8.ValidString(v) {
			return Filter{}, apperr.New(apperr.Invalid, "audit.bad_filter", k)
		}
	}
	f := Filter{Actor: get("actor"), Action: get("action"), ObjectType: get("object_type"), ObjectID: get("object_id"),
		Object: strings.TrimSpace(get("object")), Result: Result(get("result"))}
	switch f.Result {
	case "", OK, Denied, Failed:
	default:
		return f, apperr.New(apperr.Invalid, "audit.bad_filter", "result")
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := get(p.name); v != "" {
			t, err := parseTime(v)
			if err != nil {
				return f, apperr.New(apperr.Invalid, "audit.bad_filter", p.name)
			}
			*p.dst = t
		}
	}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"before", &f.BeforeSeq}} {
		if v := get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 {
				return f, apperr.New(apperr.Invalid, "audit.bad_filter", p.name)
			}
			*p.dst = n
		}
	}
	if v := get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return f, apperr.New(apperr.Invalid, "audit.bad_filter", "limit")
		}
		f.Limit = n
	}
	return f, nil
}

// parseTime accepts RFC 3339 or a date (taken in Asia/Shanghai).
func parseTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.ParseInLocation("2006-01-02", v, shanghai)
}

var shanghai = time.FixedZone("CST", 8*3600)

// searchFilter checks the caller may read the audit and parses the search's filters: the
// prologue of the raw search and of its plain-words view.
func (h *HTTP) searchFilter(w http.ResponseWriter, r *http.Request) (Filter, bool) {
	if _, err := access.Need(r.Context(), access.AuditRead); err != nil {
		h.R.Error(w, r, err)
		return Filter{}, false
	}
	f, err := ParseFilter(r.URL.Query())
	if err != nil {
		h.R.Error(w, r, err)
		return Filter{}, false
	}
	return f, true
}

// writePage answers one page of records; a full page names where the next one starts.
func writePage(w http.ResponseWriter, f Filter, records any, raw []Entry) {
	resp := map[string]any{"records": records}
	if len(raw) > 0 && len(raw) == EffectiveLimit(f.Limit) {
		resp["next_before"] = raw[len(raw)-1].Seq
	}
	httpx.JSON(w, http.StatusOK, resp)
}

func (h *HTTP) search(w http.ResponseWriter, r *http.Request) {
	f, ok := h.searchFilter(w, r)
	if !ok {
		return
	}
	list, err := Search(r.Context(), h.DB, f)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	if list == nil {
		list = []Entry{}
	}
	writePage(w, f, list, list)
}

func (h *HTTP) verify(w http.ResponseWriter, r *http.Request) {
	// Verifying reads the whole chain: district-level audit administrators only.
	if _, err := access.NeedDistrict(r.Context(), access.AuditRead, "auth.forbidden"); err != nil {
		h.R.Error(w, r, err)
		return
	}
	rep, err := Verify(r.Context(), h.DB)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, rep)
}
