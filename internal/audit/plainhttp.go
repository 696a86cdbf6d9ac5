package audit

import (
	"context"
	"net/http"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/i18n"
	"github.com/yiwang-gov/yiwang/internal/tabular"
)

// MaxExport is the most records one export holds; a longer period is exported in parts.
const MaxExport = 50000

// Plain searches like Search and renders the records in lang.
func (h *HTTP) Plain(ctx context.Context, f Filter, lang string) ([]Plain, []Entry, error) {
	list, err := Search(ctx, h.DB, f)
	if err != nil {
		return nil, nil, err
	}
	names, err := LoadNames(ctx, h.DB, list)
	if err != nil {
		return nil, nil, err
	}
	w := Wording{Cat: h.R.Catalog, Lang: lang}
	out := make([]Plain, len(list))
	for i, e := range list {
		out[i] = w.Render(e, names)
	}
	return out, list, nil
}

// plain answers GET /api/v1/audit/plain: the search's records in the caller's words.
func (h *HTTP) plain(w http.ResponseWriter, r *http.Request) {
	f, ok := h.searchFilter(w, r)
	if !ok {
		return
	}
	list, raw, err := h.Plain(r.Context(), f, i18n.FromRequest(r))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	writePage(w, f, list, raw)
}

// exportColumns are the export's columns, each headed in the caller's language.
var exportColumns = []string{"seq", "at", "actor", "role", "unit", "action", "sentence", "object", "changes", "result", "ip"}

// export answers GET /api/v1/audit/export?format=csv|xlsx&<the search's filters>: the same plain
// words as the page, every matching record in the caller's scope (at most MaxExport).
func (h *HTTP) export(w http.ResponseWriter, r *http.Request) {
	if _, err := access.Need(r.Context(), access.AuditRead); err != nil {
		h.R.Error(w, r, err)
		return
	}
	format, download, err := tabular.ParseFormat(r.URL.Query().Get("format"))
	if err != nil || !download {
		h.R.Error(w, r, apperr.New(apperr.Invalid, "auditpage.bad_format"))
		return
	}
	f, err := ParseFilter(r.URL.Query())
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	lang := i18n.FromRequest(r)
	f.Limit = 500
	// The first page is read before the first byte, so a refusal is still an error answer.
	page, raw, err := h.Plain(r.Context(), f, lang)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	out, err := tabular.Start(w, format, "audit-log")
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	header := make([]any, len(exportColumns))
	for i, col := range exportColumns {
		header[i] = h.R.Catalog.T(lang, "auditpage.col."+col)
	}
	err = out.Row(header...)
	wording := Wording{Cat: h.R.Catalog, Lang: lang}
	for written := 0; err == nil && len(page) > 0; {
		for _, p := range page {
			if err = out.Row(exportCells(wording, p)...); err != nil {
				break
			}
		}
		written += len(page)
		if err != nil || len(raw) < f.Limit || written >= MaxExport {
			break
		}
		f.BeforeSeq = raw[len(raw)-1].Seq
		page, raw, err = h.Plain(r.Context(), f, lang)
	}
	if err == nil {
		err = out.Close()
	}
	if err != nil {
		// After the first byte an error cannot become an error answer: cut the connection so
		// the client sees a broken download, never a complete-looking short file.
		h.R.Log.Warn("export audit log", "error", err)
		panic(http.ErrAbortHandler)
	}
}

func exportCells(w Wording, p Plain) []any {
	object := strings.TrimSpace(p.Object.Kind + " " + p.Object.Label)
	changes := make([]string, len(p.Changes))
	for i, c := range p.Changes {
		changes[i] = w.ChangeText(c)
	}
	return []any{p.Seq, p.At, p.Actor, p.Role, p.Unit, p.Action, p.Sentence, object,
		strings.Join(changes, "\n"), p.Result, p.IP}
}

// ChangeText is one change on a line: "状态：已派遣 → 处置中".
func (w Wording) ChangeText(c Change) string {
	before, after := c.Before, c.After
	if before == "" {
		before = w.t("auditpage.empty")
	}
	if after == "" {
		after = w.t("auditpage.empty")
	}
	return c.Field + w.t("auditpage.colon") + before + " → " + after
}
