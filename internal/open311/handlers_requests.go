package open311

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/cases"
	"github.com/yiwang-gov/yiwang/internal/i18n"
	"github.com/yiwang-gov/yiwang/internal/redact"
)

// Limits of GET requests (GeoReport v2: at most 90 days or 1000 requests, whichever is smaller).
const (
	DefaultSpan    = 90 * 24 * time.Hour
	MaxRequests    = cases.MaxPublicRequests
	MaxRadiusM     = 50000
	DefaultRadiusM = 1000 // metres, when lat/long come without radius
)

// params reads query parameters with the spec's rule: "the response should be the same whether a
// parameter is passed and is empty or is not passed at all".
type params url.Values

func (q params) get(name string) string { return strings.TrimSpace(url.Values(q).Get(name)) }

// list reads a comma-separated list, without empty items.
func (q params) list(name string) []string {
	var out []string
	for _, v := range strings.Split(q.get(name), ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// requests answers GET requests.{fmt}.
func (h *HTTP) requests(w http.ResponseWriter, r *http.Request, f format) {
	q := params(r.URL.Query())
	ctx, _, ok := h.begin(w, r, f, q.get("jurisdiction_id"))
	if !ok {
		return
	}
	p := h.problems(language(r))
	filter := h.filter(ctx, p, q)
	if p.any() {
		h.writeProblems(w, f, p)
		return
	}
	h.answerRequests(w, r, f, ctx, filter, false)
}

// filter reads the parameters of GET requests into a filter, adding what is wrong to p.
func (h *HTTP) filter(ctx context.Context, p *problems, q params) cases.PublicFilter {
	var filter cases.PublicFilter
	filter.Timeline = extensions(p, q)
	if ids := q.list("service_request_id"); len(ids) > 0 {
		// The ids override every other argument.
		if len(ids) > MaxRequests {
			p.add(http.StatusBadRequest, "open311.error.too_many_ids", MaxRequests)
		}
		filter.Numbers = ids
		return filter
	}
	for _, code := range q.list("service_code") {
		d, err := h.Services.Find(ctx, code, true)
		switch {
		case apperr.CodeOf(err) == apperr.NotFound:
			p.add(http.StatusBadRequest, "open311.error.service_code", code)
		case err != nil:
			p.add(http.StatusBadRequest, "open311.error.unavailable")
		default:
			filter.Categories = append(filter.Categories, [2]string{string(d.Category.Class), d.Category.Code})
		}
	}
	now := h.Cases.Now()
	var start, end time.Time
	var okStart, okEnd bool
	if v := q.get("start_date"); v != "" {
		if start, okStart = parseDatetime(v); !okStart {
			p.add(http.StatusBadRequest, "open311.error.datetime", "start_date", v)
		}
	}
	if v := q.get("end_date"); v != "" {
		if end, okEnd = parseDatetime(v); !okEnd {
			p.add(http.StatusBadRequest, "open311.error.datetime", "end_date", v)
		}
	}
	switch {
	case okStart && okEnd && end.Before(start):
		p.add(http.StatusBadRequest, "open311.error.dates_reversed")
	case okStart && okEnd && end.Sub(start) > DefaultSpan:
		p.add(http.StatusBadRequest, "open311.error.span", 90)
	case okStart && !okEnd:
		end = start.Add(DefaultSpan)
	case okEnd && !okStart:
		start = end.Add(-DefaultSpan)
	case !okStart && !okEnd:
		start, end = now.Add(-DefaultSpan), now
	}
	filter.From, filter.To = start, end
	for _, s := range q.list("status") {
		switch s {
		case "open":
			filter.Open = true
		case "closed":
			filter.Closed = true
		default:
			p.add(http.StatusBadRequest, "open311.error.status", s)
		}
	}
	if v := q.get("updated_after"); v != "" {
		if t, ok := parseDatetime(v); ok {
			filter.UpdatedAfter = t
		} else {
			p.add(http.StatusBadRequest, "open311.error.datetime", "updated_after", v)
		}
	}
	page, okPage := positive(p, q, "page", 1, math.MaxInt32)
	size, okSize := positive(p, q, "page_size", MaxRequests, MaxRequests)
	if okPage && okSize {
		filter.Limit, filter.Offset = size, (page-1)*size
	}
	lat, lng, radius := q.get("lat"), q.get("long"), q.get("radius")
	if lat != "" || lng != "" || radius != "" {
		la, lo, ok := point(p, lat, lng)
		rad := DefaultRadiusM
		if radius != "" {
			n, err := strconv.Atoi(radius)
			if err != nil || n < 1 || n > MaxRadiusM {
				p.add(http.StatusBadRequest, "open311.error.radius", MaxRadiusM)
				ok = false
			}
			rad = n
		}
		if ok {
			filter.Lat, filter.Lng, filter.RadiusM = la, lo, float64(rad)
		}
	}
	return filter
}

// extensions reads extensions=true|false.
func extensions(p *problems, q params) bool {
	switch q.get("extensions") {
	case "", "false":
		return false
	case "true":
		return true
	}
	p.add(http.StatusBadRequest, "open311.error.boolean", "extensions")
	return false
}

// positive reads an integer parameter between 1 and most (def when absent).
func positive(p *problems, q params, name string, def, most int) (int, bool) {
	v := q.get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > most {
		p.add(http.StatusBadRequest, "open311.error.integer", name, most)
		return 0, false
	}
	return n, true
}

// point reads lat and long, which come together (WGS84).
func point(p *problems, lat, lng string) (float64, float64, bool) {
	if lat == "" || lng == "" {
		p.add(http.StatusBadRequest, "open311.error.lat_long_together")
		return 0, 0, false
	}
	la, err1 := strconv.ParseFloat(lat, 64)
	lo, err2 := strconv.ParseFloat(lng, 64)
	if err1 != nil || err2 != nil || !(la >= -90 && la <= 90) || !(lo >= -180 && lo <= 180) {
		p.add(http.StatusBadRequest, "open311.error.bad_point", lat, lng)
		return 0, 0, false
	}
	return la, lo, true
}

// request answers GET requests/{service_request_id}.{fmt}: a list of one.
func (h *HTTP) request(w http.ResponseWriter, r *http.Request) {
	id, f, ok := splitFile(r.PathValue("file"))
	if !ok {
		h.fail(w, r, formatOf(r.URL.Path), http.StatusNotFound, "open311.error.no_resource")
		return
	}
	q := params(r.URL.Query())
	ctx, _, ok := h.begin(w, r, f, q.get("jurisdiction_id"))
	if !ok {
		return
	}
	p := h.problems(language(r))
	filter := cases.PublicFilter{Numbers: []string{id}, Timeline: extensions(p, q)}
	if p.any() {
		h.writeProblems(w, f, p)
		return
	}
	h.answerRequests(w, r, f, ctx, filter, true)
}

// answerRequests reads the cases and writes them as GeoReport requests; one is 404 when none.
func (h *HTTP) answerRequests(w http.ResponseWriter, r *http.Request, f format, ctx context.Context, filter cases.PublicFilter, one bool) {
	found, err := h.Cases.PublicRequests(ctx, filter)
	if err != nil {
		h.failWith(w, r, f, err)
		return
	}
	if one && len(found) == 0 {
		h.fail(w, r, f, http.StatusNotFound, "open311.error.request", filter.Numbers[0])
		return
	}
	codeOf, err := h.Services.codeMapper(ctx)
	if err != nil {
		h.failWith(w, r, f, err)
		return
	}
	var attrs map[string][]AttributeDef
	if filter.Timeline {
		if attrs, err = h.Services.attributes(ctx, "", ""); err != nil {
			h.failWith(w, r, f, err)
			return
		}
	}
	lang := language(r)
	base := h.base(r)
	out := make([]Request, 0, len(found))
	for _, c := range found {
		out = append(out, h.requestOf(lang, base, c, codeOf, attrs))
	}
	write(w, f, http.StatusOK, out, requestsXML{Requests: out})
}

// requestOf shows a case as a GeoReport request.
func (h *HTTP) requestOf(lang, base string, c cases.PublicRequest, codeOf func(class, code string) string, attrs map[string][]AttributeDef) Request {
	en := lang == i18n.EN
	out := Request{ID: c.Number, Status: "open", Description: c.Description, Requested: datetime(c.ReportedAt),
		Updated: datetime(c.UpdatedAt), Address: c.Address, AddressID: c.GridCode}
	if !c.Status.Open() {
		out.Status = "closed"
	}
	if c.CategoryCode != "" {
		out.ServiceCode, out.ServiceName = codeOf(c.CategoryClass, c.CategoryCode), c.CategoryName
		if en {
			out.ServiceName = or(c.CategoryNameEN, c.CategoryName)
		}
	}
	if c.Department != "" {
		out.Agency = c.DepartmentName
		if en {
			out.Agency = or(c.DepartmentNameEN, c.DepartmentName)
		}
	}
	if c.Deadline != nil {
		out.Expected = datetime(*c.Deadline)
	}
	if c.Located {
		// Rounded by the public view (about 100 m): the place of the problem, not of whoever stood there.
		lat, lng := c.Lat, c.Lng
		out.Lat, out.Long = &lat, &lng
	}
	if c.PhotoID != "" {
		out.MediaURL = base + Base + "/media/" + c.PhotoID + ".jpg"
	}
	switch {
	case c.Reply != "":
		out.StatusNotes = c.Reply // the handling unit's public reply
	case c.Latest != nil:
		out.StatusNotes = h.noteText(lang, *c.Latest)
	}
	if c.Latest == nil || c.Status == cases.Confirming || c.Status == cases.Reported {
		out.ServiceNotice = h.Catalog.T(lang, "open311.notice."+noticeOf(c.Status, c.Located))
	}
	for _, e := range c.Events {
		out.Notes = append(out.Notes, Note{Datetime: datetime(e.At), Type: string(e.Action), Description: h.noteText(lang, e)})
	}
	if len(c.Attributes) > 0 {
		out.Attributes = requestAttributes(lang, attrs[string(c.CategoryClass)+"/"+c.CategoryCode], c.Attributes)
	}
	return out
}

// noteText says in words what a public event did (its notes stay inside: publicview.go).
func (h *HTTP) noteText(lang string, e cases.PublicEvent) string {
	return h.Catalog.T(lang, "case.public_action."+string(e.Action))
}

// noticeOf names the service notice of a request that waits at the desk.
func noticeOf(status cases.Status, located bool) string {
	switch {
	case !located:
		return "to_locate"
	case status == cases.Confirming:
		return "confirming"
	}
	return "reported"
}

// requestAttributes shows the answers to a service's questions in the definition's order; a
// multi-value answer gives one entry per value.
func requestAttributes(lang string, defs []AttributeDef, answers map[string][]string) []RequestAttribute {
	var out []RequestAttribute
	for _, d := range defs {
		a := attributeOf(lang, d)
		for _, v := range answers[d.Code] {
			name, chosen := v, false
			for _, opt := range a.Values {
				if opt.Key == v {
					name, chosen = opt.Name, true
				}
			}
			if !chosen {
				// A free answer (details, a plate …) is the client's text: public like a description.
				v = redact.Public(v)
				name = v
			}
			out = append(out, RequestAttribute{Code: d.Code, Label: a.Description, Value: v, Name: name})
		}
	}
	return out
}

// token answers GET tokens/{token}.{fmt}: the id of a batch request.
func (h *HTTP) token(w http.ResponseWriter, r *http.Request) {
	ctx, token, f, ok := h.beginFile(w, r, "")
	if !ok {
		return
	}
	number, err := h.requestByToken(ctx, token)
	if apperr.CodeOf(err) == apperr.NotFound {
		h.fail(w, r, f, http.StatusNotFound, "open311.error.token", token)
		return
	}
	if err != nil {
		h.failWith(w, r, f, err)
		return
	}
	out := []Receipt{{ID: number, Token: token}}
	write(w, f, http.StatusOK, out, receiptsXML{Receipts: out})
}

// media answers GET media/{photoID}.jpg: a photo staff marked public, of a public case,
// re-encoded without any metadata when it was stored.
func (h *HTTP) media(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".jpg")
	if !ok || id == "" {
		h.fail(w, r, formatXML, http.StatusNotFound, "open311.error.no_resource")
		return
	}
	b, err := h.Cases.PublicPhoto(r.Context(), id, false)
	if apperr.CodeOf(err) == apperr.NotFound {
		h.fail(w, r, formatXML, http.StatusNotFound, "open311.error.no_resource")
		return
	}
	if err != nil {
		h.failWith(w, r, formatXML, err)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(b)
}
