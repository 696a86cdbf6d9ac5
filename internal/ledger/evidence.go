package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// MaxEvidence is the largest evidence file: 5 MiB.
const MaxEvidence = 5 << 20

// sniff names the content type of an evidence file from its first bytes — a PDF, a JPEG or a
// PNG — whatever the client says it is; "" for anything else.
func sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(data, []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}):
		return "image/png"
	}
	return ""
}

// CheckAttach answers, before an upload is read, whether the caller may attach evidence to an
// entry (ledger.write over its zone; not a rejected entry).
func (s *Service) CheckAttach(ctx context.Context, entryID string) (Entry, access.Grant, error) {
	scope, err := access.Need(ctx, access.LedgerWrite)
	if err != nil {
		return Entry{}, access.Grant{}, err
	}
	e, err := s.entry(ctx, s.DB.Prepared(), entryID)
	if err != nil {
		return e, access.Grant{}, err
	}
	if !scope.Reaches(access.Object{Kind: "ledger_entry", ID: e.ID, Path: e.path}) {
		return e, access.Grant{}, apperr.New(apperr.NotFound, "ledger.entry_not_found")
	}
	if e.Status == Rejected {
		return e, access.Grant{}, apperr.New(apperr.Conflict, "ledger.evidence_rejected")
	}
	return e, scope.GrantCovering(e.path), nil
}

// Attach stores an evidence file of an entry with the SHA-256 the server computes of its bytes
// (a hash the client sends is never trusted). Evidence is append-only, like the entries.
func (s *Service) Attach(ctx context.Context, entryID, filename string, data []byte) (Evidence, error) {
	e, grant, err := s.CheckAttach(ctx, entryID)
	if err != nil {
		return Evidence{}, err
	}
	switch {
	case len(data) == 0:
		return Evidence{}, bad("file", "ledger.evidence_empty")
	case len(data) > MaxEvidence:
		return Evidence{}, apperr.New(apperr.TooLarge, "ledger.evidence_too_large", MaxEvidence>>20)
	}
	kind := sniff(data)
	if kind == "" {
		return Evidence{}, apperr.New(apperr.Unsupported, "ledger.evidence_type")
	}
	filename = strings.TrimSpace(path.Base(strings.ReplaceAll(filename, `\`, "/")))
	if filename == "." || filename == "/" || filename == "" || !utf8.ValidString(filename) || utf8.RuneCountInString(filename) > 200 {
		filename = "evidence"
	}
	sum := sha256.Sum256(data)
	p, _ := access.From(ctx)
	now := s.Now().UTC().Truncate(timePrecision)
	ev := Evidence{ID: db.NewID(), EntryID: e.ID, Filename: filename, ContentType: kind, SizeBytes: int64(len(data)),
		SHA256: hex.EncodeToString(sum[:]), UploadedBy: p.UserID, UploadedAt: now}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO ledger_evidence (id, entry_id, filename, content_type, size_bytes, sha256, data,
			uploaded_by, uploaded_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, ev.ID, ev.EntryID, ev.Filename, ev.ContentType, ev.SizeBytes,
			ev.SHA256, data, ev.UploadedBy, now); err != nil {
			return err
		}
		a := audit.For(access.ActorOf(ctx, grant), now, "ledger.evidence", "ledger_entry", e.ID)
		a.OrgPath, a.After = e.path, audit.Summary(map[string]any{"evidence": ev.ID, "sha256": ev.SHA256, "size": ev.SizeBytes})
		_, err := audit.Append(ctx, s.DB, tx, a)
		return err
	})
	if err != nil {
		return Evidence{}, fmt.Errorf("attach evidence to %s: %w", e.ID, err)
	}
	return ev, nil
}

const evidenceColumns = `id, entry_id, filename, content_type, size_bytes, sha256, uploaded_by, uploaded_at`

func scanEvidence(r db.Scanner) (Evidence, error) {
	var ev Evidence
	err := r.Scan(&ev.ID, &ev.EntryID, &ev.Filename, &ev.ContentType, &ev.SizeBytes, &ev.SHA256, &ev.UploadedBy, &ev.UploadedAt)
	ev.UploadedAt = ev.UploadedAt.UTC()
	return ev, err
}

func (s *Service) evidenceOf(ctx context.Context, entryID string) ([]Evidence, error) {
	return db.QueryAll(ctx, s.DB.Prepared(), scanEvidence,
		`SELECT `+evidenceColumns+` FROM ledger_evidence WHERE entry_id = $1 ORDER BY uploaded_at, id`, entryID)
}

// EvidenceFile reads an evidence file of an entry in reach (ledger.read), with its bytes.
func (s *Service) EvidenceFile(ctx context.Context, id string) (Evidence, []byte, error) {
	scope, err := access.Need(ctx, access.LedgerRead)
	if err != nil {
		return Evidence{}, nil, err
	}
	var entryPath string
	var data []byte
	ev, err := scanEvidence(s.DB.QueryRow(ctx, `SELECT `+evidenceColumns+` FROM ledger_evidence WHERE id = $1`, id))
	if err == nil {
		err = s.DB.QueryRow(ctx, `SELECT e.path, v.data FROM ledger_evidence v JOIN ledger_entries e ON e.id = v.entry_id WHERE v.id = $1`, id).
			Scan(&entryPath, &data)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return Evidence{}, nil, apperr.New(apperr.NotFound, "ledger.evidence_not_found")
	}
	if err != nil {
		return Evidence{}, nil, fmt.Errorf("read evidence %s: %w", id, err)
	}
	if !scope.Reaches(access.Object{Kind: "ledger_entry", ID: ev.EntryID, Path: entryPath}) {
		return Evidence{}, nil, apperr.New(apperr.NotFound, "ledger.evidence_not_found")
	}
	return ev, data, nil
}
