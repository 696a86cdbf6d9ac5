package routing

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/category"
	"github.com/yiwang-gov/yiwang/internal/grid"
)

const (
	donghaiGrid   = "/350503/350503001/350503001001/350503001001001/"
	chengdongGrid = "/350503/350503002/350503002001/350503002001001/"
)

func input(class category.Class, code, path string, urgency category.Urgency, working bool) Input {
	return Input{CategoryClass: class, CategoryCode: code, OrgPath: path, Urgency: urgency, Working: working,
		At: time.Date(2026, 7, 1, 22, 0, 0, 0, time.UTC)}
}

// TestMatches checks each condition of a rule on its own, both ways.
func TestMatches(t *testing.T) {
	anyRule := Rule{Active: true, TimeWindow: AnyTime, DepartmentCode: "D01"}
	with := func(change func(*Rule)) Rule {
		r := anyRule
		change(&r)
		return r
	}
	base := input(category.Event, "06028", donghaiGrid, category.Normal, true)
	in := func(change func(*Input)) Input {
		i := base
		change(&i)
		return i
	}
	cases := []struct {
		name string
		rule Rule
		in   Input
		want bool
	}{
		{"catch-all matches anything", anyRule, base, true},
		{"catch-all matches a case without a place", anyRule, in(func(i *Input) { i.OrgPath = "" }), true},
		{"inactive never matches", with(func(r *Rule) { r.Active = false }), base, false},
		{"empty time window means any", with(func(r *Rule) { r.TimeWindow = "" }), base, true},

		{"class event matches event", with(func(r *Rule) { r.CategoryClass = category.Event }), base, true},
		{"class component refuses event", with(func(r *Rule) { r.CategoryClass = category.Component }), base, false},
		{"no class matches a component", anyRule, in(func(i *Input) { i.CategoryClass = category.Component }), true},

		{"minor matches itself", with(func(r *Rule) { r.CategoryCode = "06028" }), base, true},
		{"minor refuses another minor", with(func(r *Rule) { r.CategoryCode = "06027" }), base, false},
		{"major matches its minor", with(func(r *Rule) { r.CategoryCode = "06" }), base, true},
		{"major refuses another major", with(func(r *Rule) { r.CategoryCode = "07" }), base, false},
		{"major does not match the minor's middle digits", with(func(r *Rule) { r.CategoryCode = "60" }), base, false},
		{"major refuses a case without a category", with(func(r *Rule) { r.CategoryCode = "06" }), in(func(i *Input) { i.CategoryCode = "" }), false},
		{"major with class, other class", with(func(r *Rule) { r.CategoryCode, r.CategoryClass = "01", category.Component }),
			in(func(i *Input) { i.CategoryCode = "01001" }), false},
		{"major without class, both classes", with(func(r *Rule) { r.CategoryCode = "01" }),
			in(func(i *Input) { i.CategoryCode, i.CategoryClass = "01001", category.Component }), true},

		{"district matches a grid below it", with(func(r *Rule) { r.OrgCode = "350503" }), base, true},
		{"subdistrict matches a grid below it", with(func(r *Rule) { r.OrgCode = "350503001" }), base, true},
		{"community matches a grid below it", with(func(r *Rule) { r.OrgCode = "350503001001" }), base, true},
		{"grid code itself matches", with(func(r *Rule) { r.OrgCode = "350503001001001" }), base, true},
		{"other subdistrict refuses", with(func(r *Rule) { r.OrgCode = "350503002" }), base, false},
		{"a code prefix is not an ancestor", with(func(r *Rule) { r.OrgCode = "35050300" }), base, false},
		{"area rule refuses a case without a place", with(func(r *Rule) { r.OrgCode = "350503" }), in(func(i *Input) { i.OrgPath = "" }), false},
		{"subdistrict placed at the subdistrict itself", with(func(r *Rule) { r.OrgCode = "350503001" }),
			in(func(i *Input) { i.OrgPath = "/350503/350503001/" }), true},

		{"urgency matches", with(func(r *Rule) { r.Urgency = category.Normal }), base, true},
		{"urgency refuses another", with(func(r *Rule) { r.Urgency = category.Emergency }), base, false},

		{"working rule, working time", with(func(r *Rule) { r.TimeWindow = Working }), base, true},
		{"working rule, off hours", with(func(r *Rule) { r.TimeWindow = Working }), in(func(i *Input) { i.Working = false }), false},
		{"off-hours rule, off hours", with(func(r *Rule) { r.TimeWindow = OffHours }), in(func(i *Input) { i.Working = false }), true},
		{"off-hours rule, working time", with(func(r *Rule) { r.TimeWindow = OffHours }), base, false},
		{"any-time rule, off hours", anyRule, in(func(i *Input) { i.Working = false }), true},

		{"all conditions", Rule{Active: true, CategoryClass: category.Event, CategoryCode: "06028", OrgCode: "350503001",
			Urgency: category.Normal, TimeWindow: OffHours}, in(func(i *Input) { i.Working = false }), true},
		{"all conditions but one", Rule{Active: true, CategoryClass: category.Event, CategoryCode: "06028", OrgCode: "350503001",
			Urgency: category.Normal, TimeWindow: OffHours}, in(func(i *Input) { i.Working = false; i.OrgPath = chengdongGrid }), false},
	}
	for _, tc := range cases {
		if got := tc.rule.Matches(tc.in); got != tc.want {
			t.Errorf("%s: got %v want %v", tc.name, got, tc.want)
		}
	}
}

func TestDecide(t *testing.T) {
	rules := []Rule{
		{ID: "z-catch-all", Priority: 10000, Name: "catch-all", DepartmentCode: "D01", Active: true, TimeWindow: AnyTime},
		{ID: "noise", Priority: 41, Name: "noise", CategoryClass: category.Event, CategoryCode: "06028", DepartmentCode: "D04", Active: true},
		{ID: "noise-night", Priority: 10, Name: "noise at night in Donghai", CategoryClass: category.Event, CategoryCode: "06028",
			OrgCode: "350503001", TimeWindow: OffHours, DepartmentCode: "D11", Assisting: []string{"D04"}, Active: true},
		{ID: "garbage", Priority: 30, Name: "garbage", CategoryCode: "06010", DepartmentCode: "D17", Active: true},
		{ID: "city", Priority: 100, Name: "city appearance", CategoryClass: category.Event, CategoryCode: "06", DepartmentCode: "D01", Active: true},
		{ID: "b-tie", Priority: 50, Name: "tie b", CategoryCode: "08", DepartmentCode: "D02", Active: true},
		{ID: "a-tie", Priority: 50, Name: "tie a", CategoryCode: "08", DepartmentCode: "D03", Active: true},
		{ID: "emergency-off", Priority: 1, Name: "switched off", DepartmentCode: "D99", Active: false},
		{ID: "emergency-only", Priority: 5, Name: "emergencies in Chengdong", OrgCode: "350503002", Urgency: category.Emergency,
			DepartmentCode: "D15", Active: true},
	}
	cases := []struct {
		name string
		in   Input
		want string // rule ID, "" for no match
	}{
		{"noise in Donghai at night: area × time rule", input(category.Event, "06028", donghaiGrid, category.Normal, false), "noise-night"},
		{"noise in Donghai by day: the general noise rule", input(category.Event, "06028", donghaiGrid, category.Normal, true), "noise"},
		{"noise in Chengdong at night: the general noise rule", input(category.Event, "06028", chengdongGrid, category.Normal, false), "noise"},
		{"garbage: minor rule before its major", input(category.Event, "06010", donghaiGrid, category.Normal, true), "garbage"},
		{"other 06: the major rule", input(category.Event, "06001", donghaiGrid, category.Normal, true), "city"},
		{"equal priority: the lower ID", input(category.Event, "08016", donghaiGrid, category.Normal, true), "a-tie"},
		{"emergency in Chengdong: priority 5 beats the rest", input(category.Event, "06010", chengdongGrid, category.Emergency, true), "emergency-only"},
		{"emergency in Donghai: not that rule", input(category.Event, "06010", donghaiGrid, category.Emergency, true), "garbage"},
		{"component: catch-all", input(category.Component, "04002", donghaiGrid, category.Normal, true), "z-catch-all"},
	}
	for _, tc := range cases {
		d, ok := Decide(rules, tc.in)
		if d.RuleID != tc.want || ok != (tc.want != "") {
			t.Errorf("%s: rule %q (%v), want %q", tc.name, d.RuleID, ok, tc.want)
		}
	}
	d, _ := Decide(rules, input(category.Event, "06028", donghaiGrid, category.Normal, false))
	if d.Lead != "D11" || !slices.Equal(d.Assisting, []string{"D04"}) || d.RuleName != "noise at night in Donghai" {
		t.Errorf("decision: %+v", d)
	}
	d.Assisting[0] = "changed"
	if rules[2].Assisting[0] != "D04" {
		t.Error("a decision shares its assisting list with the rule")
	}
	if d, ok := Decide(rules[1:2], input(category.Event, "06010", donghaiGrid, category.Normal, true)); ok || d.Lead != "" {
		t.Errorf("no rule matches: %+v %v", d, ok)
	}
	if _, ok := Decide(nil, input(category.Event, "06010", donghaiGrid, category.Normal, true)); ok {
		t.Error("no rules: no decision")
	}
	if d, _ := Decide(rules[:1], input(category.Event, "06010", "", category.Normal, true)); d.Assisting == nil {
		t.Error("assisting should be an empty list, not null")
	}
	// Sort orders as Decide tries.
	sorted := slices.Clone(rules)
	Sort(sorted)
	var ids []string
	for _, r := range sorted {
		ids = append(ids, r.ID)
	}
	if got := strings.Join(ids, " "); got != "emergency-off emergency-only noise-night garbage noise a-tie b-tie city z-catch-all" {
		t.Errorf("sorted: %s", got)
	}
}

func TestCheck(t *testing.T) {
	k := Known{
		Departments: map[string]bool{"D01": true, "D04": true, "D11": true},
		OrgNodes:    map[string]bool{"350503": true, "350503001": true, "350503001001": true},
		Categories:  map[category.Key]bool{{Class: category.Event, Code: "06028"}: true, {Class: category.Component, Code: "01001"}: true},
		Majors:      map[category.Key]bool{{Class: category.Event, Code: "06"}: true, {Class: category.Component, Code: "01"}: true},
	}
	good := Rule{ID: "r1", Name: "noise", CategoryClass: category.Event, CategoryCode: "06028", OrgCode: "350503001",
		Urgency: category.Urgent, TimeWindow: OffHours, DepartmentCode: "D11", Assisting: []string{"D04"}, Active: true}
	cases := []struct {
		name   string
		change func(*Rule)
		want   string // field:key of the problems
	}{
		{"good", func(*Rule) {}, ""},
		{"catch-all", func(r *Rule) { *r = Rule{Name: "all", DepartmentCode: "D01", TimeWindow: AnyTime} }, ""},
		{"major without class", func(r *Rule) { r.CategoryClass, r.CategoryCode = "", "01" }, ""},
		{"minor without class", func(r *Rule) { r.CategoryClass, r.CategoryCode = "", "01001" }, ""},
		{"bad id", func(r *Rule) { r.ID = "规则一" }, "id:bad_id"},
		{"no name", func(r *Rule) { r.Name = "" }, "name:required"},
		{"long name", func(r *Rule) { r.Name = strings.Repeat("长", 101) }, "name:too_long"},
		{"negative priority", func(r *Rule) { r.Priority = -1 }, "priority:bad_priority"},
		{"bad class", func(r *Rule) { r.CategoryClass = "thing" }, "category_class:bad_class"},
		{"bad code", func(r *Rule) { r.CategoryCode = "0602" }, "category_code:bad_code"},
		{"unknown minor", func(r *Rule) { r.CategoryCode = "06099" }, "category_code:unknown_category"},
		{"minor of the other class", func(r *Rule) { r.CategoryCode = "01001" }, "category_code:unknown_category"},
		{"unknown major", func(r *Rule) { r.CategoryCode = "07" }, "category_code:unknown_category"},
		{"unknown area", func(r *Rule) { r.OrgCode = "350503009" }, "org_code:unknown_org"},
		{"department as area", func(r *Rule) { r.OrgCode = "D01" }, "org_code:org_is_department"},
		{"bad urgency", func(r *Rule) { r.Urgency = "soon" }, "urgency:bad_urgency"},
		{"bad time window", func(r *Rule) { r.TimeWindow = "night" }, "time_window:bad_time_window"},
		{"no department", func(r *Rule) { r.DepartmentCode = "" }, "department_code:required"},
		{"area as department", func(r *Rule) { r.DepartmentCode = "350503001" }, "department_code:unknown_department"},
		{"unknown assisting", func(r *Rule) { r.Assisting = []string{"D09"} }, "assisting:unknown_department"},
		{"lead assists itself", func(r *Rule) { r.Assisting = []string{"D11"} }, "assisting:assisting_is_lead"},
		{"assisting twice", func(r *Rule) { r.Assisting = []string{"D04", "D04"} }, "assisting:duplicate_assisting"},
		{"too many assisting", func(r *Rule) {
			r.Assisting = nil
			for range 11 {
				r.Assisting = append(r.Assisting, "D01")
			}
			r.DepartmentCode = "D04"
		}, "assisting:too_many_assisting " + strings.TrimSpace(strings.Repeat("assisting:duplicate_assisting ", 10))},
	}
	for _, tc := range cases {
		r := good
		r.Assisting = slices.Clone(good.Assisting)
		tc.change(&r)
		r.Normalize()
		var got []string
		for _, p := range Check([]Rule{r}, k) {
			got = append(got, p.Field+":"+p.Key)
			if p.Rule != 1 {
				t.Errorf("%s: rule number %d", tc.name, p.Rule)
			}
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%s: %v, want %s", tc.name, got, tc.want)
		}
	}
	// Across the list: duplicate IDs name the first rule; the count is bounded.
	p := Check([]Rule{good, good}, k)
	if len(p) != 1 || p[0].Rule != 2 || p[0].Key != "duplicate_id" || p[0].Args[1] != 1 {
		t.Errorf("duplicate id: %+v", p)
	}
	if p := Check(make([]Rule, MaxRules+1), k); len(p) != 1 || p[0].Key != "too_many_rules" {
		t.Errorf("too many rules: %+v", p)
	}
}

func TestGridPath(t *testing.T) {
	loc := grid.Summary{Code: "350503001001001", CommunityCode: "350503001001", SubdistrictCode: "350503001"}
	if got := GridPath(loc); got != donghaiGrid {
		t.Errorf("GridPath: %s", got)
	}
	if got := GridPath(grid.Summary{}); got != "" {
		t.Errorf("GridPath of nothing: %q", got)
	}
	r := Rule{Active: true, OrgCode: "350503001"}
	if !r.Matches(Input{OrgPath: GridPath(loc)}) {
		t.Error("a subdistrict rule should match a grid located in it")
	}
}

func TestWorkingFallback(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	cases := []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, 7, 1, 9, 0, 0, 0, cst), true},    // Wednesday morning
		{time.Date(2026, 7, 1, 12, 30, 0, 0, cst), false}, // lunch
		{time.Date(2026, 7, 1, 17, 29, 0, 0, cst), true},
		{time.Date(2026, 7, 1, 17, 30, 0, 0, cst), false},
		{time.Date(2026, 7, 1, 22, 0, 0, 0, cst), false},
		{time.Date(2026, 7, 4, 10, 0, 0, 0, cst), false},    // Saturday
		{time.Date(2026, 7, 1, 1, 0, 0, 0, time.UTC), true}, // 09:00 in China
	}
	for _, tc := range cases {
		if got := WorkingFallback(tc.at); got != tc.want {
			t.Errorf("%v: %v", tc.at, got)
		}
	}
}
