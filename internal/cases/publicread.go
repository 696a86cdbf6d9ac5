package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
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
	// UpdatedAfter keeps cases with a public change after this instant.
	UpdatedAfter time.Time
	// Near keeps cases within RadiusM metres of Lat, Lng (RadiusM > 0).
	Lat, Lng, RadiusM float64
	Offset, Limit     int
	// Timeline adds the public events and the reporter's answers to the service's questions.
	Timeline bool
}

// PublicRequest is a case as anyone may see it: what, where, how far along, who handles it —
// nothing about who reported it. Phone numbers, e-mail addresses and ID numbers in texts are
// blacked out.
type PublicRequest struct {
	Number           string
	Status           Status
	CategoryClass    string
	CategoryCode     string
	CategoryName     string
	CategoryNameEN   string
	Description      string
	Department       string
	DepartmentName   string
	DepartmentNameEN string
	ReportedAt       time.Time
	UpdatedAt        time.Time // the latest public change
	Deadline         *time.Time
	Address          string
	GridCode         string
	Located          bool
	Lat, Lng         float64
	PhotoID          string       // the first report photo (cases whose reporter was not anonymous)
	Latest           *PublicEvent // the latest public event
	Events           []PublicEvent
	Attributes       map[string][]string
}

// PublicEvent is one public step of a case. Note is empty for what the reporter wrote.
type PublicEvent struct {
	At     time.Time
	Action Action
	Status Status
	Note   string
}

// MaxPublicRequests is the most PublicRequests returns at once.
const MaxPublicRequests = 1000

// PublicRequests reads cases of the district for the public (Open311 GET requests), newest
// first. It needs no caller: it returns nothing that identifies a reporter.
func (s *Service) PublicRequests(ctx context.Context, f PublicFilter) ([]PublicRequest, error) {
	district := s.districtCode(ctx)
	if district == "" {
		return []PublicRequest{}, nil
	}
	args := []any{"/" + district + "/"}
	conds := []string{fmt.Sprintf("substr(c.path, 1, %d) = $1", len(district)+2)}
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
		if !f.UpdatedAfter.IsZero() {
			conds = append(conds, "EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.public AND e.at > "+arg(f.UpdatedAfter.UTC())+")")
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
	}
	limit := f.Limit
	if limit <= 0 || limit > MaxPublicRequests {
		limit = MaxPublicRequests
	}
	q := `SELECT c.id, c.number, c.status, c.category_class, c.category_code, COALESCE(cat.name, ''), COALESCE(cat.name_en, ''),
		c.description, c.lead_department, COALESCE(n.name, ''), COALESCE(n.name_en, ''), c.reported_at, c.updated_at,
		c.handle_due, c.address, c.grid_code, c.lat, c.lng, c.anonymous
		FROM cases c LEFT JOIN categories cat ON cat.class = c.category_class AND cat.code = c.category_code
		LEFT JOIN org_nodes n ON n.code = c.lead_department
		WHERE ` + strings.Join(conds, " AND ") + ` ORDER BY c.reported_at DESC, c.id DESC LIMIT ` + arg(limit) + ` OFFSET ` + arg(max(f.Offset, 0))
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("public requests: %w", err)
	}
	defer rows.Close()
	out := []PublicRequest{}
	var ids []string
	named := map[string]bool{} // cases whose reporter gave a name: their photos may be shown
	for rows.Next() {
		var r PublicRequest
		var id, status string
		var due sql.NullTime
		var anonymous bool
		if err := rows.Scan(&id, &r.Number, &status, &r.CategoryClass, &r.CategoryCode, &r.CategoryName, &r.CategoryNameEN,
			&r.Description, &r.Department, &r.DepartmentName, &r.DepartmentNameEN, &r.ReportedAt, &r.UpdatedAt, &due,
			&r.Address, &r.GridCode, &r.Lat, &r.Lng, &anonymous); err != nil {
			return nil, fmt.Errorf("public requests: %w", err)
		}
		r.Status, r.ReportedAt, r.UpdatedAt = Status(status), r.ReportedAt.UTC(), r.UpdatedAt.UTC()
		r.Description, r.Address = redact.Public(r.Description), redact.Public(r.Address)
		r.Located = r.GridCode != ""
		if due.Valid {
			t := due.Time.UTC()
			r.Deadline = &t
		}
		ids = append(ids, id)
		named[id] = !anonymous
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := s.publicDetails(ctx, ids, named, out, f.Timeline); err != nil {
		return nil, err
	}
	return out, nil
}

// publicDetails adds to each case (out[i] is ids[i]) its public events and its first report photo.
func (s *Service) publicDetails(ctx context.Context, ids []string, named map[string]bool, out []PublicRequest, timeline bool) error {
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
		rows, err := s.DB.Query(ctx, `SELECT case_id, action, status, role, at, note, data FROM case_events
			WHERE public AND case_id IN (`+in+`) ORDER BY case_id, seq`, args...)
		if err != nil {
			return fmt.Errorf("public timeline: %w", err)
		}
		for rows.Next() {
			var id, action, status, role, data string
			var e PublicEvent
			if err := rows.Scan(&id, &action, &status, &role, &e.At, &e.Note, &data); err != nil {
				rows.Close()
				return fmt.Errorf("public timeline: %w", err)
			}
			r := &out[at[id]]
			e.Action, e.Status, e.At = Action(action), Status(status), e.At.UTC()
			e.Note = redact.Public(e.Note)
			if role == string(access.Resident) {
				e.Note = "" // the reporter's own words stay with the desk
			}
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
		rows, err = s.DB.Query(ctx, `SELECT case_id, id FROM case_photos WHERE kind = 'report' AND case_id IN (`+in+`)
			ORDER BY case_id, created_at DESC, id DESC`, args...)
		if err != nil {
			return fmt.Errorf("public photos: %w", err)
		}
		for rows.Next() {
			var id, photoID string
			if err := rows.Scan(&id, &photoID); err != nil {
				rows.Close()
				return err
			}
			if named[id] {
				out[at[id]].PhotoID = photoID // the last row of a case is its first photo
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

// PublicPhoto returns a report photo of a case of the district whose reporter was not anonymous
// (photos are stored re-encoded, without EXIF or GPS). Anything else is not found.
func (s *Service) PublicPhoto(ctx context.Context, photoID string) ([]byte, error) {
	district := s.districtCode(ctx)
	if district == "" || len(photoID) > 64 {
		return nil, apperr.New(apperr.NotFound, "photo.not_found")
	}
	var b []byte
	err := s.DB.QueryRow(ctx, `SELECT p.data FROM case_photos p JOIN cases c ON c.id = p.case_id
		WHERE p.id = $1 AND p.kind = 'report' AND NOT c.anonymous AND substr(c.path, 1, $2) = $3`,
		photoID, len(district)+2, "/"+district+"/").Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "photo.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("public photo: %w", err)
	}
	return b, nil
}
