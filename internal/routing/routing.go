// Package routing picks the department a case is dispatched to (派遣): an ordered list of rules,
// each matching a category (a minor, a major or any), an area (an org node and everything below it),
// an urgency and a time window (working time or off-hours), and naming a lead department with any
// assisting ones. The first active matching rule wins, by priority then ID; when none matches the
// dispatcher chooses by hand.
//
// Matching is a pure function over a []Rule (Decide); the Service keeps the rules in the database,
// caches them, and follows changes made by any node sharing the database.
package routing

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/category"
	"github.com/yiwang-gov/yiwang/internal/grid"
)

// TimeWindow says when a rule applies.
type TimeWindow string

const (
	AnyTime  TimeWindow = "any"
	Working  TimeWindow = "working"   // within working hours of the work calendar
	OffHours TimeWindow = "off_hours" // nights, weekends and holidays
)

// Valid reports whether w is a known window.
func (w TimeWindow) Valid() bool { return w == AnyTime || w == Working || w == OffHours }

// Rule is one routing rule.
type Rule struct {
	ID       string `json:"id"`
	Priority int    `json:"priority"` // lower first; ties go to the lower ID
	Name     string `json:"name"`
	// CategoryClass is "component", "event" or empty for either.
	CategoryClass category.Class `json:"category_class"`
	// CategoryCode is a 5-digit minor code, a 2-digit major code, or empty for any category.
	CategoryCode string `json:"category_code"`
	// OrgCode is a district, subdistrict or community code: the rule matches cases located below
	// it. Empty: anywhere.
	OrgCode        string           `json:"org_code"`
	Urgency        category.Urgency `json:"urgency"` // empty: any urgency
	TimeWindow     TimeWindow       `json:"time_window"`
	DepartmentCode string           `json:"department_code"` // the lead department
	Assisting      []string         `json:"assisting"`       // assisting departments (协办)
	Active         bool             `json:"active"`
}

// Input describes the case to route.
type Input struct {
	CategoryClass category.Class
	CategoryCode  string
	// OrgPath is the materialised path of where the case is ("/350503/350503001/350503001001/…/").
	OrgPath string
	Urgency category.Urgency
	At      time.Time
	// Working says whether At falls within working time (the caller asks the work calendar).
	Working bool
}

// GridPath is the org path of a located grid: district / subdistrict / community / grid. The
// district code is the first 6 digits of the subdistrict's (GB/T 2260 + 3, as org files require).
func GridPath(loc grid.Summary) string {
	if len(loc.SubdistrictCode) < 6 || loc.CommunityCode == "" || loc.Code == "" {
		return ""
	}
	return "/" + loc.SubdistrictCode[:6] + "/" + loc.SubdistrictCode + "/" + loc.CommunityCode + "/" + loc.Code + "/"
}

// Decision is the outcome of a matching rule.
type Decision struct {
	Lead      string   `json:"lead"`
	Assisting []string `json:"assisting"`
	RuleID    string   `json:"rule_id"`
	RuleName  string   `json:"rule_name"`
}

// Matches reports whether the rule applies to the case.
func (r Rule) Matches(in Input) bool { return r.Mismatch(in) == "" }

// Mismatch names the first condition of the rule the case does not meet, in the order they are
// checked: "active" (the rule is switched off), "category_class", "category_code", "org_code",
// "urgency" or "time_window"; "" when the rule applies.
func (r Rule) Mismatch(in Input) string {
	if !r.Active {
		return "active"
	}
	if r.CategoryClass != "" && r.CategoryClass != in.CategoryClass {
		return "category_class"
	}
	switch len(r.CategoryCode) {
	case 0:
	case 2: // a major: the first two digits of a minor code (GB/T 47678.5)
		if len(in.CategoryCode) != 5 || !strings.HasPrefix(in.CategoryCode, r.CategoryCode) {
			return "category_code"
		}
	default:
		if r.CategoryCode != in.CategoryCode {
			return "category_code"
		}
	}
	if r.OrgCode != "" && !strings.Contains(in.OrgPath, "/"+r.OrgCode+"/") {
		return "org_code"
	}
	if r.Urgency != "" && r.Urgency != in.Urgency {
		return "urgency"
	}
	if (r.TimeWindow == Working && !in.Working) || (r.TimeWindow == OffHours && in.Working) {
		return "time_window"
	}
	return ""
}

// Trial is how one rule fared in Explain.
type Trial struct {
	RuleID   string `json:"rule_id"`
	RuleName string `json:"rule_name"`
	Priority int    `json:"priority"`
	// Outcome is "no_match" (Failed names the condition not met), "winner", or "not_reached"
	// (a rule after the winner).
	Outcome string `json:"outcome"`
	Failed  string `json:"failed,omitempty"`
}

// Explain tries the rules in Decide's order and says, for each, why it did not match, which one
// won and which were not reached. Its winner is always Decide's.
func Explain(rules []Rule, in Input) []Trial {
	sorted := slices.Clone(rules)
	Sort(sorted)
	out := make([]Trial, len(sorted))
	won := false
	for i, r := range sorted {
		t := Trial{RuleID: r.ID, RuleName: r.Name, Priority: r.Priority}
		switch failed := r.Mismatch(in); {
		case won:
			t.Outcome = "not_reached"
		case failed != "":
			t.Outcome, t.Failed = "no_match", failed
		default:
			t.Outcome, won = "winner", true
		}
		out[i] = t
	}
	return out
}

// before reports whether a is tried before b.
func before(a, b Rule) bool {
	if a.Priority != b.Priority {
		return a.Priority < b.Priority
	}
	return a.ID < b.ID
}

// Decide returns the decision of the first active rule (by priority, then ID) matching in.
func Decide(rules []Rule, in Input) (Decision, bool) {
	best := -1
	for i, r := range rules {
		if r.Matches(in) && (best < 0 || before(r, rules[best])) {
			best = i
		}
	}
	if best < 0 {
		return Decision{}, false
	}
	r := rules[best]
	assisting := slices.Clone(r.Assisting)
	if assisting == nil {
		assisting = []string{}
	}
	return Decision{Lead: r.DepartmentCode, Assisting: assisting, RuleID: r.ID, RuleName: r.Name}, true
}

// Sort orders rules as Decide tries them.
func Sort(rules []Rule) {
	slices.SortStableFunc(rules, func(a, b Rule) int {
		switch {
		case before(a, b):
			return -1
		case before(b, a):
			return 1
		}
		return 0
	})
}

// Problem is one thing wrong with a rule of a list. Rule is the 1-based position in the list; Key a
// message key under "routing.problem."; Args its arguments.
type Problem struct {
	Rule  int    `json:"rule"`
	Field string `json:"field,omitempty"`
	Key   string `json:"key"`
	Args  []any  `json:"args,omitempty"`
}

// Known is what a rule list is checked against.
type Known struct {
	Departments map[string]bool       // department codes
	OrgNodes    map[string]bool       // district, subdistrict and community codes
	Categories  map[category.Key]bool // (class, 5-digit code)
	Majors      map[category.Key]bool // (class, 2-digit code)
}

// Limits of a rule list.
const (
	MaxRules     = 1000
	MaxAssisting = 10
	maxName      = 100
)

var ruleID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Normalize trims a rule's text fields and gives an empty time window its default, "any".
func (r *Rule) Normalize() {
	r.ID = strings.TrimSpace(r.ID)
	r.Name = strings.TrimSpace(r.Name)
	r.CategoryClass = category.Class(strings.TrimSpace(string(r.CategoryClass)))
	r.CategoryCode = strings.TrimSpace(r.CategoryCode)
	r.OrgCode = strings.TrimSpace(r.OrgCode)
	r.Urgency = category.Urgency(strings.TrimSpace(string(r.Urgency)))
	r.TimeWindow = TimeWindow(strings.TrimSpace(string(r.TimeWindow)))
	if r.TimeWindow == "" {
		r.TimeWindow = AnyTime
	}
	r.DepartmentCode = strings.TrimSpace(r.DepartmentCode)
	for i := range r.Assisting {
		r.Assisting[i] = strings.TrimSpace(r.Assisting[i])
	}
	if r.Assisting == nil {
		r.Assisting = []string{}
	}
}

// Check returns every problem of a normalised rule list (nil when it may be saved). Rules without
// an ID are fine: the store gives them one.
func Check(rules []Rule, k Known) []Problem {
	var out []Problem
	if len(rules) > MaxRules {
		return []Problem{{Key: "too_many_rules", Args: []any{MaxRules}}}
	}
	ids := map[string]int{}
	for i, r := range rules {
		n := i + 1
		bad := func(field, key string, args ...any) {
			out = append(out, Problem{Rule: n, Field: field, Key: key, Args: args})
		}
		if r.ID != "" {
			if !ruleID.MatchString(r.ID) {
				bad("id", "bad_id", r.ID)
			} else if first, dup := ids[r.ID]; dup {
				bad("id", "duplicate_id", r.ID, first)
			} else {
				ids[r.ID] = n
			}
		}
		switch {
		case r.Name == "":
			bad("name", "required")
		case len([]rune(r.Name)) > maxName:
			bad("name", "too_long", maxName)
		}
		if r.Priority < 0 || r.Priority > 1_000_000 {
			bad("priority", "bad_priority")
		}
		if r.CategoryClass != "" && !r.CategoryClass.Valid() {
			bad("category_class", "bad_class", string(r.CategoryClass))
		}
		checkCategory(r, k, bad)
		if r.OrgCode != "" && !k.OrgNodes[r.OrgCode] {
			if k.Departments[r.OrgCode] {
				bad("org_code", "org_is_department", r.OrgCode)
			} else {
				bad("org_code", "unknown_org", r.OrgCode)
			}
		}
		if r.Urgency != "" && !r.Urgency.Valid() {
			bad("urgency", "bad_urgency", string(r.Urgency))
		}
		if !r.TimeWindow.Valid() {
			bad("time_window", "bad_time_window", string(r.TimeWindow))
		}
		switch {
		case r.DepartmentCode == "":
			bad("department_code", "required")
		case !k.Departments[r.DepartmentCode]:
			bad("department_code", "unknown_department", r.DepartmentCode)
		}
		if len(r.Assisting) > MaxAssisting {
			bad("assisting", "too_many_assisting", MaxAssisting)
		}
		seen := map[string]bool{}
		for _, a := range r.Assisting {
			switch {
			case !k.Departments[a]:
				bad("assisting", "unknown_department", a)
			case a == r.DepartmentCode:
				bad("assisting", "assisting_is_lead", a)
			case seen[a]:
				bad("assisting", "duplicate_assisting", a)
			}
			seen[a] = true
		}
	}
	return out
}

func checkCategory(r Rule, k Known, bad func(field, key string, args ...any)) {
	code := r.CategoryCode
	if code == "" {
		return
	}
	known := k.Categories
	if len(code) == 2 {
		known = k.Majors
	}
	if !(category.ValidCode(code) || category.ValidMajorCode(code)) {
		bad("category_code", "bad_code", code)
		return
	}
	classes := []category.Class{category.Event, category.Component}
	if r.CategoryClass.Valid() {
		classes = []category.Class{r.CategoryClass}
	}
	for _, c := range classes {
		if known[category.Key{Class: c, Code: code}] {
			return
		}
	}
	bad("category_code", "unknown_category", code)
}
