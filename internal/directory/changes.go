package directory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// The two-person rule (双人审核): an editor proposes; a second editor whose units reach the entry
// approves or rejects; only an approval publishes. The proposer can never approve their own change.

// Propose records an editor's creation (id ""), change or withdrawal (op delete) of an entry,
// pending review.
func (d *Directory) Propose(ctx context.Context, op Op, id string, in ServiceInput) (Change, error) {
	scope, err := editor(ctx)
	if err != nil {
		return Change{}, err
	}
	s, err := d.current(ctx)
	if err != nil {
		return Change{}, err
	}
	ch := Change{ID: db.NewID(), Op: op, Status: "pending", ProposedAt: d.now()}
	var before *Service
	if op != OpCreate {
		sv, ok := s.byID[id]
		if !ok || !scope.Covers(sv.path) {
			return Change{}, apperr.New(apperr.NotFound, "directory.not_found")
		}
		before = sv
		b := inputOf(sv)
		ch.ServiceID, ch.Before, ch.baseVersion = sv.ID, &b, sv.Version
		if op == OpDelete {
			in = b
		} else if in.Version != 0 && in.Version != sv.Version {
			return Change{}, apperr.New(apperr.Conflict, "directory.changed_since")
		}
	}
	if err := in.clean(s); err != nil {
		return Change{}, err
	}
	if op == OpCreate {
		if other := s.named(in.UnitCode, in.Name); other != nil {
			return Change{}, bad("name", "directory.name_taken", in.Name)
		}
	} else if op == OpUpdate && (in.UnitCode != before.UnitCode || in.Name != before.Name) {
		if other := s.named(in.UnitCode, in.Name); other != nil && other.ID != before.ID {
			return Change{}, bad("name", "directory.name_taken", in.Name)
		}
	}
	// The editor must reach the unit the entry will belong to (and reached the one it leaves:
	// the entry was found in scope above).
	u, grant, err := unitInReach(s, scope, in.UnitCode)
	if err != nil {
		return Change{}, err
	}
	in.Version = 0
	ch.Service, ch.UnitCode, ch.UnitName, ch.path = in, u.code, u.name, u.path
	p, _ := access.From(ctx)
	ch.proposedBy, ch.ProposedByName = p.UserID, p.DisplayName
	payload, _ := json.Marshal(in)
	var beforeJSON any
	if ch.Before != nil {
		b, _ := json.Marshal(ch.Before)
		beforeJSON = string(b)
	}
	err = d.DB.Tx(ctx, func(tx *sql.Tx) error {
		if ch.ServiceID != "" {
			var n int
			if err := d.DB.TxQueryRow(ctx, tx, `SELECT count(*) FROM service_changes WHERE service_id = $1 AND status = 'pending'`, ch.ServiceID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return apperr.New(apperr.Conflict, "directory.change_pending")
			}
		}
		if _, err := d.DB.TxExec(ctx, tx, `INSERT INTO service_changes (id, service_id, op, unit_code, path, payload, before_payload,
			base_version, proposed_by, proposed_by_name, proposed_at, status) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,'pending')`,
			ch.ID, nullable(ch.ServiceID), string(op), u.code, u.path, string(payload), beforeJSON, ch.baseVersion, ch.proposedBy,
			ch.ProposedByName, ch.ProposedAt); err != nil {
			return err
		}
		e := audit.For(access.ActorOf(ctx, grant), ch.ProposedAt, "directory.propose", "service_change", ch.ID)
		e.OrgPath, e.After = u.path, audit.Summary(map[string]string{"op": string(op), "service": ch.ServiceID, "name": in.Name})
		_, err := audit.Append(ctx, d.DB, tx, e)
		return err
	})
	if err != nil {
		return Change{}, fmt.Errorf("propose %s: %w", op, err)
	}
	return ch, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// named finds the published entry of a unit by name.
func (s *snapshot) named(unitCode, name string) *Service {
	for _, sv := range s.services {
		if sv.UnitCode == unitCode && sv.Name == name {
			return sv
		}
	}
	return nil
}

// inputOf is an entry as an editor would propose it.
func inputOf(sv *Service) ServiceInput {
	return ServiceInput{Name: sv.Name, Aliases: sv.Aliases, Category: sv.Category, Description: sv.Description,
		Materials: sv.Materials, Fees: sv.Fees, ProcessingTime: sv.ProcessingTime, LegalBasis: sv.LegalBasis,
		Online: sv.Online, OnlineURL: sv.OnlineURL, UnitCode: sv.UnitCode, PlaceIDs: sv.placeIDs}
}

const changeColumns = `id, COALESCE(service_id, ''), op, unit_code, path, payload, COALESCE(before_payload, ''), base_version,
	proposed_by, proposed_by_name, proposed_at, status, reviewed_by_name, reviewed_at, note`

func scanChange(r db.Scanner) (Change, error) {
	var ch Change
	var op, payload, before string
	var reviewed sql.NullTime
	err := r.Scan(&ch.ID, &ch.ServiceID, &op, &ch.UnitCode, &ch.path, &payload, &before, &ch.baseVersion, &ch.proposedBy,
		&ch.ProposedByName, &ch.ProposedAt, &ch.Status, &ch.ReviewedByName, &reviewed, &ch.Note)
	if err != nil {
		return ch, err
	}
	ch.Op, ch.ProposedAt = Op(op), ch.ProposedAt.UTC()
	if reviewed.Valid {
		t := reviewed.Time.UTC()
		ch.ReviewedAt = &t
	}
	if err := json.Unmarshal([]byte(payload), &ch.Service); err != nil {
		return ch, fmt.Errorf("change %s: %w", ch.ID, err)
	}
	if before != "" {
		var b ServiceInput
		if err := json.Unmarshal([]byte(before), &b); err != nil {
			return ch, fmt.Errorf("change %s: %w", ch.ID, err)
		}
		ch.Before = &b
	}
	return ch, nil
}

// Changes lists the changes of the caller's units with the given status (all when ""), newest
// first for decided ones, oldest first for those awaiting review.
func (d *Directory) Changes(ctx context.Context, status string) ([]Change, error) {
	scope, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	if status != "" && status != "pending" && status != "approved" && status != "rejected" {
		return nil, apperr.New(apperr.Invalid, "request.bad_param", "status", "pending | approved | rejected")
	}
	cond, args := scope.PathCondition("path", 1)
	order := "proposed_at DESC"
	if status == "pending" {
		order = "proposed_at"
	}
	if status != "" {
		args = append(args, status)
		cond += fmt.Sprintf(" AND status = $%d", len(args))
	}
	list, err := db.QueryAll(ctx, d.DB.Prepared(), scanChange, `SELECT `+changeColumns+` FROM service_changes WHERE `+cond+
		` ORDER BY `+order+`, id LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("list changes: %w", err)
	}
	s, err := d.current(ctx)
	if err != nil {
		return nil, err
	}
	p, _ := access.From(ctx)
	for i := range list {
		list[i].UnitName = s.units[list[i].UnitCode]
		list[i].CanReview = list[i].Status == "pending" && list[i].proposedBy != p.UserID
	}
	return list, nil
}

// Decide approves (publishing the change) or rejects a pending change. note is the reviewer's
// word to the proposer; a rejection must say why.
func (d *Directory) Decide(ctx context.Context, id string, approve bool, note string) (Change, error) {
	scope, err := editor(ctx)
	if err != nil {
		return Change{}, err
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 500 || strings.ContainsRune(note, 0) {
		return Change{}, bad("note", "directory.bad_note")
	}
	if !approve && utf8.RuneCountInString(note) < 2 {
		return Change{}, bad("note", "directory.reject_needs_note")
	}
	ch, err := d.change(ctx, id)
	if err != nil {
		return Change{}, err
	}
	grant, err := grantFor(scope, ch.path, "directory.change_not_found")
	if err != nil {
		return Change{}, err
	}
	p, _ := access.From(ctx)
	if ch.proposedBy == p.UserID {
		return Change{}, apperr.New(apperr.Forbidden, "directory.own_change")
	}
	if ch.Status != "pending" {
		return Change{}, apperr.New(apperr.Conflict, "directory.change_decided")
	}
	now := d.now()
	status, action := "rejected", "directory.reject"
	if approve {
		status, action = "approved", "directory.approve"
	}
	err = d.write(ctx, func(tx *sql.Tx) (audit.Entry, error) {
		res, err := d.DB.TxExec(ctx, tx, `UPDATE service_changes SET status = $1, reviewed_by = $2, reviewed_by_name = $3,
			reviewed_at = $4, note = $5 WHERE id = $6 AND status = 'pending'`, status, p.UserID, p.DisplayName, now, note, ch.ID)
		if err != nil {
			return audit.Entry{}, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return audit.Entry{}, apperr.New(apperr.Conflict, "directory.change_decided")
		}
		if approve {
			if ch.ServiceID, err = d.publish(ctx, tx, ch, p.DisplayName); err != nil {
				return audit.Entry{}, err
			}
		}
		e := audit.For(access.ActorOf(ctx, grant), now, action, "service_change", ch.ID)
		e.OrgPath = ch.path
		e.After = audit.Summary(map[string]string{"op": string(ch.Op), "service": ch.ServiceID, "name": ch.Service.Name, "note": note})
		return e, nil
	})
	if err != nil {
		return Change{}, err
	}
	ch.Status, ch.ReviewedByName, ch.ReviewedAt, ch.Note = status, p.DisplayName, &now, note
	s, err := d.current(ctx)
	if err != nil {
		return Change{}, err
	}
	ch.UnitName = s.units[ch.UnitCode]
	return ch, nil
}

func (d *Directory) change(ctx context.Context, id string) (Change, error) {
	ch, err := scanChange(d.DB.QueryRow(ctx, `SELECT `+changeColumns+` FROM service_changes WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return ch, apperr.New(apperr.NotFound, "directory.change_not_found")
	}
	return ch, err
}

// publish applies an approved change to the published entries; the approval is the entry's
// review. It returns the entry's id.
func (d *Directory) publish(ctx context.Context, tx *sql.Tx, ch Change, reviewer string) (string, error) {
	in, now := ch.Service, d.now()
	u, err := d.unitOf(ctx, tx, in.UnitCode)
	if err != nil {
		return "", err
	}
	var taken string
	err = d.DB.TxQueryRow(ctx, tx, `SELECT id FROM services WHERE unit_code = $1 AND name = $2`, in.UnitCode, in.Name).Scan(&taken)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	switch ch.Op {
	case OpCreate:
		if taken != "" {
			return "", apperr.New(apperr.Conflict, "directory.name_taken", in.Name)
		}
		id := db.NewID()
		_, err := d.DB.TxExec(ctx, tx, `INSERT INTO services (id, name, aliases, category, description, materials, fees,
			processing_time, legal_basis, online, online_url, unit_code, path, place_ids, version, reviewed_at, reviewed_by_name,
			created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,1,$15,$16,$15,$15)`,
			id, in.Name, jsonList(in.Aliases), in.Category, in.Description, jsonList(in.Materials), in.Fees, in.ProcessingTime,
			in.LegalBasis, in.Online, in.OnlineURL, u.code, u.path, jsonList(in.PlaceIDs), now, reviewer)
		return id, err
	case OpUpdate:
		if taken != "" && taken != ch.ServiceID {
			return "", apperr.New(apperr.Conflict, "directory.name_taken", in.Name)
		}
		res, err := d.DB.TxExec(ctx, tx, `UPDATE services SET name = $1, aliases = $2, category = $3, description = $4,
			materials = $5, fees = $6, processing_time = $7, legal_basis = $8, online = $9, online_url = $10, unit_code = $11,
			path = $12, place_ids = $13, version = version + 1, reviewed_at = $14, reviewed_by_name = $15, updated_at = $14
			WHERE id = $16 AND version = $17`,
			in.Name, jsonList(in.Aliases), in.Category, in.Description, jsonList(in.Materials), in.Fees, in.ProcessingTime,
			in.LegalBasis, in.Online, in.OnlineURL, u.code, u.path, jsonList(in.PlaceIDs), now, reviewer, ch.ServiceID, ch.baseVersion)
		if err != nil {
			return "", err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return "", apperr.New(apperr.Conflict, "directory.changed_since")
		}
		return ch.ServiceID, nil
	default:
		_, err := d.DB.TxExec(ctx, tx, `DELETE FROM services WHERE id = $1`, ch.ServiceID)
		return ch.ServiceID, err
	}
}

// Review records that an editor checked an unchanged entry and found it still right: its
// reviewed date is today, so it is no longer stale.
func (d *Directory) Review(ctx context.Context, id string) (Service, error) {
	scope, err := editor(ctx)
	if err != nil {
		return Service{}, err
	}
	s, err := d.current(ctx)
	if err != nil {
		return Service{}, err
	}
	sv, ok := s.byID[id]
	if !ok {
		return Service{}, apperr.New(apperr.NotFound, "directory.not_found")
	}
	grant, err := grantFor(scope, sv.path, "directory.not_found")
	if err != nil {
		return Service{}, err
	}
	p, _ := access.From(ctx)
	now := d.now()
	err = d.write(ctx, func(tx *sql.Tx) (audit.Entry, error) {
		if _, err := d.DB.TxExec(ctx, tx, `UPDATE services SET reviewed_at = $1, reviewed_by_name = $2 WHERE id = $3`, now, p.DisplayName, id); err != nil {
			return audit.Entry{}, err
		}
		e := audit.For(access.ActorOf(ctx, grant), now, "directory.review", "service", id)
		e.OrgPath, e.After = sv.path, audit.Summary(map[string]string{"name": sv.Name})
		return e, nil
	})
	if err != nil {
		return Service{}, err
	}
	return d.Get(ctx, id)
}

func (d *Directory) hasPending(ctx context.Context, id string) (bool, error) {
	var n int
	err := d.DB.QueryRow(ctx, `SELECT count(*) FROM service_changes WHERE service_id = $1 AND status = 'pending'`, id).Scan(&n)
	return n > 0, err
}

func (d *Directory) pendingServices(ctx context.Context) (map[string]bool, error) {
	ids, err := db.Strings(ctx, d.DB.Prepared(), `SELECT service_id FROM service_changes WHERE status = 'pending' AND service_id IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}
