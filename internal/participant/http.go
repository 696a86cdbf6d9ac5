package participant

import (
	"net/http"

	"github.com/yiwang-gov/yiwang/internal/httpx"
)

// maxBody is the limit of a participant request body.
const maxBody = 16 << 10

// Register adds the routes.
func (h *HTTP) Register(mux *httpx.Mux) {
	mux.HandleFunc("GET /api/v1/zones/{code}/roster", h.roster)
	mux.HandleFunc("POST /api/v1/zones/{code}/participants", h.addParticipant)
	mux.HandleFunc("PATCH /api/v1/participants/{id}", h.updateParticipant)
	mux.HandleFunc("POST /api/v1/participants/{id}/pledges", h.addPledge)
	mux.HandleFunc("PATCH /api/v1/pledges/{id}", h.updatePledge)
	mux.HandleFunc("GET /api/v1/volunteer-teams", h.teams)
	mux.HandleFunc("GET /api/v1/volunteer-teams/{id}/members", h.members)
	mux.HandleFunc("POST /api/v1/volunteer-teams/{id}/members", h.addMember)
	mux.HandleFunc("GET /api/v1/volunteers/{id}/hours", h.hours)
	mux.HandleFunc("POST /api/v1/volunteers/{id}/hours", h.logHours)
	mux.HandleFunc("POST /api/v1/volunteer-hours/{id}/confirm", h.confirm)
}

func (h *HTTP) roster(w http.ResponseWriter, r *http.Request) {
	ro, err := h.Participants.Roster(r.Context(), r.PathValue("code"))
	h.R.Reply(w, r, http.StatusOK, ro, err)
}

func (h *HTTP) addParticipant(w http.ResponseWriter, r *http.Request) {
	var in ParticipantInput
	if err := httpx.Decode(r, &in, maxBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	p, err := h.Participants.AddParticipant(r.Context(), r.PathValue("code"), in)
	h.R.Reply(w, r, http.StatusCreated, p, err)
}

func (h *HTTP) updateParticipant(w http.ResponseWriter, r *http.Request) {
	var in ParticipantInput
	if err := httpx.Decode(r, &in, maxBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	p, err := h.Participants.UpdateParticipant(r.Context(), r.PathValue("id"), in)
	h.R.Reply(w, r, http.StatusOK, p, err)
}

func (h *HTTP) addPledge(w http.ResponseWriter, r *http.Request) {
	var in PledgeInput
	if err := httpx.Decode(r, &in, maxBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	p, err := h.Participants.AddPledge(r.Context(), r.PathValue("id"), in)
	h.R.Reply(w, r, http.StatusCreated, p, err)
}

func (h *HTTP) updatePledge(w http.ResponseWriter, r *http.Request) {
	var in PledgeInput
	if err := httpx.Decode(r, &in, maxBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	p, err := h.Participants.UpdatePledge(r.Context(), r.PathValue("id"), in)
	h.R.Reply(w, r, http.StatusOK, p, err)
}

func (h *HTTP) teams(w http.ResponseWriter, r *http.Request) {
	list, err := h.Participants.Teams(r.Context())
	h.R.Reply(w, r, http.StatusOK, map[string]any{"teams": list}, err)
}

func (h *HTTP) members(w http.ResponseWriter, r *http.Request) {
	list, err := h.Participants.Members(r.Context(), r.PathValue("id"))
	h.R.Reply(w, r, http.StatusOK, map[string]any{"members": list}, err)
}

func (h *HTTP) addMember(w http.ResponseWriter, r *http.Request) {
	var in MemberInput
	if err := httpx.Decode(r, &in, maxBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	m, err := h.Participants.AddMember(r.Context(), r.PathValue("id"), in)
	h.R.Reply(w, r, http.StatusCreated, m, err)
}

func (h *HTTP) hours(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	hs, err := h.Participants.Hours(r.Context(), r.PathValue("id"), q.Get("from"), q.Get("to"))
	h.R.Reply(w, r, http.StatusOK, hs, err)
}

func (h *HTTP) logHours(w http.ResponseWriter, r *http.Request) {
	var in HoursInput
	if err := httpx.Decode(r, &in, maxBody); err != nil {
		h.R.Error(w, r, err)
		return
	}
	e, err := h.Participants.LogHours(r.Context(), r.PathValue("id"), in)
	h.R.Reply(w, r, http.StatusCreated, e, err)
}

func (h *HTTP) confirm(w http.ResponseWriter, r *http.Request) {
	e, err := h.Participants.ConfirmHours(r.Context(), r.PathValue("id"))
	h.R.Reply(w, r, http.StatusOK, e, err)
}
