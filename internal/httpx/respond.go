// Package httpx is yiwang's HTTP plumbing: JSON in and out, the one mapping of domain errors to
// status codes and translated messages, and the middleware every request passes through.
package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// Responder writes responses in the caller's language.
type Responder struct {
	Catalog *i18n.Catalog
	Log     *slog.Logger
}

// JSON writes v with the given status.
func JSON(w http.ResponseWriter, status int, v any) {
	JSONAs(w, status, "application/json; charset=utf-8", v)
}

// JSONAs writes v as JSON under another JSON media type (application/geo+json …).
func JSONAs(w http.ResponseWriter, status int, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// ErrorBody is the JSON shape of every error answer.
type ErrorBody struct {
	Error   string          `json:"error"`   // machine code, e.g. "invalid"
	Key     string          `json:"key"`     // message key, e.g. "auth.bad_credentials"
	Message string          `json:"message"` // in the caller's language
	Details []apperr.Detail `json:"details,omitempty"`
}

var statusOf = map[apperr.Code]int{
	apperr.Invalid:         http.StatusBadRequest,
	apperr.Unauthenticated: http.StatusUnauthorized,
	apperr.Forbidden:       http.StatusForbidden,
	apperr.NotFound:        http.StatusNotFound,
	apperr.Conflict:        http.StatusConflict,
	apperr.TooLarge:        http.StatusRequestEntityTooLarge,
	apperr.Locked:          http.StatusLocked,
	apperr.TooMany:         http.StatusTooManyRequests,
	apperr.Unsupported:     http.StatusUnsupportedMediaType,
	apperr.Internal:        http.StatusInternalServerError,
}

// Status returns the HTTP status for err.
func Status(err error) int {
	return statusOf[apperr.CodeOf(Classify(err))]
}

// Classify is the safety net behind the checks at the edge: a value the database refuses as
// data (PostgreSQL SQLSTATE class 22, "data exception": invalid byte sequence, invalid input
// syntax, value out of range …) came from the request, so it is the caller's 400, not a 500.
// The error keeps its cause for the log.
func Classify(err error) error {
	if err == nil || apperr.CodeOf(err) != apperr.Internal {
		return err
	}
	var coded interface{ SQLState() string }
	if errors.As(err, &coded) && strings.HasPrefix(coded.SQLState(), "22") {
		return apperr.Wrap(err, apperr.Invalid, "request.bad_value")
	}
	return err
}

// Keyed is a message argument that has a translation of its own (a status, an action, a role).
type Keyed interface{ I18nKey() string }

// Body translates err for lang: the message, its arguments that have translations of their own,
// and details whose message is a catalogue key.
func (rs *Responder) Body(lang string, err error) ErrorBody {
	e, ok := apperr.As(Classify(err))
	if !ok {
		e = apperr.New(apperr.Internal, "error.internal")
	}
	args := rs.localArgs(lang, e.Args)
	var details []apperr.Detail
	for _, d := range e.Details {
		if rs.Catalog.Has(i18n.ZH, d.Message) {
			d.Message = rs.Catalog.T(lang, d.Message, rs.localArgs(lang, d.Args)...)
		}
		details = append(details, d)
	}
	return ErrorBody{Error: string(e.Code), Key: e.Key, Message: rs.Catalog.T(lang, e.Key, args...), Details: details}
}

// Error writes err as a JSON error answer. Internal errors are logged with the request ID; the
// caller sees only a generic message.
func (rs *Responder) Error(w http.ResponseWriter, r *http.Request, err error) {
	status := Status(err)
	if status >= 500 {
		rs.Log.Error("request failed", "request_id", RequestID(r.Context()), "path", r.URL.Path, "err", err)
	}
	JSON(w, status, rs.Body(i18n.FromRequest(r), err))
}

// MaxJSONBody is the default limit of a JSON request body.
const MaxJSONBody = 1 << 20

// Decode reads a JSON object from the body into v: the media type must be JSON, the body at most
// limit bytes of UTF-8 text without control characters other than tab and line breaks (see
// checkJSONText), no unknown fields, exactly one value.
func Decode(r *http.Request, v any, limit int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return apperr.New(apperr.Unsupported, "request.want_json")
		}
	}
	if limit <= 0 {
		limit = MaxJSONBody
	}
	raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	if err != nil {
		return decodeError(err)
	}
	if err := checkJSONText(raw); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return apperr.New(apperr.Invalid, "request.trailing_data")
	}
	return nil
}

func decodeError(err error) error {
	var maxErr *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &maxErr):
		return apperr.New(apperr.TooLarge, "request.too_large", maxErr.Limit)
	case errors.As(err, &typeErr):
		return apperr.New(apperr.Invalid, "request.wrong_type", typeErr.Field, typeErr.Type.String())
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.Invalid, "request.bad_json")
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.Invalid, "request.empty_body")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return apperr.New(apperr.Invalid, "request.unknown_field", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return apperr.Wrap(err, apperr.Invalid, "request.bad_json")
}

// localArgs translates the arguments that have texts of their own (statuses, actions, roles).
func (rs *Responder) localArgs(lang string, in []any) []any {
	out := make([]any, len(in))
	for i, a := range in {
		if k, ok := a.(Keyed); ok && rs.Catalog.Has(lang, k.I18nKey()) {
			a = rs.Catalog.T(lang, k.I18nKey())
		}
		out[i] = a
	}
	return out
}

// Reply answers a handler's result: err as an error answer in the caller's language, else v as
// JSON with status. Handlers end with it instead of repeating the two branches.
func (rs *Responder) Reply(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		rs.Error(w, r, err)
		return
	}
	JSON(w, status, v)
}
