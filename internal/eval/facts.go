package eval

import (
	"slices"
	"strings"
	"time"
)

// Level is a kind of unit the indicators are counted for.
type Level string

const (
	LevelGrid        Level = "grid"
	LevelCommunity   Level = "community"
	LevelZone        Level = "zone"
	LevelSubdistrict Level = "subdistrict"
	LevelDistrict    Level = "district"
	LevelDepartment  Level = "department"
	LevelPerson      Level = "person"
)

// Levels lists the levels in the order of the API's documentation.
var Levels = []Level{LevelGrid, LevelCommunity, LevelZone, LevelSubdistrict, LevelDistrict, LevelDepartment, LevelPerson}

// Zone is the district's time zone: a period's days are its dates (from and to are inclusive
// dates "in the district's time zone").
var Zone = time.FixedZone("CST", 8*3600)

// Event is one recorded step of a case, as facts reads it.
type Event struct {
	Action  string
	At      time.Time
	ActorID string
	Actor   string // the actor's name when the step was taken
	Role    string
	OrgCode string
	Result  string // confirm, verify: pass | fail
	Rating  string // rate
	Status  string // the case's status after the step
	// Stage and Due are the clock the step ended and its limit (absent: no clock ran, or it was
	// not ended by this step). Recorded by the case desk with the step.
	Stage string
	Due   *time.Time
}

// History is what facts needs of one case: where and when it was reported, where it stands, and
// its steps in order.
type History struct {
	ID              string
	Channel         string
	ReportedAt      time.Time
	Status          string
	GridCode        string
	CommunityCode   string
	SubdistrictCode string
	ZoneCode        string
	DistrictCode    string
	LeadDepartment  string
	MergedInto      string
	// RunningStage is the stage whose clock runs now and OverdueStage the stage the SLA scan
	// found past its limit (equal: the running stage is overdue).
	RunningStage string
	OverdueStage string
	Events       []Event
}

// Unit is one unit a case counts for.
type Unit struct {
	Level Level  `json:"l"`
	Code  string `json:"u"`
}

// Person is a member of staff a case counts for, with the counts of the steps they took.
type Person struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Role    string `json:"role"`
	OrgCode string `json:"org"`
	Counts  Counts `json:"c"`
}

// Facts is what one case adds to the indicators: its counts, to each of its units on its day, and
// each person's share.
type Facts struct {
	// Day is the date (district time) the case was reported: the period a case belongs to. A case
	// that crosses a period end stays in the period of its report, and what happens to it later
	// (closure, rating, rework) updates that period's figures.
	Day    string
	Units  []Unit
	Counts Counts
	People []Person
}

// staffRoles are the roles whose members are ranked as persons (the 岗位 of GB/T 30428.4).
var staffRoles = []string{"grid_worker", "intake_operator", "shift_lead", "dispatcher", "department_staff"}

// credit says which counts a person is credited with for taking a step: a grid worker who
// confirmed a report answers for its on-time confirmation, a department's officer for its
// handling, and so on (the 岗位 objects of CJ/T 292: 监督员, 受理员, 值班长, 派遣员, and the
// department's staff).
var credit = map[string][]Count{
	"report":      {Reports, ValidReports},
	"confirm":     {ShouldConfirm, ConfirmedOnTime},
	"register":    {Registered, VoidedAfterRegistration},
	"void":        {Voided},
	"dispatch":    {ShouldDispatch, DispatchedOnTime, Returned},
	"sign":        {RespondedOnTime},
	"report_back": {ShouldHandle, Handled, HandledOnTime, Reworked, Reworks, Extended},
	"verify":      {ShouldVerify, VerifiedOnTime},
	"close":       {ShouldClose, Closed, ClosedOnTime, Resolved},
}

// onTime reports whether a step that ended a clock did so within its limit (no limit: on time).
func onTime(e Event) bool { return e.Due == nil || !e.At.After(*e.Due) }

// Compute derives what one case adds to the indicators. It is a pure function of the case's
// history: recomputing it after every change and replacing what the case added before keeps the
// aggregates exact, however the case moved.
func Compute(h History) Facts {
	var c Counts
	f := Facts{Day: h.ReportedAt.In(Zone).Format(time.DateOnly)}
	has := func(action string) bool {
		return slices.ContainsFunc(h.Events, func(e Event) bool { return e.Action == action })
	}
	first := func(action string) (Event, bool) {
		for _, e := range h.Events {
			if e.Action == action {
				return e, true
			}
		}
		return Event{}, false
	}
	// every reports whether each step of action ended its clock in time (and there was one).
	every := func(action string) bool {
		n := 0
		for _, e := range h.Events {
			if e.Action == action {
				n++
				if !onTime(e) {
					return false
				}
			}
		}
		return n > 0
	}
	set := func(k Count, ok bool) {
		if ok {
			c[k] = 1
		}
	}
	status := h.Status
	registered := has("register")
	confirmFailed := slices.ContainsFunc(h.Events, func(e Event) bool { return e.Action == "confirm" && e.Result == "fail" })
	merged := status == "merged" || h.MergedInto != ""
	voided := status == "voided"
	dispatched := has("dispatch")
	lastRating := ""
	for _, e := range h.Events {
		if e.Action == "rate" {
			lastRating = e.Rating
		}
	}
	rated := lastRating != "" && status == "closed"

	c[Reports] = 1
	set(ValidReports, !merged && !confirmFailed && !(voided && !registered))
	set(Registered, registered)
	set(Voided, voided)
	set(VoidedAfterRegistration, voided && registered)
	// A duplicate merged before anyone went to look was never due for a confirmation of its own.
	if len(h.Events) > 0 && h.Events[0].Action == "report" && h.Events[0].Status == "confirming" && !merged {
		c[ShouldConfirm] = 1
		set(ConfirmedOnTime, every("confirm"))
	}
	// 应派遣: registered and then dispatched, or still waiting for it; a case voided, merged or
	// parked (缓办/挂账) before any dispatch was never due for one.
	waiting := !dispatched && (status == "registered" || status == "returned")
	set(ShouldDispatch, registered && (dispatched || waiting))
	if e, ok := first("dispatch"); ok {
		set(DispatchedOnTime, onTime(e))
	}
	set(Returned, has("return"))
	set(ShouldHandle, dispatched && status != "deferred")
	if e, ok := first("sign"); ok {
		set(RespondedOnTime, onTime(e) && status != "deferred")
	}
	set(Handled, has("report_back") && status != "deferred")
	set(HandledOnTime, every("report_back") && status != "deferred")
	for _, e := range h.Events {
		// A failed check sends the case back to the department (verify fail), as the desk's rework does.
		if e.Action == "rework" || (e.Action == "verify" && e.Result == "fail") {
			c[Reworks]++
		}
	}
	set(Reworked, c[Reworks] > 0)
	set(ShouldVerify, has("report_back"))
	set(VerifiedOnTime, every("verify"))
	shouldClose := registered && !voided && !merged && status != "deferred"
	set(ShouldClose, shouldClose)
	closed := status == "closed"
	set(Closed, closed)
	// 按期结案: every clock that ran from registration to closure stopped within its limit.
	lateStage := false
	for _, e := range h.Events {
		if e.Stage != "" && e.Stage != "confirm" && e.Stage != "register" && !onTime(e) {
			lateStage = true
		}
	}
	set(ClosedOnTime, closed && shouldClose && !lateStage)
	set(Resolved, closed && shouldClose && lastRating != "unsatisfied")
	set(Extended, has("approve_extension"))
	set(Deferred, has("defer"))
	set(Shelved, has("shelve"))
	set(Supervised, has("supervise"))
	anyLate := slices.ContainsFunc(h.Events, func(e Event) bool { return e.Stage != "" && !onTime(e) })
	runningLate := h.RunningStage != "" && h.OverdueStage == h.RunningStage
	set(Overdue, shouldClose && (anyLate || runningLate))
	if rated {
		c[Rated] = 1
		set(RatedSatisfied, lastRating == "satisfied")
		set(RatedMostly, lastRating == "mostly")
		set(RatedUnsatisfied, lastRating == "unsatisfied")
	}
	f.Counts = c

	for _, u := range []Unit{{LevelGrid, h.GridCode}, {LevelCommunity, h.CommunityCode}, {LevelZone, h.ZoneCode},
		{LevelSubdistrict, h.SubdistrictCode}, {LevelDistrict, h.DistrictCode}, {LevelDepartment, h.LeadDepartment}} {
		if u.Code != "" {
			f.Units = append(f.Units, u)
		}
	}
	f.People = people(h, c)
	return f
}

// people credits each member of staff who took a step with the counts of that step (each count
// once per case, however many steps of one kind they took).
func people(h History, c Counts) []Person {
	var out []Person
	idx := map[string]int{}
	for _, e := range h.Events {
		counts, ok := credit[e.Action]
		if !ok || e.ActorID == "" || !slices.Contains(staffRoles, e.Role) {
			continue
		}
		i, seen := idx[e.ActorID]
		if !seen {
			i = len(out)
			idx[e.ActorID] = i
			out = append(out, Person{ID: e.ActorID, Name: e.Actor, Role: e.Role, OrgCode: e.OrgCode})
		}
		for _, k := range counts {
			out[i].Counts[k] = c[k]
		}
	}
	return out
}

// DistrictOf is the district code of a materialised org path ("/350503/350503001/…" → "350503").
func DistrictOf(path string) string {
	p := strings.TrimPrefix(path, "/")
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return p
}
