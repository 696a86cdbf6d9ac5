package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Editing the org tree (issue 13). Nodes are added, renamed, moved and retired, never deleted:
// cases, grants and the audit log point to their codes. A code never changes, not even on a
// move (it is the identity history points to); only the path, which decides scope, does.
// Every change is one transaction with its history row and its audit record.

const (
	maxName   = 100
	maxNameEN = 200
)

// editNode is a node read for a change, with its retirement.
type editNode struct {
	Node
	RetiredAt sql.NullTime
}

// findNode reads a node inside tx; a node outside scope is reported as not found (its existence
// is not disclosed).
func (s *Service) findNode(ctx context.Context, tx *sql.Tx, scope access.Scope, code string) (editNode, error) {
	var n editNode
	if !otherCode.MatchString(code) {
		// No code has another shape; and PostgreSQL refuses some bytes (NUL) outright.
		return n, apperr.New(apperr.NotFound, "org.node_not_found", code)
	}
	var kind string
	err := s.DB.TxQueryRow(ctx, tx, `SELECT code, kind, name, name_en, COALESCE(parent_code, ''), path, slug,
		updated_at, retired_at FROM org_nodes WHERE code = $1`, code).
		Scan(&n.Code, &kind, &n.Name, &n.NameEN, &n.ParentCode, &n.Path, &n.Slug, &n.UpdatedAt, &n.RetiredAt)
	n.Kind = Kind(kind)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !scope.Covers(n.Path)) {
		return n, apperr.New(apperr.NotFound, "org.node_not_found", code)
	}
	if err != nil {
		return n, fmt.Errorf("find org node %s: %w", code, err)
	}
	return n, nil
}

// liveNode is findNode for a node that must not be retired (a parent, a renamed node).
func (s *Service) liveNode(ctx context.Context, tx *sql.Tx, scope access.Scope, code string) (editNode, error) {
	n, err := s.findNode(ctx, tx, scope, code)
	if err == nil && n.RetiredAt.Valid {
		return n, apperr.New(apperr.Conflict, "orgedit.retired", code)
	}
	return n, err
}

// checkNames checks a name and its English name: one line of text each (a JSON body may carry
// control characters escaped, \u0000 included).
func checkNames(name, nameEN string) error {
	if strings.TrimSpace(name) == "" || utf8.RuneCountInString(name) > maxName || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return apperr.New(apperr.Invalid, "orgedit.bad_name", maxName)
	}
	if utf8.RuneCountInString(nameEN) > maxNameEN || strings.IndexFunc(nameEN, unicode.IsControl) >= 0 {
		return apperr.New(apperr.Invalid, "orgedit.bad_name_en", maxNameEN)
	}
	return nil
}

// parentKinds says under which kinds of node each kind may be added or moved.
var parentKinds = map[Kind][]Kind{
	Subdistrict: {District},
	Community:   {Subdistrict},
	Department:  {District, Subdistrict},
}

func allowedParent(kind, parent Kind) bool {
	for _, k := range parentKinds[kind] {
		if k == parent {
			return true
		}
	}
	return false
}

// checkCode checks a new node's code as the org file import checks it: territorial codes are
// digits of the level's length starting with the parent's code, other codes 3–20 of 0-9A-Z.
func checkCode(kind Kind, code, parentCode string) error {
	if n, territorial := codeLength[kind]; territorial {
		if len(code) != n || !digits.MatchString(code) {
			return apperr.New(apperr.Invalid, "orgedit.bad_code_digits", n)
		}
		if !strings.HasPrefix(code, parentCode) {
			return apperr.New(apperr.Invalid, "orgedit.bad_code_prefix", parentCode)
		}
		return nil
	}
	if !otherCode.MatchString(code) {
		return apperr.New(apperr.Invalid, "orgedit.bad_code_other")
	}
	return nil
}

// codeTaken reports whether a code is used by a node or a zone (codes are unique across both).
func (s *Service) codeTaken(ctx context.Context, tx *sql.Tx, code string) (bool, error) {
	var n int
	err := s.DB.TxQueryRow(ctx, tx, `SELECT (SELECT count(*) FROM org_nodes WHERE code = $1) +
		(SELECT count(*) FROM zones WHERE code = $1)`, code).Scan(&n)
	return n > 0, err
}

// Add adds a subdistrict, community or department (handling unit) under a live parent.
func (s *Service) Add(ctx context.Context, in AddInput, now time.Time) (AdminNode, error) {
	scope, err := access.Need(ctx, access.TerritoryWrite)
	if err != nil {
		return AdminNode{}, err
	}
	if _, ok := parentKinds[in.Kind]; !ok {
		return AdminNode{}, apperr.New(apperr.Invalid, "orgedit.bad_kind")
	}
	if err := checkNames(in.Name, in.NameEN); err != nil {
		return AdminNode{}, err
	}
	in.Name, in.NameEN = strings.TrimSpace(in.Name), strings.TrimSpace(in.NameEN)
	var out AdminNode
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		parent, err := s.liveNode(ctx, tx, scope, in.ParentCode)
		if err != nil {
			return err
		}
		if !allowedParent(in.Kind, parent.Kind) {
			return apperr.New(apperr.Invalid, "orgedit.bad_parent", in.ParentCode)
		}
		if err := checkCode(in.Kind, in.Code, parent.Code); err != nil {
			return err
		}
		if taken, err := s.codeTaken(ctx, tx, in.Code); err != nil {
			return fmt.Errorf("add org node %s: %w", in.Code, err)
		} else if taken {
			return apperr.New(apperr.Conflict, "orgedit.code_taken", in.Code)
		}
		path := PathOf(parent.Path, in.Code)
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO org_nodes (code, kind, name, name_en, parent_code, path, slug, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,'',$7,$7)`, in.Code, string(in.Kind), in.Name, in.NameEN, parent.Code, path, now); err != nil {
			return fmt.Errorf("add org node %s: %w", in.Code, err)
		}
		out = AdminNode{Code: in.Code, Kind: in.Kind, Name: in.Name, NameEN: in.NameEN, ParentCode: parent.Code}
		after := map[string]any{"kind": in.Kind, "name": in.Name, "name_en": in.NameEN, "parent_code": parent.Code}
		return s.record(ctx, tx, scope, now, change{code: in.Code, path: path, objectType: string(in.Kind),
			action: HistoryAdd, after: after})
	})
	return out, err
}

// AddZone adds a zone (片区) to a live subdistrict.
func (s *Service) AddZone(ctx context.Context, in ZoneInput, now time.Time) (Zone, error) {
	scope, err := access.Need(ctx, access.TerritoryWrite)
	if err != nil {
		return Zone{}, err
	}
	if err := checkNames(in.Name, in.NameEN); err != nil {
		return Zone{}, err
	}
	if !otherCode.MatchString(in.Code) {
		return Zone{}, apperr.New(apperr.Invalid, "orgedit.bad_code_other")
	}
	if utf8.RuneCountInString(in.LeadOrganisation) > maxName || strings.IndexFunc(in.LeadOrganisation, unicode.IsControl) >= 0 {
		return Zone{}, apperr.New(apperr.Invalid, "orgedit.bad_lead", maxName)
	}
	z := Zone{Code: in.Code, Name: strings.TrimSpace(in.Name), NameEN: strings.TrimSpace(in.NameEN),
		SubdistrictCode: in.SubdistrictCode, LeadOrganisation: strings.TrimSpace(in.LeadOrganisation)}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		sub, err := s.liveNode(ctx, tx, scope, in.SubdistrictCode)
		if err != nil {
			return err
		}
		if sub.Kind != Subdistrict {
			return apperr.New(apperr.Invalid, "orgedit.zone_parent", in.SubdistrictCode)
		}
		if taken, err := s.codeTaken(ctx, tx, in.Code); err != nil {
			return fmt.Errorf("add zone %s: %w", in.Code, err)
		} else if taken {
			return apperr.New(apperr.Conflict, "orgedit.code_taken", in.Code)
		}
		z.Path = PathOf(sub.Path, z.Code)
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO zones (code, name, name_en, subdistrict_code, path, lead_organisation, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$7)`, z.Code, z.Name, z.NameEN, z.SubdistrictCode, z.Path, z.LeadOrganisation, now); err != nil {
			return fmt.Errorf("add zone %s: %w", z.Code, err)
		}
		after := map[string]any{"kind": "zone", "name": z.Name, "name_en": z.NameEN, "subdistrict_code": z.SubdistrictCode,
			"lead_organisation": z.LeadOrganisation}
		return s.record(ctx, tx, scope, now, change{code: z.Code, path: z.Path, objectType: "zone", action: HistoryAdd, after: after})
	})
	return z, err
}

// Rename changes a live node's name and English name.
func (s *Service) Rename(ctx context.Context, code, name, nameEN string, now time.Time) (AdminNode, error) {
	scope, err := access.Need(ctx, access.TerritoryWrite)
	if err != nil {
		return AdminNode{}, err
	}
	if err := checkNames(name, nameEN); err != nil {
		return AdminNode{}, err
	}
	name, nameEN = strings.TrimSpace(name), strings.TrimSpace(nameEN)
	var out AdminNode
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		n, err := s.liveNode(ctx, tx, scope, code)
		if err != nil {
			return err
		}
		out = AdminNode{Code: n.Code, Kind: n.Kind, Name: name, NameEN: nameEN, ParentCode: n.ParentCode}
		if n.Name == name && n.NameEN == nameEN {
			return nil // nothing changes, nothing to record
		}
		if _, err := s.DB.TxExec(ctx, tx, `UPDATE org_nodes SET name = $1, name_en = $2, updated_at = $3 WHERE code = $4`,
			name, nameEN, now, code); err != nil {
			return fmt.Errorf("rename org node %s: %w", code, err)
		}
		// Names shown with located grids are cached with the grid index.
		if err := db.BumpVersion(ctx, tx, "grids_version"); err != nil {
			return err
		}
		return s.record(ctx, tx, scope, now, change{code: code, path: n.Path, objectType: string(n.Kind), action: HistoryRename,
			before: map[string]any{"name": n.Name, "name_en": n.NameEN}, after: map[string]any{"name": name, "name_en": nameEN}})
	})
	return out, err
}

// Retire marks a node retired: kept (history points to it), hidden from pickers, new grants and
// dispatch. It is refused while anything still lives under the node: open cases, grants, live
// child nodes or grids; they are to be closed, revoked or moved first.
func (s *Service) Retire(ctx context.Context, code string, now time.Time) (AdminNode, error) {
	scope, err := access.Need(ctx, access.TerritoryWrite)
	if err != nil {
		return AdminNode{}, err
	}
	var out AdminNode
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		n, err := s.liveNode(ctx, tx, scope, code)
		if err != nil {
			return err
		}
		if n.Kind == District {
			return apperr.New(apperr.Invalid, "orgedit.retire_district")
		}
		open, grants, children, grids, err := s.holding(ctx, tx, n)
		if err != nil {
			return fmt.Errorf("retire org node %s: %w", code, err)
		}
		if open+grants+children+grids > 0 {
			return apperr.New(apperr.Conflict, "orgedit.retire_refused", code, open, grants, children, grids)
		}
		if _, err := s.DB.TxExec(ctx, tx, `UPDATE org_nodes SET retired_at = $1, updated_at = $1 WHERE code = $2`, now, code); err != nil {
			return fmt.Errorf("retire org node %s: %w", code, err)
		}
		at := now.UTC()
		out = AdminNode{Code: n.Code, Kind: n.Kind, Name: n.Name, NameEN: n.NameEN, ParentCode: n.ParentCode, RetiredAt: &at}
		return s.record(ctx, tx, scope, now, change{code: code, path: n.Path, objectType: string(n.Kind), action: HistoryRetire,
			after: map[string]any{"retired_at": at}})
	})
	return out, err
}

// holding counts what still depends on a node: open cases (below it, or dispatched to it for a
// department), grants at or below it, live child nodes and grids below it.
func (s *Service) holding(ctx context.Context, tx *sql.Tx, n editNode) (open, grants, children, grids int, err error) {
	const openCase = `c.status NOT IN ('closed','voided','merged')`
	err = s.DB.TxQueryRow(ctx, tx, `SELECT
		(SELECT count(*) FROM cases c WHERE substr(c.path, 1, $2) = $1 AND `+openCase+`) +
		(SELECT count(*) FROM case_departments d JOIN cases c ON c.id = d.case_id WHERE d.department_code = $3 AND `+openCase+`),
		(SELECT count(*) FROM role_grants WHERE substr(org_path, 1, $2) = $1),
		(SELECT count(*) FROM org_nodes WHERE parent_code = $3 AND retired_at IS NULL),
		(SELECT count(*) FROM grids WHERE substr(path, 1, $2) = $1)`, n.Path, len(n.Path), n.Code).
		Scan(&open, &grants, &children, &grids)
	return
}
