package onboard

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/i18n"
	"github.com/yiwang-gov/yiwang/internal/org"
	"github.com/yiwang-gov/yiwang/internal/users"
)

// Service imports filled-in templates through the org and users services, which own the rules,
// the scope checks (territory.write, user.write) and the audit.
type Service struct {
	Org     *org.Service
	Users   *users.Service
	Catalog *i18n.Catalog
	Now     func() time.Time
}

// Report is the answer of an import or its dry run.
type Report struct {
	Kind    string `json:"kind"` // org or users
	DryRun  bool   `json:"dry_run"`
	Applied bool   `json:"applied"` // true when a real run wrote (or found nothing to write)
	Rows    int    `json:"rows"`
	// Org is the plan of an org import: per kind (district, subdistrict, community, zone,
	// department) how many entries are added, renamed, unchanged.
	Org org.Plan `json:"org,omitempty"`
	// Users is the plan of a users import.
	Users *users.BulkPlan `json:"users,omitempty"`
	// Errors are every problem of the file, in the caller's language; any error means nothing
	// was written.
	Errors []RowError `json:"errors"`
	// Passwords are the first passwords of the accounts created, answered this once.
	Passwords []users.Initial `json:"passwords,omitempty"`
}

// translate fills each error's message in lang.
func (s *Service) translate(lang string, errs []RowError) {
	for i := range errs {
		args := make([]any, len(errs[i].Args))
		for j, a := range errs[i].Args {
			if k, ok := a.(interface{ I18nKey() string }); ok && s.Catalog.Has(lang, k.I18nKey()) {
				a = s.Catalog.T(lang, k.I18nKey())
			}
			args[j] = a
		}
		errs[i].Message = s.Catalog.T(lang, errs[i].Key, args...)
	}
}

// Import reads an org or users template (raw bytes of xlsx or CSV) and imports it, or with
// dryRun only answers the plan and the problems. lang is the language of the messages.
func (s *Service) Import(ctx context.Context, kind string, raw []byte, dryRun bool, lang string) (Report, error) {
	rep := Report{Kind: kind, DryRun: dryRun, Errors: []RowError{}}
	var err error
	switch kind {
	case "org":
		if _, err := access.Need(ctx, access.TerritoryWrite); err != nil {
			return rep, err
		}
		err = s.importOrg(ctx, raw, dryRun, &rep)
	case "users":
		if _, err := access.Need(ctx, access.UserWrite); err != nil {
			return rep, err
		}
		err = s.importUsers(ctx, raw, dryRun, lang, &rep)
	default:
		return rep, apperr.New(apperr.NotFound, "error.not_found")
	}
	s.translate(lang, rep.Errors)
	if err != nil {
		return rep, err
	}
	rep.Applied = !dryRun && len(rep.Errors) == 0
	if len(rep.Errors) > 0 && !dryRun {
		return rep, errRefused
	}
	return rep, nil
}

// errRefused is a real run refused for the problems in its report: nothing was written.
var errRefused = apperr.New(apperr.Invalid, "onboard.refused")

// IsRefused reports whether err is a run refused for its row errors (the report says which).
func IsRefused(err error) bool { return errors.Is(err, errRefused) }

// roleByName reads a role given by its code name or its name in either language.
func (s *Service) roleByName(name string) access.Role {
	for _, r := range access.Roles {
		if strings.EqualFold(name, string(r)) {
			return r
		}
		for _, lang := range []string{i18n.ZH, i18n.EN} {
			if s.Catalog.Has(lang, r.I18nKey()) && strings.EqualFold(name, s.Catalog.T(lang, r.I18nKey())) {
				return r
			}
		}
	}
	return access.Role(name)
}
