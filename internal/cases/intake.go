package cases

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/pii"
	"github.com/yiwang-gov/yiwang/internal/textsearch"
)

// NewCase is a report as the API and the import take it (the same field names).
type NewCase struct {
	ExternalID    string     `json:"external_id,omitempty"`
	Channel       Channel    `json:"channel,omitempty"`
	Kind          Kind       `json:"kind,omitempty"`
	CategoryClass string     `json:"category_class,omitempty"`
	CategoryCode  string     `json:"category_code,omitempty"`
	Urgency       Urgency    `json:"urgency,omitempty"`
	Lat           float64    `json:"lat"`
	Lng           float64    `json:"lng"`
	Address       string     `json:"address,omitempty"`
	Description   string     `json:"description"`
	ReporterName  string     `json:"reporter_name,omitempty"`
	ReporterPhone string     `json:"reporter_phone,omitempty"`
	Anonymous     bool       `json:"anonymous,omitempty"`
	ReportedAt    *time.Time `json:"reported_at,omitempty"`
	Deadline      *time.Time `json:"deadline,omitempty"`
}

// Limits on what a report may carry.
const (
	MaxDescription = 2000
	MaxAddress     = 200
)

// channelFor decides the channel from the reporter's role: a resident reports through the app, a
// grid worker from patrol, the hotline desk for callers and walk-ins.
func channelFor(role access.Role, asked Channel) (Channel, error) {
	allowed := map[access.Role][]Channel{
		access.Resident:       {ResidentApp},
		access.GridWorker:     {Patrol},
		access.IntakeOperator: {Hotline, WalkIn, Patrol, Sensor},
		access.ShiftLead:      {Hotline, WalkIn, Patrol, Sensor},
	}[role]
	if asked == "" && len(allowed) > 0 {
		return allowed[0], nil
	}
	if !slices.Contains(allowed, asked) {
		return "", apperr.New(apperr.Invalid, "case.bad_channel", asked)
	}
	return asked, nil
}

func (in *NewCase) validate() error {
	var details []apperr.Detail
	bad := func(field, key string) {
		details = append(details, apperr.Detail{Field: field, Message: key})
	}
	if in.Kind == "" {
		in.Kind = "report"
	}
	if !slices.Contains(Kinds, in.Kind) {
		bad("kind", "case.bad_kind")
	}
	if in.Urgency == "" {
		in.Urgency = "normal"
	}
	if !slices.Contains(Urgencies, in.Urgency) {
		bad("urgency", "case.bad_urgency")
	}
	if !(in.Lat >= -90 && in.Lat <= 90 && in.Lng >= -180 && in.Lng <= 180) || (in.Lat == 0 && in.Lng == 0) {
		bad("lat", "case.bad_location")
	}
	in.Description = strings.TrimSpace(in.Description)
	if n := utf8.RuneCountInString(in.Description); n < 2 || n > MaxDescription {
		bad("description", "case.bad_description")
	}
	if utf8.RuneCountInString(in.Address) > MaxAddress || utf8.RuneCountInString(in.ReporterName) > 64 {
		bad("address", "case.too_long")
	}
	if in.ReporterPhone != "" {
		p, ok := pii.NormalizeContact(in.ReporterPhone)
		if !ok {
			bad("reporter_phone", "auth.bad_phone")
		}
		in.ReporterPhone = p
	}
	if len(in.ExternalID) > 64 {
		bad("external_id", "case.too_long")
	}
	if len(details) > 0 {
		return apperr.New(apperr.Invalid, details[0].Message).WithDetails(details)
	}
	return nil
}

// Create takes a report: it locates the grid, checks the category, suggests the lead department,
// starts the first stage's clock, looks for duplicates and records the case with its first event.
func (s *Service) Create(ctx context.Context, in NewCase) (Case, error) {
	scope, err := access.Need(ctx, access.CaseReport)
	if err != nil {
		return Case{}, err
	}
	p, _ := access.From(ctx)
	grant := scope.Primary()
	if in.Channel, err = channelFor(grant.Role, in.Channel); err != nil {
		return Case{}, err
	}
	if in.ReportedAt != nil || in.Deadline != nil || in.ExternalID != "" {
		return Case{}, apperr.New(apperr.Invalid, "case.import_only")
	}
	prepared, err := s.prepare(ctx, in)
	if err != nil {
		return Case{}, err
	}
	c := prepared.c
	now := s.Now().UTC()
	c.ReportedAt, c.StageStartedAt, c.UpdatedAt = now, now, now
	if err := s.startStage(ctx, &c, now); err != nil {
		return Case{}, err
	}
	if grant.Role == access.Resident {
		c.reporter = p.UserID // kept even when anonymous: the resident follows their case in "my cases"
		if c.ReporterName == "" && !c.Anonymous {
			c.ReporterName = p.DisplayName
		}
	}
	var token string
	if c.Anonymous || c.reporter == "" {
		token = newToken()
	}
	dups, err := s.nearby(ctx, c, now)
	if err != nil {
		return Case{}, err
	}
	actor := access.ActorOf(ctx, grant)
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := s.insert(ctx, tx, &c, token, prepared.phoneEnc); err != nil {
			return err
		}
		ev := eventRow{action: Report, status: c.Status, actor: actor, at: now,
			data: map[string]any{"channel": c.Channel, "grid_code": c.GridCode}, public: true}
		if err := s.appendEvent(ctx, tx, c.ID, 1, ev); err != nil {
			return err
		}
		e := audit.For(actor, now, "case.report", "case", c.ID)
		e.OrgPath, e.OrgCode = c.path, c.SubdistrictCode
		e.After = audit.Summary(map[string]any{"number": c.Number, "status": c.Status, "channel": c.Channel})
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return Case{}, err
	}
	c.Duplicates, c.FollowToken = dups, token
	s.notify(Change{CaseID: c.ID, Number: c.Number, Action: Report, Status: c.Status, Path: c.path, Reporter: c.reporter, At: now})
	return s.present(ctx, scope, c), nil
}

type prepared struct {
	c        Case
	phoneEnc string
}

// prepare validates a report and fills what the desk derives from it (grid, category, routing).
func (s *Service) prepare(ctx context.Context, in NewCase) (prepared, error) {
	if err := in.validate(); err != nil {
		return prepared{}, err
	}
	loc, err := s.Grids.Locate(ctx, in.Lat, in.Lng)
	if err != nil {
		return prepared{}, err
	}
	if !loc.Inside {
		return prepared{}, apperr.New(apperr.Invalid, "case.outside_district").WithDetails([]apperr.Detail{{Field: "lat", Message: "case.outside_district"}})
	}
	var cat CategoryRef
	if in.CategoryCode != "" {
		cat, err = s.Catalogue.Category(ctx, in.CategoryClass, in.CategoryCode)
		if code := apperr.CodeOf(err); code == apperr.NotFound || code == apperr.Invalid {
			return prepared{}, apperr.New(apperr.Invalid, "case.unknown_category", in.CategoryCode)
		} else if err != nil {
			return prepared{}, err
		}
		if !cat.Active {
			return prepared{}, apperr.New(apperr.Invalid, "case.inactive_category", in.CategoryCode)
		}
	}
	g := loc.Grid
	c := Case{Channel: in.Channel, Kind: in.Kind, CategoryClass: cat.Class, CategoryCode: cat.Code, CategoryName: cat.Name,
		Urgency: in.Urgency, Lat: in.Lat, Lng: in.Lng, Address: strings.TrimSpace(in.Address), Description: in.Description,
		GridCode: g.Code, CommunityCode: g.CommunityCode, SubdistrictCode: g.SubdistrictCode, ZoneCode: g.ZoneCode,
		Anonymous: in.Anonymous, ExternalID: in.ExternalID, GridName: g.Name, CommunityName: g.CommunityName,
		SubdistrictName: g.SubdistrictName}
	c.path = "/" + s.districtCode(ctx) + "/" + g.SubdistrictCode + "/" + g.CommunityCode + "/" + g.Code + "/"
	c.Status = Reported
	if cat.ConfirmRequired && in.Channel.public() {
		c.Status = Confirming
	}
	var phoneEnc string
	if !in.Anonymous {
		c.ReporterName = strings.TrimSpace(in.ReporterName)
		if in.ReporterPhone != "" {
			phoneEnc, c.ReporterPhone = s.Vault.Seal(in.ReporterPhone), pii.MaskPhone(in.ReporterPhone)
		}
	}
	if lead, assisting, ok, err := s.Router.Route(ctx, cat, *g, in.Urgency, s.Now()); err != nil {
		return prepared{}, err
	} else if ok {
		c.SuggestedDepartment, c.Assisting = lead, assisting
	}
	c.state = State{Status: c.Status}
	return prepared{c: c, phoneEnc: phoneEnc}, nil
}

// startStage starts the clock of the case's current stage at start.
func (s *Service) startStage(ctx context.Context, c *Case, start time.Time) error {
	c.Stage, c.StageStartedAt, c.StageDue = stageOf(c.Status), start, nil
	if c.Stage == StageNone {
		return nil
	}
	cat := CategoryRef{Class: c.CategoryClass, Code: c.CategoryCode}
	due, ok, err := s.Clock.Due(ctx, cat, c.Urgency, c.Stage, start)
	if err != nil {
		return err
	}
	if ok {
		c.StageDue = &due
		if c.Stage == StageHandle {
			c.Deadline = &due
		}
	}
	return nil
}

func newToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

// nextNumber allocates the case number: YYYYMMDD-NNNN, counted per district per day (Beijing time).
// In a group-committed transaction the counter is read (and locked, on PostgreSQL) once, the
// batch's cases are numbered from it in memory and the last number is written back at commit.
func (s *Service) nextNumber(ctx context.Context, tx *sql.Tx, at time.Time) (string, error) {
	day := at.In(shanghai).Format("20060102")
	district := s.districtCode(ctx)
	key := "cases.counter/" + district + "/" + day
	if v, ok := s.DB.TxValue(tx, key); ok {
		n := v.(int) + 1
		s.DB.SetTxValue(tx, key, n)
		return fmt.Sprintf("%s-%04d", day, n), nil
	}
	var n int
	err := s.DB.TxQueryRow(ctx, tx, `INSERT INTO case_counters (district_code, day, n) VALUES ($1, $2, 1)
		ON CONFLICT (district_code, day) DO UPDATE SET n = case_counters.n + 1 RETURNING n`, district, day).Scan(&n)
	if err != nil {
		return "", fmt.Errorf("case number: %w", err)
	}
	if s.DB.SetTxValue(tx, key, n) {
		first := n
		s.DB.BeforeCommit(tx, key, func() error {
			v, _ := s.DB.TxValue(tx, key)
			if last := v.(int); last != first {
				if _, err := s.DB.TxExec(ctx, tx, `UPDATE case_counters SET n = $1 WHERE district_code = $2 AND day = $3`,
					last, district, day); err != nil {
					return fmt.Errorf("case number: %w", err)
				}
			}
			return nil
		})
	}
	return fmt.Sprintf("%s-%04d", day, n), nil
}

func (s *Service) insert(ctx context.Context, tx *sql.Tx, c *Case, token, phoneEnc string) error {
	var err error
	c.ID = db.NewID()
	if c.Number, err = s.nextNumber(ctx, tx, c.ReportedAt); err != nil {
		return err
	}
	linkHash := "-" + c.ID // no private link: a unique, time-ordered placeholder no token hashes to
	if token != "" {
		linkHash = hashToken(token)
	}
	var external any
	if c.ExternalID != "" {
		external = c.ExternalID
	}
	res, err := s.DB.TxExec(ctx, tx, `INSERT INTO cases (id, number, external_id, status, channel, kind, category_class,
		category_code, urgency, lat, lng, address, description, grid_code, community_code, subdistrict_code, zone_code,
		path, reporter_id, reporter_name, reporter_phone_enc, reporter_phone_masked, anonymous, follow_token_hash,
		suggested_department, stage, stage_started_at, stage_due, handle_due, deadline_imported, reported_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28,$29,$30,$31,$32)`,
		c.ID, c.Number, external, string(c.Status), string(c.Channel), string(c.Kind), c.CategoryClass, c.CategoryCode,
		string(c.Urgency), c.Lat, c.Lng, c.Address, c.Description, c.GridCode, c.CommunityCode, c.SubdistrictCode,
		c.ZoneCode, c.path, c.reporter, c.ReporterName, phoneEnc, c.ReporterPhone, c.Anonymous, linkHash,
		c.SuggestedDepartment, string(c.Stage), c.StageStartedAt, dueValue(c.StageDue), nullTime(c.Deadline),
		c.deadlineImported(), c.ReportedAt, c.UpdatedAt)
	if err != nil {
		if strings.Contains(err.Error(), "external_id") || strings.Contains(err.Error(), "cases_external_id") {
			return apperr.New(apperr.Conflict, "case.external_id_taken", c.ExternalID)
		}
		return fmt.Errorf("insert case: %w", err)
	}
	var rowid int64
	if s.DB.Engine == db.SQLite {
		if rowid, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("insert case: %w", err)
		}
	}
	if err := s.index(ctx, tx, c.ID, rowid, c.ReportedAt, c.Description+" "+c.Address+" "+c.CategoryName); err != nil {
		return err
	}
	if c.reporter != "" || token != "" {
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO case_reporters (case_id, reporter_id, follow_token_hash, reported_at)
			VALUES ($1,$2,$3,$4)`, c.ID, c.reporter, linkHash, c.ReportedAt); err != nil {
			return fmt.Errorf("insert reporter: %w", err)
		}
	}
	return nil
}

func (c Case) deadlineImported() bool { return c.imported }

// dueValue is what stage_due stores: the deadline, or farFuture when no clock runs.
func dueValue(t *time.Time) time.Time {
	if t == nil {
		return farFuture
	}
	return t.UTC()
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// eventRow is an event about to be written.
type eventRow struct {
	action Action
	status Status
	actor  access.Actor
	at     time.Time
	note   string
	data   map[string]any
	public bool
}

func (s *Service) appendEvent(ctx context.Context, tx *sql.Tx, caseID string, seq int, e eventRow) error {
	data := "{}"
	if len(e.data) > 0 {
		b, _ := json.Marshal(e.data)
		data = string(b)
	}
	_, err := s.DB.TxExec(ctx, tx, `INSERT INTO case_events (id, case_id, seq, action, status, actor_id, actor_name, role,
		org_code, at, note, data, public) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
		db.NewID(), caseID, seq, string(e.action), string(e.status), e.actor.ID, e.actor.Name, e.actor.Role,
		e.actor.OrgCode, e.at.UTC(), e.note, data, e.public)
	if err != nil {
		return fmt.Errorf("record %s: %w", e.action, err)
	}
	return nil
}

// nearby finds open cases that may be the same problem: same category within the category's
// radius and time window, ranked by distance and text similarity.
func (s *Service) nearby(ctx context.Context, c Case, now time.Time) ([]Nearby, error) {
	radius, window := 50.0, 72*time.Hour
	if c.CategoryCode != "" {
		cat, err := s.Catalogue.Category(ctx, c.CategoryClass, c.CategoryCode)
		if err == nil && cat.DuplicateRadiusM > 0 {
			radius = float64(cat.DuplicateRadiusM)
		}
		if err == nil && cat.DuplicateWindow > 0 {
			window = cat.DuplicateWindow
		}
	}
	dLat := radius / 111320
	dLng := radius / (111320 * math.Cos(c.Lat*math.Pi/180))
	// Every condition but the partial index's own is answered from cases_dup_open's columns, so
	// only real candidates are read from the table (a new report has no id yet to exclude).
	rows, err := s.DB.Query(ctx, `SELECT id, number, status, lat, lng, description FROM cases
		WHERE category_code = $1 AND reported_at >= $2 AND lat BETWEEN $3 AND $4 AND lng BETWEEN $5 AND $6
		AND status NOT IN ('closed','voided','merged') LIMIT 51`,
		c.CategoryCode, now.Add(-window), c.Lat-dLat, c.Lat+dLat, c.Lng-dLng, c.Lng+dLng)
	if err != nil {
		return nil, fmt.Errorf("find duplicates: %w", err)
	}
	defer rows.Close()
	var out []Nearby
	var mine []string
	for rows.Next() {
		var n Nearby
		var lat, lng float64
		var status string
		if err := rows.Scan(&n.ID, &n.Number, &status, &lat, &lng, &n.Text); err != nil {
			return nil, err
		}
		if n.ID == c.ID {
			continue
		}
		if mine == nil {
			mine = textsearch.Tokens(c.Description)
		}
		n.Status = Status(status)
		dist := distanceM(c.Lat, c.Lng, lat, lng)
		if dist > radius {
			continue
		}
		sim := similarity(mine, textsearch.Tokens(n.Text))
		if c.CategoryCode == "" && sim < 0.3 {
			continue // without a category only similar text counts
		}
		n.DistanceM = int(math.Round(dist))
		n.Score = math.Round((0.6*(1-dist/radius)+0.4*sim)*100) / 100
		if r := []rune(n.Text); len(r) > 60 {
			n.Text = string(r[:60]) + "…"
		}
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b Nearby) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return strings.Compare(a.Number, b.Number)
	})
	if len(out) > 5 {
		out = out[:5]
	}
	return out, rows.Err()
}

// distanceM is the great-circle distance in metres.
func distanceM(lat1, lng1, lat2, lng2 float64) float64 {
	const r = 6371008.8
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := p2-p1, (lng2-lng1)*math.Pi/180
	a := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}

// similarity is the Jaccard index of two token sets.
func similarity(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	set := map[string]int{}
	for _, t := range a {
		set[t] |= 1
	}
	for _, t := range b {
		set[t] |= 2
	}
	both := 0
	for _, v := range set {
		if v == 3 {
			both++
		}
	}
	return float64(both) / float64(len(set))
}
