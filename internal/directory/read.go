package directory

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/calendar"
	"github.com/yiwang-gov/yiwang/internal/coord"
	"github.com/yiwang-gov/yiwang/internal/directory/hours"
	"github.com/yiwang-gov/yiwang/internal/directory/search"
)

// clock is the instant and the calendar that "open now" is judged by, with each place's answer
// kept for the request.
type clock struct {
	at   time.Time
	cal  *calendar.Calendar
	open map[string]bool
}

func (d *Directory) clock(ctx context.Context) (*clock, error) {
	cal, err := d.Calendars.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	return &clock{at: d.now(), cal: cal, open: map[string]bool{}}, nil
}

func (c *clock) placeOpen(p *Place) bool {
	open, ok := c.open[p.ID]
	if !ok {
		open = p.Hours.OpenAt(c.cal, c.at)
		c.open[p.ID] = open
	}
	return open
}

// serviceOpen: a service is open now when one of its places is.
func (c *clock) serviceOpen(s *snapshot, sv *Service) bool {
	for _, id := range sv.placeIDs {
		if p, ok := s.placeByID[id]; ok && c.placeOpen(p) {
			return true
		}
	}
	return false
}

// dress fills the place's open-now answer, next change and today's hours.
func (c *clock) dress(p Place) Place {
	p.OpenNow = c.placeOpen(&p)
	if next, ok := p.Hours.NextChange(c.cal, c.at); ok {
		next = next.UTC()
		p.NextChange = &next
	}
	if p.Today = p.Hours.Today(c.cal, c.at); p.Today == nil {
		p.Today = []hours.Period{}
	}
	return p
}

// view is an entry as a caller sees it now: places dressed, stale and open-now computed.
func (d *Directory) view(s *snapshot, c *clock, sv *Service) Service {
	out := *sv
	out.Places = make([]Place, 0, len(sv.Places))
	for _, p := range sv.Places {
		p = c.dress(p)
		out.OpenNow = out.OpenNow || p.OpenNow
		out.Places = append(out.Places, p)
	}
	out.Stale = stale(sv.ReviewedAt, c.at, s.stale)
	return out
}

// stale says an entry reviewed at reviewed has gone months without review by at.
func stale(reviewed, at time.Time, months int) bool {
	return months > 0 && reviewed.AddDate(0, months, 0).Before(at)
}

// Get reads one published entry; anyone may.
func (d *Directory) Get(ctx context.Context, id string) (Service, error) {
	s, err := d.current(ctx)
	if err != nil {
		return Service{}, err
	}
	sv, ok := s.byID[id]
	if !ok {
		return Service{}, apperr.New(apperr.NotFound, "directory.not_found")
	}
	c, err := d.clock(ctx)
	if err != nil {
		return Service{}, err
	}
	out := d.view(s, c, sv)
	if scope, err := editor(ctx); err == nil && scope.Covers(sv.path) {
		pending, err := d.hasPending(ctx, sv.ID)
		if err != nil {
			return Service{}, err
		}
		out.Pending = &pending
	}
	return out, nil
}

// Query is a resident's search.
type Query struct {
	Q        string
	Category string
	Online   bool
	OpenNow  bool
	Near     *search.Point
	RadiusM  float64
	Limit    int
}

// Search finds entries for a resident, best first, and logs the query (what residents look for
// and do not find is shown to the editors).
func (d *Directory) Search(ctx context.Context, q Query) ([]Result, error) {
	s, err := d.current(ctx)
	if err != nil {
		return nil, err
	}
	c, err := d.clock(ctx)
	if err != nil {
		return nil, err
	}
	sq := search.Query{Q: q.Q, Category: q.Category, Online: q.Online, Near: q.Near, RadiusM: q.RadiusM, Limit: q.Limit}
	if q.OpenNow {
		sq.Keep = func(id string) bool { sv, ok := s.byID[id]; return ok && c.serviceOpen(s, sv) }
	}
	hits := s.index().Search(sq)
	out := make([]Result, 0, len(hits))
	for _, h := range hits {
		sv, ok := s.byID[h.ID]
		if !ok {
			continue
		}
		r := Result{ID: sv.ID, Name: sv.Name, Aliases: sv.Aliases, Category: sv.Category, Online: sv.Online,
			OnlineURL: sv.OnlineURL, OpenNow: c.serviceOpen(s, sv), UnitName: sv.UnitName, Match: string(h.Match),
			Fees: sv.Fees, Summary: summary(sv.Description)}
		if q.Near != nil && h.DistanceM >= 0 {
			dist := math.Round(h.DistanceM)
			r.DistanceM = &dist
		}
		if p := nearest(s, sv, q.Near); p != nil {
			r.Place = &PlaceBrief{ID: p.ID, Name: p.Name, Address: p.Address, Lat: p.Lat, Lng: p.Lng, OpenNow: c.placeOpen(p)}
		}
		out = append(out, r)
	}
	if strings.TrimSpace(q.Q) != "" {
		d.logQuery(ctx, search.Normalize(q.Q), len(out) == 0)
	}
	return out, nil
}

// summary is the start of a description, for a result card.
func summary(text string) string {
	r := []rune(text)
	if len(r) <= 60 {
		return text
	}
	return string(r[:60]) + "…"
}

// nearest is the entry's place nearest to the point, or its first place without one.
func nearest(s *snapshot, sv *Service, at *search.Point) *Place {
	var best *Place
	bestD := math.Inf(1)
	for _, id := range sv.placeIDs {
		p, ok := s.placeByID[id]
		if !ok {
			continue
		}
		if at == nil {
			return p
		}
		if dist := coord.DistanceM(at.Lat, at.Lng, p.Lat, p.Lng); dist < bestD {
			best, bestD = p, dist
		}
	}
	return best
}

// Suggest offers entry names as a resident types.
func (d *Directory) Suggest(ctx context.Context, prefix string) ([]search.Suggestion, error) {
	s, err := d.current(ctx)
	if err != nil {
		return nil, err
	}
	out := s.index().Suggest(prefix, 8)
	if out == nil {
		out = []search.Suggestion{}
	}
	return out, nil
}

// CategoryCount is a category with the number of entries in it.
type CategoryCount struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// CategoryCounts counts the published entries of each category.
func (d *Directory) CategoryCounts(ctx context.Context) ([]CategoryCount, error) {
	s, err := d.current(ctx)
	if err != nil {
		return nil, err
	}
	n := map[string]int{}
	for _, sv := range s.services {
		n[sv.Category]++
	}
	out := make([]CategoryCount, 0, len(Categories))
	for _, c := range Categories {
		out = append(out, CategoryCount{Code: c, Count: n[c]})
	}
	return out, nil
}

// Serving is which of an entry's places serves a resident's address.
type Serving struct {
	Place           *Place `json:"place"`
	GridCode        string `json:"grid_code"`
	CommunityName   string `json:"community_name"`
	SubdistrictName string `json:"subdistrict_name"`
	Inside          bool   `json:"inside"`
}

// ServingPlace finds the place of entry id that serves the point's residents: the one serving
// its community, else its subdistrict, else the district; with none named, the nearest.
func (d *Directory) ServingPlace(ctx context.Context, id string, lat, lng float64) (Serving, error) {
	s, err := d.current(ctx)
	if err != nil {
		return Serving{}, err
	}
	sv, ok := s.byID[id]
	if !ok {
		return Serving{}, apperr.New(apperr.NotFound, "directory.not_found")
	}
	w, inside, err := d.Locator.Locate(ctx, lat, lng)
	if err != nil {
		return Serving{}, err
	}
	out := Serving{Inside: inside, GridCode: w.GridCode, CommunityName: w.CommunityName, SubdistrictName: w.SubdistrictName}
	if !inside {
		return out, nil
	}
	c, err := d.clock(ctx)
	if err != nil {
		return Serving{}, err
	}
	levels := []string{w.CommunityCode, w.SubdistrictCode}
	for _, code := range levels {
		for _, p := range sv.Places {
			if slices.Contains(p.Serves, code) {
				dressed := c.dress(p)
				out.Place = &dressed
				return out, nil
			}
		}
	}
	// The district-wide places: those serving a node above the subdistrict.
	for _, p := range sv.Places {
		for _, code := range p.Serves {
			if code != "" && strings.HasPrefix(w.SubdistrictCode, code) {
				dressed := c.dress(p)
				out.Place = &dressed
				return out, nil
			}
		}
	}
	if p := nearest(s, sv, &search.Point{Lat: lat, Lng: lng}); p != nil {
		dressed := c.dress(*p)
		out.Place = &dressed
	}
	return out, nil
}

// Listing is a page of the editors' list.
type Listing struct {
	Services   []Service `json:"services"`
	NextCursor string    `json:"next_cursor,omitempty"`
}

// ListFilter narrows the editors' list.
type ListFilter struct {
	Q, Category, Unit string
	Stale, Pending    bool
	Limit             int
	Cursor            string // an offset, opaque to clients
}

// List is the entries of the caller's units, for editors.
func (d *Directory) List(ctx context.Context, f ListFilter) (Listing, error) {
	scope, err := editor(ctx)
	if err != nil {
		return Listing{}, err
	}
	s, err := d.current(ctx)
	if err != nil {
		return Listing{}, err
	}
	c, err := d.clock(ctx)
	if err != nil {
		return Listing{}, err
	}
	pending, err := d.pendingServices(ctx)
	if err != nil {
		return Listing{}, err
	}
	var matched map[string]bool
	if strings.TrimSpace(f.Q) != "" {
		matched = map[string]bool{}
		for _, h := range s.index().Search(search.Query{Q: f.Q, Limit: 10000}) {
			matched[h.ID] = true
		}
	}
	var rows []Service
	for _, sv := range s.services {
		if !scope.Covers(sv.path) || (f.Category != "" && sv.Category != f.Category) || (f.Unit != "" && sv.UnitCode != f.Unit) ||
			(matched != nil && !matched[sv.ID]) || (f.Pending && !pending[sv.ID]) {
			continue
		}
		if f.Stale && !stale(sv.ReviewedAt, c.at, s.stale) {
			continue
		}
		v := d.view(s, c, sv)
		p := pending[sv.ID]
		v.Pending = &p
		rows = append(rows, v)
	}
	return page(rows, f.Limit, f.Cursor)
}

// page cuts a list at an offset cursor.
func page(rows []Service, limit int, cursor string) (Listing, error) {
	if limit <= 0 || limit > maxListing {
		limit = 50
	}
	start := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 0 {
			return Listing{}, apperr.New(apperr.Invalid, "request.bad_param", "cursor", cursor)
		}
		start = min(n, len(rows))
	}
	out := Listing{Services: append([]Service{}, rows[start:min(start+limit, len(rows))]...)}
	if start+limit < len(rows) {
		out.NextCursor = strconv.Itoa(start + limit)
	}
	return out, nil
}

// maxListing is the longest page of the editors' list.
const maxListing = 200
