package casegen

import (
	"fmt"
	"math/rand"
	"time"

	"github.com/yiwang-gov/yiwang/internal/calendar"
)

// Step is one synthetic event, as the case desk records it: the action, the status after it, who
// took it, and — for a step that ended a stage clock — that stage and its deadline (the "stage"
// and "due" of the event's data, see stampEnded in package cases).
type Step struct {
	Action, Status string
	At             time.Time
	Actor          Actor
	Result, Rating string
	Department     string // dispatch: the lead department
	Stage          string
	Due            *time.Time
}

// Case is one synthetic case and its history, ready to be written (Generate) or computed
// directly (the indicators benchmark).
type Case struct {
	Grid             Grid
	Category         Category
	Channel, Urgency string
	Lat, Lng         float64
	Description      string
	ReportedAt       time.Time
	Status           string
	LeadDepartment   string
	Rating           string
	Reworks          int
	RegisteredAt     *time.Time
	DispatchedAt     *time.Time
	ClosedAt         *time.Time
	HandleDue        *time.Time
	Stage            string     // the clock running now ("" none)
	StageStartedAt   time.Time  // when it started (or the last step)
	StageDue         *time.Time // its deadline (nil: none)
	OverdueStage     string     // the running stage when it is past its deadline
	UpdatedAt        time.Time
	Steps            []Step
}

// limits are the working-time limits of each stage (工作时, on the district's calendar), by
// urgency: the shipped defaults of package category (data/limits.csv, row "*,*"), which follow
// CJ/T 292's 时限 for 一般/紧急/特急 problems. The close stage has no limit there.
var limits = map[string]map[string]calendar.Limit{
	"normal": {"confirm": hours(1), "register": hours(1), "dispatch": hours(1), "sign": hours(2),
		"handle": {Value: 3, Unit: calendar.Days}, "verify": hours(1)},
	"urgent": {"confirm": hours(1), "register": hours(1), "dispatch": hours(1), "sign": hours(1),
		"handle": {Value: 2, Unit: calendar.Days}, "verify": hours(1)},
	"emergency": {"confirm": hours(1), "register": hours(1), "dispatch": hours(1), "sign": hours(1),
		"handle": hours(2), "verify": hours(1)},
}

func hours(n int) calendar.Limit { return calendar.Limit{Value: n, Unit: calendar.Hours} }

// stageOf is the clock that runs in a status (cases.StageOf).
var stageOf = map[string]string{"confirming": "confirm", "reported": "register", "registered": "dispatch",
	"returned": "dispatch", "dispatched": "sign", "handling": "handle", "reported_back": "verify", "verified": "close"}

var (
	channels  = []string{"resident_app", "resident_app", "hotline", "hotline", "patrol", "patrol", "patrol", "open311"}
	urgencies = []string{"normal", "normal", "normal", "normal", "normal", "urgent", "urgent", "emergency"}
	places    = []string{"小区门口", "菜市场旁", "学校附近", "公交站台", "背街小巷", "商业街", "公园入口", "河道边", "十字路口", "社区广场"}
	details   = []string{"影响居民出行", "已持续多日", "夜间尤为严重", "多次反映未解决", "存在安全隐患", "气味难闻", "影响市容", "请尽快处理"}
)

// epoch is the origin of the month index of Quality.
var epoch = time.Date(2020, 1, 1, 0, 0, 0, 0, shanghai)

// monthIndex counts months since epoch, in the district's time zone.
func monthIndex(t time.Time) int {
	l := t.In(shanghai)
	return (l.Year()-epoch.Year())*12 + int(l.Month()) - 1
}

// builder walks one case through the workflow, step by step, stopping at now.
type builder struct {
	w       *World
	rng     *rand.Rand
	c       *Case
	now     time.Time
	at      time.Time // when the last step was taken
	stopped bool      // the next step would lie after now: the case stands where it is
	limits  map[string]calendar.Limit
}

// Case draws one case reported at reported, and its history up to now, in the world. Units
// with a better Quality in the report's month take their steps in time more often, rework less
// and leave residents more satisfied; everything else is drawn from rng.
func (w *World) Case(rng *rand.Rand, reported, now time.Time) Case {
	g := w.Grids[rng.Intn(len(w.Grids))]
	cat := w.Categories[rng.Intn(len(w.Categories))]
	c := &Case{Grid: g, Category: cat, Channel: channels[rng.Intn(len(channels))], Urgency: urgencies[rng.Intn(len(urgencies))],
		ReportedAt: reported.Truncate(time.Second)}
	c.UpdatedAt = c.ReportedAt
	c.Lat = g.Lat + (rng.Float64()*2-1)*g.DLat
	c.Lng = g.Lng + (rng.Float64()*2-1)*g.DLng
	c.Description = fmt.Sprintf("%s%s%s，%s", g.CommunityName, places[rng.Intn(len(places))], cat.Name, details[rng.Intn(len(details))])
	b := &builder{w: w, rng: rng, c: c, now: now, at: c.ReportedAt, limits: limits[c.Urgency]}
	b.run()
	return *c
}

// quality of the area (grid, its subdistrict and zone) and of a department in the report's month.
func (b *builder) quality(dept string) (area, department float64) {
	m := monthIndex(b.c.ReportedAt)
	g := b.c.Grid
	area = 0.6*b.w.Quality(g.Subdistrict, m) + 0.2*b.w.Quality(g.Zone, m) + 0.2*b.w.Quality(g.Code, m)
	return area, b.w.Quality(dept, m)
}

func (b *builder) run() {
	c, rng, w := b.c, b.rng, b.w
	g := c.Grid
	qa, _ := b.quality("")
	n := uint64(rng.Int63())
	worker := w.pick(n, "grid_worker", g.Community, g.Subdistrict)
	desk := w.pick(n>>8, "shift_lead", g.Subdistrict)
	dispatcher := w.pick(n>>16, "dispatcher", g.Subdistrict)
	public := c.Channel != "patrol"
	reporter := worker
	if public {
		reporter = Actor{Name: "居民", Role: "resident"}
		if c.Channel == "hotline" {
			reporter = w.pick(n>>24, "intake_operator", g.Subdistrict)
		}
	}
	// Public reports are checked on site first in about half the cases (核实, CJ/T 292).
	first := "reported"
	if public && rng.Float64() < 0.5 {
		first = "confirming"
	}
	c.Status = first
	c.Steps = append(c.Steps, Step{Action: "report", Status: first, At: c.ReportedAt, Actor: reporter})
	b.startStage(c.ReportedAt)
	if first == "confirming" {
		if rng.Float64() < 0.06 {
			b.step("confirm", "reported", worker, qa, func(s *Step) { s.Result = "fail" })
			b.step("void", "voided", desk, qa, nil)
			return
		}
		b.step("confirm", "reported", worker, qa, func(s *Step) { s.Result = "pass" })
	}
	if rng.Float64() < 0.04 {
		b.step("void", "voided", desk, qa, nil)
		return
	}
	b.step("register", "registered", desk, qa, nil)
	if !b.stopped {
		t := b.at
		c.RegisteredAt = &t
	}
	dept := w.Departments[rng.Intn(len(w.Departments))]
	_, qd := b.quality(dept)
	b.dispatch(dispatcher, dept, qa)
	// A department sends back a case that is not theirs (退回) now and then — less often where
	// dispatching is good; the dispatcher sends it on to another one.
	if rng.Float64() < 0.08*(1.3-qa) {
		officer := w.pick(uint64(rng.Int63()), "department_staff", c.LeadDepartment)
		b.step("return", "returned", officer, qd, nil)
		dept = w.Departments[rng.Intn(len(w.Departments))]
		_, qd = b.quality(dept)
		b.dispatch(dispatcher, dept, qa)
	}
	officer := w.pick(uint64(rng.Int63()), "department_staff", dept)
	b.step("sign", "handling", officer, qd, nil)
	if b.stopped {
		return
	}
	b.handleDue()
	r := rng.Float64()
	switch {
	case r < 0.012:
		b.step("shelve", "shelved", desk, qd, nil)
		return
	case r < 0.025:
		b.step("defer", "deferred", desk, qd, nil)
		return
	case r < 0.025+0.12*(1.2-qd):
		// 延期: the department asks for more time and the dispatcher grants it; the handling
		// clock gets the limit again from its start.
		b.plain("request_extension", officer, 0.2)
		b.plain("approve_extension", dispatcher, 0.2)
		if !b.stopped {
			due := w.Calendar.Deadline(*c.StageDue, b.limits["handle"])
			c.StageDue, c.HandleDue = &due, &due
		}
	}
	for round := 0; ; round++ {
		if round == 0 && rng.Float64() < 0.04*(1.3-qa) {
			// A leader presses a slow case (督办).
			b.plain("supervise", w.pick(0, "leader", g.Subdistrict), 0.5)
		}
		b.step("report_back", "reported_back", officer, qd, nil)
		// 核查 fails more often after a weaker department's work: the case goes back (返工).
		if round < 2 && rng.Float64() < 0.18*(1.15-qd) {
			b.step("verify", "handling", worker, qa, func(s *Step) { s.Result = "fail" })
			if !b.stopped {
				c.Reworks++
				b.handleDue()
			}
			continue
		}
		b.step("verify", "verified", worker, qa, func(s *Step) { s.Result = "pass" })
		break
	}
	b.step("close", "closed", desk, qa, nil)
	if b.stopped {
		return
	}
	t := b.at
	c.ClosedAt = &t
	// Residents rate most public cases; the better the work, the more are satisfied.
	if public && rng.Float64() < 0.7 {
		q := (qa + 2*qd) / 3
		rating := "satisfied"
		switch x := rng.Float64(); {
		case x > 0.55+0.45*q:
			rating = "unsatisfied"
		case x > 0.35+0.55*q:
			rating = "mostly"
		}
		rater := Actor{Name: "居民", Role: "resident"}
		b.plain("rate", rater, 2)
		if !b.stopped {
			c.Steps[len(c.Steps)-1].Rating = rating
			c.Rating = rating
		}
	}
}

// dispatch sends the case to dept.
func (b *builder) dispatch(dispatcher Actor, dept string, q float64) {
	b.step("dispatch", "dispatched", dispatcher, q, func(s *Step) { s.Department = dept })
	if !b.stopped {
		b.c.LeadDepartment = dept
		if b.c.DispatchedAt == nil {
			t := b.at
			b.c.DispatchedAt = &t
		}
	}
}

// startStage starts the clock of the case's status at t.
func (b *builder) startStage(t time.Time) {
	c := b.c
	c.Stage, c.StageStartedAt, c.StageDue = stageOf[c.Status], t, nil
	if l, ok := b.limits[c.Stage]; ok {
		due := b.w.Calendar.Deadline(t, l)
		c.StageDue = &due
	}
}

// handleDue records the running handle clock's deadline as the case's handling deadline.
func (b *builder) handleDue() {
	if b.c.StageDue != nil {
		d := *b.c.StageDue
		b.c.HandleDue = &d
	}
}

// step takes an action that moves the case to status, ending the running stage clock: in time
// (somewhere before its deadline) the more often the better q is, late otherwise. A step that would fall
// after now is not taken, and every later one neither.
func (b *builder) step(action, status string, actor Actor, q float64, fill func(*Step)) {
	if b.stopped {
		return
	}
	c, rng := b.c, b.rng
	var at time.Time
	if c.StageDue != nil {
		window := c.StageDue.Sub(c.StageStartedAt)
		// A unit of quality q is late on a third of the steps 1 − q says: a case passes four
		// or five clocks, and 按期结案率 of 60–95 % is what districts report.
		if rng.Float64() < 1-(1-q)/3 {
			at = c.StageStartedAt.Add(time.Duration((0.1 + 0.85*rng.Float64()) * float64(window)))
		} else {
			at = c.StageDue.Add(time.Duration((0.05 + rng.Float64()) * float64(window)))
		}
	} else {
		at = b.at.Add(time.Duration(10+rng.Intn(240)) * time.Minute)
	}
	if at.Before(b.at) {
		at = b.at.Add(time.Minute)
	}
	at = at.Truncate(time.Second)
	if at.After(b.now) {
		b.stop()
		return
	}
	s := Step{Action: action, Status: status, At: at, Actor: actor, Stage: c.Stage, Due: c.StageDue}
	if fill != nil {
		fill(&s)
	}
	c.Steps = append(c.Steps, s)
	c.Status, b.at, c.UpdatedAt = status, at, at
	b.startStage(at)
}

// plain takes an action that leaves the status (and its clock) as they are, within about
// hoursAfter hours of the last step.
func (b *builder) plain(action string, actor Actor, hoursAfter float64) {
	if b.stopped {
		return
	}
	at := b.at.Add(time.Duration((0.2 + b.rng.Float64()) * hoursAfter * float64(time.Hour))).Truncate(time.Second)
	if at.After(b.now) {
		b.stop()
		return
	}
	b.c.Steps = append(b.c.Steps, Step{Action: action, Status: b.c.Status, At: at, Actor: actor})
	b.at, b.c.UpdatedAt = at, at
}

// stop leaves the case where it stands at now: its clock runs, overdue when past its deadline.
func (b *builder) stop() {
	b.stopped = true
	c := b.c
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = b.at
	}
	if c.StageDue != nil && b.now.After(*c.StageDue) {
		c.OverdueStage = c.Stage
	}
}
