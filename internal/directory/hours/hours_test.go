package hours

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

var (
	monFri = []int{1, 2, 3, 4, 5}
	daily  = []int{1, 2, 3, 4, 5, 6, 7}
)

// Places used across the tests.
var (
	// office: a government window, 08:30–12:00 and 14:30–17:30 on working days.
	office = Hours{Rule: Workdays, Periods: []Period{{monFri, "08:30", "12:00"}, {monFri, "14:30", "17:30"}}}
	// officeSaturday: the same, with a Saturday morning (周六上午延时服务).
	officeSaturday = Hours{Rule: Workdays, Periods: []Period{{monFri, "08:30", "12:00"}, {monFri, "14:30", "17:30"},
		{[]int{6}, "09:00", "12:00"}}}
	// clinic: weekdays and weekend mornings, closed on holidays.
	clinic = Hours{Rule: WeeklyClosedHolidays, Periods: []Period{{monFri, "08:00", "12:00"}, {monFri, "14:30", "17:30"},
		{[]int{6, 7}, "08:00", "12:00"}}}
	// store: a convenience point, every day whatever the calendar says.
	store = Hours{Rule: Weekly, Periods: []Period{{daily, "07:00", "22:00"}}}
	// nightShop: open across midnight, as two periods.
	nightShop = Hours{Rule: Weekly, Periods: []Period{{daily, "22:00", "24:00"}, {daily, "00:00", "02:00"}}}
	// lateDesk: closes at midnight on weekdays.
	lateDesk = Hours{Rule: Weekly, Periods: []Period{{monFri, "18:00", "24:00"}}}
	// locker: a parcel locker.
	locker = Hours{Rule: Always, Note: "快递柜，凭取件码取件"}
)

func TestValidAreValid(t *testing.T) {
	for name, h := range map[string]Hours{"office": office, "officeSaturday": officeSaturday, "clinic": clinic,
		"store": store, "nightShop": nightShop, "lateDesk": lateDesk, "locker": locker} {
		if err := h.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestValidate(t *testing.T) {
	p := func(days []int, open, close string) Period { return Period{days, open, close} }
	weekly := func(ps ...Period) Hours { return Hours{Rule: Weekly, Periods: ps} }
	many := make([]Period, MaxPeriods+1)
	for i := range many {
		many[i] = p([]int{i%7 + 1}, fmt.Sprintf("%02d:00", i/7), fmt.Sprintf("%02d:30", i/7))
	}
	cases := []struct {
		name     string
		hours    Hours
		key      string
		args     []any
		problems int // every problem, as details
	}{
		{"unknown rule", Hours{Rule: "sometimes", Periods: office.Periods}, "directory.hours.bad_rule", []any{"sometimes"}, 1},
		{"no rule", Hours{Periods: office.Periods}, "directory.hours.bad_rule", []any{""}, 1},
		{"weekly without periods", Hours{Rule: Weekly}, "directory.hours.no_periods", nil, 1},
		{"workdays without periods", Hours{Rule: Workdays, Periods: []Period{}}, "directory.hours.no_periods", nil, 1},
		{"always with periods", Hours{Rule: Always, Periods: store.Periods}, "directory.hours.always_has_periods", nil, 1},
		{"too many periods", weekly(many...), "directory.hours.too_many_periods", []any{MaxPeriods + 1, MaxPeriods}, 1},
		{"no days", weekly(p(nil, "08:00", "09:00")), "directory.hours.no_days", []any{1}, 1},
		{"day 0", weekly(p([]int{0, 1}, "08:00", "09:00")), "directory.hours.bad_day", []any{1, 0}, 1},
		{"day 8 in the second period", weekly(p(monFri, "08:00", "09:00"), p([]int{8}, "10:00", "11:00")),
			"directory.hours.bad_day", []any{2, 8}, 1},
		{"a day twice", weekly(p([]int{3, 3}, "08:00", "09:00")), "directory.hours.duplicate_day", []any{1, Weekday(3)}, 1},
		{"one-digit hour", weekly(p(monFri, "8:30", "12:00")), "directory.hours.bad_time", []any{1, "8:30"}, 1},
		{"minute 60", weekly(p(monFri, "08:00", "12:60")), "directory.hours.bad_time", []any{1, "12:60"}, 1},
		{"opens at 24:00", weekly(p(monFri, "24:00", "24:00")), "directory.hours.bad_time", []any{1, "24:00"}, 1},
		{"closes after 24:00", weekly(p(monFri, "20:00", "24:01")), "directory.hours.bad_time", []any{1, "24:01"}, 1},
		{"empty times", weekly(p(monFri, "", "")), "directory.hours.bad_time", []any{1, ""}, 2},
		{"opens when it closes", weekly(p(monFri, "09:00", "09:00")), "directory.hours.open_not_before_close",
			[]any{1, "09:00", "09:00"}, 1},
		{"across midnight in one period", weekly(p(monFri, "22:00", "02:00")), "directory.hours.open_not_before_close",
			[]any{1, "22:00", "02:00"}, 1},
		{"overlap on Wednesday", weekly(p([]int{3, 4}, "08:00", "12:00"), p([]int{1, 3}, "11:00", "13:00")),
			"directory.hours.overlap", []any{Weekday(3), 1, 2}, 1},
		{"the same period twice", weekly(p(monFri, "08:00", "12:00"), p(daily, "08:00", "12:00")),
			"directory.hours.overlap", []any{Weekday(1), 1, 2}, 1},
		{"note too long", Hours{Rule: Always, Note: strings.Repeat("长", MaxNote+1)}, "directory.hours.note_too_long", []any{MaxNote}, 1},
		{"every problem is a detail", Hours{Rule: "x", Periods: []Period{p([]int{9}, "25:00", "08:00"), p(nil, "08:00", "07:00")}},
			"directory.hours.bad_rule", []any{"x"}, 5},
	}
	for _, tc := range cases {
		err := tc.hours.Validate()
		e, ok := apperr.As(err)
		if !ok {
			t.Errorf("%s: Validate() = %v, want %s", tc.name, err, tc.key)
			continue
		}
		if e.Code != apperr.Invalid || e.Key != tc.key || !reflect.DeepEqual(e.Args, tc.args) {
			t.Errorf("%s: got %s %s %#v, want invalid %s %#v", tc.name, e.Code, e.Key, e.Args, tc.key, tc.args)
		}
		if len(e.Details) != tc.problems {
			t.Errorf("%s: %d details %+v, want %d", tc.name, len(e.Details), e.Details, tc.problems)
		}
		for _, d := range e.Details {
			if !strings.HasPrefix(d.Message, "directory.hours.") || d.Field == "" {
				t.Errorf("%s: detail %+v is not a keyed field problem", tc.name, d)
			}
		}
	}
}

func TestValidateAcceptsTouchingPeriods(t *testing.T) {
	h := Hours{Rule: Weekly, Periods: []Period{{monFri, "08:00", "12:00"}, {monFri, "12:00", "14:00"},
		{[]int{6}, "08:00", "12:00"}, {[]int{7}, "09:00", "11:00"}}}
	if err := h.Validate(); err != nil {
		t.Errorf("touching periods, and the same times on other days: %v", err)
	}
}

func TestWeekday(t *testing.T) {
	if got := Weekday(1).String(); got != "Mon" {
		t.Errorf("Weekday(1) = %q", got)
	}
	if got := Weekday(7).I18nKey(); got != "directory.hours.day.7" {
		t.Errorf("Weekday(7).I18nKey() = %q", got)
	}
	if got := Weekday(9).String(); got != "9" {
		t.Errorf("Weekday(9) = %q", got)
	}
}
