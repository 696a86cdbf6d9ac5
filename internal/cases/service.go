package cases

import (
	"context"
	"sync"
	"time"

	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/grid"
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
	// Notify is told of every change (live updates, notifications); nil means nobody listens.
	Notify func(Change)

	districtOnce sync.Once
	district     string
}

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

func (s *Service) notify(c Change) {
	if s.Notify != nil {
		s.Notify(c)
	}
}
