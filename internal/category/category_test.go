package category

import (
	"reflect"
	"slices"
	"testing"
)

func TestParseLimit(t *testing.T) {
	cases := []struct {
		in   string
		want Limit
		ok   bool
	}{
		{"4h", Limit{4, Hours}, true},
		{"15d", Limit{15, Days}, true},
		{" 2h ", Limit{2, Hours}, true},
		{"1000d", Limit{1000, Days}, true},
		{"1001d", Limit{}, false},
		{"0h", Limit{}, false},
		{"-1h", Limit{}, false},
		{"h", Limit{}, false},
		{"4", Limit{}, false},
		{"4m", Limit{}, false},
		{"1.5h", Limit{}, false},
		{"4H", Limit{}, false},
		{"", Limit{}, false},
		{"99999h", Limit{}, false},
	}
	for _, tc := range cases {
		got, ok := ParseLimit(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("ParseLimit(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
		if ok {
			if again, _ := ParseLimit(got.String()); again != got {
				t.Errorf("%q does not survive String: %v", tc.in, again)
			}
		}
	}
}

func valid() Category {
	return Category{Class: Event, Code: "06010", MajorName: "市容环境类", Name: "暴露垃圾", NameEN: "Exposed garbage",
		StandardRef: "GB/T 47678.5-2026", OldCode: "0102", OldStandardRef: "GB/T 30428.2-2013",
		Keywords: []string{" 垃圾 ", "", "垃圾", "乱扔垃圾"}, ConfirmRequired: true, DuplicateRadiusM: 50,
		DuplicateWindowHours: 72, Active: true}
}

func TestNormalize(t *testing.T) {
	c := valid()
	c.Code, c.Name = " 06010 ", " 暴露垃圾\u3000"
	c.Normalize()
	if c.MajorCode != "06" || c.Code != "06010" || !reflect.DeepEqual(c.Keywords, []string{"垃圾", "乱扔垃圾"}) {
		t.Errorf("normalised: %+v", c)
	}
	if c.Name != "暴露垃圾" {
		t.Errorf("name %q: full-width space should be trimmed", c.Name)
	}
}

func TestCheck(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Category)
		want   []string // problem keys, in order
	}{
		{"valid", func(*Category) {}, nil},
		{"local code without old code", func(c *Category) { c.StandardRef, c.OldCode, c.OldStandardRef = Local, "", "" }, nil},
		{"bad class", func(c *Category) { c.Class = "部件" }, []string{"bad_class"}},
		{"empty class", func(c *Category) { c.Class = "" }, []string{"bad_class"}},
		{"4-digit code", func(c *Category) { c.Code, c.MajorCode = "0601", "06" }, []string{"bad_code"}},
		{"letters in code", func(c *Category) { c.Code, c.MajorCode = "06A10", "06" }, []string{"bad_code"}},
		{"major mismatch", func(c *Category) { c.MajorCode = "07" }, []string{"major_mismatch"}},
		{"no name", func(c *Category) { c.Name = "" }, []string{"required"}},
		{"name too long", func(c *Category) { c.Name = string(make([]rune, 61)) }, []string{"too_long"}},
		{"pipe in name", func(c *Category) { c.Name = "a|b" }, []string{"bad_characters"}},
		{"newline in english name", func(c *Category) { c.NameEN = "a\nb" }, []string{"bad_characters"}},
		{"no standard", func(c *Category) { c.StandardRef = "" }, []string{"required"}},
		{"bad old code", func(c *Category) { c.OldCode = "01-01" }, []string{"bad_old_code"}},
		{"old code without its standard", func(c *Category) { c.OldStandardRef = "" }, []string{"required"}},
		{"keyword with pipe", func(c *Category) { c.Keywords = []string{"a|b"} }, []string{"bad_keyword"}},
		{"too many keywords", func(c *Category) {
			c.Keywords = nil
			for i := range 31 {
				c.Keywords = append(c.Keywords, string(rune('a'+i%26))+string(rune('A'+i/26)))
			}
		}, []string{"too_many_keywords"}},
		{"negative radius", func(c *Category) { c.DuplicateRadiusM = -1 }, []string{"out_of_range"}},
		{"huge window", func(c *Category) { c.DuplicateWindowHours = 24*90 + 1 }, []string{"out_of_range"}},
		{"zero radius and window are allowed (no duplicate check)", func(c *Category) { c.DuplicateRadiusM, c.DuplicateWindowHours = 0, 0 }, nil},
		{"several at once", func(c *Category) { c.Class, c.Name, c.StandardRef = "x", "", "" }, []string{"bad_class", "required", "required"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := valid()
			c.Normalize()
			tc.change(&c)
			var got []string
			for _, p := range c.Check() {
				got = append(got, p.Key)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("problems %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCheckLimits(t *testing.T) {
	good := LimitSet{Normal: {StageHandle: {4, Hours}}, Urgent: {StageHandle: {2, Hours}, StageSign: {1, Hours}}}
	if p := CheckLimits(good); len(p) != 0 {
		t.Errorf("good limits refused: %v", p)
	}
	bad := LimitSet{
		"soon":    {StageHandle: {4, Hours}},
		Normal:    {"fix": {1, Hours}, StageHandle: {0, Hours}},
		Emergency: {StageVerify: {1, "minutes"}},
	}
	var keys []string
	for _, p := range CheckLimits(bad) {
		keys = append(keys, p.Field+":"+p.Key)
	}
	want := []string{"emergency.verify:bad_limit", "normal.fix:bad_stage", "normal.handle:bad_limit", "soon:bad_urgency"}
	if !slices.Equal(keys, want) {
		t.Errorf("problems %v, want %v", keys, want)
	}
}

func TestResolve(t *testing.T) {
	defaults := Limits{StageConfirm: {1, Hours}, StageRegister: {1, Hours}, StageDispatch: {1, Hours},
		StageSign: {2, Hours}, StageHandle: {3, Days}, StageVerify: {1, Hours}}
	own := Limits{StageHandle: {4, Hours}}
	got := Resolve(defaults, own)
	if got[StageHandle] != (Limit{4, Hours}) || got[StageSign] != (Limit{2, Hours}) || !got.Complete() {
		t.Errorf("resolved: %v", got)
	}
	if defaults[StageHandle] != (Limit{3, Days}) {
		t.Error("Resolve changed the defaults")
	}
	if Resolve(nil, own).Complete() {
		t.Error("own limits alone are not complete")
	}
	if !Resolve(defaults, nil).Complete() {
		t.Error("defaults alone are complete")
	}
}
