package whistle

import (
	"bytes"
	"context"
	"database/sql"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/configver"
)

// The rules of 吹哨报到 are data: rules.json ships the check-in limit of each kind and the flag
// distance; the district's sys_admin may change them, as a version effective from a chosen instant
// (package configver, area whistle.rules), audited. A whistle takes the rules in force when it is
// blown: its summons keep their deadline and the whistle its flag distance, so a later change never
// rejudges a whistle already blown.

// Rules are the check-in limit per kind and the distance beyond which a check-in is flagged.
type Rules struct {
	Limits map[Kind]Limit `json:"limits"`
	// FlagDistanceM: a check-in farther than this from the place (metres) is accepted but flagged.
	FlagDistanceM int `json:"flag_distance_m"`
}

//go:embed rules.json
var shippedRules []byte

// Shipped are the rules rules.json ships: emergencies 30 minutes by the clock (the 平谷 origin of
// 吹哨报到, "执法部门30分钟内到达", standards-cn.md §3.3), hard cases 2 working hours, daily
// whistles 1 working day; flagged beyond 500 m. They apply until the district saves its own.
var Shipped = mustRules(shippedRules)

func mustRules(b []byte) Rules {
	r, err := ParseRules(b)
	if err != nil {
		panic("whistle/rules.json: " + err.Error())
	}
	return r
}

// Bounds of the rules a district may set.
const (
	MinFlagDistance = 50   // metres: a phone's position is rarely better
	MaxFlagDistance = 5000 // metres: farther is not "on site"
	MaxLimitDays    = 30   // working days
	rulesArea       = "whistle.rules"
	rulesKey        = "district"
)

// ParseRules reads rules from JSON (unknown fields refused) and checks them.
func ParseRules(b []byte) (Rules, error) {
	var r Rules
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return r, apperr.New(apperr.Invalid, "whistle.rules.bad_json")
	}
	return r, r.Check()
}

// Check names every problem of the rules at once: a limit for every kind and no other, each
// counted a known way and within bounds, and a flag distance within bounds.
func (r Rules) Check() error {
	var details []apperr.Detail
	bad := func(field, key string, args ...any) {
		details = append(details, apperr.Detail{Field: field, Message: key, Args: args})
	}
	for _, k := range Kinds {
		l, ok := r.Limits[k]
		field := "limits." + string(k)
		switch {
		case !ok:
			bad(field, "whistle.rules.limit_missing", string(k))
		case l.Unit == WorkingDays && (l.Value < 1 || l.Value > MaxLimitDays):
			bad(field, "whistle.rules.bad_days", MaxLimitDays)
		case (l.Unit == WallMinutes || l.Unit == WorkingMinutes) && (l.Value < 1 || l.Value > MaxCheckInMinutes):
			bad(field, "whistle.rules.bad_minutes", MaxCheckInMinutes)
		case l.Unit != WorkingDays && l.Unit != WallMinutes && l.Unit != WorkingMinutes:
			bad(field, "whistle.rules.bad_unit")
		}
	}
	for k := range r.Limits {
		if !slices.Contains(Kinds, k) {
			bad("limits", "whistle.bad_kind")
		}
	}
	if r.FlagDistanceM < MinFlagDistance || r.FlagDistanceM > MaxFlagDistance {
		bad("flag_distance_m", "whistle.rules.bad_distance", MinFlagDistance, MaxFlagDistance)
	}
	if len(details) > 0 {
		return apperr.New(apperr.Invalid, "whistle.rules.invalid").WithDetails(details)
	}
	return nil
}

// RulesAt returns the rules in force at t: the district's version then in force, or the shipped
// ones.
func (s *Service) RulesAt(ctx context.Context, t time.Time) (Rules, error) {
	if s.Versions == nil {
		return Shipped, nil
	}
	v, ok, err := s.Versions.At(ctx, rulesArea, rulesKey, t)
	if err != nil || !ok {
		return Shipped, err
	}
	r, err := ParseRules(v.Data)
	if err != nil {
		return Shipped, fmt.Errorf("whistle rules version %s: %w", v.ID, err)
	}
	return r, nil
}

// RulesView is GET /api/v1/whistles/rules: the rules in force now, the shipped ones, and (to
// those who may change them) every version the district saved.
type RulesView struct {
	Rules    Rules               `json:"rules"`
	Shipped  Rules               `json:"shipped"`
	Since    *time.Time          `json:"since,omitempty"` // when the version in force took effect; absent: the shipped rules
	CanEdit  bool                `json:"can_edit"`
	Versions []configver.Version `json:"versions"`
}

// needRulesEdit: the rules are the district's, changed by a sys_admin held at the district node
// (the permission that edits the catalogue's time limits).
func needRulesEdit(ctx context.Context) (access.Scope, error) {
	return access.NeedDistrict(ctx, access.CategoryWrite, "whistle.rules.district_only")
}

// ViewRules answers whoever may read whistles, and the district's sys_admin.
func (s *Service) ViewRules(ctx context.Context) (RulesView, error) {
	_, editErr := needRulesEdit(ctx)
	if editErr != nil {
		if _, err := access.Need(ctx, access.WhistleRead); err != nil {
			return RulesView{}, err
		}
	}
	now := s.Now().UTC()
	r, err := s.RulesAt(ctx, now)
	if err != nil {
		return RulesView{}, err
	}
	out := RulesView{Rules: r, Shipped: Shipped, CanEdit: editErr == nil && s.Versions != nil, Versions: []configver.Version{}}
	if s.Versions == nil {
		return out, nil
	}
	if v, ok, err := s.Versions.At(ctx, rulesArea, rulesKey, now); err != nil {
		return RulesView{}, err
	} else if ok {
		out.Since = &v.EffectiveFrom
	}
	if out.CanEdit {
		all, err := s.Versions.List(ctx, rulesArea)
		if err != nil {
			return RulesView{}, err
		}
		out.Versions = append(out.Versions, all...)
	}
	return out, nil
}

// RulesChange is the body of PUT /api/v1/whistles/rules.
type RulesChange struct {
	Rules
	// EffectiveFrom is when the rules take effect; zero (omitted) means now, the past is refused.
	EffectiveFrom time.Time `json:"effective_from"`
}

// SetRules stores the district's rules as a version effective from c.EffectiveFrom, audited.
func (s *Service) SetRules(ctx context.Context, c RulesChange) (RulesView, error) {
	scope, err := needRulesEdit(ctx)
	if err != nil {
		return RulesView{}, err
	}
	if s.Versions == nil {
		return RulesView{}, apperr.New(apperr.Conflict, "whistle.rules.not_editable")
	}
	if err := c.Rules.Check(); err != nil {
		return RulesView{}, err
	}
	now := s.Now().UTC()
	from, err := configver.EffectiveFrom(c.EffectiveFrom, now, "whistle.rules.effective_in_past")
	if err != nil {
		return RulesView{}, err
	}
	before, err := s.RulesAt(ctx, from)
	if err != nil {
		return RulesView{}, err
	}
	data, _ := json.Marshal(c.Rules)
	actor := access.ActorOf(ctx, scope.Primary())
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.Versions.Add(ctx, tx, rulesArea, rulesKey, data, from, actor.Name); err != nil {
			return err
		}
		e := audit.For(actor, now, "whistle.rules.put", "whistle_rules", rulesKey)
		e.Before = audit.Summary(before)
		e.After = audit.Summary(struct {
			Rules
			EffectiveFrom time.Time `json:"effective_from"`
		}{c.Rules, from})
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return RulesView{}, err
	}
	if err := s.Versions.Reload(ctx); err != nil {
		return RulesView{}, err
	}
	return s.ViewRules(ctx)
}
