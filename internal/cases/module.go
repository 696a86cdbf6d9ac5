package cases

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/jobs"
	"github.com/yiwang-gov/yiwang/internal/module"
)

// Module is how the case desk plugs into yiwang: its routes and API document, the permissions it
// checks, the case as a kind of object (scope, live stream), the SLA scan and the event types it
// records.
func (h *HTTP) Module() module.Module {
	every := h.SLAEvery
	if every <= 0 {
		every = time.Minute
	}
	return module.Module{Name: "cases", Register: h.Register, OpenAPI: OpenAPI,
		Permissions: []access.Permission{access.CaseReport, access.CaseRead, access.CaseAct, access.CaseImport, access.CaseContact},
		Kinds:       []access.Kind{ObjectKind},
		Jobs:        []jobs.Job{{Name: "cases.sla", Every: every, Run: h.Cases.sweep}},
		Events:      EventTypes(),
		// A resident's report and its photos may be queued on a phone offline and sent again.
		Idempotent: []string{"POST /api/v1/cases", "POST /api/v1/cases/{id}/photos"}}
}

// sweep is the periodic SLA scan and the review reminders.
func (s *Service) sweep(ctx context.Context, _ time.Time) error {
	_, _, slaErr := s.SweepSLA(ctx)
	_, reviewErr := s.SweepReviews(ctx)
	return errors.Join(slaErr, reviewErr)
}

// EventTypes lists the event types the case desk records: one per workflow action (the report,
// and the reopening the system records after an unsatisfied rating, included), the arrival of a
// historic case from an import (silent: no notices, nothing live), and the notices of the SLA scan
// and the review reminders.
func EventTypes() []string {
	var out []string
	for _, a := range append([]Action{Report, Reopen}, Actions...) {
		if t := "case." + string(a); !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return append(out, "case.import", ReceivedEvent, "case.sla_warning", "case.sla_overdue", "case.review_due")
}
