package hours

import (
	"reflect"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

var parseCases = []struct {
	in   string
	want Hours
}{
	{"工作日 周一至周五 08:30-12:00,14:30-17:30; 周六 09:00-12:00", officeSaturday},
	{"workdays Mon-Fri 08:30-12:00,14:30-17:30; Sat 09:00-12:00", officeSaturday},
	{"WorkDays monday - friday 8:30-12:00, 14:30-17:30；saturday 9:00 - 12:00", officeSaturday},
	{"工作日 08:30-12:00，14:30-17:30", office},
	{"工作日周一至周五 08：30—12：00、14：30～17：30", office},
	{"工作日 星期一到星期五 08:30-12:00\n星期一至星期五 14:30-17:30", office},
	{"节假日休息 周一至周五 08:00-12:00,14:30-17:30；周六、周日 08:00-12:00", clinic},
	{"weekly_closed_holidays Mon-Fri 8:00-12:00 14:30-17:30; Sat,Sun 8:00-12:00", clinic},
	{"节假日休息 周一至五 08:00-12:00,14:30-17:30; 周末 08:00-12:00", clinic},
	{"每周 每天 07:00-22:00", store},
	{"weekly daily 7:00-22:00", store},
	{"每周 07:00-22:00", store},
	{"每周 每日 22:00-24:00,00:00-02:00", nightShop},
	{"每周 周一至周五 18:00-24:00", lateDesk},
	{"全天 | 快递柜，凭取件码取件", locker},
	{"always ｜ 快递柜，凭取件码取件 ", locker},
	{"24小时|快递柜，凭取件码取件", locker},
	{"全天", Hours{Rule: Always}},
	{"每周一至周五 09:00-18:00", Hours{Rule: Weekly, Periods: []Period{{monFri, "09:00", "18:00"}}}},
	{"每周 周五至周一 20:00-23:00", Hours{Rule: Weekly, Periods: []Period{{[]int{1, 5, 6, 7}, "20:00", "23:00"}}}},
	{"weekly Mon Wed Fri 10:00-11:00", Hours{Rule: Weekly, Periods: []Period{{[]int{1, 3, 5}, "10:00", "11:00"}}}},
	{"每周 周日、周天、星期天、礼拜天 10:00-11:00", Hours{Rule: Weekly, Periods: []Period{{[]int{7}, "10:00", "11:00"}}}},
	{"每周 周三 08:00-09:00 | 备注里的 | 也是备注", Hours{Rule: Weekly, Periods: []Period{{[]int{3}, "08:00", "09:00"}},
		Note: "备注里的 | 也是备注"}},
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		got, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Parse(%q) =\n %+v, want\n %+v", tc.in, got, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		in, key string
		args    []any
	}{
		{"", "directory.hours.empty", nil},
		{"  \n ", "directory.hours.empty", nil},
		{" | 只有备注", "directory.hours.empty", nil},
		{strings.Repeat("每周 周一 08:00-09:00;", 300), "directory.hours.text_too_long", []any{MaxText}},
		{"sometimes Mon 08:00-09:00", "directory.hours.bad_rule", []any{"sometimes"}},
		{"weeklyx Mon 08:00-09:00", "directory.hours.bad_rule", []any{"weeklyx"}},
		{"周一至周五 08:30-12:00", "directory.hours.bad_rule", []any{"周一至周五"}},
		{"每周 周八 08:00-09:00", "directory.hours.bad_day_word", []any{"周八"}},
		{"每周 周一至 08:00-09:00", "directory.hours.bad_day_word", []any{"周一-"}},
		{"每周 上午08:00-09:00", "directory.hours.bad_day_word", []any{"上午"}},
		{"每周 周一 8点-9点", "directory.hours.bad_time_range", []any{"8点-9点"}},
		{"每周 周一 25:00-26:00", "directory.hours.bad_time_range", []any{"25:00-26:00"}},
		{"每周 周一 08:00", "directory.hours.bad_time_range", []any{"08:00"}},
		{"每周 周一 08:00-09:00 周二 10:00-11:00", "directory.hours.bad_time_range", []any{"周二"}},
		{"每周 周一", "directory.hours.no_times", []any{"周一"}},
		{"每周", "directory.hours.no_periods", nil},
		{"每周 周一 12:00-08:00", "directory.hours.open_not_before_close", []any{1, "12:00", "08:00"}},
		{"全天 周一 08:00-09:00", "directory.hours.always_has_periods", nil},
		{"每周 周一 08:00-12:00,11:00-13:00", "directory.hours.overlap", []any{Weekday(1), 1, 2}},
		{"每周 周一 08:00-09:00 | " + strings.Repeat("长", MaxNote+1), "directory.hours.note_too_long", []any{MaxNote}},
	}
	for _, tc := range cases {
		h, err := Parse(tc.in)
		e, ok := apperr.As(err)
		if !ok {
			t.Errorf("Parse(%q) = %+v, %v; want %s", clip(tc.in), h, err, tc.key)
			continue
		}
		if e.Code != apperr.Invalid || e.Key != tc.key || !reflect.DeepEqual(e.Args, tc.args) {
			t.Errorf("Parse(%q): %s %s %#v, want %s %#v", clip(tc.in), e.Code, e.Key, e.Args, tc.key, tc.args)
		}
		if !reflect.DeepEqual(h, Hours{}) {
			t.Errorf("Parse(%q) returned %+v with its error", clip(tc.in), h)
		}
	}
}

func TestFormat(t *testing.T) {
	cases := []struct {
		hours Hours
		want  string
	}{
		{office, "工作日 周一至周五 08:30-12:00,14:30-17:30"},
		{officeSaturday, "工作日 周一至周五 08:30-12:00,14:30-17:30; 周六 09:00-12:00"},
		{clinic, "节假日休息 周一至周五 08:00-12:00,14:30-17:30; 周六、周日 08:00-12:00"},
		{store, "每周 每天 07:00-22:00"},
		{nightShop, "每周 每天 22:00-24:00,00:00-02:00"},
		{locker, "全天 | 快递柜，凭取件码取件"},
		{Hours{Rule: Weekly, Periods: []Period{{[]int{5, 3, 1}, "10:00", "11:00"}}}, "每周 周一、周三、周五 10:00-11:00"},
		{Hours{Rule: Weekly, Periods: []Period{{[]int{1, 2, 3, 5, 6, 7}, "10:00", "11:00"}}}, "每周 周一至周三、周五至周日 10:00-11:00"},
		{Hours{Rule: Weekly, Periods: []Period{{[]int{1}, "08:00", "09:00"}, {[]int{2}, "08:00", "09:00"}, {[]int{1}, "10:00", "11:00"}}},
			"每周 周一 08:00-09:00; 周二 08:00-09:00; 周一 10:00-11:00"},
	}
	for _, tc := range cases {
		if got := Format(tc.hours); got != tc.want {
			t.Errorf("Format(%+v) = %q, want %q", tc.hours, got, tc.want)
		}
	}
}

func TestParseFormatRoundTrip(t *testing.T) {
	for _, h := range []Hours{office, officeSaturday, clinic, store, nightShop, lateDesk, locker, {Rule: Always},
		{Rule: Weekly, Periods: []Period{{[]int{1}, "08:00", "09:00"}, {[]int{2}, "08:00", "09:00"}, {[]int{1}, "10:00", "11:00"}},
			Note: "第二行\n备注 | 含竖线"}} {
		text := Format(h)
		got, err := Parse(text)
		if err != nil {
			t.Errorf("Parse(Format(%+v)) = Parse(%q): %v", h, text, err)
			continue
		}
		if !reflect.DeepEqual(got, h) {
			t.Errorf("Parse(%q) = %+v, want %+v", text, got, h)
		}
	}
	for _, tc := range parseCases {
		h, err := Parse(tc.in)
		if err != nil {
			continue // reported by TestParse
		}
		if again, err := Parse(Format(h)); err != nil || !reflect.DeepEqual(again, h) {
			t.Errorf("%q: Parse(Format) = %+v, %v; want %+v", tc.in, again, err, h)
		}
	}
}

// Parse reads outside input (CSV and xlsx cells): it never panics, what it accepts is valid, and
// Format writes it back so that Parse reads the same hours.
func FuzzParse(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.in)
	}
	for _, s := range []string{"", "|", "每周 周一-", "每周 -周一 8:00-9:00", "工作日 ;;; 周一 0:00-24:00", "全天 周一",
		"每周 周五至周一 0:00-0:01", "weekly_closed_holidays", "24小时24小时", "每周 周一 9:00-10:00 ｜ x｜y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := Parse(s)
		if err != nil {
			if _, ok := apperr.As(err); !ok {
				t.Fatalf("Parse(%q): error %v is not an apperr", s, err)
			}
			return
		}
		if err := h.Validate(); err != nil {
			t.Fatalf("Parse(%q) accepted invalid hours %+v: %v", s, h, err)
		}
		text := Format(h)
		again, err := Parse(text)
		if err != nil {
			t.Fatalf("Parse(%q) = %+v; Parse(Format = %q): %v", s, h, text, err)
		}
		if !reflect.DeepEqual(again, h) {
			t.Fatalf("Parse(%q) = %+v; Parse(Format = %q) = %+v", s, h, text, again)
		}
		if Format(again) != text {
			t.Fatalf("Format is not stable: %q then %q", text, Format(again))
		}
	})
}

// The examples of Parse's documentation parse.
func TestDocumentedExamples(t *testing.T) {
	for _, s := range []string{
		"工作日 周一至周五 08:30-12:00,14:30-17:30; 周六 09:00-12:00",
		"workdays Mon-Fri 08:30-12:00,14:30-17:30; Sat 09:00-12:00",
		"工作日 08:30-12:00,14:30-17:30",
		"节假日休息 周一至周五 08:00-17:30; 周六、周日 08:00-12:00",
		"每周 每天 00:00-24:00 | 夜间请按门铃",
		"每周一至周五 09:00-18:00",
		"全天 | 快递柜，取件码见短信",
	} {
		if _, err := Parse(s); err != nil {
			t.Errorf("Parse(%q): %v", s, err)
		}
	}
}
