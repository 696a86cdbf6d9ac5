package patrol

import (
	"net/http"

	"github.com/yiwang-gov/yiwang/internal/httpx"
)

// maxBody is the limit of a patrol request body (a plan with 50 points and 30 items fits).
const maxBody = 64 << 10

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("GET /api/v1/patrol-plans", h.plans)
	mux.HandleFunc("POST /api/v1/patrol-plans", h.createPlan)
	mux.HandleFunc("GET /api/v1/patrol-plans/{id}", h.plan)
	mux.HandleFunc("PATCH /api/v1/patrol-plans/{id}", h.updatePlan)
	mux.HandleFunc("POST /api/v1/patrols", h.start)
	mux.HandleFunc("GET /api/v1/patrols/coverage", h.coverage)
	mux.HandleFunc("GET /api/v1/patrols/log", h.log)
	mux.HandleFunc("GET /api/v1/patrols/{id}", h.get)
	mux.HandleFunc("POST /api/v1/patrols/{id}/checks", h.check)
	mux.HandleFunc("POST /api/v1/patrols/{id}/findings", h.find)
	mux.HandleFunc("POST /api/v1/patrols/{id}/findings/{finding}/case", h.report)
	mux.HandleFunc("POST /api/v1/patrols/{id}/end", h.end)
}

func (h *HTTP) plans(w http.ResponseWriter, r *http.Request) {
	list, err := h.Patrols.Plans(r.Context(), r.URL.Query().Get("grid"))
	h.R.Reply(w, r, http.StatusOK, map[string]any{"plans": list}, err)
}

func (h *HTTP) createPlan(w http.ResponseWriter, r *http.Request) {
	var in PlanInput
	if err := httpx.Decode(r, &in, maxBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	p, err := h.Patrols.CreatePlan(r.Context(), in)
	h.R.Reply(w, r, http.StatusCreated, p, err)
}

func (h *HTTP) plan(w http.ResponseWriter, r *http.Request) {
	p, err := h.Patrols.Plan(r.Context(), r.PathValue("id"))
	h.R.Reply(w, r, http.StatusOK, p, err)
}

func (h *HTTP) updatePlan(w http.ResponseWriter, r *http.Request) {
	var in PlanInput
	if err := httpx.Decode(r, &in, maxBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	p, err := h.Patrols.UpdatePlan(r.Context(), r.PathValue("id"), in)
	h.R.Reply(w, r, http.StatusOK, p, err)
}

func (h *HTTP) start(w http.ResponseWriter, r *http.Request) {
	var in struct {
		PlanID   string `json:"plan_id,omitempty"`
		GridCode string `json:"grid_code,omitempty"`
	}
	if err := httpx.Decode(r, &in, maxBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	p, err := h.Patrols.Start(r.Context(), in.PlanID, in.GridCode)
	h.R.Reply(w, r, http.StatusCreated, p, err)
}

func (h *HTTP) get(w http.ResponseWriter, r *http.Request) {
	p, err := h.Patrols.Get(r.Context(), r.PathValue("id"))
	h.R.Reply(w, r, http.StatusOK, p, err)
}

func (h *HTTP) check(w http.ResponseWriter, r *http.Request) {
	var in CheckInput
	if err := httpx.Decode(r, &in, maxBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	c, err := h.Patrols.CheckPoint(r.Context(), r.PathValue("id"), in)
	h.R.Reply(w, r, http.StatusCreated, c, err)
}

func (h *HTTP) find(w http.ResponseWriter, r *http.Request) {
	var in FindingInput
	if err := httpx.Decode(r, &in, maxBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	f, err := h.Patrols.Find(r.Context(), r.PathValue("id"), in)
	h.R.Reply(w, r, http.StatusCreated, f, err)
}

func (h *HTTP) report(w http.ResponseWriter, r *http.Request) {
	f, err := h.Patrols.ReportFinding(r.Context(), r.PathValue("id"), r.PathValue("finding"))
	h.R.Reply(w, r, http.StatusCreated, f, err)
}

func (h *HTTP) end(w http.ResponseWriter, r *http.Request) {
	var in EndInput
	if r.ContentLength != 0 {
		if err := httpx.Decode(r, &in, maxBody); err != nil {
			h.R.Error(w, r, err)
			return
		}
	}
	p, err := h.Patrols.End(r.Context(), r.PathValue("id"), in)
	h.R.Reply(w, r, http.StatusOK, p, err)
}

func (h *HTTP) coverage(w http.ResponseWriter, r *http.Request) {
	c, err := h.Patrols.Coverage(r.Context(), r.URL.Query().Get("week"))
	h.R.Reply(w, r, http.StatusOK, c, err)
}

func (h *HTTP) log(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	list, err := h.Patrols.Log(r.Context(), q.Get("user"), q.Get("from"), q.Get("to"))
	h.R.Reply(w, r, http.StatusOK, map[string]any{"patrols": list}, err)
}
