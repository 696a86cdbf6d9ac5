package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/cursor"
	"github.com/yiwang-gov/yiwang/internal/redact"
)

// The public reading of the district's cases (package open311 serves it as GeoReport v2 GET
// requests): what, where, how far along and who handles it — nothing about who reported it.

// PublicFilter selects cases for the public reading. Numbers, when given, override every other
// field (GeoReport v2: service_request_id overrides all other arguments).
type PublicFilter struct {
	Numbers    []string
	Categories [][2]string // (class, code) pairs
	From, To   time.Time   // requested (reported) between, inclusive; zero: unbounded
	Open       bool        // only open cases …
	Closed     bool        // … or only closed ones (both or neither: all)
	// Statuses keeps cases in one of these statuses (ParsePublicStatus).
	Statuses []Status
	// Subdistrict keeps the cases of one subdistrict (its code).
	Subdistrict string
	// UpdatedAfter keeps cases with a public change after this instant.
	UpdatedAfter time.Time
	// Near keeps cases within RadiusM metres of Lat, Lng (RadiusM > 0).
	Lat, Lng, RadiusM float64
	Offset, Limit     int
	// After continues a list after the case a cursor names (PublicRequest.Cursor).
	After string
	// Timeline adds the public events and the reporter's answers to the service's questions.
	Timeline bool
}

// PublicRequest is a case as anyone may see it (publicview.go): what, roughly where, how far
// along and which unit handles it — nothing about who reported it or what staff wrote to each
// other. Its text is the one staff set for the public, or the description, passed through the
// one redaction function.
type PublicRequest struct {
	Number           string
	Status           Status
	CategoryClass    string
	CategoryCode     string
	CategoryName     string
	CategoryNameEN   string
	Description      string
	Reply            string // the handling unit's public reply (答复)
	Department       string
	DepartmentName   string
	DepartmentNameEN string
	ReportedAt       time.Time
	UpdatedAt        time.Time // the latest public change
	ClosedAt         *time.Time
	Deadline         *time.Time
	Address          string // the grid's name: the place rounded to the grid
	GridCode         string
	SubdistrictCode  string
	SubdistrictName  string
	ZoneCode         string
	Located          bool
	Lat, Lng         float64 // rounded to 3 decimals (about 100 m)
	PhotoID          string  // the first photo staff marked public
	PhotoIDs         []string
	Latest           *PublicEvent // the latest public event
	Events           []PublicEvent
	Attributes       map[string][]string

	id string
}

// Cursor names the case for PublicFilter.After: the next page starts after it.
func (r PublicRequest) Cursor() string {
	return cursor.Encode(publicCursor{At: r.ReportedAt, ID: r.id})
}

type publicCursor struct {
	At time.Time `json:"a"`
	ID string    `json:"i"`
}

// PublicEvent is one public step of a case: what happened and when, never what was noted.
type PublicEvent struct {
	At     time.Time
	Action Action
	Status Status
}

// MaxPublicRequests is the most PublicRequests returns at once.
const MaxPublicRequests = 1000

// PublicRequests reads the public cases of the district (Open311 GET requests, the public API),
// newest first. It needs no caller: it returns nothing that identifies a reporter.
func (s *Service) PublicRequests(ctx context.Context, f PublicFilter) ([]PublicRequest, error) {
	district := s.districtCode(ctx)
	if district == "" {
		return []PublicRequest{}, nil
	}
	args := []any{"/" + district + "/"}
	conds := []string{fmt.Sprintf("substr(c.path, 1, %d) = $1", len(district)+2), publicWhere}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if len(f.Numbers) > 0 {
		var ph []string
		for _, n := range f.Numbers {
			ph = append(ph, arg(n))
		}
		conds = append(conds, "c.number IN ("+strings.Join(ph, ",")+")")
	} else {
		if len(f.Categories) > 0 {
			var or []string
			for _, k := range f.Categories {
				or = append(or, "(c.category_class = "+arg(k[0])+" AND c.category_code = "+arg(k[1])+")")
			}
			conds = append(conds, "("+strings.Join(or, " OR ")+")")
		}
		if !f.From.IsZero() {
			conds = append(conds, "c.reported_at >= "+arg(f.From.UTC()))
		}
		if !f.To.IsZero() {
			conds = append(conds, "c.reported_at <= "+arg(f.To.UTC()))
		}
		switch {
		case f.Open && !f.Closed:
			conds = append(conds, "c.status NOT IN ('closed','voided','merged')")
		case f.Closed && !f.Open:
			conds = append(conds, "c.status IN ('closed','voided','merged')")
		}
		if len(f.Statuses) > 0 {
			var ph []string
			for _, st := range f.Statuses {
				ph = append(ph, arg(string(st)))
			}
			conds = append(conds, "c.status IN ("+strings.Join(ph, ",")+")")
		}
		if f.Subdistrict != "" {
			conds = append(conds, "c.subdistrict_code = "+arg(f.Subdistrict))
		}
		if !f.UpdatedAfter.IsZero() {
			// A public change is a public step (publicActions): a 督办 or a unit's note is not one.
			var acts []string
			for _, a := range publicActions {
				acts = append(acts, arg(string(a)))
			}
			conds = append(conds, "EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.public AND e.action IN ("+
				strings.Join(acts, ",")+") AND e.at > "+arg(f.UpdatedAfter.UTC())+")")
		}
		if f.RadiusM > 0 {
			// A bounding box the index can use, then the distance on a local plane (good to well
			// under 1 % within tens of kilometres), in plain arithmetic that both engines share.
			mLat, mLng := 111320.0, 111320*math.Cos(f.Lat*math.Pi/180)
			conds = append(conds, "c.grid_code <> ''",
				fmt.Sprintf("c.lat BETWEEN %s AND %s AND c.lng BETWEEN %s AND %s", arg(f.Lat-f.RadiusM/mLat), arg(f.Lat+f.RadiusM/mLat),
					arg(f.Lng-f.RadiusM/mLng), arg(f.Lng+f.RadiusM/mLng)),
				fmt.Sprintf("(c.lat - %[1]s) * (c.lat - %[1]s) * %[3]s + (c.lng - %[2]s) * (c.lng - %[2]s) * %[4]s <= %[5]s",
					arg(f.Lat), arg(f.Lng), arg(mLat*mLat), arg(mLng*mLng), arg(f.RadiusM*f.RadiusM)))
		}
		if f.After != "" {
			var after publicCursor
			if err := cursor.Decode(f.After, &after); err != nil {
				return nil, err
			}
			if after.ID == "" {
				return nil, apperr.New(apperr.Invalid, "request.bad_param", "cursor", "")
			}
			at, id := arg(after.At.UTC()), arg(after.ID)
			conds = append(conds, fmt.Sprintf("(c.reported_at < %s OR (c.reported_at = %s AND c.id < %s))", at, at, id))
		}
	}
	limit := f.Limit
	if limit <= 0 || limit > MaxPublicRequests {
		limit = MaxPublicRequests
	}
	q := `SELECT c.id, c.number, c.status, c.category_class, c.category_code, COALESCE(cat.name, ''), COALESCE(cat.name_en, ''),
		COALESCE(c.public_text, c.description), c.public_reply, c.lead_department, COALESCE(n.name, ''), COALESCE(n.name_en, ''),
		c.reported_at, c.closed_at, c.handle_due, c.grid_code, COALESCE(cn.name, ''), COALESCE(g.name, ''),
		c.subdistrict_code, COALESCE(sn.name, ''), c.zone_code, c.lat, c.lng
		FROM cases c LEFT JOIN categories cat ON cat.class = c.category_class AND cat.code = c.category_code
		LEFT JOIN org_nodes n ON n.code = c.lead_department
		LEFT JOIN org_nodes cn ON cn.code = c.community_code
		LEFT JOIN org_nodes sn ON sn.code = c.subdistrict_code
		LEFT JOIN grids g ON g.code = c.grid_code
		WHERE ` + strings.Join(conds, " AND ") + ` ORDER BY c.reported_at DESC, c.id DESC LIMIT ` + arg(limit) + ` OFFSET ` + arg(max(f.Offset, 0))
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("public requests: %w", err)
	}
	defer rows.Close()
	out := []PublicRequest{}
	var ids []string
	for rows.Next() {
		var r PublicRequest
		var status, community, grid string
		var closed, due sql.NullTime
		if err := rows.Scan(&r.id, &r.Number, &status, &r.CategoryClass, &r.CategoryCode, &r.CategoryName, &r.CategoryNameEN,
			&r.Description, &r.Reply, &r.Department, &r.DepartmentName, &r.DepartmentNameEN, &r.ReportedAt,
			&closed, &due, &r.GridCode, &community, &grid, &r.SubdistrictCode, &r.SubdistrictName, &r.ZoneCode, &r.Lat, &r.Lng); err != nil {
			return nil, fmt.Errorf("public requests: %w", err)
		}
		// The latest public step sets UpdatedAt (publicDetails); the row's own updated_at moves
		// with internal steps too, and would tell when a 督办 happened.
		r.Status, r.ReportedAt = Status(status), r.ReportedAt.UTC()
		r.UpdatedAt = r.ReportedAt
		r.Description, r.Reply = redact.Public(r.Description), redact.Public(r.Reply)
		r.Located = r.GridCode != ""
		if r.Located {
			r.Address = strings.TrimSpace(community + " " + grid)
			r.Lat, r.Lng = roundPlace(r.Lat), roundPlace(r.Lng)
		} else {
			r.Lat, r.Lng = 0, 0
		}
		if closed.Valid && r.Status == Closed {
			t := closed.Time.UTC()
			r.ClosedAt = &t
		}
		if due.Valid && r.Status.Open() {
			t := due.Time.UTC()
			r.Deadline = &t
		}
		ids = append(ids, r.id)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := s.publicDetails(ctx, ids, out, f.Timeline); err != nil {
		return nil, err
	}
	return out, nil
}

// publicDetails adds to each case (out[i] is ids[i]) its public events and its public photos.
func (s *Service) publicDetails(ctx context.Context, ids []string, out []PublicRequest, timeline bool) error {
	at := map[string]int{}
	for i, id := range ids {
		at[id] = i
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		ph := make([]string, len(chunk))
		args := make([]any, len(chunk))
		for i, id := range chunk {
			ph[i], args[i] = fmt.Sprintf("$%d", i+1), id
		}
		in := strings.Join(ph, ",")
		// The actions are sifted here, not in SQL: with a list of actions SQLite's planner takes
		// the (action, at) index and reads every event of those actions instead of the cases'.
		rows, err := s.DB.Query(ctx, `SELECT case_id, action, status, at, data FROM case_events
			WHERE public AND case_id IN (`+in+`) ORDER BY case_id, seq`, args...)
		if err != nil {
			return fmt.Errorf("public timeline: %w", err)
		}
		for rows.Next() {
			var id, action, status, data string
			var e PublicEvent
			if err := rows.Scan(&id, &action, &status, &e.At, &data); err != nil {
				rows.Close()
				return fmt.Errorf("public timeline: %w", err)
			}
			if !slices.Contains(publicActions, Action(action)) {
				continue
			}
			r := &out[at[id]]
			e.Action, e.Status, e.At = Action(action), Status(status), e.At.UTC()
			if e.Action == Report && timeline {
				r.Attributes = attributesOf(data)
			}
			r.Latest = &e
			r.UpdatedAt = e.At
			if timeline {
				r.Events = append(r.Events, e)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = s.DB.Query(ctx, `SELECT case_id, id FROM case_photos WHERE public AND case_id IN (`+in+`)
			ORDER BY case_id, created_at, id`, args...)
		if err != nil {
			return fmt.Errorf("public photos: %w", err)
		}
		for rows.Next() {
			var id, photoID string
			if err := rows.Scan(&id, &photoID); err != nil {
				rows.Close()
				return err
			}
			r := &out[at[id]]
			r.PhotoIDs = append(r.PhotoIDs, photoID)
			if r.PhotoID == "" {
				r.PhotoID = photoID
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func attributesOf(data string) map[string][]string {
	var d struct {
		Attributes map[string][]string `json:"attributes"`
	}
	if json.Unmarshal([]byte(data), &d) != nil {
		return nil
	}
	return d.Attributes
}

// PublicPhoto returns a photo staff marked public, of a public case of the district (photos are
// stored re-encoded, without EXIF or GPS). Anything else is not found.
func (s *Service) PublicPhoto(ctx context.Context, photoID string, thumb bool) ([]byte, error) {
	district := s.districtCode(ctx)
	if district == "" || len(photoID) > 64 {
		return nil, apperr.New(apperr.NotFound, "photo.not_found")
	}
	col := "p.data"
	if thumb {
		col = "p.thumbnail"
	}
	var b []byte
	err := s.DB.QueryRow(ctx, `SELECT `+col+` FROM case_photos p JOIN cases c ON c.id = p.case_id
		LEFT JOIN categories cat ON cat.class = c.category_class AND cat.code = c.category_code
		WHERE p.id = $1 AND p.public AND substr(c.path, 1, $2) = $3 AND `+publicWhere,
		photoID, len(district)+2, "/"+district+"/").Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "photo.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("public photo: %w", err)
	}
	return b, nil
}
