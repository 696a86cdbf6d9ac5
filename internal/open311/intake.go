package open311

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/apikey"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/cases"
	"github.com/yiwang-gov/yiwang/internal/pii"
	"github.com/yiwang-gov/yiwang/internal/token"
)

// A posted request becomes a case through the case desk's intake pipeline (cases.Take), on the
// channel open311, with no reporter account. What GeoReport v2 carries beyond a report stays
// here: the answers to the service's questions and the media URL go into the report event, the
// contact fields and the batch token into open311_requests beside the case.

// maxDescription is the longest description GeoReport v2 allows. The case keeps the first
// cases.MaxDescription characters; the report event keeps the whole text.
const maxDescription = 4000

// clientReport is what a client sends besides the report itself.
type clientReport struct {
	// attributes are the answers to the service's questions (attribute[CODE]), already checked
	// against its definition.
	attributes map[string][]string
	// mediaURL is a photo the client hosts. It is kept for the desk and never fetched.
	mediaURL string
	// contact holds the contact fields other than the name and phone (email, device_id,
	// account_id): sealed by the vault, never shown. Name and phone go where every reporter's go.
	contact map[string]string
	// batch: the answer is a token instead of the request's id.
	batch bool
	// where the report is when it has no point (see place).
	unlocated              bool
	subdistrict, community string
}

// receipt is what the client is told of its report.
type receipt struct {
	number     string
	status     cases.Status
	token      string // batch services only
	duplicates int
}

// take hands the report to the case desk, as the client key's principal (in ctx).
func (h *HTTP) take(ctx context.Context, key apikey.Key, client string, in cases.NewCase, r clientReport) (receipt, error) {
	in.Channel, in.Anonymous = cases.Open311, false
	data := map[string]any{"client": client}
	if text := []rune(strings.TrimSpace(in.Description)); len(text) > cases.MaxDescription {
		data["description"], in.Description = string(text), string(text[:cases.MaxDescription-1])+"…"
	}
	if len(r.attributes) > 0 {
		data["attributes"] = r.attributes
	}
	if r.mediaURL != "" {
		data["media_url"] = r.mediaURL
	}
	var out receipt
	var batchToken any // NULL unless the service is batch
	if r.batch {
		out.token = token.New(24)
		batchToken = out.token
	}
	var contact string
	if len(r.contact) > 0 {
		b, _ := json.Marshal(r.contact)
		contact = h.Cases.Vault.For(pii.Open311).Seal(string(b))
	}
	record := func(ctx context.Context, tx *sql.Tx, c cases.Case) error {
		if _, err := h.Cases.DB.TxExec(ctx, tx, `INSERT INTO open311_requests (case_id, api_key_id, token, contact_enc, media_url, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, c.ID, key.ID, batchToken, contact, r.mediaURL, c.ReportedAt); err != nil {
			return fmt.Errorf("record open311 request: %w", err)
		}
		return nil
	}
	c, err := h.Cases.Take(ctx, cases.Intake{NewCase: in, Unlocated: r.unlocated, SubdistrictCode: r.subdistrict,
		CommunityCode: r.community, EventData: data, Record: record})
	if err != nil {
		return receipt{}, err
	}
	out.number, out.status, out.duplicates = c.Number, c.Status, len(c.Duplicates)
	return out, nil
}

// requestByToken returns the id (case number) of a batch request (404 for an unknown token).
func (h *HTTP) requestByToken(ctx context.Context, batchToken string) (string, error) {
	if batchToken == "" || len(batchToken) > 64 {
		return "", apperr.New(apperr.NotFound, "case.not_found")
	}
	var number string
	err := h.Cases.DB.QueryRow(ctx, `SELECT c.number FROM open311_requests r JOIN cases c ON c.id = r.case_id
		WHERE r.token = $1`, batchToken).Scan(&number)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.New(apperr.NotFound, "case.not_found")
	}
	if err != nil {
		return "", fmt.Errorf("look up token: %w", err)
	}
	return number, nil
}
