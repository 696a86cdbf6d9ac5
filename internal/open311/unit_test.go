package open311

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/category"
	"github.com/yiwang-gov/yiwang/internal/i18n"
	"github.com/yiwang-gov/yiwang/internal/redact"
)

func TestSplitFile(t *testing.T) {
	for _, c := range []struct {
		file, name string
		f          format
		ok         bool
	}{
		{"requests.json", "requests", formatJSON, true},
		{"20261127-0001.xml", "20261127-0001", formatXML, true},
		{"a.b.json", "a.b", formatJSON, true},
		{".json", "", formatXML, false},
		{"requests.csv", "", formatXML, false},
		{"requests", "", formatXML, false},
	} {
		name, f, ok := splitFile(c.file)
		if name != c.name || f != c.f || ok != c.ok {
			t.Errorf("%s: %q %s %v", c.file, name, f, ok)
		}
	}
}

func TestParseDatetime(t *testing.T) {
	want := time.Date(2026, 11, 27, 0, 30, 0, 0, time.UTC)
	for _, s := range []string{"2026-11-27T08:30:00+08:00", "2026-11-27T08:30:00 08:00", "2026-11-27T00:30:00Z",
		"2026-11-27T00:30:00.000Z", "2026-11-27T08:30+08:00", " 2026-11-27T03:30:00+03:00 "} {
		if got, ok := parseDatetime(s); !ok || !got.Equal(want) {
			t.Errorf("%q: %v %v", s, got, ok)
		}
	}
	if got, ok := parseDatetime("2026-11-27"); !ok || datetime(got) != "2026-11-27T00:00:00+08:00" {
		t.Errorf("a date alone: %v %v", got, ok)
	}
	for _, s := range []string{"", "yesterday", "2026-11-27T08:30:00", "27/11/2026", "2026-13-01T00:00:00Z"} {
		if _, ok := parseDatetime(s); ok {
			t.Errorf("%q parsed", s)
		}
	}
	if s := datetime(want); s != "2026-11-27T08:30:00+08:00" {
		t.Errorf("shown as %s", s)
	}
}

func TestParseCode(t *testing.T) {
	for _, c := range []struct {
		in    string
		class category.Class
		code  string
		ok    bool
	}{
		{"06010", "", "06010", true},
		{"C01001", category.Component, "01001", true},
		{"c01001", category.Component, "01001", true},
		{"E01001", category.Event, "01001", true},
		{"X01001", "", "X01001", false},
		{"0601", "", "0601", false},
		{"", "", "", false},
	} {
		class, code, ok := ParseCode(c.in)
		if class != c.class || code != c.code || ok != c.ok {
			t.Errorf("%q: %q %q %v", c.in, class, code, ok)
		}
	}
	events := map[string]bool{"01001": true}
	if codeOf(category.Component, "01001", events) != "C01001" || codeOf(category.Component, "01006", events) != "01006" ||
		codeOf(category.Event, "01001", events) != "01001" {
		t.Error("codeOf")
	}
}

func TestCheckAttributes(t *testing.T) {
	ok := []AttributeDef{
		{Code: "a", Variable: true, Datatype: "string", Order: 1, Description: "A"},
		{Code: "b", Variable: true, Datatype: "singlevaluelist", Order: 2, Description: "B", Values: []ValueDef{{"x", "X", ""}}},
		{Code: "c", Datatype: "text", Order: 3, Description: "information only"},
	}
	if p := CheckAttributes(ok); len(p) != 0 {
		t.Fatal(p)
	}
	bad := []struct {
		name string
		edit func([]AttributeDef)
	}{
		{"code twice", func(l []AttributeDef) { l[1].Code = "a" }},
		{"code with a bracket", func(l []AttributeDef) { l[0].Code = "a]" }},
		{"datatype", func(l []AttributeDef) { l[0].Datatype = "boolean" }},
		{"order twice", func(l []AttributeDef) { l[1].Order = 1 }},
		{"order zero", func(l []AttributeDef) { l[0].Order = 0 }},
		{"list without values", func(l []AttributeDef) { l[1].Values = nil }},
		{"values on a string", func(l []AttributeDef) { l[0].Values = []ValueDef{{"x", "X", ""}} }},
		{"value key twice", func(l []AttributeDef) { l[1].Values = []ValueDef{{"x", "X", ""}, {"x", "Y", ""}} }},
		{"no question", func(l []AttributeDef) { l[0].Description = "" }},
		{"required information", func(l []AttributeDef) { l[2].Required = true }},
	}
	for _, b := range bad {
		list := append([]AttributeDef(nil), ok...)
		b.edit(list)
		if p := CheckAttributes(list); len(p) == 0 {
			t.Errorf("%s: accepted", b.name)
		}
	}
}

func TestCheckAnswers(t *testing.T) {
	defs := []AttributeDef{
		{Code: "kind", Variable: true, Datatype: "singlevaluelist", Required: true, Order: 1, Description: "K",
			Values: []ValueDef{{"a", "A", ""}, {"b", "B", ""}}},
		{Code: "many", Variable: true, Datatype: "multivaluelist", Order: 2, Description: "M",
			Values: []ValueDef{{"x", "X", ""}, {"y", "Y", ""}}},
		{Code: "n", Variable: true, Datatype: "number", Order: 3, Description: "N"},
		{Code: "when", Variable: true, Datatype: "datetime", Order: 4, Description: "W"},
		{Code: "info", Datatype: "text", Order: 5, Description: "I"},
	}
	catalog := i18n.MustLoad()
	check := func(query string) (map[string][]string, int) {
		q, _ := url.ParseQuery(query)
		p := &problems{lang: i18n.EN, catalog: catalog}
		got := checkAnswers(p, defs, params(q))
		return got, len(p.list)
	}
	got, n := check("attribute[kind]=a&attribute[many][]=x&attribute[many][]=y&attribute[n]=-1.5e2&attribute[when]=2026-11-27T08:00:00Z&attribute[info]=z&attribute[other]=1")
	if n != 0 || strings.Join(got["many"], ",") != "x,y" || got["info"] != nil || got["other"] != nil || got["n"][0] != "-1.5e2" {
		t.Fatalf("%v %d", got, n)
	}
	for query, want := range map[string]int{
		"":                               1, // kind is required
		"attribute[kind]=&attribute[n]=": 1, // empty is absent
		"attribute[kind]=c":              1,
		"attribute[kind][]=a&attribute[kind][]=b":                   1,
		"attribute[kind]=a&attribute[many][]=x&attribute[many][]=x": 1,
		"attribute[kind]=a&attribute[n]=NaN":                        1,
		"attribute[kind]=a&attribute[n]=1e999":                      1,
		"attribute[kind]=a&attribute[when]=tomorrow":                1,
		"attribute[kind]=z&attribute[n]=x&attribute[when]=never":    3,
		"attribute[kind]=a&attribute[many]=x&attribute[many]=y":     0,
	} {
		if _, n := check(query); n != want {
			t.Errorf("%q: %d problems, want %d", query, n, want)
		}
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"请联系 13912345678":          "请联系 ***",
		"电话 139 1234 5678 谢谢":      "电话 *** 谢谢",
		"+86 139-1234-5678":        "***",
		"座机 0595-22345678":         "座机 ***",
		"身份证 35050319900101123X":   "身份证 ***",
		"邮件 a.b@example.com.cn 回复": "邮件 *** 回复",
		"3号楼502室门口":                "3号楼***室门口",
		"案卷 20261127-0001 已合并":     "案卷 20261127-0001 已合并",
		"2026-11-27 下午 3 点":        "2026-11-27 下午 3 点",
		"泉秀街 1234 号":               "泉秀街 1234 号",
		"重量约 20000 公斤":             "重量约 20000 公斤",
	} {
		if got := redact.Public(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestFullName(t *testing.T) {
	for _, c := range [][3]string{{"张", "三", "张三"}, {"John", "Smith", "John Smith"}, {"", "Smith", "Smith"}, {"张", "", "张"}} {
		if got := fullName(c[0], c[1]); got != c[2] {
			t.Errorf("%q %q: %q", c[0], c[1], got)
		}
	}
}
