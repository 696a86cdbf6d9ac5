package cases

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/grid"
	"github.com/yiwang-gov/yiwang/internal/notify"
	"github.com/yiwang-gov/yiwang/internal/org"
	"github.com/yiwang-gov/yiwang/internal/pii"
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
	// Outbox records each change's event (live update, notifications, SMS) in the change's
	// transaction; nil means nobody listens.
	Outbox *notify.Outbox
	// Writer gathers intakes into shared transactions (group commit); nil: one transaction each.
	Writer *db.GroupCommitter
	// PublicURL starts the follow links sent by text message ("" : the path alone).
	PublicURL string

	districtMu sync.Mutex
	district   string
}

// Change is what listeners hear after a case changed.
type Change struct {
	CaseID   string
	Number   string
	Action   Action
	Status   Status
	Path     string
	Reporter string
	// Followers are the reporters of duplicates merged into the case: they see its changes too.
	Followers []string
	Depts     []string
	At        time.Time
}

// object is the changed case as scope sees it (for the live stream).
func (c Change) object() access.Object {
	return access.Object{Kind: ObjectKind.Name, ID: c.CaseID, Path: c.Path,
		Users: append([]string{c.Reporter}, c.Followers...), Units: c.Depts}
}

// shanghai is the time zone case numbers and displays use.
var shanghai = time.FixedZone("CST", 8*3600)

func (s *Service) districtCode(ctx context.Context) string {
	s.districtMu.Lock()
	defer s.districtMu.Unlock()
	// Remembered once found; a new installation has no district until it is onboarded.
	if s.district == "" {
		if n, ok, err := s.Org.DistrictNode(ctx); err == nil && ok {
			s.district = n.Code
		}
	}
	return s.district
}

// wake tells this node's live feed that changes committed (other nodes find them by polling).
func (s *Service) wake() {
	if s.Outbox != nil {
		s.Outbox.Wake()
	}
}

// write runs fn in a write transaction, through the group committer when there is one.
func (s *Service) write(ctx context.Context, fn func(*sql.Tx) error) error {
	if s.Writer != nil {
		return s.Writer.Do(ctx, fn)
	}
	return s.DB.Tx(ctx, fn)
}
