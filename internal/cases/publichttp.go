package cases

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// The public JSON API (issue 14 contract): GET /api/v1/public/cases → a GeoJSON
// FeatureCollection of the public view, GET /api/v1/public/cases/{number} → one public case
// with its public timeline. No sign-in; rate-limited as every anonymous read (ratelimit).

// PublicFeature is one case of the public view as GeoJSON (RFC 7946): a Point rounded to about
// 100 m, or no geometry for a case without a place.
type PublicFeature struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Geometry   *PublicPoint   `json:"geometry"`
	Properties PublicProperty `json:"properties"`
}

// PublicPoint is a GeoJSON Point: [longitude, latitude].
type PublicPoint struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"`
}

// PublicProperty is what the public view shows of a case — the whole of it.
type PublicProperty struct {
	Number          string        `json:"number"`
	CategoryCode    string        `json:"category_code,omitempty"`
	CategoryName    string        `json:"category_name,omitempty"`
	Status          Status        `json:"status"`
	Step            PublicStep    `json:"step"`
	StatusText      string        `json:"status_text"`
	Text            string        `json:"text"`
	Reply           string        `json:"reply,omitempty"`
	Department      string        `json:"department,omitempty"`
	Place           string        `json:"place,omitempty"`
	SubdistrictCode string        `json:"subdistrict_code,omitempty"`
	SubdistrictName string        `json:"subdistrict_name,omitempty"`
	ZoneCode        string        `json:"zone_code,omitempty"`
	ReportedAt      time.Time     `json:"reported_at"`
	UpdatedAt       time.Time     `json:"updated_at"`
	ClosedAt        *time.Time    `json:"closed_at,omitempty"`
	ExpectedBy      *time.Time    `json:"expected_by,omitempty"`
	Photos          []string      `json:"photos"`
	Timeline        []PublicEntry `json:"timeline,omitempty"`
}

// PublicEntry is one step of the public timeline, in words.
type PublicEntry struct {
	At     time.Time `json:"at"`
	Action Action    `json:"action"`
	Text   string    `json:"text"`
}

// MaxPublicPage is the most cases one page of the public list holds.
const MaxPublicPage = 500

func (h *HTTP) publicCases(w http.ResponseWriter, r *http.Request) {
	f, err := publicFilterOf(r)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	list, err := h.Cases.PublicRequests(r.Context(), f)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	lang := i18n.FromRequest(r)
	out := struct {
		Type       string          `json:"type"`
		Features   []PublicFeature `json:"features"`
		NextCursor string          `json:"next_cursor,omitempty"`
	}{Type: "FeatureCollection", Features: make([]PublicFeature, 0, len(list))}
	for _, c := range list {
		out.Features = append(out.Features, h.featureOf(lang, c))
	}
	if len(list) == f.Limit {
		out.NextCursor = list[len(list)-1].Cursor()
	}
	httpx.JSONAs(w, http.StatusOK, "application/geo+json", out)
}

func (h *HTTP) publicCase(w http.ResponseWriter, r *http.Request) {
	number := r.PathValue("number")
	if len(number) > 40 {
		h.R.Error(w, r, apperr.New(apperr.NotFound, "case.not_found"))
		return
	}
	list, err := h.Cases.PublicRequests(r.Context(), PublicFilter{Numbers: []string{number}, Timeline: true})
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	if len(list) == 0 {
		h.R.Error(w, r, apperr.New(apperr.NotFound, "case.not_found"))
		return
	}
	httpx.JSONAs(w, http.StatusOK, "application/geo+json", h.featureOf(i18n.FromRequest(r), list[0]))
}

func (h *HTTP) publicPhoto(w http.ResponseWriter, r *http.Request) {
	b, err := h.Cases.PublicPhoto(r.Context(), r.PathValue("photo"), r.URL.Query().Get("size") == "thumb")
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(b)
}

// featureOf shows a public case in the caller's language.
func (h *HTTP) featureOf(lang string, c PublicRequest) PublicFeature {
	en := lang == i18n.EN
	p := PublicProperty{Number: c.Number, CategoryCode: c.CategoryCode, CategoryName: c.CategoryName, Status: c.Status,
		Step: StepOf(c.Status), Text: c.Description, Reply: c.Reply, Department: c.DepartmentName, Place: c.Address,
		SubdistrictCode: c.SubdistrictCode, SubdistrictName: c.SubdistrictName, ZoneCode: c.ZoneCode,
		ReportedAt: c.ReportedAt, UpdatedAt: c.UpdatedAt, ClosedAt: c.ClosedAt, ExpectedBy: c.Deadline, Photos: []string{}}
	if en {
		p.CategoryName, p.Department = or(c.CategoryNameEN, c.CategoryName), or(c.DepartmentNameEN, c.DepartmentName)
	}
	p.StatusText = h.R.Catalog.T(lang, p.Step.I18nKey())
	for _, id := range c.PhotoIDs {
		p.Photos = append(p.Photos, "/api/v1/public/photos/"+id)
	}
	for _, e := range c.Events {
		p.Timeline = append(p.Timeline, PublicEntry{At: e.At, Action: e.Action, Text: h.R.Catalog.T(lang, "case.public_action."+string(e.Action))})
	}
	f := PublicFeature{Type: "Feature", ID: c.Number, Properties: p}
	if c.Located {
		f.Geometry = &PublicPoint{Type: "Point", Coordinates: [2]float64{c.Lng, c.Lat}}
	}
	return f
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// publicFilterOf reads the public list's query: limit, cursor, category, status, subdistrict,
// from and to (district dates, inclusive), and lat, lng, radius (metres, 50–5000).
func publicFilterOf(r *http.Request) (PublicFilter, error) {
	q := r.URL.Query()
	f := PublicFilter{Limit: 100, After: q.Get("cursor")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPublicPage {
			return f, apperr.New(apperr.Invalid, "request.bad_param", "limit", "1–"+strconv.Itoa(MaxPublicPage))
		}
		f.Limit = n
	}
	if v := strings.TrimSpace(q.Get("category")); v != "" {
		if class, code, ok := strings.Cut(v, "/"); ok {
			f.Categories = [][2]string{{class, code}}
		} else {
			f.Categories = [][2]string{{"component", v}, {"event", v}}
		}
	}
	if v := q.Get("status"); v != "" {
		st, ok := ParsePublicStatus(v)
		if !ok {
			return f, apperr.New(apperr.Invalid, "request.bad_param", "status", "accepted|dispatched|handling|closed|paused")
		}
		f.Statuses = st
	}
	f.Subdistrict = strings.TrimSpace(q.Get("subdistrict"))
	for name, at := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		v := q.Get(name)
		if v == "" {
			continue
		}
		d, err := time.ParseInLocation(time.DateOnly, v, shanghai)
		if err != nil {
			return f, apperr.New(apperr.Invalid, "request.bad_param", name, "YYYY-MM-DD")
		}
		if name == "to" {
			d = d.AddDate(0, 0, 1).Add(-time.Nanosecond)
		}
		*at = d
	}
	if q.Get("lat") != "" || q.Get("lng") != "" {
		lat, err1 := strconv.ParseFloat(q.Get("lat"), 64)
		lng, err2 := strconv.ParseFloat(q.Get("lng"), 64)
		if err1 != nil || err2 != nil || !(lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180) {
			return f, apperr.New(apperr.Invalid, "grid.bad_point")
		}
		radius := 1000
		if v := q.Get("radius"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 50 || n > 5000 {
				return f, apperr.New(apperr.Invalid, "request.bad_param", "radius", "50–5000")
			}
			radius = n
		}
		f.Lat, f.Lng, f.RadiusM = lat, lng, float64(radius)
	}
	return f, nil
}

// setPublication answers PUT /api/v1/cases/{id}/publication (staff: public text, reply, photos).
func (h *HTTP) setPublication(w http.ResponseWriter, r *http.Request) {
	// The reach first, before the body: a refused caller learns nothing from its body.
	if _, err := h.Cases.Get(r.Context(), r.PathValue("id")); err != nil {
		h.R.Error(w, r, err)
		return
	}
	var in Publication
	if err := httpx.Decode(r, &in, 16<<10); err != nil {
		h.R.Error(w, r, err)
		return
	}
	c, err := h.Cases.SetPublication(r.Context(), r.PathValue("id"), in)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, c)
}
