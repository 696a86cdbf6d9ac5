package app_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/participant"
)

// Scope scenarios of the 1+N rosters: 城东's roster (its lead, a participant's contact and
// pledge), its volunteer team and a 城东 volunteer's hours are, for every outsider, forbidden
// (403) or not found (404), and absent from the lists; the district's leader reaches them.

// rosterFixture is what the roster scenarios aim at.
type rosterFixture struct {
	zone, lead, pledge, team, volunteer, hours string
}

var (
	rosterFixturesMu sync.Mutex
	rosterFixtures   = map[*fixture]*rosterFixture{}
)

const otherZone = "350503002Z01"

func rosterOf(t *testing.T, f *fixture) *rosterFixture {
	t.Helper()
	rosterFixturesMu.Lock()
	defer rosterFixturesMu.Unlock()
	if rf, ok := rosterFixtures[f]; ok {
		return rf
	}
	ctx := asSystem()
	r, err := f.srv.App.Participants.Roster(ctx, otherZone)
	if err != nil || r.Lead == nil || len(r.Lead.Pledges) == 0 {
		t.Fatalf("城东's demo roster: %+v %v", r, err)
	}
	rf := &rosterFixture{zone: otherZone, lead: r.Lead.ID, pledge: r.Lead.Pledges[0].ID}
	for _, p := range r.Participants {
		if p.Kind == participant.VolunteerTeam {
			rf.team = p.ID
		}
	}
	m, err := f.srv.App.Participants.AddMember(ctx, rf.team, participant.MemberInput{Name: "城东志愿者甲"})
	if err != nil {
		t.Fatalf("城东's volunteer: %v", err)
	}
	rf.volunteer = m.ID
	e, err := f.srv.App.Participants.LogHours(ctx, m.ID, participant.HoursInput{Day: f.srv.App.Now().Format("2006-01-02"), Minutes: 60, Note: "城东义务巡逻"})
	if err != nil {
		t.Fatalf("城东's hours: %v", err)
	}
	rf.hours = e.ID
	rosterFixtures[f] = rf
	return rf
}

func init() {
	scenarios = append(scenarios,
		scenario{"GET /api/v1/zones/{code}/roster", func(t *testing.T, f *fixture) {
			rf := rosterOf(t, f)
			refused(t, f, "GET", "/api/v1/zones/"+rf.zone+"/roster", nil, rf.lead, "城东街道党工委", "1385950")
			expectStatus(t, f, []string{"district.leader"}, "GET", "/api/v1/zones/"+rf.zone+"/roster", nil, 200)
		}},
		scenario{"POST /api/v1/zones/{code}/participants", func(t *testing.T, f *fixture) {
			rf := rosterOf(t, f)
			refused(t, f, "POST", "/api/v1/zones/"+rf.zone+"/participants", map[string]any{"kind": "firm", "name": "越界企业"}, rf.lead)
		}},
		scenario{"PATCH /api/v1/participants/{id}", func(t *testing.T, f *fixture) {
			rf := rosterOf(t, f)
			refused(t, f, "PATCH", "/api/v1/participants/"+rf.lead, map[string]any{"name": "被篡改的党组织"}, "1385950", "城东街道党工委")
			r, _ := f.srv.App.Participants.Roster(asSystem(), rf.zone)
			if r.Lead == nil || r.Lead.Name != "城东街道党工委" {
				t.Errorf("a refused change changed 城东's lead: %+v", r.Lead)
			}
		}},
		scenario{"POST /api/v1/participants/{id}/pledges", func(t *testing.T, f *fixture) {
			rf := rosterOf(t, f)
			refused(t, f, "POST", "/api/v1/participants/"+rf.lead+"/pledges", map[string]any{"title": "越界项目", "kind": "project"}, "城东街道党工委")
		}},
		scenario{"PATCH /api/v1/pledges/{id}", func(t *testing.T, f *fixture) {
			rf := rosterOf(t, f)
			refused(t, f, "PATCH", "/api/v1/pledges/"+rf.pledge, map[string]any{"status": "delivered"}, "联席会议")
		}},
		scenario{"GET /api/v1/volunteer-teams", func(t *testing.T, f *fixture) {
			rf := rosterOf(t, f)
			leftOut(t, f, "/api/v1/volunteer-teams", rf.team, "城东志愿服务队")
			if _, b := raw(t, f.clients["district.leader"], "GET", "/api/v1/volunteer-teams", nil); !strings.Contains(b, rf.team) {
				t.Errorf("the district's leader does not list 城东's team: %.300s", b)
			}
		}},
		scenario{"GET /api/v1/volunteer-teams/{id}/members", func(t *testing.T, f *fixture) {
			rf := rosterOf(t, f)
			refused(t, f, "GET", "/api/v1/volunteer-teams/"+rf.team+"/members", nil, "城东志愿者甲", rf.volunteer)
		}},
		scenario{"POST /api/v1/volunteer-teams/{id}/members", func(t *testing.T, f *fixture) {
			rf := rosterOf(t, f)
			refused(t, f, "POST", "/api/v1/volunteer-teams/"+rf.team+"/members", map[string]any{"name": "越界志愿者"}, "城东志愿者甲")
		}},
		scenario{"GET /api/v1/volunteers/{id}/hours", func(t *testing.T, f *fixture) {
			rf := rosterOf(t, f)
			refused(t, f, "GET", "/api/v1/volunteers/"+rf.volunteer+"/hours", nil, "城东义务巡逻", rf.hours)
		}},
		scenario{"POST /api/v1/volunteers/{id}/hours", func(t *testing.T, f *fixture) {
			rf := rosterOf(t, f)
			today := f.srv.App.Now().Format("2006-01-02")
			refused(t, f, "POST", "/api/v1/volunteers/"+rf.volunteer+"/hours", map[string]any{"day": today, "minutes": 600, "note": "越界登记"}, "城东义务巡逻")
		}},
		scenario{"POST /api/v1/volunteer-hours/{id}/confirm", func(t *testing.T, f *fixture) {
			rf := rosterOf(t, f)
			refused(t, f, "POST", "/api/v1/volunteer-hours/"+rf.hours+"/confirm", nil, "城东义务巡逻")
		}},
	)
}
