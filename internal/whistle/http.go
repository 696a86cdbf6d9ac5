package whistle

import (
	"net/http"
	"strconv"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
)

// HTTP serves the whistle (吹哨报到) API. Each handler parses, calls the service and answers;
// the rules are in the service.
type HTTP struct {
	Whistles *Service
	R        *httpx.Responder
}

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("POST /api/v1/whistles", h.blow)
	mux.HandleFunc("GET /api/v1/whistles", h.list)
	mux.HandleFunc("GET /api/v1/whistles/figures", h.figures)
	mux.HandleFunc("GET /api/v1/whistles/rules", h.rules)
	mux.HandleFunc("PUT /api/v1/whistles/rules", h.setRules)
	mux.HandleFunc("GET /api/v1/whistles/{id}", h.get)
	mux.HandleFunc("POST /api/v1/whistles/{id}/acks", h.ack)
	mux.HandleFunc("POST /api/v1/whistles/{id}/check-ins", h.checkIn)
	mux.HandleFunc("POST /api/v1/whistles/{id}/tasks/{code}/done", h.done)
	mux.HandleFunc("POST /api/v1/whistles/{id}/messages", h.say)
	mux.HandleFunc("GET /api/v1/whistles/{id}/messages", h.thread)
	mux.HandleFunc("POST /api/v1/whistles/{id}/close", h.close)
	mux.HandleFunc("POST /api/v1/whistles/{id}/cancel", h.cancel)
	mux.HandleFunc("POST /api/v1/whistles/{id}/ratings", h.rate)
}

// decode reads a JSON body after checking that the caller holds perm at all: a caller who may
// never do this is refused before the body is read.
func (h *HTTP) decode(w http.ResponseWriter, r *http.Request, perm access.Permission, v any) bool {
	if _, err := access.Need(r.Context(), perm); err != nil {
		h.R.Error(w, r, err)
		return false
	}
	if err := httpx.Decode(r, v, 0); err != nil {
		h.R.Error(w, r, err)
		return false
	}
	return true
}

func (h *HTTP) blow(w http.ResponseWriter, r *http.Request) {
	var in BlowInput
	if !h.decode(w, r, access.WhistleBlow, &in) {
		return
	}
	out, err := h.Whistles.Blow(r.Context(), in)
	h.R.Reply(w, r, http.StatusCreated, out, err)
}

// list answers GET /api/v1/whistles?status=&kind=&department=&case_id=&limit=&cursor=.
func (h *HTTP) list(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	f := Filter{Status: Status(v.Get("status")), Kind: Kind(v.Get("kind")), Department: v.Get("department"),
		CaseID: v.Get("case_id"), Cursor: v.Get("cursor")}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxListing {
			h.R.Error(w, r, apperr.New(apperr.Invalid, "request.bad_param", "limit", s))
			return
		}
		f.Limit = n
	}
	page, err := h.Whistles.List(r.Context(), f)
	h.R.Reply(w, r, http.StatusOK, page, err)
}

// figures answers GET /api/v1/whistles/figures?from=YYYY-MM-DD&to=YYYY-MM-DD&level=department.
func (h *HTTP) figures(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	t, err := h.Whistles.Figures(r.Context(), v.Get("from"), v.Get("to"), v.Get("level"))
	h.R.Reply(w, r, http.StatusOK, t, err)
}

func (h *HTTP) get(w http.ResponseWriter, r *http.Request) {
	out, err := h.Whistles.Get(r.Context(), r.PathValue("id"))
	h.R.Reply(w, r, http.StatusOK, out, err)
}

// AckInput is the body of POST /api/v1/whistles/{id}/acks (optional: staff of one summoned unit
// send none).
type AckInput struct {
	DepartmentCode string `json:"department_code,omitempty"`
}

func (h *HTTP) ack(w http.ResponseWriter, r *http.Request) {
	var in AckInput
	if r.ContentLength != 0 && !h.decode(w, r, access.WhistleAnswer, &in) {
		return
	}
	out, err := h.Whistles.Acknowledge(r.Context(), r.PathValue("id"), in.DepartmentCode)
	h.R.Reply(w, r, http.StatusCreated, out, err)
}

func (h *HTTP) checkIn(w http.ResponseWriter, r *http.Request) {
	var in CheckInInput
	if !h.decode(w, r, access.WhistleAnswer, &in) {
		return
	}
	out, err := h.Whistles.CheckIn(r.Context(), r.PathValue("id"), in)
	h.R.Reply(w, r, http.StatusCreated, out, err)
}

func (h *HTTP) done(w http.ResponseWriter, r *http.Request) {
	var in DoneInput
	if !h.decode(w, r, access.WhistleAnswer, &in) {
		return
	}
	out, err := h.Whistles.TaskDone(r.Context(), r.PathValue("id"), r.PathValue("code"), in)
	h.R.Reply(w, r, http.StatusOK, out, err)
}

func (h *HTTP) say(w http.ResponseWriter, r *http.Request) {
	var in PostInput
	if !h.decode(w, r, access.WhistleRead, &in) {
		return
	}
	out, err := h.Whistles.Say(r.Context(), r.PathValue("id"), in)
	h.R.Reply(w, r, http.StatusCreated, out, err)
}

func (h *HTTP) thread(w http.ResponseWriter, r *http.Request) {
	out, err := h.Whistles.Thread(r.Context(), r.PathValue("id"))
	h.R.Reply(w, r, http.StatusOK, map[string]any{"messages": out}, err)
}

func (h *HTTP) close(w http.ResponseWriter, r *http.Request) {
	var in EndInput
	if r.ContentLength != 0 && !h.decode(w, r, access.WhistleBlow, &in) {
		return
	}
	out, err := h.Whistles.Close(r.Context(), r.PathValue("id"), in)
	h.R.Reply(w, r, http.StatusOK, out, err)
}

func (h *HTTP) cancel(w http.ResponseWriter, r *http.Request) {
	var in EndInput
	if !h.decode(w, r, access.WhistleBlow, &in) {
		return
	}
	out, err := h.Whistles.Cancel(r.Context(), r.PathValue("id"), in)
	h.R.Reply(w, r, http.StatusOK, out, err)
}

func (h *HTTP) rate(w http.ResponseWriter, r *http.Request) {
	var in RateInput
	if !h.decode(w, r, access.WhistleBlow, &in) {
		return
	}
	out, err := h.Whistles.Rate(r.Context(), r.PathValue("id"), in)
	h.R.Reply(w, r, http.StatusCreated, out, err)
}

// rules answers GET /api/v1/whistles/rules: the check-in limits and flag distance in force.
func (h *HTTP) rules(w http.ResponseWriter, r *http.Request) {
	v, err := h.Whistles.ViewRules(r.Context())
	w.Header().Set("Cache-Control", "no-store")
	h.R.Reply(w, r, http.StatusOK, v, err)
}

// setRules answers PUT /api/v1/whistles/rules: a new version of the district's rules.
func (h *HTTP) setRules(w http.ResponseWriter, r *http.Request) {
	if _, err := needRulesEdit(r.Context()); err != nil {
		h.R.Error(w, r, err)
		return
	}
	var c RulesChange
	if err := httpx.Decode(r, &c, 16<<10); err != nil {
		h.R.Error(w, r, err)
		return
	}
	v, err := h.Whistles.SetRules(r.Context(), c)
	w.Header().Set("Cache-Control", "no-store")
	h.R.Reply(w, r, http.StatusOK, v, err)
}
