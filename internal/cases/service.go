package cases

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/grid"
	"github.com/yiwang-gov/yiwang/internal/notify"
	"github.com/yiwang-gov/yiwang/internal/org"
	"github.com/yiwang-gov/yiwang/internal/pii"
	"github.com/yiwang-gov/yiwang/internal/sms"
)

// Service runs the case desk.
type Service struct {
	DB        *db.DB
	Grids     *grid.Service
	Org       *org.Service
	Catalogue Catalogue
	Clock     Clock
	Router    Router
	Vault     *pii.Vault
	Now       func() time.Time
	// Notify stores notifications and pushes live updates; nil means nobody listens.
	Notify *notify.Service
	// Writer gathers intakes into shared transactions (group commit); nil: one transaction each.
	Writer *db.GroupCommitter
	// SMS tells reporters without an account (hotline callers) by text message; may be nil.
	SMS sms.Gateway

	districtOnce sync.Once
	district     string
	announcing   sync.WaitGroup
}

// Settle waits until the notifications of past changes are stored (tests, shutdown).
func (s *Service) Settle() { s.announcing.Wait() }

// Change is what listeners hear after a case changed.
type Change struct {
	CaseID   string
	Number   string
	Action   Action
	Status   Status
	Path     string
	Reporter string
	Depts    []string
	At       time.Time
}

// shanghai is the time zone case numbers and displays use.
var shanghai = time.FixedZone("CST", 8*3600)

func (s *Service) districtCode(ctx context.Context) string {
	s.districtOnce.Do(func() {
		if n, ok, err := s.Org.DistrictNode(ctx); err == nil && ok {
			s.district = n.Code
		}
	})
	return s.district
}

// notify tells whoever must know about a change, after it committed. A failure to notify is
// logged by the caller's request, never undoes the change.
func (s *Service) notify(c Change) {
	if s.Notify == nil {
		return
	}
	s.Notify.Hub.Publish(notify.Message{Kind: "case", CaseID: c.CaseID, Number: c.Number, Action: string(c.Action),
		Status: string(c.Status), At: c.At, Path: c.Path, Reporter: c.Reporter, Depts: c.Depts})
	s.announcing.Add(1)
	go func() {
		defer s.announcing.Done()
		s.announce(context.Background(), c)
	}()
}

// write runs fn in a write transaction, through the group committer when there is one.
func (s *Service) write(ctx context.Context, fn func(*sql.Tx) error) error {
	if s.Writer != nil {
		return s.Writer.Do(ctx, fn)
	}
	return s.DB.Tx(ctx, fn)
}
