package hours

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// MaxText bounds the text Parse reads, in bytes (the canonical form of any valid Hours is
// shorter).
const MaxText = 4096

var ruleWords = []struct {
	word  string
	rule  Rule
	ascii bool
}{
	// Longest first, so that weekly_closed_holidays is not read as weekly.
	{"weekly_closed_holidays", WeeklyClosedHolidays, true},
	{"workdays", Workdays, true},
	{"weekly", Weekly, true},
	{"always", Always, true},
	{"节假日休息", WeeklyClosedHolidays, false},
	{"工作日", Workdays, false},
	{"24小时", Always, false},
	{"每周", Weekly, false},
	{"全天", Always, false},
}

// canonicalRuleWords are the words Format writes.
var canonicalRuleWords = map[Rule]string{Workdays: "工作日", Weekly: "每周", WeeklyClosedHolidays: "节假日休息", Always: "全天"}

var canonicalDays = [8]string{"", "周一", "周二", "周三", "周四", "周五", "周六", "周日"}

// dayWords maps a day word (ASCII in lower case) to its weekday.
var dayWords = func() map[string]int {
	m := map[string]int{}
	chinese := [8]string{"", "一", "二", "三", "四", "五", "六", "日"}
	english := [8][]string{nil, {"mon", "monday"}, {"tue", "tues", "tuesday"}, {"wed", "wednesday"},
		{"thu", "thur", "thurs", "thursday"}, {"fri", "friday"}, {"sat", "saturday"}, {"sun", "sunday"}}
	for d := 1; d <= 7; d++ {
		names := []string{chinese[d]}
		if d == 7 {
			names = append(names, "天")
		}
		for _, n := range names {
			m[n], m["周"+n], m["星期"+n], m["礼拜"+n] = d, d, d, d
		}
		for _, n := range english[d] {
			m[n] = d
		}
	}
	return m
}()

// daySets maps a word for several days to them.
var daySets = map[string][]int{
	"每天": {1, 2, 3, 4, 5, 6, 7}, "每日": {1, 2, 3, 4, 5, 6, 7}, "daily": {1, 2, 3, 4, 5, 6, 7}, "everyday": {1, 2, 3, 4, 5, 6, 7},
	"周末": {6, 7}, "weekend": {6, 7}, "weekends": {6, 7},
}

// punctuation is read as its ASCII form; day ranges and time ranges both use '-'.
var punctuation = strings.NewReplacer(
	"；", ";", "\r\n", ";", "\n", ";", "\r", ";",
	"，", ",", "、", ",",
	"：", ":",
	"——", "-", "—", "-", "–", "-", "－", "-", "～", "-", "~", "-", "至", "-", "到", "-",
	"\u3000", " ",
)

// Parse reads hours in the text form, one cell of a CSV or xlsx import, and validates them:
//
//	RULE [GROUP {; GROUP}] [| NOTE]
//
//	工作日 周一至周五 08:30-12:00,14:30-17:30; 周六 09:00-12:00
//	workdays Mon-Fri 08:30-12:00,14:30-17:30; Sat 09:00-12:00
//	工作日 08:30-12:00,14:30-17:30                  (no days: 周一至周五 under 工作日)
//	节假日休息 周一至周五 08:00-17:30; 周六、周日 08:00-12:00
//	每周 每天 00:00-24:00 | 夜间请按门铃
//	每周一至周五 09:00-18:00                         (每周 + 一至周五)
//	全天 | 快递柜，取件码见短信
//
// RULE is a rule word, case-insensitive: 工作日 or workdays, 每周 or weekly, 节假日休息 or
// weekly_closed_holidays, 全天, 24小时 or always. It may be followed directly by the first group.
//
// A GROUP is DAYS then TIMES. DAYS are day items separated by commas (、 ，) or spaces; an item is
// a day — 周一 … 周日/周天, 星期一 … 星期日/星期天, 礼拜一 … 礼拜天, 一 … 日/天, Mon … Sun or the
// whole English name — or a range of two days joined by - 至 到 ~ — (周一至周五, Mon-Fri, 周五至周一
// wraps over the weekend), or a set: 每天/每日/daily/everyday (every day), 周末/weekend(s)
// (Saturday and Sunday). DAYS may be left out: then Monday to Friday under 工作日, every day under
// the other rules. TIMES are one or more ranges H:MM-HH:MM separated by commas or spaces; the
// times begin at the group's first digit. Groups are separated by semicolons (；) or line breaks.
// Full-width punctuation is read like its ASCII form.
//
// NOTE is everything after the first | (or ｜), trimmed: the note shown with the hours.
//
// Format writes the canonical form: the Chinese rule word, day sets in ascending order (runs of
// three or more as 周一至周五, every day as 每天), consecutive periods with the same days as one
// group, "; " between groups, " | " before the note. Parse(Format(h)) is h for every h that
// Parse returns, and for every valid h whose periods list their days in ascending order.
//
// Errors are *apperr.Error of code Invalid: the keys of Validate, and
//
//	directory.hours.empty                 directory.hours.text_too_long (max bytes)
//	directory.hours.bad_rule (word)       directory.hours.bad_day_word (word)
//	directory.hours.bad_time_range (text) directory.hours.no_times (group)
func Parse(s string) (Hours, error) {
	if len(s) > MaxText {
		return Hours{}, apperr.New(apperr.Invalid, "directory.hours.text_too_long", MaxText)
	}
	body, note := s, ""
	if i := strings.IndexAny(s, "|｜"); i >= 0 {
		_, size := utf8.DecodeRuneInString(s[i:])
		body, note = s[:i], strings.TrimSpace(s[i+size:])
	}
	body = strings.TrimSpace(body)
	if body == "" {
		return Hours{}, apperr.New(apperr.Invalid, "directory.hours.empty")
	}
	rule, rest, ok := cutRule(body)
	if !ok {
		word, _, _ := strings.Cut(strings.Join(strings.Fields(body), " "), " ")
		return Hours{}, apperr.New(apperr.Invalid, "directory.hours.bad_rule", clip(word))
	}
	h := Hours{Rule: rule, Note: note}
	for _, group := range strings.Split(punctuation.Replace(rest), ";") {
		group = tightDashes(group)
		if group == "" {
			continue
		}
		periods, err := parseGroup(rule, group)
		if err != nil {
			return Hours{}, err
		}
		h.Periods = append(h.Periods, periods...)
	}
	if err := h.Validate(); err != nil {
		return Hours{}, err
	}
	return h, nil
}

// cutRule reads the rule word at the start of s.
func cutRule(s string) (Rule, string, bool) {
	for _, w := range ruleWords {
		if len(s) < len(w.word) {
			continue
		}
		head, rest := s[:len(w.word)], s[len(w.word):]
		if !w.ascii {
			if head == w.word {
				return w.rule, rest, true
			}
			continue
		}
		if strings.EqualFold(head, w.word) && (rest == "" || !isWordByte(rest[0])) {
			return w.rule, rest, true
		}
	}
	return "", "", false
}

func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// parseGroup reads "DAYS TIMES" into one period per time range.
func parseGroup(rule Rule, group string) ([]Period, error) {
	i := strings.IndexAny(group, "0123456789")
	if i < 0 {
		return nil, apperr.New(apperr.Invalid, "directory.hours.no_times", clip(group))
	}
	days, err := parseDays(group[:i])
	if err != nil {
		return nil, err
	}
	if days == nil {
		days = []int{1, 2, 3, 4, 5, 6, 7}
		if rule == Workdays {
			days = []int{1, 2, 3, 4, 5}
		}
	}
	var out []Period
	for _, r := range strings.FieldsFunc(group[i:], isSeparator) {
		open, close, ok := parseRange(r)
		if !ok {
			return nil, apperr.New(apperr.Invalid, "directory.hours.bad_time_range", clip(r))
		}
		out = append(out, Period{Days: slices.Clone(days), Open: open, Close: close})
	}
	return out, nil
}

func isSeparator(r rune) bool { return r == ',' || r == ' ' || r == '\t' }

// parseDays reads day items into ascending weekdays; nil when there are none.
func parseDays(s string) ([]int, error) {
	var set [8]bool
	found := false
	for _, item := range strings.FieldsFunc(s, isSeparator) {
		days, ok := dayItem(strings.ToLower(item))
		if !ok {
			return nil, apperr.New(apperr.Invalid, "directory.hours.bad_day_word", clip(item))
		}
		for _, d := range days {
			set[d], found = true, true
		}
	}
	if !found {
		return nil, nil
	}
	var out []int
	for d := 1; d <= 7; d++ {
		if set[d] {
			out = append(out, d)
		}
	}
	return out, nil
}

// dayItem reads one item: a day, a range of days or a set.
func dayItem(item string) ([]int, bool) {
	if days, ok := daySets[item]; ok {
		return days, true
	}
	from, to, isRange := strings.Cut(item, "-")
	if !isRange {
		d, ok := dayWords[item]
		return []int{d}, ok
	}
	a, okA := dayWords[from]
	b, okB := dayWords[to]
	if !okA || !okB {
		return nil, false
	}
	var out []int
	for d := a; ; d = d%7 + 1 { // wraps: 周五至周一 is Friday to Monday
		out = append(out, d)
		if d == b {
			return out, true
		}
	}
}

// parseRange reads "H:MM-HH:MM" into canonical clock times (Validate checks their order).
func parseRange(s string) (string, string, bool) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return "", "", false
	}
	open, okOpen := looseClock(a)
	close, okClose := looseClock(b)
	return open, close, okOpen && okClose
}

// looseClock reads "H:MM" or "HH:MM" (00:00–24:00) as "HH:MM".
func looseClock(s string) (string, bool) {
	if len(s) == 4 {
		s = "0" + s
	}
	if _, ok := parseClock(s); !ok {
		return "", false
	}
	return s, true
}

// tightDashes trims a group and drops the spaces around its dashes: "周一 - 周五" is "周一-周五".
func tightDashes(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(s, " -", "-")
	return strings.ReplaceAll(s, "- ", "-")
}

// clip shortens a piece of input quoted in an error.
func clip(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
}

// Format writes h in the canonical text form (see Parse).
func Format(h Hours) string {
	var b strings.Builder
	word, ok := canonicalRuleWords[h.Rule]
	if !ok {
		word = string(h.Rule)
	}
	b.WriteString(word)
	for i := 0; i < len(h.Periods); {
		days := sortedDays(h.Periods[i].Days)
		if i == 0 {
			b.WriteString(" ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(formatDays(days))
		b.WriteString(" ")
		// One group for consecutive periods with the same days.
		for first := i; i < len(h.Periods) && (i == first || slices.Equal(sortedDays(h.Periods[i].Days), days)); i++ {
			if i > first {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "%s-%s", h.Periods[i].Open, h.Periods[i].Close)
		}
	}
	if h.Note != "" {
		b.WriteString(" | ")
		b.WriteString(h.Note)
	}
	return b.String()
}

func sortedDays(days []int) []int {
	out := slices.Clone(days)
	slices.Sort(out)
	return slices.Compact(out)
}

// formatDays writes ascending weekdays: 每天, or runs of three or more as 周一至周五, joined by 、.
func formatDays(days []int) string {
	if len(days) == 7 && days[0] == 1 && days[6] == 7 {
		return "每天"
	}
	var parts []string
	for i := 0; i < len(days); {
		j := i
		for j+1 < len(days) && days[j+1] == days[j]+1 {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, dayName(days[i])+"至"+dayName(days[j]))
		case j == i+1:
			parts = append(parts, dayName(days[i]), dayName(days[j]))
		default:
			parts = append(parts, dayName(days[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, "、")
}

func dayName(d int) string {
	if d < 1 || d > 7 {
		return fmt.Sprint(d)
	}
	return canonicalDays[d]
}
