package cases

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
	"github.com/yiwang-gov/yiwang/internal/notify"
	"github.com/yiwang-gov/yiwang/internal/pii"
)

// Hotline callers (issue 13): a named caller's case is linked to a keyed hash of the phone number
// (case_callers), the caller gets an SMS with the case number and follow link, and when the number
// calls again the desk sees the caller's earlier cases, masked.

// ReceivedEvent is the outbox event that carries a hotline caller's acknowledgement SMS; it is not
// a case.report, so the indicators that follow reports count each case once.
const ReceivedEvent = "case.received"

// CallerHistoryLimit is how many earlier cases a lookup lists, newest first.
const CallerHistoryLimit = 20

// rememberCaller links a live hotline case with a named caller's phone to the phone's keyed hash
// and queues the caller's SMS (case number and follow link), inside the report's transaction.
func (s *Service) rememberCaller(ctx context.Context, tx *sql.Tx, it *intake) error {
	c := it.c
	if c.Channel != Hotline || it.history != nil || c.Anonymous || it.phoneEnc == "" || it.NewCase.ReporterPhone == "" {
		return nil
	}
	if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO case_callers (case_id, phone_hash, reported_at) VALUES ($1, $2, $3)`,
		c.ID, s.Vault.Hash(it.NewCase.ReporterPhone), c.ReportedAt); err != nil {
		return fmt.Errorf("remember caller of %s: %w", c.Number, err)
	}
	if s.Outbox == nil {
		return nil
	}
	link := ""
	if it.token != "" {
		link = s.PublicURL + "/follow/" + it.token
	}
	// The recipient is the sealed phone: the number is opened only by the SMS channel.
	return s.Outbox.Record(ctx, tx, c.ReportedAt, notify.Event{Type: ReceivedEvent, Object: c.object(),
		Notices: []notify.Notice{{Template: "notify.case.received", Params: []string{c.Number, link},
			Audience: notify.Audience{Phones: []string{it.phoneEnc}}}}})
}

// CallerCase is one of a caller's earlier cases as the desk sees it.
type CallerCase struct {
	ID         string    `json:"id"`
	Number     string    `json:"number"`
	ReportedAt time.Time `json:"reported_at"`
	Category   string    `json:"category"`
	Status     Status    `json:"status"`
	StatusText string    `json:"status_text"`
	Address    string    `json:"address"`
}

// CallerHistory is what the desk sees when a number calls: the number masked and the earlier cases.
type CallerHistory struct {
	PhoneMasked string       `json:"phone_masked"`
	Cases       []CallerCase `json:"cases"`
}

// CallerCases lists the earlier cases of the caller with this phone number that the caller's scope
// reaches (intake operators and shift leads: their desk's area), newest first.
func (s *Service) CallerCases(ctx context.Context, phone, lang string) (CallerHistory, error) {
	scope, err := access.Need(ctx, access.CaseReport)
	if err != nil {
		return CallerHistory{}, err
	}
	if g := scope.Primary(); g.Role != access.IntakeOperator && g.Role != access.ShiftLead {
		return CallerHistory{}, apperr.New(apperr.Forbidden, "auth.forbidden")
	}
	read, err := access.Need(ctx, access.CaseRead)
	if err != nil {
		return CallerHistory{}, err
	}
	p, ok := pii.NormalizeContact(phone)
	if !ok {
		return CallerHistory{}, apperr.New(apperr.Invalid, "auth.bad_phone")
	}
	where, args := scopeCondition(read, 2)
	args = append([]any{s.Vault.Hash(p)}, args...)
	q := `SELECT c.id, c.number, c.reported_at, c.category_class, c.category_code, c.status, c.address,
		COALESCE((SELECT cat.name FROM categories cat WHERE cat.class = c.category_class AND cat.code = c.category_code), ''),
		COALESCE((SELECT cat.name_en FROM categories cat WHERE cat.class = c.category_class AND cat.code = c.category_code), '')
		FROM case_callers k JOIN cases c ON c.id = k.case_id
		WHERE k.phone_hash = $1 AND ` + where + fmt.Sprintf(` ORDER BY k.reported_at DESC LIMIT %d`, CallerHistoryLimit)
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return CallerHistory{}, fmt.Errorf("caller history: %w", err)
	}
	defer rows.Close()
	out := CallerHistory{PhoneMasked: pii.MaskPhone(p), Cases: []CallerCase{}}
	for rows.Next() {
		var cc CallerCase
		var class, code, name, nameEn string
		if err := rows.Scan(&cc.ID, &cc.Number, &cc.ReportedAt, &class, &code, &cc.Status, &cc.Address, &name, &nameEn); err != nil {
			return CallerHistory{}, fmt.Errorf("caller history: %w", err)
		}
		cc.ReportedAt = cc.ReportedAt.UTC()
		cc.Category = name
		if lang == i18n.EN && nameEn != "" {
			cc.Category = nameEn
		}
		cc.Address = shortAddress(cc.Address)
		out.Cases = append(out.Cases, cc)
	}
	return out, rows.Err()
}

// shortAddress keeps the start of an address: enough to recognise the place, not a full line.
func shortAddress(a string) string {
	r := []rune(strings.TrimSpace(a))
	if len(r) > 24 {
		return string(r[:24]) + "…"
	}
	return string(r)
}

// lookupCaller answers POST /api/v1/callers/lookup {"phone": "…"}: the phone travels in the body
// so that it appears in no URL or request log.
func (h *HTTP) lookupCaller(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Phone string `json:"phone"`
	}
	if err := httpx.Decode(r, &in, 4<<10); err != nil {
		h.R.Error(w, r, err)
		return
	}
	lang := i18n.FromRequest(r)
	hist, err := h.Cases.CallerCases(r.Context(), in.Phone, lang)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	for i := range hist.Cases {
		hist.Cases[i].StatusText = h.R.Catalog.T(lang, "case.status."+string(hist.Cases[i].Status))
	}
	httpx.JSON(w, http.StatusOK, hist)
}
