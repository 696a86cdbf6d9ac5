// Package category is the category catalogue: the two classes of GB/T 47678.5-2026 《城市运行管理
// 服务平台 第5部分：管理部件和事项》 — 部件 (component) and 事项 (event) — each split into 大类 (major) and
// 小类 (minor), with the time limits of every case stage per minor × urgency.
//
// Codes follow GB/T 47678.5-2026: 5 digits = 2-digit major + 3-digit minor. The same 5-digit code can
// exist in both classes (事项 majors 01–05 mirror the 部件 majors as "<部件>异常"), so a category is
// keyed by (class, code). Every code carries the standard it comes from (standard_ref) and, where it
// is known, its GB/T 30428.2-2013 predecessor (old_code), because the old code set is still in use.
//
// The shipped catalogue (data/catalogue.csv) takes its codes and names from a public transcription of
// GB/T 47678.5-2026 附录 A 表 A.1 and 附录 C 表 C.1 (repository Jackyhellolove/city-inspection-ai,
// supabase-gb47678.5-directory.sql) — the source that reference/standards-cn.md §1.3 cites. It is a
// secondary source (🟡): check the codes against the official text before relying on them. Districts
// add their own codes with standard_ref "local". Time limits (data/limits.csv) are local practice, not
// national constants (§1.4): handling limits follow the published county and 济源 tables where they name
// the type, and the rest are defaults to be edited.
package category

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Class is one of the two classes of the catalogue.
type Class string

const (
	Component Class = "component" // 部件: a managed object (a manhole cover, a street lamp)
	Event     Class = "event"     // 事项 / 事件: a situation (exposed garbage, illegal parking)
)

// Valid reports whether c is a known class.
func (c Class) Valid() bool { return c == Component || c == Event }

// Urgency is how urgent a case is (紧急程度).
type Urgency string

const (
	Normal    Urgency = "normal"
	Urgent    Urgency = "urgent"
	Emergency Urgency = "emergency"
)

// Urgencies lists every urgency, least urgent first.
var Urgencies = []Urgency{Normal, Urgent, Emergency}

// Valid reports whether u is a known urgency.
func (u Urgency) Valid() bool { return slices.Contains(Urgencies, u) }

// Stage is a step of the case workflow that has a time limit (GB/T 30428 / CJ/T 315 practice, §1.4).
type Stage string

const (
	StageConfirm  Stage = "confirm"  // 核实: a grid worker confirms a public report on site
	StageRegister Stage = "register" // 立案
	StageDispatch Stage = "dispatch" // 派遣
	StageSign     Stage = "sign"     // 签收
	StageHandle   Stage = "handle"   // 处置
	StageVerify   Stage = "verify"   // 核查
)

// Stages lists every stage in workflow order.
var Stages = []Stage{StageConfirm, StageRegister, StageDispatch, StageSign, StageHandle, StageVerify}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool { return slices.Contains(Stages, s) }

// Unit of a time limit: working hours (工作时) or working days (工作日), counted on the work calendar.
type Unit string

const (
	Hours Unit = "hours"
	Days  Unit = "days"
)

// Valid reports whether u is a known unit.
func (u Unit) Valid() bool { return u == Hours || u == Days }

// Limit is one time limit. (Identical to calendar.Limit; to be unified once package calendar lands.)
type Limit struct {
	Value int  `json:"value"`
	Unit  Unit `json:"unit"`
}

// MaxLimitValue bounds a limit (a year of working days).
const MaxLimitValue = 1000

// Valid reports whether l is a usable limit.
func (l Limit) Valid() bool { return l.Value >= 1 && l.Value <= MaxLimitValue && l.Unit.Valid() }

// String renders l compactly as in limits.csv: "4h", "15d".
func (l Limit) String() string {
	if l.Unit == Days {
		return fmt.Sprintf("%dd", l.Value)
	}
	return fmt.Sprintf("%dh", l.Value)
}

// ParseLimit reads "4h" or "15d".
func ParseLimit(s string) (Limit, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 2 {
		return Limit{}, false
	}
	var l Limit
	switch s[len(s)-1] {
	case 'h':
		l.Unit = Hours
	case 'd':
		l.Unit = Days
	default:
		return Limit{}, false
	}
	if !digits.MatchString(s[:len(s)-1]) || len(s) > 6 {
		return Limit{}, false
	}
	fmt.Sscan(s[:len(s)-1], &l.Value)
	return l, l.Valid()
}

// Limits are the time limits of one category at one urgency, per stage.
type Limits map[Stage]Limit

// LimitSet are a category's limits per urgency.
type LimitSet map[Urgency]Limits

// DefaultClass and DefaultCode key the catalogue-wide default limits, used for every stage a
// category has no limit of its own for.
const (
	DefaultClass Class  = "*"
	DefaultCode  string = "*"
)

// Category is one minor category (小类).
type Category struct {
	Class       Class  `json:"class"`
	Code        string `json:"code"`       // GB/T 47678.5: 2-digit major + 3-digit minor
	MajorCode   string `json:"major_code"` // the first two digits of Code
	MajorName   string `json:"major_name"`
	MajorNameEN string `json:"major_name_en,omitempty"`
	Name        string `json:"name"`
	NameEN      string `json:"name_en,omitempty"`
	// StandardRef names the code set: "GB/T 47678.5-2026", or "local" for a district's own code.
	StandardRef string `json:"standard_ref"`
	// OldCode is the GB/T 30428.2-2013 code of the same type, where known (OldStandardRef names it).
	OldCode        string   `json:"old_code,omitempty"`
	OldStandardRef string   `json:"old_standard_ref,omitempty"`
	Keywords       []string `json:"keywords"` // synonyms for search and Open311
	// ConfirmRequired: a public report of this type needs a grid worker's 核实 before 立案.
	ConfirmRequired bool `json:"confirm_required"`
	// Reports of the same category within this radius and window are duplicate candidates.
	DuplicateRadiusM     int  `json:"duplicate_radius_m"`
	DuplicateWindowHours int  `json:"duplicate_window_hours"`
	Active               bool `json:"active"`
}

// Major is one major category (大类).
type Major struct {
	Class  Class  `json:"class"`
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEN string `json:"name_en,omitempty"`
}

// Local is the standard_ref of a district's own codes.
const Local = "local"

var (
	digits    = regexp.MustCompile(`^[0-9]+$`)
	minorCode = regexp.MustCompile(`^[0-9]{5}$`)
	majorCode = regexp.MustCompile(`^[0-9]{2}$`)
	oldCode   = regexp.MustCompile(`^[0-9]{2,8}$`)
)

// ValidCode reports whether code is a 5-digit GB/T 47678.5 class code.
func ValidCode(code string) bool { return minorCode.MatchString(code) }

// ValidMajorCode reports whether code is a 2-digit major code.
func ValidMajorCode(code string) bool { return majorCode.MatchString(code) }

// Problem is one thing wrong with a category, a limit or a file line. Key is a message key of the
// i18n catalogue (under "category.problem."), Args its arguments; Line is 1-based (0: not from a file).
type Problem struct {
	Line  int    `json:"line,omitempty"`
	Field string `json:"field,omitempty"`
	Key   string `json:"key"`
	Args  []any  `json:"args,omitempty"`
}

func (p Problem) String() string {
	s := p.Key
	if len(p.Args) > 0 {
		s += fmt.Sprint(p.Args)
	}
	if p.Field != "" {
		s = p.Field + ": " + s
	}
	if p.Line > 0 {
		s = fmt.Sprintf("line %d: %s", p.Line, s)
	}
	return s
}

// Limits of the text fields (GB/T 47678.5 gives 名称 30 characters; local names may be longer).
const (
	maxName     = 60
	maxKeywords = 30
	maxKeyword  = 30
	maxRef      = 60
	maxRadiusM  = 5000
	maxWindowH  = 24 * 90
)

// Normalize trims text fields, derives the major code and drops empty keywords.
func (c *Category) Normalize() {
	c.Class = Class(strings.TrimSpace(string(c.Class)))
	c.Code = strings.TrimSpace(c.Code)
	c.MajorCode = strings.TrimSpace(c.MajorCode)
	if c.MajorCode == "" && len(c.Code) >= 2 {
		c.MajorCode = c.Code[:2]
	}
	for _, s := range []*string{&c.MajorName, &c.MajorNameEN, &c.Name, &c.NameEN, &c.StandardRef, &c.OldCode, &c.OldStandardRef} {
		*s = strings.TrimSpace(*s)
	}
	kw := []string{}
	for _, k := range c.Keywords {
		if k = strings.TrimSpace(k); k != "" && !slices.Contains(kw, k) {
			kw = append(kw, k)
		}
	}
	c.Keywords = kw
}

// Check returns what is wrong with a normalised category (nil when nothing). A major name is not
// required here: the store requires it only when the major does not exist yet.
func (c Category) Check() []Problem {
	var out []Problem
	bad := func(field, key string, args ...any) { out = append(out, Problem{Field: field, Key: key, Args: args}) }
	if !c.Class.Valid() {
		bad("class", "bad_class", string(c.Class))
	}
	switch {
	case !ValidCode(c.Code):
		bad("code", "bad_code", c.Code)
	case c.MajorCode != c.Code[:2]:
		bad("major_code", "major_mismatch", c.MajorCode, c.Code)
	}
	checkText := func(field, v string, required bool, max int) {
		switch {
		case required && v == "":
			bad(field, "required")
		case len([]rune(v)) > max:
			bad(field, "too_long", max)
		case strings.ContainsAny(v, "\r\n\t|"):
			bad(field, "bad_characters")
		}
	}
	checkText("name", c.Name, true, maxName)
	checkText("name_en", c.NameEN, false, maxName*2)
	checkText("major_name", c.MajorName, false, maxName)
	checkText("major_name_en", c.MajorNameEN, false, maxName*2)
	checkText("standard_ref", c.StandardRef, true, maxRef)
	checkText("old_standard_ref", c.OldStandardRef, false, maxRef)
	if c.OldCode != "" && !oldCode.MatchString(c.OldCode) {
		bad("old_code", "bad_old_code", c.OldCode)
	}
	if c.OldCode != "" && c.OldStandardRef == "" {
		bad("old_standard_ref", "required")
	}
	if len(c.Keywords) > maxKeywords {
		bad("keywords", "too_many_keywords", maxKeywords)
	}
	for _, k := range c.Keywords {
		if len([]rune(k)) > maxKeyword || strings.ContainsAny(k, "\r\n\t|") {
			bad("keywords", "bad_keyword", k)
			break
		}
	}
	if c.DuplicateRadiusM < 0 || c.DuplicateRadiusM > maxRadiusM {
		bad("duplicate_radius_m", "out_of_range", 0, maxRadiusM)
	}
	if c.DuplicateWindowHours < 0 || c.DuplicateWindowHours > maxWindowH {
		bad("duplicate_window_hours", "out_of_range", 0, maxWindowH)
	}
	return out
}

// CheckLimits returns what is wrong with a set of limits (unknown urgency or stage, bad value).
func CheckLimits(set LimitSet) []Problem {
	var out []Problem
	for _, u := range sortedKeys(set) {
		if !u.Valid() {
			out = append(out, Problem{Field: string(u), Key: "bad_urgency", Args: []any{string(u)}})
			continue
		}
		for _, s := range sortedKeys(set[u]) {
			l := set[u][s]
			switch {
			case !s.Valid():
				out = append(out, Problem{Field: string(u) + "." + string(s), Key: "bad_stage", Args: []any{string(s)}})
			case !l.Valid():
				out = append(out, Problem{Field: string(u) + "." + string(s), Key: "bad_limit", Args: []any{MaxLimitValue}})
			}
		}
	}
	return out
}

// Resolve overlays a category's own limits on the catalogue-wide defaults (pure; used by Limits).
func Resolve(defaults, own Limits) Limits {
	out := Limits{}
	for s, l := range defaults {
		out[s] = l
	}
	for s, l := range own {
		out[s] = l
	}
	return out
}

// Complete reports whether l has a limit for every stage.
func (l Limits) Complete() bool {
	for _, s := range Stages {
		if _, ok := l[s]; !ok {
			return false
		}
	}
	return true
}

func sortedKeys[K ~string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
