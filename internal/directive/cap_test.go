package directive

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// sent is when the typhoon warning goes out: Friday 4 December 2026, 16:49 in Beijing.
var sent = time.Date(2026, 12, 4, 16, 49, 0, 0, districtZone)

const sender = "dongcheng.yiwang.example"

// typhoonAlert is a directive to three grids of one subdistrict, with every element we write.
func typhoonAlert() *Alert {
	return &Alert{
		Identifier: "directive-110101-0042",
		Sender:     sender,
		Sent:       sent,
		Status:     StatusActual,
		MsgType:    MsgTypeAlert,
		Scope:      ScopePublic,
		Note:       "由区城市运行管理中心下发",
		Info: &Info{
			Language:      "zh-CN",
			Categories:    []Category{CategoryMet, CategorySafety},
			Event:         "台风防御",
			ResponseTypes: []ResponseType{ResponsePrepare, ResponseMonitor},
			Urgency:       UrgencyExpected,
			Severity:      SeveritySevere,
			Certainty:     CertaintyLikely,
			Effective:     sent,
			Onset:         sent.Add(18 * time.Hour),
			Expires:       sent.Add(48 * time.Hour),
			SenderName:    "东城区城市运行管理中心",
			Headline:      "台风蓝色预警：12月5日起加固户外设施",
			Description:   "第 27 号台风预计 12 月 5 日上午影响本区。\n阵风 8–9 级 & 强降雨 <50 mm/h>。",
			Instruction:   "各网格 12 月 5 日 08:00 前排查广告牌、脚手架、临时建筑，完成后签收回执。",
			Web:           "https://yiwang.example/directives/42",
			Contact:       "区值班室 010-12345678",
			Areas: []Area{{
				Description: "东华门街道 3 个网格",
				Polygons: []Polygon{{
					{39.9163, 116.3972}, {39.9163, 116.4105}, {39.9087, 116.4105}, {39.9087, 116.3972}, {39.9163, 116.3972},
				}},
				Geocodes: []Geocode{
					{GridValueName, "110101001001001"},
					{GridValueName, "110101001001002"},
					{GridValueName, "110101001002001"},
				},
			}},
		},
	}
}

// updateAlert supersedes the typhoon warning and narrows who may see it.
func updateAlert() *Alert {
	a := typhoonAlert()
	a.Identifier = "directive-110101-0043"
	a.Sent = sent.Add(3 * time.Hour)
	a.MsgType = MsgTypeUpdate
	a.Scope = ScopeRestricted
	a.Restriction = "仅限网格员与社区工作人员"
	a.Note = ""
	a.References = []Ref{{Sender: sender, Identifier: "directive-110101-0042", Sent: sent}}
	a.Info.Urgency = UrgencyImmediate
	a.Info.Severity = SeverityExtreme
	a.Info.Certainty = CertaintyObserved
	a.Info.ResponseTypes = []ResponseType{ResponseExecute}
	a.Info.Effective = a.Sent
	a.Info.Headline = "台风升级为橙色预警：立即加固户外设施"
	return a
}

// cancelAlert withdraws both, sent privately to the two subdistrict desks.
func cancelAlert() *Alert {
	a := typhoonAlert()
	a.Identifier = "directive-110101-0044"
	a.Sent = sent.Add(30 * time.Hour)
	a.MsgType = MsgTypeCancel
	a.Scope = ScopePrivate
	a.Addresses = []string{"desk.110101001", "desk.110101002"}
	a.Note = "台风路径北移，解除本次指令"
	a.References = []Ref{
		{Sender: sender, Identifier: "directive-110101-0042", Sent: sent},
		{Sender: sender, Identifier: "directive-110101-0043", Sent: sent.Add(3 * time.Hour)},
	}
	in := a.Info
	in.ResponseTypes = []ResponseType{ResponseAllClear}
	in.Urgency, in.Severity, in.Certainty = UrgencyPast, SeverityMinor, CertaintyObserved
	in.Effective, in.Onset, in.Expires = a.Sent, time.Time{}, time.Time{}
	in.Headline = "解除台风防御指令"
	in.Description, in.Instruction, in.Web = "", "", ""
	in.Areas[0].Polygons = nil
	return a
}

var fixtures = []struct {
	name  string
	alert func() *Alert
}{
	{"alert", typhoonAlert},
	{"update", updateAlert},
	{"cancel", cancelAlert},
}

func write(t testing.TB, a *Alert) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := a.WriteXML(&buf); err != nil {
		t.Fatalf("WriteXML: %v", err)
	}
	return buf.Bytes()
}

func TestWriteXMLGolden(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			got := write(t, f.alert())
			path := filepath.Join("testdata", f.name+".xml")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from WriteXML's output; got:\n%s", path, got)
			}
		})
	}
}

// The XSD sequences of CAP 1.2 (CAP-v1.2 §3.4, XML Schema; the data dictionary §3.2.1–§3.2.4
// lists the same order). Elements marked many may repeat; the others occur at most once.
var (
	alertOrder = []string{"identifier", "sender", "sent", "status", "msgType", "source", "scope",
		"restriction", "addresses", "code*", "note", "references", "incidents", "info*"}
	infoOrder = []string{"language", "category*", "event", "responseType*", "urgency", "severity",
		"certainty", "audience", "eventCode*", "effective", "onset", "expires", "senderName",
		"headline", "description", "instruction", "web", "contact", "parameter*", "resource*", "area*"}
	areaOrder    = []string{"areaDesc", "polygon*", "circle*", "geocode*", "altitude", "ceiling"}
	geocodeOrder = []string{"valueName", "value"}

	// minOccurs=1 in the XSD.
	required = map[string][]string{
		"alert":   {"identifier", "sender", "sent", "status", "msgType", "scope"},
		"info":    {"category", "event", "urgency", "severity", "certainty"},
		"area":    {"areaDesc"},
		"geocode": {"valueName", "value"},
	}
	order = map[string][]string{"alert": alertOrder, "info": infoOrder, "area": areaOrder, "geocode": geocodeOrder}

	// The code lists of §3.2.1 and §3.2.2, written out again here so that a wrong constant in
	// cap.go cannot pass by being compared with itself.
	enumerations = map[string][]string{
		"status":       {"Actual", "Exercise", "System", "Test", "Draft"},
		"msgType":      {"Alert", "Update", "Cancel", "Ack", "Error"},
		"scope":        {"Public", "Restricted", "Private"},
		"category":     {"Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE", "Other"},
		"responseType": {"Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None"},
		"urgency":      {"Immediate", "Expected", "Future", "Past", "Unknown"},
		"severity":     {"Extreme", "Severe", "Moderate", "Minor", "Unknown"},
		"certainty":    {"Observed", "Likely", "Possible", "Unlikely", "Unknown"},
	}

	// The XSD pattern for dateTime elements is \d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-,+]\d\d:\d\d (the
	// comma in the class is the schema's slip; an offset is a sign).
	capDateTime   = regexp.MustCompile(`^\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$`)
	dateTimeNames = map[string]bool{"sent": true, "effective": true, "onset": true, "expires": true}
)

// checkSequence reports the first element of got that is unknown, out of the XSD order, or
// repeated though single.
func checkSequence(seq, got []string) error {
	pos := -1
	for i, name := range got {
		j := -1
		for k, s := range seq {
			if strings.TrimSuffix(s, "*") == name {
				j = k
			}
		}
		switch {
		case j < 0:
			return fmt.Errorf("element %d <%s> is not in the sequence", i, name)
		case j < pos:
			return fmt.Errorf("element %d <%s> comes after <%s>", i, name, strings.TrimSuffix(seq[pos], "*"))
		case j == pos && !strings.HasSuffix(seq[j], "*"):
			return fmt.Errorf("element %d <%s> is repeated", i, name)
		}
		pos = j
	}
	return nil
}

func TestCheckSequence(t *testing.T) {
	for _, tc := range []struct {
		got []string
		ok  bool
	}{
		{[]string{"identifier", "sender", "sent", "status", "msgType", "scope", "info", "info"}, true},
		{[]string{"identifier", "sent", "sender"}, false},
		{[]string{"identifier", "identifier"}, false},
		{[]string{"identifier", "bogus"}, false},
	} {
		if err := checkSequence(alertOrder, tc.got); (err == nil) != tc.ok {
			t.Errorf("checkSequence(%v) = %v, want ok=%v", tc.got, err, tc.ok)
		}
	}
}

// element is one parsed element: its name, its child elements in order, its text.
type element struct {
	name     xml.Name
	children []*element
	text     string
}

func parseTree(t testing.TB, doc []byte) *element {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var stack []*element
	var root *element
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("produced XML is not well-formed: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &element{name: tok.Name}
			if len(stack) == 0 {
				root = e
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, e)
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tok)
			}
		}
	}
	return root
}

// TestWriteXMLStructure walks the output with xml.Decoder and checks it against CAP 1.2:
// namespace, required elements, XSD order, enumerations and the dateTime form.
func TestWriteXMLStructure(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f.name, func(t *testing.T) { checkDocument(t, write(t, f.alert())) })
	}
}

// checkDocument checks a CAP document against CAP 1.2: namespace, required elements, XSD order,
// enumerations and the dateTime form, one <info> and one <area>. The API test of the served
// document (api_test.go) runs the same checks.
func checkDocument(t testing.TB, doc []byte) {
	t.Helper()
	root := parseTree(t, doc)
	if root.name.Space != "urn:oasis:names:tc:emergency:cap:1.2" || root.name.Local != "alert" {
		t.Fatalf("root is {%s}%s, want the CAP 1.2 alert", root.name.Space, root.name.Local)
	}
	var walk func(e *element)
	walk = func(e *element) {
		if e.name.Space != root.name.Space {
			t.Errorf("<%s> is in namespace %q", e.name.Local, e.name.Space)
		}
		name := e.name.Local
		if values, ok := enumerations[name]; ok && !contains(values, strings.TrimSpace(e.text)) {
			t.Errorf("<%s>%s</%s> is not in the CAP 1.2 enumeration", name, e.text, name)
		}
		if dateTimeNames[name] && !capDateTime.MatchString(e.text) {
			t.Errorf("<%s>%s</%s> is not a CAP dateTime", name, e.text, name)
		}
		if strings.HasSuffix(e.text, "Z") && dateTimeNames[name] {
			t.Errorf("<%s> ends in Z", name)
		}
		var names []string
		for _, c := range e.children {
			names = append(names, c.name.Local)
		}
		if seq, ok := order[name]; ok {
			if err := checkSequence(seq, names); err != nil {
				t.Errorf("<%s>: %v", name, err)
			}
			for _, r := range required[name] {
				if !contains(names, r) {
					t.Errorf("<%s> lacks required <%s>", name, r)
				}
			}
		}
		for _, c := range e.children {
			walk(c)
		}
	}
	walk(root)
	if n := count(root, "info"); n != 1 {
		t.Errorf("%d <info> blocks, want 1", n)
	}
	if n := count(root, "area"); n != 1 {
		t.Errorf("%d <area> blocks, want 1", n)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func count(e *element, name string) int {
	n := 0
	if e.name.Local == name {
		n++
	}
	for _, c := range e.children {
		n += count(c, name)
	}
	return n
}

// TestEnumerations checks each Valid method against the spec lists above, and one near miss.
func TestEnumerations(t *testing.T) {
	valid := map[string]func(string) bool{
		"status":       func(s string) bool { return Status(s).Valid() },
		"msgType":      func(s string) bool { return MsgType(s).Valid() },
		"scope":        func(s string) bool { return Scope(s).Valid() },
		"category":     func(s string) bool { return Category(s).Valid() },
		"responseType": func(s string) bool { return ResponseType(s).Valid() },
		"urgency":      func(s string) bool { return Urgency(s).Valid() },
		"severity":     func(s string) bool { return Severity(s).Valid() },
		"certainty":    func(s string) bool { return Certainty(s).Valid() },
	}
	for name, values := range enumerations {
		for _, v := range values {
			if !valid[name](v) {
				t.Errorf("%s %q: Valid() = false", name, v)
			}
			if valid[name](strings.ToLower(v)) {
				t.Errorf("%s %q: Valid() = true; CAP values are case-sensitive", name, strings.ToLower(v))
			}
		}
		if valid[name]("") {
			t.Errorf("%s: empty value is valid", name)
		}
	}
	if CertaintyUnknown.Valid() && Certainty("VeryLikely").Valid() {
		t.Error(`"VeryLikely" was dropped in CAP 1.1`)
	}
}

func TestValidate(t *testing.T) {
	for _, f := range fixtures {
		if err := f.alert().Validate(); err != nil {
			t.Errorf("%s: %v", f.name, err)
		}
	}
	ack := &Alert{Identifier: "ack-1", Sender: "grid.110101001001001", Sent: sent, Status: StatusActual,
		MsgType: MsgTypeAck, Scope: ScopePublic,
		References: []Ref{{Sender: sender, Identifier: "directive-110101-0042", Sent: sent}}}
	if err := ack.Validate(); err != nil {
		t.Errorf("an Ack without info: %v", err)
	}

	area := func(a *Alert) *Area { return &a.Info.Areas[0] }
	for _, tc := range []struct {
		name   string
		mutate func(a *Alert)
		field  string
	}{
		{"missing identifier", func(a *Alert) { a.Identifier = "" }, "identifier"},
		{"identifier with a space", func(a *Alert) { a.Identifier = "directive 42" }, "identifier"},
		{"identifier with a tab", func(a *Alert) { a.Identifier = "directive\t42" }, "identifier"},
		{"identifier with <", func(a *Alert) { a.Identifier = "d<42" }, "identifier"},
		{"missing sender", func(a *Alert) { a.Sender = "" }, "sender"},
		{"sender with a comma", func(a *Alert) { a.Sender = "a,b" }, "sender"},
		{"sender with &", func(a *Alert) { a.Sender = "a&b" }, "sender"},
		{"missing sent", func(a *Alert) { a.Sent = time.Time{} }, "sent"},
		{"sent in year 10000", func(a *Alert) { a.Sent = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "sent"},
		{"bad status", func(a *Alert) { a.Status = "Real" }, "status"},
		{"missing msgType", func(a *Alert) { a.MsgType = "" }, "msgType"},
		{"bad scope", func(a *Alert) { a.Scope = "public" }, "scope"},
		{"Restricted without restriction", func(a *Alert) { a.Scope = ScopeRestricted }, "restriction"},
		{"restriction on Public", func(a *Alert) { a.Restriction = "staff" }, "restriction"},
		{"Private without addresses", func(a *Alert) { a.Scope = ScopePrivate }, "addresses"},
		{"address with a space", func(a *Alert) { a.Scope = ScopePrivate; a.Addresses = []string{"desk one"} }, "addresses[0]"},
		{"Update without references", func(a *Alert) { a.MsgType = MsgTypeUpdate }, "references"},
		{"Cancel without references", func(a *Alert) { a.MsgType = MsgTypeCancel }, "references"},
		{"Error without references", func(a *Alert) { a.MsgType = MsgTypeError; a.Info = nil }, "references"},
		{"reference without sent", func(a *Alert) {
			a.References = []Ref{{Sender: sender, Identifier: "x"}}
		}, "references[0].sent"},
		{"reference with a comma", func(a *Alert) {
			a.References = []Ref{{Sender: sender, Identifier: "x,y", Sent: sent}}
		}, "references[0].identifier"},
		{"Alert without info", func(a *Alert) { a.Info = nil }, "info"},
		{"missing language", func(a *Alert) { a.Info.Language = "" }, "info.language"},
		{"bad language", func(a *Alert) { a.Info.Language = "zh_CN" }, "info.language"},
		{"no category", func(a *Alert) { a.Info.Categories = nil }, "info.category"},
		{"bad category", func(a *Alert) { a.Info.Categories = []Category{CategoryMet, "Weather"} }, "info.category[1]"},
		{"missing event", func(a *Alert) { a.Info.Event = "" }, "info.event"},
		{"bad responseType", func(a *Alert) { a.Info.ResponseTypes = []ResponseType{"Run"} }, "info.responseType[0]"},
		{"bad urgency", func(a *Alert) { a.Info.Urgency = "Urgent" }, "info.urgency"},
		{"missing severity", func(a *Alert) { a.Info.Severity = "" }, "info.severity"},
		{"bad certainty", func(a *Alert) { a.Info.Certainty = "VeryLikely" }, "info.certainty"},
		{"relative web", func(a *Alert) { a.Info.Web = "/directives/42" }, "info.web"},
		{"control character", func(a *Alert) { a.Info.Description = "bell\a" }, "info.description"},
		{"invalid UTF-8", func(a *Alert) { a.Info.Headline = "\xff" }, "info.headline"},
		{"missing areaDesc", func(a *Alert) { area(a).Description = "" }, "info.area[0].areaDesc"},
		{"open polygon", func(a *Alert) {
			area(a).Polygons[0] = area(a).Polygons[0][:4]
		}, "info.area[0].polygon[0]"},
		{"polygon of 3 points", func(a *Alert) {
			area(a).Polygons[0] = Polygon{{39.9, 116.4}, {39.8, 116.4}, {39.9, 116.4}}
		}, "info.area[0].polygon[0]"},
		{"lat 91", func(a *Alert) {
			area(a).Polygons[0] = Polygon{{91, 116}, {39, 117}, {39, 116}, {91, 116}}
		}, "info.area[0].polygon[0]"},
		{"lng -181", func(a *Alert) {
			area(a).Polygons[0] = Polygon{{39, -181}, {39, 117}, {40, 116}, {39, -181}}
		}, "info.area[0].polygon[0]"},
		{"NaN lat", func(a *Alert) {
			nan := math.NaN()
			area(a).Polygons[0] = Polygon{{nan, 116}, {39, 117}, {40, 116}, {39, 116}}
		}, "info.area[0].polygon[0]"},
		{"geocode without value", func(a *Alert) { area(a).Geocodes[2].Value = "" }, "info.area[0].geocode[2]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := typhoonAlert()
			tc.mutate(a)
			err := a.Validate()
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Validate() = %v, want a *FieldError", err)
			}
			var fields []string
			for _, e := range err.(FieldErrors) {
				fields = append(fields, e.Field)
			}
			if !contains(fields, tc.field) {
				t.Errorf("Validate() = %v, want an error on %s", err, tc.field)
			}
			if werr := a.WriteXML(io.Discard); werr == nil {
				t.Error("WriteXML wrote an invalid alert")
			}
		})
	}
}

func TestFormatDateTime(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 12, 4, 8, 49, 0, 0, time.UTC), "2026-12-04T08:49:00-00:00"},
		{time.Date(2026, 12, 4, 16, 49, 0, 999_999_999, districtZone), "2026-12-04T16:49:00+08:00"},
		{time.Date(2002, 5, 24, 16, 49, 0, 0, time.FixedZone("PDT", -7*3600)), "2002-05-24T16:49:00-07:00"},
	} {
		if got := formatDateTime(tc.t); got != tc.want {
			t.Errorf("formatDateTime(%v) = %s, want %s", tc.t, got, tc.want)
		}
	}
	// WriteXML writes district time, whatever zone the value carries.
	a := typhoonAlert()
	a.Sent = sent.UTC()
	if doc := write(t, a); !bytes.Contains(doc, []byte("<sent>2026-12-04T16:49:00+08:00</sent>")) {
		t.Errorf("sent not written at +08:00:\n%s", doc)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			want := f.alert()
			got, err := ParseXML(bytes.NewReader(write(t, want)))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip changed the alert:\n got %+v\nwant %+v", got, want)
				if !reflect.DeepEqual(got.Info, want.Info) {
					t.Errorf("info:\n got %+v\nwant %+v", got.Info, want.Info)
				}
			}
		})
	}
}

func TestParseXMLRefuses(t *testing.T) {
	golden := string(write(t, typhoonAlert()))
	for _, tc := range []struct{ name, doc string }{
		{"CAP 1.1 namespace", strings.Replace(golden, "cap:1.2", "cap:1.1", 1)},
		{"no namespace", strings.Replace(golden, ` xmlns="urn:oasis:names:tc:emergency:cap:1.2"`, "", 1)},
		{"another root", `<feed xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>`},
		{"Z time", strings.Replace(golden, "16:49:00+08:00</sent>", "08:49:00Z</sent>", 1)},
		{"fractional seconds", strings.Replace(golden, "16:49:00+08:00</sent>", "16:49:00.5+08:00</sent>", 1)},
		{"two info blocks", strings.Replace(golden, "</info>", "</info><info/>", 1)},
		{"bad polygon", strings.Replace(golden, "39.9163,116.3972 ", "39.9163;116.3972 ", 1)},
		{"bad reference", strings.Replace(string(write(t, updateAlert())), sender+",directive", sender+"+directive", 1)},
		{"not XML", "CAP"},
		{"truncated", golden[:len(golden)/2]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if a, err := ParseXML(strings.NewReader(tc.doc)); err == nil {
				t.Errorf("ParseXML accepted it: %+v", a)
			}
		})
	}
}

// endless is a note that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

func TestParseXMLLimit(t *testing.T) {
	head := `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><note>`
	_, err := ParseXML(io.MultiReader(strings.NewReader(head), endless{}))
	if !errors.Is(err, errTooLarge) {
		t.Fatalf("ParseXML of an endless note = %v, want errTooLarge", err)
	}
	// The limit leaves room for a directive to 20 000 grids.
	if doc := write(t, manyGrids(20_000)); len(doc) > MaxXMLBytes/2 {
		t.Errorf("20 000 grids take %d bytes, too close to MaxXMLBytes", len(doc))
	} else if _, err := ParseXML(bytes.NewReader(doc)); err != nil {
		t.Errorf("ParseXML of 20 000 grids: %v", err)
	}
}

func manyGrids(n int) *Alert {
	a := typhoonAlert()
	codes := make([]Geocode, n)
	for i := range codes {
		codes[i] = Geocode{GridValueName, fmt.Sprintf("110101%03d%03d%03d", i/10000+1, i/100%100, i%100)}
	}
	a.Info.Areas[0].Geocodes = codes
	return a
}

// BenchmarkWriteXML measures the goal "20 000 geocodes well under 50 ms":
// go test -run '^$' -bench WriteXML ./internal/directive/
func BenchmarkWriteXML(b *testing.B) {
	a := manyGrids(20_000)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := a.WriteXML(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

// FuzzParseXML: ParseXML never panics, and whatever it accepts and Validate passes survives
// WriteXML and ParseXML unchanged.
func FuzzParseXML(f *testing.F) {
	for _, fx := range fixtures {
		f.Add(write(f, fx.alert()))
	}
	f.Add([]byte(`<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><info><area><polygon>1,2 3</polygon></area></info></alert>`))
	f.Add([]byte(`<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><references>a,b,c d</references></alert>`))
	f.Add([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><alert/>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		a, err := ParseXML(bytes.NewReader(doc))
		if err != nil || a.Validate() != nil {
			return
		}
		var buf bytes.Buffer
		if err := a.WriteXML(&buf); err != nil {
			t.Fatalf("WriteXML of a valid alert: %v", err)
		}
		b, err := ParseXML(&buf)
		if err != nil {
			t.Fatalf("ParseXML of WriteXML's output: %v\n%s", err, buf.Bytes())
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("round trip changed the alert:\n%+v\n%+v", a, b)
		}
	})
}
