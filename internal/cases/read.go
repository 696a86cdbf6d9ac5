package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/cursor"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/pii"
	"github.com/yiwang-gov/yiwang/internal/redact"
	"github.com/yiwang-gov/yiwang/internal/textsearch"
)

const caseColumns = `c.id, c.number, COALESCE(c.external_id, ''), c.status, c.previous_status, c.channel, c.kind,
	c.category_class, c.category_code, c.urgency, c.lat, c.lng, c.address, c.description, c.grid_code, c.community_code,
	c.subdistrict_code, c.zone_code, c.path, c.reporter_id, c.reporter_name, c.reporter_phone_masked, c.anonymous,
	c.lead_department, c.returned_department, c.suggested_department, c.rework_count, c.reopen_count, c.reopened,
	c.supervise_count, c.extension_pending, c.merged_into, c.rating, c.rated, c.stage, c.stage_started_at, c.stage_due,
	c.handle_due, c.deadline_imported, c.reported_at, c.closed_at, c.updated_at, c.review_at,
	COALESCE((SELECT cat.name FROM categories cat WHERE cat.class = c.category_class AND cat.code = c.category_code), ''),
	COALESCE((SELECT g.name FROM grids g WHERE g.code = c.grid_code), ''),
	COALESCE((SELECT n.name FROM org_nodes n WHERE n.code = c.community_code), ''),
	COALESCE((SELECT n.name FROM org_nodes n WHERE n.code = c.subdistrict_code), ''),
	c.private, c.public_text, c.public_reply,
	COALESCE((SELECT cat.sensitive FROM categories cat WHERE cat.class = c.category_class AND cat.code = c.category_code), false)`

func scanCase(row interface{ Scan(...any) error }) (Case, error) {
	var c Case
	var status, prev, channel, kind, urgency, rating, stage string
	var stageDue, handleDue, closed, review sql.NullTime
	var publicText sql.NullString
	var sensitive bool
	err := row.Scan(&c.ID, &c.Number, &c.ExternalID, &status, &prev, &channel, &kind, &c.CategoryClass, &c.CategoryCode,
		&urgency, &c.Lat, &c.Lng, &c.Address, &c.Description, &c.GridCode, &c.CommunityCode, &c.SubdistrictCode,
		&c.ZoneCode, &c.path, &c.reporter, &c.ReporterName, &c.ReporterPhone, &c.Anonymous, &c.LeadDepartment,
		&c.state.ReturnedDepartment, &c.SuggestedDepartment, &c.ReworkCount, &c.ReopenCount, &c.state.Reopened,
		&c.SuperviseCount, &c.ExtensionPending, &c.MergedInto, &rating, &c.state.Rated, &stage, &c.StageStartedAt,
		&stageDue, &handleDue, &c.imported, &c.ReportedAt, &closed, &c.UpdatedAt, &review, &c.CategoryName, &c.GridName,
		&c.CommunityName, &c.SubdistrictName, &c.Private, &publicText, &c.PublicReply, &sensitive)
	if err != nil {
		return c, err
	}
	if publicText.Valid {
		c.PublicText = &publicText.String
	}
	c.Status, c.Channel, c.Kind, c.Urgency, c.Rating, c.Stage = Status(status), Channel(channel), Kind(kind), Urgency(urgency), Rating(rating), Stage(stage)
	c.StageStartedAt, c.ReportedAt, c.UpdatedAt = c.StageStartedAt.UTC(), c.ReportedAt.UTC(), c.UpdatedAt.UTC()
	c.Public = isPublic(c.Status, c.Private, sensitive)
	if stageDue.Valid && stageDue.Time.Before(noClock) {
		t := stageDue.Time.UTC()
		c.StageDue = &t
	}
	if handleDue.Valid {
		t := handleDue.Time.UTC()
		c.Deadline = &t
	}
	if review.Valid && (c.Status == Shelved || c.Status == Deferred) {
		t := review.Time.UTC()
		c.ReviewDate = &t
	}
	if closed.Valid {
		t := closed.Time.UTC()
		c.ClosedAt = &t
	}
	c.state = State{Status: c.Status, PreviousStatus: Status(prev), ReopenCount: c.ReopenCount, Rating: c.Rating,
		ExtensionPending: c.ExtensionPending, Reopened: c.state.Reopened, LeadDepartment: c.LeadDepartment,
		Rated: c.state.Rated, ReturnedDepartment: c.state.ReturnedDepartment}
	return c, nil
}

// load reads one case inside scope (not found when outside: its existence is not revealed).
func (s *Service) load(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, scope access.Scope, id string) (Case, error) {
	cond, args := scopeCondition(scope, 2)
	c, err := scanCase(q.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases c WHERE c.id = $1 AND `+cond,
		append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.New(apperr.NotFound, "case.not_found")
	}
	if err != nil {
		return c, fmt.Errorf("load case: %w", err)
	}
	if c.Assisting, err = s.assisting(ctx, id); err != nil {
		return c, err
	}
	if c.followers, err = s.followers(ctx, id); err != nil {
		return c, err
	}
	return c, nil
}

// followers are the reporters of a case besides the one who reported it first.
func (s *Service) followers(ctx context.Context, id string) ([]string, error) {
	return s.strings(ctx, `SELECT reporter_id FROM case_reporters WHERE case_id = $1 AND reporter_id <> '' ORDER BY reporter_id`, id)
}

func (s *Service) assisting(ctx context.Context, id string) ([]string, error) {
	return s.strings(ctx, `SELECT department_code FROM case_departments WHERE case_id = $1 AND role = 'assisting' ORDER BY department_code`, id)
}

// strings reads a one-column list.
func (s *Service) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	return db.Strings(ctx, s.DB.Prepared(), q, args...)
}

// readable loads one case the caller may read, with the caller's read scope.
func (s *Service) readable(ctx context.Context, id string) (Case, access.Scope, error) {
	scope, err := access.Need(ctx, access.CaseRead)
	if err != nil {
		return Case{}, scope, err
	}
	c, err := s.load(ctx, s.DB.Read, scope, id)
	return c, scope, err
}

// Get returns one case the caller reaches.
func (s *Service) Get(ctx context.Context, id string) (Case, error) {
	c, scope, err := s.readable(ctx, id)
	if err != nil {
		return c, err
	}
	if c.Deadline != nil && c.Status.Open() {
		if n, err := s.Clock.WorkingDays(ctx, s.Now(), *c.Deadline); err == nil {
			c.ExpectedDays = &n
		}
	}
	return s.present(ctx, scope, c), nil
}

// present prepares a case for the caller: the SLA light, and the reporter's contact only for
// roles that deal with the reporter (always masked; anonymous reporters are never shown).
func (s *Service) present(ctx context.Context, scope access.Scope, c Case) Case {
	c.Step = StepOf(c.Status)
	if c.StageDue != nil && c.Status.Open() {
		share, err := s.Clock.Share(ctx, c.StageStartedAt, *c.StageDue, s.Now())
		if err == nil {
			c.Light = lightOf(share)
		}
	}
	// The masked contact is shown to the roles that may reveal it (case.contact).
	seesContact := false
	for _, g := range scope.Grants {
		seesContact = seesContact || access.Allowed(g.Role, access.CaseContact) != access.None
	}
	p, _ := access.From(ctx)
	if followsOnly(p, scope, c) {
		return publicFace(c)
	}
	c.AllowedActions = allowedActions(p, c)
	if c.Anonymous || (!seesContact && (p == nil || p.UserID != c.reporter)) {
		c.ReporterName, c.ReporterPhone = "", ""
	}
	if c.ReporterName != "" && (p == nil || p.UserID != c.reporter) {
		c.ReporterName = pii.MaskName(c.ReporterName)
	}
	return c
}

// lightOf maps the share of a limit used to the SLA colour: green below 80 %, yellow to 100 %,
// red when overdue.
func lightOf(share float64) string {
	switch {
	case share > 1:
		return "red"
	case share >= 0.8:
		return "yellow"
	}
	return "green"
}

// Filter narrows the queue.
type Filter struct {
	Status          []Status
	SubdistrictCode string
	CommunityCode   string
	GridCode        string
	ZoneCode        string
	CategoryCode    string
	Channel         Channel
	Urgency         Urgency
	Department      string
	Overdue         bool
	Keyword         string
	Mine            bool // cases the caller reported
	// ChangedFrom, ChangedBefore: last changed at or after, and before, these instants (zero: open).
	ChangedFrom, ChangedBefore time.Time
	Sort                       string // "deadline" (default) or "newest"
	Limit                      int
	Cursor                     string
}

// Page is one page of the queue.
type Page struct {
	Cases      []Case `json:"cases"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// position is the position after the last case of a page: its sort key and id.
type position struct {
	Key    time.Time `json:"k"` // not UnixNano: the no-clock key, year 9999, does not fit in one
	ID     string    `json:"i"`
	Search int64     `json:"s,omitempty"` // the keyword index's key, when pages follow it (SQLite)
}

// extraColumn scans a case row followed by one more column.
type extraColumn struct {
	rows  *sql.Rows
	extra any
}

func (e extraColumn) Scan(dest ...any) error { return e.rows.Scan(append(dest, e.extra)...) }

// farFuture is the stage_due of a case without a running clock: it sorts after all others.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// noClock: a stored stage_due from this year on means "no clock".
var noClock = time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC)

// numberPattern is what a case number looks like: 20261127-0001.
var numberPattern = regexp.MustCompile(`^[0-9]{8}-[0-9]{4,6}$`)

// List returns a page of the cases the caller reaches, sorted by the running stage's deadline
// (soonest first) or by report time (newest first).
func (s *Service) List(ctx context.Context, f Filter) (Page, error) {
	scope, err := access.Need(ctx, access.CaseRead)
	if err != nil {
		return Page{}, err
	}
	conds, args, err := s.filterConds(ctx, scope, f)
	if err != nil {
		return Page{}, err
	}
	ftsQuery, tsQuery := "", "" // the keyword query (SQLite, PostgreSQL), placed below once the order is known
	kw := strings.TrimSpace(f.Keyword)
	if numberPattern.MatchString(kw) {
		// A case number typed into the search box finds that case (numbers are not words of
		// the keyword index).
		args = append(args, kw)
		conds = append(conds, fmt.Sprintf("c.number = $%d", len(args)))
		kw = ""
	}
	if kw != "" {
		if s.DB.Engine == db.Postgres {
			q := textsearch.TSQuery(kw)
			if q == "" {
				return Page{Cases: []Case{}}, nil
			}
			tsQuery = q
		} else {
			q := textsearch.FTS5Query(kw)
			if q == "" {
				return Page{Cases: []Case{}}, nil
			}
			ftsQuery = q
		}
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	// A keyword search lists the newest matches first unless asked otherwise: matches read newest
	// first stop after one page, where sorting every match of a common word by deadline would not.
	newest := f.Sort == "newest" || (f.Sort == "" && strings.TrimSpace(f.Keyword) != "")
	if f.Sort != "" && f.Sort != "newest" && f.Sort != "deadline" {
		return Page{}, apperr.New(apperr.Invalid, "request.bad_param", "sort", f.Sort)
	}
	if f.Cursor != "" {
		var cur position
		err := cursor.Decode(f.Cursor, &cur)
		if err != nil {
			return Page{}, err
		}
		at := cur.Key.UTC()
		if byKey := newest && ftsQuery != ""; byKey {
			args = append(args, cur.Search)
			conds = append(conds, fmt.Sprintf("case_search.rowid < $%d", len(args)))
		} else if newest {
			reported, id := "c.reported_at", "c.id"
			if tsQuery != "" {
				reported, id = "s.reported_at", "s.case_id" // the same position, on the side walked
			}
			args = append(args, at, cur.ID)
			n := len(args)
			conds = append(conds, fmt.Sprintf("(%s < $%d OR (%s = $%d AND %s < $%d))", reported, n-1, reported, n-1, id, n))
		} else {
			args = append(args, at, cur.ID)
			n := len(args)
			conds = append(conds, fmt.Sprintf("(c.stage_due > $%d OR (c.stage_due = $%d AND c.id > $%d))", n-1, n-1, n))
		}
	}
	order := " ORDER BY c.reported_at DESC, c.id DESC"
	if !newest {
		order = " ORDER BY c.stage_due, c.id"
	}
	from, columns := ` FROM cases c`, caseColumns
	if tsQuery != "" {
		args = append(args, tsQuery)
		if newest {
			// Matches walked newest first along case_search_newest (migration 00010) when the word
			// is common; the planner gathers them from the GIN index when it is rare.
			from = ` FROM case_search s JOIN cases c ON c.id = s.case_id`
			conds = append(conds, fmt.Sprintf("s.tokens @@ to_tsquery('simple', $%d)", len(args)))
			order = " ORDER BY s.reported_at DESC, s.case_id DESC"
		} else {
			conds = append(conds, fmt.Sprintf("c.id IN (SELECT case_id FROM case_search WHERE tokens @@ to_tsquery('simple', $%d))", len(args)))
		}
	}
	if ftsQuery != "" {
		args = append(args, ftsQuery)
		if newest {
			// Newest matches first, read from the keyword index in its key order (report time, see
			// searchkey.go): the walk stops after one page however many cases the words match.
			from = ` FROM case_search JOIN cases c ON c.id = case_search.case_id`
			conds = append(conds, fmt.Sprintf("case_search MATCH $%d", len(args)))
			order = " ORDER BY case_search.rowid DESC"
			columns += ", case_search.rowid"
		} else {
			conds = append(conds, fmt.Sprintf("c.id IN (SELECT case_id FROM case_search WHERE case_search MATCH $%d)", len(args)))
		}
	}
	args = append(args, limit+1)
	q := `SELECT ` + columns + from + ` WHERE ` + strings.Join(conds, " AND ") + order + fmt.Sprintf(" LIMIT $%d", len(args))
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return Page{}, fmt.Errorf("list cases: %w", err)
	}
	defer rows.Close()
	page := Page{Cases: []Case{}}
	var keys []int64
	for rows.Next() {
		var row interface{ Scan(...any) error } = rows
		var key int64
		if columns != caseColumns {
			row = extraColumn{rows, &key}
		}
		c, err := scanCase(row)
		if err != nil {
			return Page{}, fmt.Errorf("list cases: %w", err)
		}
		page.Cases = append(page.Cases, c)
		keys = append(keys, key)
	}
	if err := rows.Err(); err != nil {
		return Page{}, err
	}
	if len(page.Cases) > limit {
		page.Cases = page.Cases[:limit]
		last := page.Cases[limit-1]
		key := farFuture
		if newest {
			key = last.ReportedAt
		} else if last.StageDue != nil {
			key = *last.StageDue
		}
		page.NextCursor = cursor.Encode(position{Key: key, ID: last.ID, Search: keys[limit-1]})
	}
	for i := range page.Cases {
		page.Cases[i] = s.present(ctx, scope, page.Cases[i])
	}
	return page, nil
}

// Events returns a case's history. Residents see only the public events.
func (s *Service) Events(ctx context.Context, id string) ([]Event, error) {
	c, scope, err := s.readable(ctx, id)
	if err != nil {
		return nil, err
	}
	p, _ := access.From(ctx)
	// Who reaches a case only as its reporter or follower sees the public steps, without names;
	// a follower does not read what the reporter wrote either.
	onlyPublic := p != nil && len(scope.Paths) == 0 && len(scope.Departments) == 0
	follower := followsOnly(p, scope, c)
	rows, err := s.DB.Query(ctx, `SELECT e.seq, e.action, e.status,
		COALESCE((SELECT u.display_name FROM users u WHERE u.id = e.actor_id), e.actor_name), e.role, e.org_code, e.at,
		e.note, e.data, e.public FROM case_events e WHERE e.case_id = $1 ORDER BY e.seq`, id)
	if err != nil {
		return nil, fmt.Errorf("case events: %w", err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		var action, status, data string
		if err := rows.Scan(&e.Seq, &action, &status, &e.ActorName, &e.Role, &e.OrgCode, &e.At, &e.Note, &data, &e.Public); err != nil {
			return nil, fmt.Errorf("case events: %w", err)
		}
		if onlyPublic && !e.Public {
			continue
		}
		e.Action, e.Status, e.Step, e.At = Action(action), Status(status), StepOf(Status(status)), e.At.UTC()
		if data != "{}" {
			json.Unmarshal([]byte(data), &e.Data)
		}
		if onlyPublic || e.Role == string(access.Resident) {
			e.ActorName = "" // staff names are not shown to the public, nor residents' usernames
		}
		if follower {
			e.Note, e.Data = redact.Public(e.Note), nil
			if e.Role == string(access.Resident) {
				e.Note = ""
			}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// allowedActions lists what the caller may do to c now: a role of theirs that reaches the case
// may take the action, and the case's status admits it.
func allowedActions(p *access.Principal, c Case) []Action {
	out := []Action{}
	if p == nil {
		return out
	}
	for _, a := range Actions {
		g, ok := actorFor(p, c, a)
		if !ok || !slices.Contains(workflow[a].from, c.Status) {
			continue
		}
		switch {
		case g.Role == access.DepartmentStaff && g.OrgCode != c.LeadDepartment && a != Comment:
			continue
		case a == Rate && (c.state.Rated || (g.Role == access.Resident && c.reporter != p.UserID)):
			continue
		case (a == ApproveExtension || a == RefuseExtension) && !c.ExtensionPending:
			continue
		case a == RequestExtension && c.ExtensionPending:
			continue
		case a == Overrule && !c.state.Reopened:
			continue
		case a == RejectReturn && c.state.ReturnedDepartment == "":
			continue
		}
		out = append(out, a)
	}
	return out
}

// filterConds turns the queue's filters (not the keyword, whose place in the query depends on the
// sort) into SQL conditions on cases c, the caller's scope first: the queue and the export page
// through exactly the same cases.
func (s *Service) filterConds(ctx context.Context, scope access.Scope, f Filter) (conds []string, args []any, err error) {
	cond, args := scopeCondition(scope, 1)
	conds = []string{cond}
	add := func(format string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(format, len(args)))
	}
	if len(f.Status) > 0 {
		var ph []string
		for _, st := range f.Status {
			if !slices.Contains(Statuses, st) {
				return nil, nil, apperr.New(apperr.Invalid, "request.bad_param", "status", st)
			}
			args = append(args, string(st))
			ph = append(ph, "$"+strconv.Itoa(len(args)))
		}
		conds = append(conds, "c.status IN ("+strings.Join(ph, ",")+")")
		if !slices.ContainsFunc(f.Status, func(s Status) bool { return !s.Open() }) {
			// The same words as the partial index cases_open_due, so both engines can use it.
			conds = append(conds, "c.status NOT IN ('closed','voided','merged')")
		}
	}
	for _, eq := range []struct {
		col string
		v   string
	}{{"c.subdistrict_code", f.SubdistrictCode}, {"c.community_code", f.CommunityCode}, {"c.grid_code", f.GridCode},
		{"c.zone_code", f.ZoneCode}, {"c.category_code", f.CategoryCode}, {"c.channel", string(f.Channel)},
		{"c.urgency", string(f.Urgency)}, {"c.lead_department", f.Department}} {
		if eq.v != "" {
			add(eq.col+" = $%d", eq.v)
		}
	}
	if f.Overdue {
		add("c.stage_due < $%d", s.Now().UTC())
	}
	if !f.ChangedFrom.IsZero() {
		add("c.updated_at >= $%d", f.ChangedFrom.UTC())
	}
	if !f.ChangedBefore.IsZero() {
		add("c.updated_at < $%d", f.ChangedBefore.UTC())
	}
	if f.Mine {
		// My reports, and the cases I follow because my report was merged into them.
		p, _ := access.From(ctx)
		args = append(args, p.UserID)
		n := len(args)
		conds = append(conds, fmt.Sprintf("(c.reporter_id = $%d OR EXISTS (SELECT 1 FROM case_reporters mr WHERE mr.case_id = c.id AND mr.reporter_id = $%d))", n, n))
	}
	return conds, args, nil
}
