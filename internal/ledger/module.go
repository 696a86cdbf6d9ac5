// Package ledger is the seed-fund ledger (财政启动资金, issue 16): every fen the district
// allocates to a zone, a zone commits to a project and a project pays out is a double entry,
// made by one finance officer and posted by another, hash-chained and never edited — a mistake is
// undone by a reversal entry (participation.md §3; TigerBeetle's "correcting transfers").
//
// The invariants hold in the database as well as here: postings balance (a trigger refuses to
// post an entry whose postings do not sum to zero), posted entries, postings, evidence and closes
// are append-only (triggers refuse UPDATE and DELETE), and the accounts that hold money never go
// below zero (a guarded UPDATE … WHERE balance_fen + amount >= 0, backed by a CHECK).
package ledger

import (
	"context"
	_ "embed"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/jobs"
	"github.com/yiwang-gov/yiwang/internal/module"
)

// OpenAPI is this module's part of the API document.
//
//go:embed openapi.json
var OpenAPI []byte

// ProjectChecker tells whether a project id names a project of a zone. The project module
// (issue 16's 特色项目, package project) fills it in the app; with Service.Projects nil any id of the
// right shape (ValidProjectID: 1–64 letters, digits and . _ : -) is accepted. It returns an
// apperr error (NotFound or Invalid) for an id it refuses.
type ProjectChecker interface {
	CheckProject(ctx context.Context, zoneCode, projectID string) error
}

// Service is the ledger's rules and storage.
type Service struct {
	DB  *db.DB
	Now func() time.Time
	// Projects checks the project ids of commits, releases, disbursements and refunds; nil: any
	// id of the right shape.
	Projects ProjectChecker
}

// HTTP serves the ledger API.
type HTTP struct {
	Ledger *Service
	R      *httpx.Responder
	// CloseEvery is the period of the close (default daily).
	CloseEvery time.Duration
}

// Module declares the ledger to the platform: routes and API document, its permissions and the
// periodic close.
func (h *HTTP) Module() module.Module {
	every := h.CloseEvery
	if every <= 0 {
		every = 24 * time.Hour
	}
	return module.Module{Name: "ledger", Register: h.Register, OpenAPI: OpenAPI,
		Permissions: []access.Permission{access.LedgerRead, access.LedgerWrite},
		Jobs: []jobs.Job{{Name: "ledger.close", Every: every, Run: func(ctx context.Context, now time.Time) error {
			_, err := h.Ledger.Close(ctx, now)
			return err
		}}}}
}
