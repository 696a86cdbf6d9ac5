package routing

import (
	"fmt"
	"slices"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/category"
)

// TestExplain checks that the tester says, for each rule tried before the winner, which condition
// it failed, and that its winner is Decide's.
func TestExplain(t *testing.T) {
	rules := []Rule{
		{ID: "catch-all", Priority: 1000, Name: "兜底", DepartmentCode: "D01", Active: true},
		{ID: "off", Priority: 1, Name: "停用", DepartmentCode: "D99"},
		{ID: "component", Priority: 2, Name: "部件", CategoryClass: category.Component, DepartmentCode: "D02", Active: true},
		{ID: "garbage", Priority: 3, Name: "垃圾", CategoryCode: "06010", DepartmentCode: "D17", Active: true},
		{ID: "chengdong", Priority: 4, Name: "城东", OrgCode: "350503002", DepartmentCode: "D15", Active: true},
		{ID: "emergency", Priority: 5, Name: "紧急", Urgency: category.Emergency, DepartmentCode: "D15", Active: true},
		{ID: "night", Priority: 6, Name: "夜间", TimeWindow: OffHours, DepartmentCode: "D11", Active: true},
		{ID: "city", Priority: 7, Name: "市容", CategoryCode: "06", DepartmentCode: "D04", Active: true},
		{ID: "later", Priority: 8, Name: "之后", DepartmentCode: "D05", Active: true},
	}
	in := input(category.Event, "06028", donghaiGrid, category.Normal, true)
	got := Explain(rules, in)
	var lines []string
	for _, tr := range got {
		lines = append(lines, fmt.Sprintf("%s %s %s", tr.RuleID, tr.Outcome, tr.Failed))
	}
	want := []string{
		"off no_match active",
		"component no_match category_class",
		"garbage no_match category_code",
		"chengdong no_match org_code",
		"emergency no_match urgency",
		"night no_match time_window",
		"city winner ",
		"later not_reached ",
		"catch-all not_reached ",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("explanation:\n%v\nwant\n%v", lines, want)
	}
	if d, _ := Decide(rules, in); d.RuleID != "city" {
		t.Errorf("Decide chose %s", d.RuleID)
	}
	// No rule matches: every rule says why, none won.
	for _, tr := range Explain(rules[1:3], in) {
		if tr.Outcome != "no_match" || tr.Failed == "" {
			t.Errorf("no winner: %+v", tr)
		}
	}
	// The winner of Explain is Decide's on every input of a small grid of cases.
	for _, class := range []category.Class{category.Event, category.Component} {
		for _, code := range []string{"06010", "06028", "04002"} {
			for _, path := range []string{donghaiGrid, chengdongGrid} {
				for _, working := range []bool{true, false} {
					in := input(class, code, path, category.Emergency, working)
					d, ok := Decide(rules, in)
					winner := ""
					for _, tr := range Explain(rules, in) {
						if tr.Outcome == "winner" {
							winner = tr.RuleID
						}
					}
					if ok != (winner != "") || d.RuleID != winner {
						t.Errorf("%v: Decide %s, Explain %s", in, d.RuleID, winner)
					}
				}
			}
		}
	}
}
