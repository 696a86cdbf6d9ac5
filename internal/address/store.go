package address

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/grid"
)

// Locator finds the grid holding a WGS-84 point (*grid.Service).
type Locator interface {
	Locate(ctx context.Context, lat, lng float64) (grid.Location, error)
}

// Result is one address as the API gives it (the search contract: address, name, lat, lng,
// grid_code; WGS-84).
type Result struct {
	Address  string  `json:"address"`
	Name     string  `json:"name"`
	Lat      float64 `json:"lat"`
	Lng      float64 `json:"lng"`
	GridCode string  `json:"grid_code"`
}

// Nearby is the answer of a reverse lookup: the nearest address and how far it is.
type Nearby struct {
	Result
	Kind      Kind    `json:"kind"`
	DistanceM float64 `json:"distance_m"`
}

// Search limits.
const (
	DefaultLimit   = 10
	MaxLimit       = 20
	MaxQueryLen    = 100 // characters
	DefaultRadiusM = 300
	MaxRadiusM     = 2000
)

// versionKey is the settings key an import bumps (db.Versioned).
const versionKey = "addresses_version"

// Service is the gazetteer's rules and storage.
type Service struct {
	DB    *db.DB
	Grids Locator
	Now   func() time.Time
	// RecheckEvery is how often a search asks the database whether another node imported
	// addresses (0: 10 s).
	RecheckEvery time.Duration

	index db.Versioned[*Index]
}

func (s *Service) source() db.VersionSource[*Index] {
	return db.VersionSource[*Index]{DB: s.DB, Key: versionKey, Every: s.RecheckEvery, Now: s.Now, Load: s.load}
}

// LoadIndex (re)builds the search index from the database (at start and after an import).
func (s *Service) LoadIndex(ctx context.Context) error {
	_, err := s.index.Reload(ctx, s.source())
	return err
}

func (s *Service) load(ctx context.Context) (*Index, error) {
	rows, err := s.DB.Query(ctx, `SELECT address, name, kind, lat, lng, grid_code, community_code
		FROM addresses ORDER BY address`)
	if err != nil {
		return nil, fmt.Errorf("load addresses: %w", err)
	}
	defer rows.Close()
	var entries []Entry
	for rows.Next() {
		var e Entry
		var kind string
		if err := rows.Scan(&e.Address, &e.Name, &kind, &e.Lat, &e.Lng, &e.GridCode, &e.CommunityCode); err != nil {
			return nil, fmt.Errorf("load addresses: %w", err)
		}
		e.Kind = Kind(kind)
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load addresses: %w", err)
	}
	return NewIndex(entries), nil
}

func (s *Service) current(ctx context.Context) (*Index, error) {
	return s.index.Get(ctx, s.source())
}

func resultOf(e Entry) Result {
	return Result{Address: e.Address, Name: e.Name, Lat: e.Lat, Lng: e.Lng, GridCode: e.GridCode}
}

// Search finds up to limit addresses matching q (Chinese text, full pinyin or pinyin initials),
// best first; gridCode, when not empty, keeps those of one grid. The gazetteer is public
// geography for staff: access.AddressSearch reaches the whole district.
func (s *Service) Search(ctx context.Context, q, gridCode string, limit int) ([]Result, error) {
	if _, err := access.Need(ctx, access.AddressSearch); err != nil {
		return nil, err
	}
	if !utf8.ValidString(q) {
		return nil, apperr.New(apperr.Invalid, "request.bad_utf8", "q")
	}
	if utf8.RuneCountInString(q) > MaxQueryLen {
		return nil, apperr.New(apperr.Invalid, "address.query_too_long", MaxQueryLen)
	}
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	ix, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	ids := ix.Search(q, gridCode, limit)
	out := make([]Result, len(ids))
	for i, id := range ids {
		out[i] = resultOf(ix.Entry(id))
	}
	return out, nil
}

// Nearest returns the address nearest to a WGS-84 point within radiusM metres (0: the default
// 300 m); ok is false when there is none.
func (s *Service) Nearest(ctx context.Context, lat, lng, radiusM float64) (Nearby, bool, error) {
	if _, err := access.Need(ctx, access.AddressSearch); err != nil {
		return Nearby{}, false, err
	}
	if !(lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180) {
		return Nearby{}, false, apperr.New(apperr.Invalid, "address.bad_point")
	}
	if radiusM == 0 {
		radiusM = DefaultRadiusM
	}
	if !(radiusM > 0 && radiusM <= MaxRadiusM) {
		return Nearby{}, false, apperr.New(apperr.Invalid, "address.bad_radius", MaxRadiusM)
	}
	ix, err := s.current(ctx)
	if err != nil {
		return Nearby{}, false, err
	}
	id, d, ok := ix.Nearest(lat, lng, radiusM)
	if !ok {
		return Nearby{}, false, nil
	}
	e := ix.Entry(id)
	return Nearby{Result: resultOf(e), Kind: e.Kind, DistanceM: float64(int(d*10+0.5)) / 10}, true, nil
}

// ImportOptions say how to read an import file.
type ImportOptions struct {
	DryRun bool // check and count, write nothing
	GCJ02  bool // points are GCJ-02 unless a row's coord column says otherwise
}

// Report is the outcome of an import (or of a dry run).
type Report struct {
	DryRun   bool      `json:"dry_run"`
	Rows     int       `json:"rows"`
	Created  int       `json:"created"`
	Updated  int       `json:"updated"`
	Problems []Problem `json:"-"`
}

// ProblemsError is a refused import: every problem found (the HTTP layer translates them).
type ProblemsError struct{ Problems []Problem }

func (e *ProblemsError) Error() string {
	return fmt.Sprintf("address import: %d problems, first: %v", len(e.Problems), e.Problems[0].Error())
}

// Unwrap makes the error a 400.
func (e *ProblemsError) Unwrap() error {
	return apperr.New(apperr.Invalid, "address.bad_file", len(e.Problems))
}

// Import reads a CSV or xlsx file of addresses and writes them all or none: each row's grid is
// derived from its point (a point outside every grid is a problem of that row), an address
// already stored is updated. A dry run reports what an import would do, problems included
// (Report.Problems), and writes nothing. Importing needs address.write over the whole district.
func (s *Service) Import(ctx context.Context, raw []byte, opts ImportOptions) (Report, error) {
	scope, err := s.needWrite(ctx)
	if err != nil {
		return Report{}, err
	}
	rep := Report{DryRun: opts.DryRun}
	rows, problems := ParseFile(raw, opts.GCJ02)
	placed, more, err := s.place(ctx, rows)
	if err != nil {
		return rep, err
	}
	problems = append(problems, more...)
	rep.Rows = len(rows)
	existing, err := s.existing(ctx)
	if err != nil {
		return rep, err
	}
	for _, r := range placed {
		if existing[r.Address] {
			rep.Updated++
		} else {
			rep.Created++
		}
	}
	sortProblems(problems)
	if len(problems) > 0 {
		rep.Created, rep.Updated = 0, 0
		rep.Problems = problems
		if opts.DryRun {
			return rep, nil
		}
		return rep, &ProblemsError{Problems: problems}
	}
	if opts.DryRun {
		return rep, nil
	}
	if err := s.write(ctx, scope, placed, "address.import", rep); err != nil {
		return Report{DryRun: opts.DryRun}, err
	}
	return rep, nil
}

// needWrite checks that the caller may import: address.write over the whole district.
func (s *Service) needWrite(ctx context.Context) (access.Scope, error) {
	return access.NeedDistrict(ctx, access.AddressWrite, "address.district_only")
}

// batchRows is how many rows one INSERT writes (10 parameters each: well within both engines'
// limits).
const batchRows = 200

// write stores placed rows (new ones inserted, known addresses updated) in one transaction, bumps
// the index version, records the audit entry and rebuilds this node's index.
func (s *Service) write(ctx context.Context, scope access.Scope, placed []placedRow, action string, rep Report) error {
	now := s.now()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(placed); start += batchRows {
			batch := placed[start:min(start+batchRows, len(placed))]
			var q strings.Builder
			q.WriteString(`INSERT INTO addresses (id, address, name, kind, lat, lng, grid_code, community_code, created_at,
				updated_at) VALUES `)
			args := make([]any, 0, 10*len(batch))
			for i, r := range batch {
				if i > 0 {
					q.WriteString(",")
				}
				n := len(args)
				fmt.Fprintf(&q, "($%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8, n+9, n+10)
				args = append(args, db.NewID(), r.Address, r.Name, string(r.Kind), r.Lat, r.Lng, r.GridCode, r.CommunityCode, now, now)
			}
			q.WriteString(` ON CONFLICT (address) DO UPDATE SET name = excluded.name, kind = excluded.kind,
				lat = excluded.lat, lng = excluded.lng, grid_code = excluded.grid_code,
				community_code = excluded.community_code, updated_at = excluded.updated_at`)
			if _, err := s.DB.TxExec(ctx, tx, q.String(), args...); err != nil {
				return fmt.Errorf("write addresses (from line %d): %w", batch[0].Line, err)
			}
		}
		if err := db.BumpVersion(ctx, tx, versionKey); err != nil {
			return err
		}
		e := audit.For(access.ActorOf(ctx, scope.Primary()), now, action, "addresses", fmt.Sprintf("%d addresses", len(placed)))
		e.After = fmt.Sprintf(`{"rows":%d,"created":%d,"updated":%d}`, rep.Rows, rep.Created, rep.Updated)
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return err
	}
	return s.LoadIndex(ctx)
}

// placedRow is a row with its grid.
type placedRow struct {
	Row
	GridCode, CommunityCode string
}

// place derives each row's grid; a point in no grid is a problem of its row.
func (s *Service) place(ctx context.Context, rows []Row) ([]placedRow, []Problem, error) {
	out := make([]placedRow, 0, len(rows))
	var problems []Problem
	for _, r := range rows {
		loc, err := s.Grids.Locate(ctx, r.Lat, r.Lng)
		if err != nil {
			if apperr.CodeOf(err) == apperr.Invalid {
				problems = append(problems, Problem{Line: r.Line, Field: "lat", Key: "outside", Args: []any{r.Lat, r.Lng}})
				continue
			}
			return nil, nil, err
		}
		if !loc.Inside || loc.Grid == nil {
			problems = append(problems, Problem{Line: r.Line, Field: "lat", Key: "outside", Args: []any{r.Lat, r.Lng}})
			continue
		}
		out = append(out, placedRow{Row: r, GridCode: loc.Grid.Code, CommunityCode: loc.Grid.CommunityCode})
	}
	return out, problems, nil
}

// existing is the set of stored address texts.
func (s *Service) existing(ctx context.Context) (map[string]bool, error) {
	list, err := db.Strings(ctx, s.DB.Read, `SELECT address FROM addresses`)
	if err != nil {
		return nil, fmt.Errorf("read addresses: %w", err)
	}
	out := make(map[string]bool, len(list))
	for _, a := range list {
		out[a] = true
	}
	return out, nil
}

// Count is the number of stored addresses.
func (s *Service) Count(ctx context.Context) (int, error) {
	var n int
	err := s.DB.QueryRow(ctx, `SELECT count(*) FROM addresses`).Scan(&n)
	return n, err
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}
