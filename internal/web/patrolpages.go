package web

import (
	"net/http"

	"github.com/yiwang-gov/yiwang/internal/access"
)

// The patrol pages (巡查) and the 1+N rosters. Each renders a shell; its script calls the patrol
// and participant APIs, which decide what the caller sees.

// patrolConfig is handed to the patrol page's script.
type patrolConfig struct {
	UserID string `json:"user_id"`
}

// patrolData is what the patrol template needs: a volunteer's page shows their hours.
type patrolData struct{ Volunteer bool }

// patrol is a grid worker's or volunteer's patrol page, on the phone.
func (w *Web) patrol(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, pagePatrol, "patrol_page.title")
	v.Script = "patrol.js"
	v.Texts = w.textsWith(v.Lang, "patrol_page.")
	v.Config = patrolConfig{UserID: v.User.UserID}
	data := patrolData{}
	for _, g := range v.User.Grants {
		data.Volunteer = data.Volunteer || g.Role == access.Volunteer
	}
	v.Data = data
	w.render(rw, r, http.StatusOK, "patrol", v)
}

// patrolCoverage is the week's patrol coverage of the grids in reach, for the desk; those who
// plan patrols make and edit each grid's plan there.
func (w *Web) patrolCoverage(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, pagePatrolCoverage, "patrol_page.coverage_title")
	v.Script, v.Map = "patrolcoverage.js", true
	v.Texts = w.textsWith(v.Lang, "patrol_page.", "ranking.")
	v.Config = deskConfig{CanPlan: may(v.User, access.PatrolPlan)}
	w.render(rw, r, http.StatusOK, "patrolcoverage", v)
}

// deskConfig tells the coverage and roster pages what the caller may change: patrol plans
// (patrol.plan), the rosters, pledges and volunteers' hours (participant.manage). The API decides
// again, per grid and per zone.
type deskConfig struct {
	CanPlan   bool   `json:"can_plan"`
	CanManage bool   `json:"can_manage"`
	UserID    string `json:"user_id"`
}

// rosters shows the zones' 1+N rosters; a manager edits them there (participants, pledges) and
// logs and confirms the volunteer teams' hours.
func (w *Web) rosters(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, pageRosters, "roster_page.title")
	v.Script = "rosters.js"
	v.Texts = w.textsWith(v.Lang, "roster_page.")
	v.Config = deskConfig{CanManage: may(v.User, access.ParticipantManage), UserID: v.User.UserID}
	w.render(rw, r, http.StatusOK, "rosters", v)
}
