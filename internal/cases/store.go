package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/token"
)

// The rows intake writes: the case (numbered per district and day), its search text, its
// reporters and its events.

// newToken makes a follow link's token (24 random bytes); only its hash is stored.
func newToken() string { return token.New(24) }

func hashToken(t string) string { return token.Hash(t) }

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

func (s *Service) insert(ctx context.Context, tx *sql.Tx, c *Case, token, phoneEnc, nameEnc string) error {
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
		suggested_department, stage, stage_started_at, stage_due, handle_due, deadline_imported, reported_at, updated_at, reporter_name_enc, private)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28,$29,$30,$31,$32,$33,$34)`,
		c.ID, c.Number, external, string(c.Status), string(c.Channel), string(c.Kind), c.CategoryClass, c.CategoryCode,
		string(c.Urgency), c.Lat, c.Lng, c.Address, c.Description, c.GridCode, c.CommunityCode, c.SubdistrictCode,
		c.ZoneCode, c.path, c.reporter, c.ReporterName, phoneEnc, c.ReporterPhone, c.Anonymous, linkHash,
		c.SuggestedDepartment, string(c.Stage), c.StageStartedAt, dueValue(c.StageDue), nullTime(c.Deadline),
		c.deadlineImported(), c.ReportedAt, c.UpdatedAt, nameEnc, c.Private)
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

// stampEnded records on an event the clock it stopped and that clock's limit, so that whether each
// step was taken in time (按时派遣, 按期处置 …, package eval) is read from the history alone,
// for live and imported cases alike.
func stampEnded(data map[string]any, stage Stage, due *time.Time) {
	if stage == StageNone {
		return
	}
	data["stage"] = string(stage)
	if due != nil && due.Before(farFuture) {
		data["due"] = due.UTC()
	}
}
