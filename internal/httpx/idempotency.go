package httpx

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// IdempotencyHeader is the request header that makes a write safe to send again: a phone that
// reported offline sends its queued report until the server answers, each time with the same key
// (static/js/offline.js), and the report is created once.
const IdempotencyHeader = "Idempotency-Key"

// ReplayedHeader marks an answer given back from an earlier request with the same key.
const ReplayedHeader = "Idempotent-Replayed"

// IdempotencyTTL is how long a key is remembered: a queued report is sent again within minutes of
// the phone coming back online, and a phone offline for two days has been switched on since.
const IdempotencyTTL = 48 * time.Hour

// maxReplayBody bounds the answer kept for a replay (a case as JSON is a few KiB).
const maxReplayBody = 256 << 10

// Idempotency keeps, for the routes that accept an Idempotency-Key, the first answer per
// (signed-in user, key, method and path) in the table idempotency_keys and gives it back to a
// repeat without running the handler again. The table's primary key decides between two
// identical requests arriving at once, on one node or several: the request whose insert wins
// runs; the other waits for its answer (Wait), then gives up with 409 "in progress". A key is
// never shared between users: another user's request with the same key is a request of its own.
type Idempotency struct {
	DB  *db.DB
	R   *Responder
	Now func() time.Time
	// Routes names the pattern of a request (Mux.Route); Accept holds the patterns whose POSTs
	// honour the header (module.Module.Idempotent). A key sent to another route is ignored.
	Routes Router
	Accept map[string]bool
	// Wait is how long a repeat waits for the first request's answer (10 s when zero); Poll how
	// often it looks (25 ms when zero). The first request's row is in the database, so a repeat
	// that reached another node sees it as well.
	Wait, Poll time.Duration
	// Abandoned is the age after which a row still without an answer belongs to a request that
	// died with its node (5 minutes when zero): it is taken over rather than answering 409 for 48
	// hours. No request runs that long; the write timeout ends any handler well before.
	Abandoned time.Duration
}

// ValidIdempotencyKey: 16–128 characters of letters, digits and - _ . : (a UUID, a ULID, a
// base64url random string); anything else is refused rather than stored.
func ValidIdempotencyKey(key string) bool {
	if len(key) < 16 || len(key) > 128 {
		return false
	}
	for _, c := range []byte(key) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

// Middleware applies the stored answers. It runs after authentication (the user is part of the
// key) and right around the routes.
func (i *Idempotency) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, sent := r.Header[IdempotencyHeader]
		if !sent || r.Method != http.MethodPost || !i.Accept[i.Routes.Route(r)] {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) != 1 || !ValidIdempotencyKey(key[0]) {
			i.R.Error(w, r, apperr.New(apperr.Invalid, "offline.idempotency_bad_key"))
			return
		}
		p, ok := access.From(r.Context())
		if !ok {
			next.ServeHTTP(w, r) // the route refuses an anonymous caller itself
			return
		}
		i.serve(w, r, next, idempotencyID{User: p.UserID, Key: key[0], Route: r.Method + " " + r.URL.Path})
	})
}

type idempotencyID struct{ User, Key, Route string }

// stored is a kept answer; Status 0 while the first request runs.
type stored struct {
	Status      int
	ContentType string
	Location    string
	Body        []byte
	CreatedAt   time.Time
}

func (i *Idempotency) serve(w http.ResponseWriter, r *http.Request, next http.Handler, id idempotencyID) {
	ctx := r.Context()
	// A wall-clock wait, not the platform's (possibly injected) clock.
	deadline := time.Now().Add(durationOr(i.Wait, 10*time.Second))
	for {
		won, err := i.claim(ctx, id)
		if err != nil {
			i.R.Error(w, r, err)
			return
		}
		if won {
			i.runFirst(w, r, next, id)
			return
		}
		s, found, err := i.load(ctx, id)
		if err != nil {
			i.R.Error(w, r, err)
			return
		}
		switch {
		case !found:
			continue // the first request failed and let go of the key: this one runs
		case s.Status != 0:
			replay(w, s)
			return
		case i.now().Sub(s.CreatedAt) > durationOr(i.Abandoned, 5*time.Minute):
			if err := i.release(ctx, id); err != nil {
				i.R.Error(w, r, err)
				return
			}
			continue
		case !time.Now().Before(deadline):
			w.Header().Set("Retry-After", "1")
			i.R.Error(w, r, apperr.New(apperr.Conflict, "offline.idempotency_in_progress"))
			return
		}
		select {
		case <-ctx.Done():
			return // the client went away
		case <-time.After(durationOr(i.Poll, 25*time.Millisecond)):
		}
	}
}

// claim inserts the key's row; true when this request is the first.
func (i *Idempotency) claim(ctx context.Context, id idempotencyID) (bool, error) {
	res, err := i.DB.Exec(ctx, `INSERT INTO idempotency_keys (user_id, key, route, status, created_at)
		VALUES ($1, $2, $3, 0, $4) ON CONFLICT DO NOTHING`, id.User, id.Key, id.Route, i.now().UTC())
	if err != nil {
		return false, fmt.Errorf("claim idempotency key: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim idempotency key: %w", err)
	}
	return n == 1, nil
}

func (i *Idempotency) load(ctx context.Context, id idempotencyID) (stored, bool, error) {
	var s stored
	err := i.DB.QueryRow(ctx, `SELECT status, content_type, location, body, created_at FROM idempotency_keys
		WHERE user_id = $1 AND key = $2 AND route = $3`, id.User, id.Key, id.Route).
		Scan(&s.Status, &s.ContentType, &s.Location, &s.Body, &s.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return s, false, nil
	}
	if err != nil {
		return s, false, fmt.Errorf("read idempotency key: %w", err)
	}
	return s, true, nil
}

// release forgets a key whose first request left no answer that long ago; the age condition
// makes sure a newer claim, made meanwhile by another repeat, stays.
func (i *Idempotency) release(ctx context.Context, id idempotencyID) error {
	_, err := i.DB.Exec(ctx, `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND route = $3
		AND status = 0 AND created_at < $4`, id.User, id.Key, id.Route, i.now().Add(-durationOr(i.Abandoned, 5*time.Minute)).UTC())
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

// runFirst runs the handler and keeps its answer. A server error (5xx) or a panic keeps nothing:
// the key is let go so that the client's next try runs again. A refusal (4xx) is kept: the same
// request would be refused again.
func (i *Idempotency) runFirst(w http.ResponseWriter, r *http.Request, next http.Handler, id idempotencyID) {
	rec := &teeWriter{ResponseWriter: w}
	// The client may go away once the handler is done; the answer is kept all the same.
	ctx := context.WithoutCancel(r.Context())
	kept := false
	defer func() {
		if !kept {
			if _, err := i.DB.Exec(ctx, `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND route = $3 AND status = 0`,
				id.User, id.Key, id.Route); err != nil {
				i.R.Log.Error("release idempotency key", "request_id", RequestID(ctx), "err", err)
			}
		}
	}()
	next.ServeHTTP(rec, r)
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	if status >= 500 || rec.overflow {
		return
	}
	h := w.Header()
	_, err := i.DB.Exec(ctx, `UPDATE idempotency_keys SET status = $1, content_type = $2, location = $3, body = $4
		WHERE user_id = $5 AND key = $6 AND route = $7`,
		status, h.Get("Content-Type"), h.Get("Location"), rec.body.Bytes(), id.User, id.Key, id.Route)
	if err != nil {
		i.R.Log.Error("keep idempotent answer", "request_id", RequestID(ctx), "err", err)
		return
	}
	kept = true
}

func replay(w http.ResponseWriter, s stored) {
	h := w.Header()
	if s.ContentType != "" {
		h.Set("Content-Type", s.ContentType)
	}
	if s.Location != "" {
		h.Set("Location", s.Location)
	}
	h.Set("Cache-Control", "no-store")
	h.Set(ReplayedHeader, "true")
	w.WriteHeader(s.Status)
	w.Write(s.Body)
}

// Purge forgets keys older than IdempotencyTTL (a periodic job).
func (i *Idempotency) Purge(ctx context.Context, now time.Time) error {
	if _, err := i.DB.Exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, now.Add(-IdempotencyTTL).UTC()); err != nil {
		return fmt.Errorf("purge idempotency keys: %w", err)
	}
	return nil
}

func (i *Idempotency) now() time.Time {
	if i.Now != nil {
		return i.Now()
	}
	return time.Now()
}

func durationOr(d, fallback time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return fallback
}

// teeWriter passes the answer through and keeps a copy of it.
type teeWriter struct {
	http.ResponseWriter
	status   int
	body     bytes.Buffer
	overflow bool
}

func (t *teeWriter) WriteHeader(code int) {
	if t.status == 0 {
		t.status = code
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *teeWriter) Write(b []byte) (int, error) {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	if t.body.Len()+len(b) > maxReplayBody {
		t.overflow = true
	} else {
		t.body.Write(b)
	}
	return t.ResponseWriter.Write(b)
}

func (t *teeWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
