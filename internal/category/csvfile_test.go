package category

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func shipped(t testing.TB) []Category {
	t.Helper()
	cats, problems := ParseCSV(bytes.NewReader(DefaultCatalogue()))
	if len(problems) > 0 {
		t.Fatalf("shipped catalogue has problems: %v", problems)
	}
	return cats
}

// The codes reference/standards-cn.md §1.3 names for GB/T 47678.5-2026: they must be shipped, with
// the names the reference gives.
var referenceCodes = []struct {
	class      Class
	code, name string
}{
	{Event, "06001", "私搭乱建"}, {Event, "06010", "暴露垃圾"}, {Event, "06011", "积存垃圾渣土"},
	{Event, "06012", "道路不洁"}, {Event, "06013", "道路破损"}, {Event, "06027", "油烟污染"},
	{Event, "06028", "噪声扰民"}, {Event, "06042", "垃圾站（箱）满溢"}, {Event, "07001", "非法小广告"},
	{Event, "07003", "违规户外广告"}, {Event, "08001", "施工扰民"}, {Event, "08016", "无证建设"},
	{Event, "09001", "无照经营游商"}, {Event, "09006", "占道经营"}, {Event, "09009", "机动车乱停放"},
	{Event, "09010", "非机动车乱停放"}, {Event, "09011", "共享单车乱象"}, {Event, "09012", "占用消防通道"},
	{Event, "10001", "道路积雪、结冰"}, {Event, "10002", "架空线缆脱落"},
	{Component, "01001", "供水井盖"}, {Component, "01077", "综合杆"}, {Component, "02001", "停车场"},
	{Component, "03001", "公共厕所"}, {Component, "04001", "古树名木"}, {Component, "05002", "公房地下室"},
	{Component, "05003", "车辆加油（气、电）站"}, {Component, "05009", "文物古迹"},
}

// GB/T 30428.2-2013 predecessors the reference gives (部件 0101–0105, 事件 0101–0106).
var oldCodes = map[Key]string{
	{Component, "01001"}: "0101", {Component, "01002"}: "0102", {Component, "01003"}: "0103",
	{Component, "01004"}: "0104", {Component, "01005"}: "0105",
	{Event, "06001"}: "0101", {Event, "06010"}: "0102", {Event, "06011"}: "0103", {Event, "06012"}: "0104",
	{Event, "06025"}: "0105", {Event, "06017"}: "0106",
}

func TestShippedCatalogue(t *testing.T) {
	cats := shipped(t)
	if len(cats) < 60 {
		t.Fatalf("%d minors shipped, want at least 60", len(cats))
	}
	byKey := map[Key]Category{}
	majors := map[Key]bool{}
	events, confirmed := 0, 0
	for _, c := range cats {
		byKey[Key{c.Class, c.Code}] = c
		majors[Key{c.Class, c.MajorCode}] = true
		if c.NameEN == "" || c.MajorName == "" || c.MajorNameEN == "" {
			t.Errorf("%s/%s: missing a name", c.Class, c.Code)
		}
		if c.StandardRef != "GB/T 47678.5-2026" && c.StandardRef != "GB/T 47678.5-2026 (unverified)" {
			t.Errorf("%s/%s: standard_ref %q", c.Class, c.Code, c.StandardRef)
		}
		if c.DuplicateRadiusM < 30 || c.DuplicateRadiusM > 200 || c.DuplicateWindowHours < 24 {
			t.Errorf("%s/%s: duplicate radius %d m, window %d h", c.Class, c.Code, c.DuplicateRadiusM, c.DuplicateWindowHours)
		}
		if c.Class == Event {
			events++
			if c.ConfirmRequired {
				confirmed++
			}
		}
	}
	if confirmed*10 < events*8 {
		t.Errorf("only %d of %d event types need 核实", confirmed, events)
	}
	for _, k := range []Key{{Component, "01"}, {Component, "02"}, {Component, "03"}, {Component, "04"}, {Component, "05"},
		{Event, "06"}, {Event, "07"}, {Event, "08"}, {Event, "09"}, {Event, "10"}} {
		if !majors[k] {
			t.Errorf("major %s missing", k)
		}
	}
	for _, r := range referenceCodes {
		c, ok := byKey[Key{r.class, r.code}]
		if !ok || c.Name != r.name || c.StandardRef != "GB/T 47678.5-2026" {
			t.Errorf("%s/%s %s: shipped as %+v", r.class, r.code, r.name, c)
		}
	}
	for k, old := range oldCodes {
		if c := byKey[k]; c.OldCode != old || c.OldStandardRef != "GB/T 30428.2-2013" {
			t.Errorf("%s: old code %q (%q), want %s", k, c.OldCode, c.OldStandardRef, old)
		}
	}
	// The same code in both classes (事项 01–05 mirror 部件).
	if byKey[Key{Event, "01001"}].Name == "" || byKey[Key{Component, "01001"}].Name == "" {
		t.Error("01001 should exist as component and as event")
	}
	// Local examples of handling limits (reference §1.4).
	if c := byKey[Key{Event, "06028"}]; c.DuplicateRadiusM != 100 {
		t.Errorf("noise radius %d", c.DuplicateRadiusM)
	}
	if c := byKey[Key{Event, "06013"}]; c.DuplicateRadiusM != 200 {
		t.Errorf("road damage radius %d", c.DuplicateRadiusM)
	}
	if c := byKey[Key{Event, "06010"}]; c.DuplicateRadiusM != 50 || c.DuplicateWindowHours != 72 {
		t.Errorf("garbage duplicate settings %d m %d h", c.DuplicateRadiusM, c.DuplicateWindowHours)
	}
}

func ceilHalf(l Limit) Limit { return Limit{(l.Value + 1) / 2, l.Unit} }

func shorter(a, b Limit) bool {
	hours := func(l Limit) int {
		if l.Unit == Days {
			return l.Value * 24
		}
		return l.Value
	}
	return hours(a) < hours(b)
}

func TestShippedLimits(t *testing.T) {
	cats := shipped(t)
	limits, problems := ParseLimitsCSV(bytes.NewReader(DefaultLimitsFile()))
	if len(problems) > 0 {
		t.Fatalf("shipped limits have problems: %v", problems)
	}
	inCatalogue := map[Key]bool{{DefaultClass, DefaultCode}: true}
	for _, c := range cats {
		inCatalogue[Key{c.Class, c.Code}] = true
	}
	for k := range limits {
		if !inCatalogue[k] {
			t.Errorf("limits for %s, which is not in the catalogue", k)
		}
	}
	defaults := limits[Key{DefaultClass, DefaultCode}]
	for _, u := range Urgencies {
		if !defaults[u].Complete() {
			t.Fatalf("default limits for %s incomplete: %v", u, defaults[u])
		}
	}
	for _, c := range cats {
		set := limits[Key{c.Class, c.Code}]
		for _, u := range Urgencies {
			if !Resolve(defaults[u], set[u]).Complete() {
				t.Errorf("%s/%s %s: incomplete", c.Class, c.Code, u)
			}
		}
		normal, urgent, emergency := set[Normal][StageHandle], set[Urgent][StageHandle], set[Emergency][StageHandle]
		if !normal.Valid() {
			t.Errorf("%s/%s has no handling limit of its own", c.Class, c.Code)
			continue
		}
		// Urgent handling is half of normal rounded up; emergency is 2 working hours, or less
		// when urgent is already shorter.
		if urgent != ceilHalf(normal) {
			t.Errorf("%s/%s urgent %v, normal %v", c.Class, c.Code, urgent, normal)
		}
		wantEmergency := Limit{2, Hours}
		if shorter(urgent, wantEmergency) {
			wantEmergency = urgent
		}
		if emergency != wantEmergency {
			t.Errorf("%s/%s emergency %v, want %v", c.Class, c.Code, emergency, wantEmergency)
		}
		for _, st := range []Stage{StageConfirm, StageRegister, StageDispatch, StageSign, StageVerify} {
			if shorter(set[Normal][st], set[Urgent][st]) || shorter(set[Urgent][st], set[Emergency][st]) {
				t.Errorf("%s/%s %s: a more urgent case has a longer limit", c.Class, c.Code, st)
			}
		}
	}
	// The published local examples (reference §1.4).
	for k, want := range map[Key]Limit{
		{Event, "06010"}:     {4, Hours}, // 暴露垃圾 4 工作时
		{Event, "06012"}:     {5, Hours}, // 道路不洁 5 工作时 (济源)
		{Event, "06001"}:     {15, Days}, // 私搭乱建 / 违法搭建 15 工作日 (济源)
		{Event, "06011"}:     {4, Days},  // 积存垃圾渣土 4 工作日 (济源)
		{Event, "06025"}:     {15, Days}, // 水域不洁 15 工作日 (济源)
		{Event, "06017"}:     {4, Hours}, // 绿地保洁 4 工作时
		{Event, "08005"}:     {4, Hours}, // 建筑垃圾 4 工作时
		{Component, "04013"}: {5, Days},  // 绿地养护 5 工作日
	} {
		if got := limits[k][Normal][StageHandle]; got != want {
			t.Errorf("%s handling %v, want %v", k, got, want)
		}
	}
}

func TestCSVRoundTrip(t *testing.T) {
	cats := shipped(t)
	cats[0].Active = false
	cats[1].Keywords = []string{}
	cats[2].NameEN = `with "quotes", commas`
	var buf bytes.Buffer
	if err := WriteCSV(&buf, cats); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), bom) {
		t.Error("export should start with a BOM for spreadsheet programs")
	}
	again, problems := ParseCSV(&buf)
	if len(problems) > 0 {
		t.Fatalf("exported file does not parse: %v", problems)
	}
	if !reflect.DeepEqual(again, cats) {
		for i := range cats {
			if !reflect.DeepEqual(again[i], cats[i]) {
				t.Fatalf("line %d differs:\n%+v\n%+v", i+2, again[i], cats[i])
			}
		}
		t.Fatalf("%d categories back, want %d", len(again), len(cats))
	}
}

func problemList(problems []Problem) string {
	var out []string
	for _, p := range problems {
		out = append(out, fmt.Sprintf("%d:%s:%s", p.Line, p.Field, p.Key))
	}
	return strings.Join(out, " ")
}

func TestParseCSVProblems(t *testing.T) {
	header := "class,code,major_code,major_name,name,standard_ref,keywords,confirm_required,duplicate_radius_m,active\n"
	good := "event,06010,06,市容环境类,暴露垃圾,GB/T 47678.5-2026,垃圾|乱扔垃圾,true,50,true\n"
	cases := []struct {
		name, file, want string
	}{
		{"good, with BOM", "\xef\xbb\xbf" + header + good, ""},
		{"good, minimal columns", "code,class,name,standard_ref\n99001,event,本区自定义,local\n", ""},
		{"empty", "", "0::empty_file"},
		{"header only", header, "0::empty_file"},
		{"unknown and missing columns", "klass,code,name\n", "1:klass:unknown_column 1:class:missing_column 1:standard_ref:missing_column"},
		{"duplicate column", "class,code,name,standard_ref,name\n", "1:name:duplicate_column"},
		{"bad lines named", header + good +
			"component,1001,01,市政公用设施,供水井盖,GB/T 47678.5-2026,,true,30,true\n" +
			"event,06011,06,市容环境类,,GB/T 47678.5-2026,,maybe,50,true\n" +
			"event,06010,06,市容环境类,暴露垃圾,GB/T 47678.5-2026,,true,50,true\n" +
			"event,06012,06,市容卫生类,道路不洁,GB/T 47678.5-2026,,true,abc,true\n" +
			"event,06013,06\n",
			"3:code:bad_code 4:confirm_required:bad_bool 4:name:required 5:code:duplicate 6:duplicate_radius_m:bad_int 6:major_name:major_name_conflict 7::wrong_field_count"},
		{"quote error", header + good + "event,\"06011,06\n", "3::csv_syntax"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, problems := ParseCSV(strings.NewReader(tc.file))
			if got := problemList(problems); got != tc.want {
				t.Errorf("problems\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestParseLimitsCSVProblems(t *testing.T) {
	file := "class,code,urgency,handle,sign\n" +
		"*,*,normal,3d,2h\n" +
		"event,06010,normal,4h,\n" +
		"event,06010,normal,5h,\n" +
		"event,6010,urgent,2h,\n" +
		"event,06011,soon,2h,\n" +
		"thing,06011,normal,2h,\n" +
		"event,06011,normal,2x,1h\n"
	limits, problems := ParseLimitsCSV(strings.NewReader(file))
	want := "4:urgency:duplicate 5:code:bad_code 6:urgency:bad_urgency 7:class:bad_class 8:handle:bad_limit_cell"
	if got := problemList(problems); got != want {
		t.Errorf("problems\n got %s\nwant %s", got, want)
	}
	if l := limits[Key{Event, "06010"}][Normal]; len(l) != 1 || l[StageHandle] != (Limit{4, Hours}) {
		t.Errorf("06010 normal: %v (an empty cell means: use the default)", l)
	}
}

// FuzzParseCSV: the parser of uploaded files never panics, and whatever it accepts survives an
// export and a re-import unchanged.
func FuzzParseCSV(f *testing.F) {
	f.Add(DefaultCatalogue()[:2000])
	f.Add([]byte("class,code,name,standard_ref\nevent,99001,x,local\n"))
	f.Add([]byte("\xef\xbb\xbfclass,code,name,standard_ref,keywords\nevent,99001,\"a,b\",local,x|y\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cats, problems := ParseCSV(bytes.NewReader(data))
		if len(problems) > 0 {
			return
		}
		var buf bytes.Buffer
		if err := WriteCSV(&buf, cats); err != nil {
			t.Fatal(err)
		}
		again, problems := ParseCSV(&buf)
		if len(problems) > 0 || !reflect.DeepEqual(again, cats) {
			t.Fatalf("round trip changed the catalogue: %v\n%+v\n%+v", problems, cats, again)
		}
	})
}

// FuzzParseLimitsCSV: the limits parser never panics and returns only valid limits.
func FuzzParseLimitsCSV(f *testing.F) {
	f.Add(DefaultLimitsFile()[:1000])
	f.Add([]byte("class,code,urgency,handle\n*,*,normal,3d\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		limits, _ := ParseLimitsCSV(bytes.NewReader(data))
		for k, set := range limits {
			if p := CheckLimits(set); len(p) > 0 {
				t.Fatalf("%s: invalid limits accepted: %v", k, p)
			}
		}
	})
}
