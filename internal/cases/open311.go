package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/grid"
	"github.com/yiwang-gov/yiwang/internal/pii"
)

// What the Open311 GeoReport v2 façade (package open311) needs from the case desk: intake for API
// client applications on the channel open311, and a public, reporter-free reading of cases.

// ClientReport is what an API client sends besides the report itself.
type ClientReport struct {
	// Attributes are the answers to the service's questions (attribute[CODE]), already checked
	// against its definition; they are kept in the report event's data.
	Attributes map[string][]string
	// MediaURL is a photo the client hosts. It is kept for the desk and never fetched.
	MediaURL string
	// Contact holds the contact fields other than the name and phone (email, device_id,
	// account_id): sealed by the vault, never shown. Name and phone go where every reporter's go.
	Contact map[string]string
	// Batch: the service answers with a token instead of the case number.
	Batch bool
	// Unlocated: the client gave no point, and its address resolved at most to a subdistrict or a
	// community (codes below, either may be empty). The case waits at that node's desk, which
	// locates it (reclassify) before anything else.
	Unlocated       bool
	SubdistrictCode string
	CommunityCode   string
}

// ClientReceipt is what an API client is told of its report.
type ClientReceipt struct {
	Number     string
	Status     Status
	Token      string // batch services only
	Duplicates []Nearby
}

// MaxClientDescription is the longest description GeoReport v2 allows. The case keeps the first
// MaxDescription characters; the report event keeps the whole text.
const MaxClientDescription = 4000

// CreateFromClient takes a report from an API client application: the caller is the client's
// principal (apikey.Principal). The report goes through the same validation, location, routing,
// duplicate check and workflow as any other, on the channel open311; the reporter has no account.
func (s *Service) CreateFromClient(ctx context.Context, in NewCase, r ClientReport) (ClientReceipt, error) {
	scope, err := access.Need(ctx, access.CaseReport)
	if err != nil {
		return ClientReceipt{}, err
	}
	p, _ := access.From(ctx)
	if !strings.HasPrefix(p.UserID, "apikey:") {
		return ClientReceipt{}, apperr.New(apperr.Forbidden, "auth.forbidden")
	}
	if in.ReportedAt != nil || in.Deadline != nil || in.ExternalID != "" {
		return ClientReceipt{}, apperr.New(apperr.Invalid, "case.import_only")
	}
	in.Channel, in.Anonymous = Open311, false
	var fullText string
	if text := []rune(strings.TrimSpace(in.Description)); len(text) > MaxDescription {
		if len(text) > MaxClientDescription {
			return ClientReceipt{}, apperr.New(apperr.Invalid, "case.bad_description").
				WithDetails([]apperr.Detail{{Field: "description", Message: "case.bad_description"}})
		}
		fullText, in.Description = string(text), string(text[:MaxDescription-1])+"…"
	}
	var prep prepared
	if r.Unlocated {
		prep, err = s.prepareUnlocated(ctx, in, r.SubdistrictCode, r.CommunityCode)
	} else {
		prep, err = s.prepare(ctx, in)
	}
	if err != nil {
		return ClientReceipt{}, err
	}
	c := prep.c
	now := s.Now().UTC()
	c.ReportedAt, c.StageStartedAt, c.UpdatedAt = now, now, now
	if err := s.startStage(ctx, &c, now); err != nil {
		return ClientReceipt{}, err
	}
	var dups []Nearby
	if !r.Unlocated {
		if dups, err = s.nearby(ctx, c, now); err != nil {
			return ClientReceipt{}, err
		}
	}
	receipt := ClientReceipt{Status: c.Status, Duplicates: dups}
	var token any // NULL unless the service is batch
	if r.Batch {
		receipt.Token = newToken()
		token = receipt.Token
	}
	var contact string
	if len(r.Contact) > 0 {
		b, _ := json.Marshal(r.Contact)
		contact = s.Vault.Seal(string(b))
	}
	data := map[string]any{"channel": c.Channel, "grid_code": c.GridCode, "client": p.Username}
	if len(r.Attributes) > 0 {
		data["attributes"] = r.Attributes
	}
	if r.MediaURL != "" {
		data["media_url"] = r.MediaURL
	}
	if fullText != "" {
		data["description"] = fullText
	}
	if r.Unlocated {
		data["unlocated"] = true
	}
	clientID := strings.TrimPrefix(p.UserID, "apikey:")
	actor := access.ActorOf(ctx, scope.Primary())
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := s.insert(ctx, tx, &c, "", prep.phoneEnc); err != nil {
			return err
		}
		ev := eventRow{action: Report, status: c.Status, actor: actor, at: now, data: data, public: true}
		if err := s.appendEvent(ctx, tx, c.ID, 1, ev); err != nil {
			return err
		}
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO open311_requests (case_id, api_key_id, token, contact_enc, media_url, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, c.ID, clientID, token, contact, r.MediaURL, now); err != nil {
			return fmt.Errorf("record open311 request: %w", err)
		}
		e := audit.For(actor, now, "case.report", "case", c.ID)
		e.OrgPath, e.OrgCode = c.path, c.SubdistrictCode
		e.After = audit.Summary(map[string]any{"number": c.Number, "status": c.Status, "channel": c.Channel})
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return ClientReceipt{}, err
	}
	receipt.Number = c.Number
	s.notify(Change{CaseID: c.ID, Number: c.Number, Action: Report, Status: c.Status, Path: c.path, At: now})
	return receipt, nil
}

// prepareUnlocated is prepare for a report without a point: it waits at the desk of the node its
// address resolved to (the district when nothing matched) until the desk locates it. It skips
// the confirmation step, which needs a place to go to.
func (s *Service) prepareUnlocated(ctx context.Context, in NewCase, subdistrict, community string) (prepared, error) {
	if err := withoutDetail(in.validate(), "lat"); err != nil {
		return prepared{}, err
	}
	if community != "" && (subdistrict == "" || !strings.HasPrefix(community, subdistrict)) {
		return prepared{}, fmt.Errorf("unlocated report: community %s is not in subdistrict %s", community, subdistrict)
	}
	cat, err := s.clientCategory(ctx, in)
	if err != nil {
		return prepared{}, err
	}
	c := Case{Channel: in.Channel, Kind: in.Kind, CategoryClass: cat.Class, CategoryCode: cat.Code, CategoryName: cat.Name,
		Urgency: in.Urgency, Address: strings.TrimSpace(in.Address), Description: in.Description,
		CommunityCode: community, SubdistrictCode: subdistrict, Status: Reported}
	c.path = "/" + s.districtCode(ctx) + "/"
	for _, code := range []string{subdistrict, community} {
		if code != "" {
			c.path += code + "/"
		}
	}
	var phoneEnc string
	c.ReporterName = strings.TrimSpace(in.ReporterName)
	if in.ReporterPhone != "" {
		phoneEnc, c.ReporterPhone = s.Vault.Seal(in.ReporterPhone), pii.MaskPhone(in.ReporterPhone)
	}
	place := grid.Summary{SubdistrictCode: subdistrict, CommunityCode: community}
	if lead, assisting, ok, err := s.Router.Route(ctx, cat, place, in.Urgency, s.Now()); err != nil {
		return prepared{}, err
	} else if ok {
		c.SuggestedDepartment, c.Assisting = lead, assisting
	}
	c.state = State{Status: c.Status}
	return prepared{c: c, phoneEnc: phoneEnc}, nil
}

// clientCategory checks the report's category as prepare does.
func (s *Service) clientCategory(ctx context.Context, in NewCase) (CategoryRef, error) {
	if in.CategoryCode == "" {
		return CategoryRef{}, nil
	}
	cat, err := s.Catalogue.Category(ctx, in.CategoryClass, in.CategoryCode)
	if code := apperr.CodeOf(err); code == apperr.NotFound || code == apperr.Invalid {
		return cat, apperr.New(apperr.Invalid, "case.unknown_category", in.CategoryCode)
	} else if err != nil {
		return cat, err
	}
	if !cat.Active {
		return cat, apperr.New(apperr.Invalid, "case.inactive_category", in.CategoryCode)
	}
	return cat, nil
}

// withoutDetail drops the details about field from a validation error (nil when none remain).
func withoutDetail(err error, field string) error {
	e, ok := apperr.As(err)
	if !ok || len(e.Details) == 0 {
		return err
	}
	var rest []apperr.Detail
	for _, d := range e.Details {
		if d.Field != field {
			rest = append(rest, d)
		}
	}
	if len(rest) == 0 {
		return nil
	}
	return apperr.New(e.Code, rest[0].Message).WithDetails(rest)
}

// ClientRequestByToken returns the case number of a batch request (404 for an unknown token).
func (s *Service) ClientRequestByToken(ctx context.Context, token string) (string, error) {
	if token == "" || len(token) > 64 {
		return "", apperr.New(apperr.NotFound, "case.not_found")
	}
	var number string
	err := s.DB.Read.QueryRowContext(ctx, `SELECT c.number FROM open311_requests r JOIN cases c ON c.id = r.case_id
		WHERE r.token = $1`, token).Scan(&number)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.New(apperr.NotFound, "case.not_found")
	}
	if err != nil {
		return "", fmt.Errorf("look up token: %w", err)
	}
	return number, nil
}

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
	rows, err := s.DB.Read.QueryContext(ctx, q, args...)
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
		r.Description, r.Address = Redact(r.Description), Redact(r.Address)
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
		rows, err := s.DB.Read.QueryContext(ctx, `SELECT case_id, action, status, role, at, note, data FROM case_events
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
			e.Note = Redact(e.Note)
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
		rows, err = s.DB.Read.QueryContext(ctx, `SELECT case_id, id FROM case_photos WHERE kind = 'report' AND case_id IN (`+in+`)
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
	err := s.DB.Read.QueryRowContext(ctx, `SELECT p.data FROM case_photos p JOIN cases c ON c.id = p.case_id
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

// digitRun finds runs of digits (with spaces or dashes) long enough to be a phone or ID number;
// email finds e-mail addresses; room finds the room of a flat (502室), which names a household.
var (
	digitRun = regexp.MustCompile(`\+?[0-9][0-9 \-]{5,}[0-9Xx]`)
	email    = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	room     = regexp.MustCompile(`[0-9]{3,5}\s*(室|房)`)
)

// Redact blacks out what looks like a phone number (mainland mobile or landline), a resident ID
// number, an e-mail address or the room of a flat in a text shown to the public. Case numbers,
// dates, buildings and streets stay.
func Redact(text string) string {
	text = email.ReplaceAllString(text, "***")
	text = room.ReplaceAllString(text, "***$1")
	return digitRun.ReplaceAllStringFunc(text, func(run string) string {
		d := strings.NewReplacer(" ", "", "-", "", "+", "").Replace(run)
		d = strings.TrimPrefix(d, "86")
		switch {
		case len(d) == 11 && d[0] == '1' && d[1] >= '3': // mobile
		case len(d) >= 10 && len(d) <= 12 && d[0] == '0': // landline with area code
		case len(d) == 18: // resident ID (GB 11643)
		default:
			return run
		}
		return "***"
	})
}
