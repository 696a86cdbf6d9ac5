package open311

import (
	"context"
	"math"
	"mime"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apikey"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/cases"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/pii"
)

// MaxForm is the largest POST body taken (the core spec has no upload: a report is text).
const MaxForm = 64 << 10

// Limits of the fields of POST requests.
const (
	maxString   = 500
	maxText     = 2000
	maxName     = 64
	maxContact  = 128
	maxMediaURL = 2048
)

// post answers POST requests.{fmt}: a report from a client application.
func (h *HTTP) post(w http.ResponseWriter, r *http.Request) {
	name, f, ok := splitFile(r.PathValue("file"))
	if !ok || name != "requests" {
		h.unmatched(w, r)
		return
	}
	p := h.problems(language(r))
	form, ok := readForm(w, r, p)
	if !ok {
		h.writeProblems(w, f, p)
		return
	}
	// The key first: nothing of the request is looked at for an unknown caller.
	key, err := h.Keys.Authenticate(r.Context(), form.get("api_key"))
	if apperr.CodeOf(err) == apperr.Forbidden {
		h.fail(w, r, f, http.StatusForbidden, "open311.error.api_key")
		return
	}
	if err != nil {
		h.failWith(w, r, f, err)
		return
	}
	if allowed, wait := h.Keys.Allow(key); !allowed {
		// The spec knows 400, 403 and 404 only: 400, with the specific code 429 in the body.
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		h.fail(w, r, f, http.StatusTooManyRequests, "open311.error.rate", int(math.Ceil(wait.Seconds())))
		return
	}
	district, err := h.districtCode(r.Context())
	if err != nil {
		h.failWith(w, r, f, err)
		return
	}
	if !h.jurisdiction(p, form.get("jurisdiction_id"), district) {
		h.writeProblems(w, f, p)
		return
	}
	principal := apikey.Principal(key, district)
	ctx := access.WithPrincipal(r.Context(), principal)
	in, report, svc, ok := h.readReport(ctx, p, form, district)
	if !ok {
		h.writeProblems(w, f, p)
		return
	}
	got, err := h.take(ctx, key, principal.Username, in, report)
	if err != nil {
		h.failWith(w, r, f, err)
		return
	}
	lang := language(r)
	out := Receipt{ServiceNotice: h.Catalog.T(lang, "open311.notice."+noticeOf(got.status, !report.unlocated))}
	switch svc.Type {
	case Batch:
		out.Token = got.token
	case Blackbox:
	default:
		out.ID = got.number
	}
	if got.duplicates > 0 {
		out.ServiceNotice += " " + h.Catalog.T(lang, "open311.notice.duplicates", got.duplicates)
	}
	write(w, f, http.StatusOK, []Receipt{out}, receiptsXML{Receipts: []Receipt{out}})
}

// readForm parses a form-encoded (or multipart) body of at most MaxForm bytes; parameters in
// the query string count too, as some clients put them there.
func readForm(w http.ResponseWriter, r *http.Request, p *problems) (params, bool) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	r.Body = http.MaxBytesReader(w, r.Body, MaxForm)
	var err error
	switch mt {
	case "application/x-www-form-urlencoded", "":
		err = r.ParseForm()
	case "multipart/form-data":
		err = r.ParseMultipartForm(MaxForm)
	default:
		p.add(http.StatusBadRequest, "open311.error.content_type")
		return nil, false
	}
	if err != nil {
		p.add(http.StatusBadRequest, "open311.error.form", MaxForm/1024)
		return nil, false
	}
	if e, ok := apperr.As(httpx.CheckValues(r.Form)); ok { // NUL, broken UTF-8 (issue 10)
		p.add(http.StatusBadRequest, e.Key, e.Args...)
		return nil, false
	}
	return params(r.Form), true
}

// readReport reads and checks everything a POST carries, adding every problem to p at once.
func (h *HTTP) readReport(ctx context.Context, p *problems, form params, district string) (cases.NewCase, clientReport, ServiceDef, bool) {
	var in cases.NewCase
	var report clientReport
	var svc ServiceDef
	found := false
	if code := form.get("service_code"); code == "" {
		p.add(http.StatusBadRequest, "open311.error.service_code_required")
	} else if d, err := h.Services.Find(ctx, code, false); apperr.CodeOf(err) == apperr.NotFound {
		p.add(http.StatusNotFound, "open311.error.service_code", code)
	} else if err != nil {
		p.add(http.StatusBadRequest, "open311.error.unavailable")
	} else {
		svc, found = d, true
		in.CategoryClass, in.CategoryCode = string(d.Category.Class), d.Category.Code
	}
	in.Address = form.get("address_string")
	if utf8.RuneCountInString(in.Address) > cases.MaxAddress {
		p.add(http.StatusBadRequest, "open311.error.too_long", "address_string", cases.MaxAddress)
	}
	h.readPlace(ctx, p, form, district, &in, &report)
	if found {
		report.attributes = checkAnswers(p, svc.Attributes, form)
	}
	in.Description = form.get("description")
	if in.Description == "" && found {
		in.Description = svc.Category.Name // the service says what the problem is
	}
	switch n := utf8.RuneCountInString(in.Description); {
	case n > maxDescription:
		p.add(http.StatusBadRequest, "open311.error.too_long", "description", maxDescription)
	case n == 1:
		p.add(http.StatusBadRequest, "open311.error.description_short")
	}
	in.ReporterName = fullName(form.get("first_name"), form.get("last_name"))
	if utf8.RuneCountInString(in.ReporterName) > maxName {
		p.add(http.StatusBadRequest, "open311.error.too_long", "first_name/last_name", maxName)
	}
	if phone := form.get("phone"); phone != "" {
		if _, ok := pii.NormalizeContact(phone); !ok {
			p.add(http.StatusBadRequest, "open311.error.phone", phone)
		}
		in.ReporterPhone = phone
	}
	report.contact = map[string]string{}
	if email := form.get("email"); email != "" {
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
			p.add(http.StatusBadRequest, "open311.error.email", email)
		}
		report.contact["email"] = email
	}
	for _, field := range []string{"device_id", "account_id"} {
		if v := form.get(field); v != "" {
			if len(v) > maxContact {
				p.add(http.StatusBadRequest, "open311.error.too_long", field, maxContact)
			}
			report.contact[field] = v
		}
	}
	if m := form.get("media_url"); m != "" {
		u, err := url.Parse(m)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(m) > maxMediaURL {
			p.add(http.StatusBadRequest, "open311.error.media_url")
		}
		report.mediaURL = m
	}
	report.batch = svc.Type == Batch
	return in, report, svc, !p.any()
}

// readPlace reads the location: lat and long, else address_id, else address_string (the spec
// asks for one of the three).
func (h *HTTP) readPlace(ctx context.Context, p *problems, form params, district string, in *cases.NewCase, report *clientReport) {
	lat, lng, id := form.get("lat"), form.get("long"), form.get("address_id")
	var pl place
	switch {
	case lat != "" || lng != "":
		la, lo, ok := point(p, lat, lng)
		if !ok {
			return
		}
		pl = place{located: true, lat: la, lng: lo}
	case id != "":
		found, ok, err := h.byAddressID(ctx, id, district)
		switch {
		case err != nil:
			p.add(http.StatusBadRequest, "open311.error.unavailable")
			return
		case !ok:
			p.add(http.StatusBadRequest, "open311.error.address_id", id)
			return
		}
		pl = found
	case in.Address != "":
		found, err := h.byAddress(ctx, in.Address)
		if err != nil {
			p.add(http.StatusBadRequest, "open311.error.unavailable")
			return
		}
		pl = found
	default:
		p.add(http.StatusBadRequest, "open311.error.location_required")
		return
	}
	in.Lat, in.Lng = pl.lat, pl.lng
	report.unlocated, report.subdistrict, report.community = !pl.located, pl.subdistrict, pl.community
}

// checkAnswers reads attribute[CODE]=v and attribute[CODE][]=v1&attribute[CODE][]=v2 against the
// service's definition: required answers, datatypes, list options. Answers to questions the
// service does not ask, and to informational ones (variable false), are ignored.
func checkAnswers(p *problems, defs []AttributeDef, form params) map[string][]string {
	given := map[string][]string{}
	for k, vs := range form {
		code, ok := strings.CutPrefix(k, "attribute[")
		if !ok {
			continue
		}
		code = strings.TrimSuffix(code, "[]")
		code, ok = strings.CutSuffix(code, "]")
		if !ok {
			continue
		}
		for _, v := range vs {
			if v = strings.TrimSpace(v); v != "" {
				given[code] = append(given[code], v)
			}
		}
	}
	out := map[string][]string{}
	for _, d := range defs {
		if !d.Variable {
			continue
		}
		vs := given[d.Code]
		if len(vs) == 0 {
			if d.Required {
				p.add(http.StatusBadRequest, "open311.error.attribute_required", d.Code, d.Description)
			}
			continue
		}
		if d.Datatype != "multivaluelist" && len(vs) > 1 {
			p.add(http.StatusBadRequest, "open311.error.attribute_one", d.Code)
			continue
		}
		if !answerOK(d, vs) {
			p.add(http.StatusBadRequest, "open311.error.attribute_"+d.Datatype, d.Code)
			continue
		}
		out[d.Code] = vs
	}
	return out
}

// answerOK checks the values of one answer against the attribute's datatype.
func answerOK(d AttributeDef, vs []string) bool {
	for i, v := range vs {
		switch d.Datatype {
		case "string":
			if utf8.RuneCountInString(v) > maxString || strings.ContainsAny(v, "\r\n") {
				return false
			}
		case "text":
			if utf8.RuneCountInString(v) > maxText {
				return false
			}
		case "number":
			n, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
				return false
			}
		case "datetime":
			if _, ok := parseDatetime(v); !ok {
				return false
			}
		case "singlevaluelist", "multivaluelist":
			if !slices.ContainsFunc(d.Values, func(o ValueDef) bool { return o.Key == v }) || slices.Contains(vs[:i], v) {
				return false
			}
		}
	}
	return true
}

// fullName joins the two name fields: with a space in Latin script, without one in Chinese
// (张 + 三 = 张三).
func fullName(first, last string) string {
	if first == "" || last == "" {
		return first + last
	}
	r, _ := utf8.DecodeLastRuneInString(first)
	if unicode.Is(unicode.Han, r) {
		return first + last
	}
	return first + " " + last
}
