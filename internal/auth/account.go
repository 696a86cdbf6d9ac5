package auth

// A resident's consent to the 用户协议 and 隐私政策 (package consent): given at sign-up, asked
// again when a text's version changes. Staff accounts are not asked: their use of the platform
// is part of their duties, not a resident's choice.

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/consent"
)

// consentTexts loads the shipped documents once.
type consentTexts struct {
	once  sync.Once
	texts *consent.Texts
	err   error
}

// Consents returns the documents in force. They are embedded in the binary, so a failure to
// read them is a build error; it panics then rather than sign anyone up without them.
func (s *Service) Consents() *consent.Texts {
	s.consents.once.Do(func() { s.consents.texts, s.consents.err = consent.Load() })
	if s.consents.err != nil {
		panic(s.consents.err)
	}
	return s.consents.texts
}

// checkConsent refuses versions that are not the ones in force: none given (the box was not
// ticked) is Invalid, others (a page shown before a text changed) Conflict.
func (s *Service) checkConsent(given map[string]string) error {
	current := s.Consents().Current()
	for _, doc := range consent.Documents {
		switch v := given[doc]; {
		case v == "":
			return apperr.New(apperr.Invalid, "account.consent_required")
		case v != current[doc]:
			return apperr.New(apperr.Conflict, "account.consent_outdated")
		}
	}
	for doc := range given {
		if !consent.Known(doc) {
			return apperr.New(apperr.Invalid, "account.consent_unknown_document")
		}
	}
	return nil
}

// ConsentNeeded returns the documents the caller must accept before going on: those whose
// version in force a resident has not accepted; none for staff.
func (s *Service) ConsentNeeded(ctx context.Context, p *access.Principal) ([]string, error) {
	if p == nil || p.System || len(p.Grants) == 0 || !onlyResident(p.Grants) {
		return nil, nil
	}
	return s.Consents().Needed(ctx, s.DB, p.UserID)
}

// AcceptConsent records that the signed-in caller accepted the versions in force.
func (s *Service) AcceptConsent(ctx context.Context, given map[string]string) error {
	p, ok := access.From(ctx)
	if !ok || p.System {
		return apperr.New(apperr.Unauthenticated, "auth.required")
	}
	if err := s.checkConsent(given); err != nil {
		return err
	}
	now := s.Now().UTC()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.Consents().Accept(ctx, s.DB, tx, p.UserID, now); err != nil {
			return err
		}
		e := audit.For(access.ActorOf(ctx, access.Grant{}), now, "account.consent", "user", p.UserID)
		e.After = audit.Summary(given)
		if _, err := audit.Append(ctx, s.DB, tx, e); err != nil {
			return fmt.Errorf("accept consent: %w", err)
		}
		return nil
	})
}
