package directive

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CAPNamespace is the XML namespace of CAP 1.2 (CAP-v1.2 §3.4, the XML schema).
const CAPNamespace = "urn:oasis:names:tc:emergency:cap:1.2"

// GridValueName is the <geocode> valueName under which each targeted grid's code is listed.
const GridValueName = "yiwang:grid"

// MaxXMLBytes bounds what ParseXML reads: 8 MiB. A directive to 20 000 grids is about 2 MiB.
const MaxXMLBytes = 8 << 20

// The CAP 1.2 code lists (CAP-v1.2 §3.2.1 for the alert block, §3.2.2 for the info block).
type (
	Status       string // <status>: the handling of the message
	MsgType      string // <msgType>: the nature of the message
	Scope        string // <scope>: the intended distribution
	Category     string // <category>: the category of the subject event
	ResponseType string // <responseType>: the action recommended to the audience
	Urgency      string // <urgency>: the time available to prepare
	Severity     string // <severity>: the intensity of the impact
	Certainty    string // <certainty>: the confidence in the observation or prediction
)

const (
	StatusActual   Status = "Actual"
	StatusExercise Status = "Exercise"
	StatusSystem   Status = "System"
	StatusTest     Status = "Test"
	StatusDraft    Status = "Draft"

	MsgTypeAlert  MsgType = "Alert"
	MsgTypeUpdate MsgType = "Update"
	MsgTypeCancel MsgType = "Cancel"
	MsgTypeAck    MsgType = "Ack"
	MsgTypeError  MsgType = "Error"

	ScopePublic     Scope = "Public"
	ScopeRestricted Scope = "Restricted"
	ScopePrivate    Scope = "Private"

	CategoryGeo       Category = "Geo"
	CategoryMet       Category = "Met"
	CategorySafety    Category = "Safety"
	CategorySecurity  Category = "Security"
	CategoryRescue    Category = "Rescue"
	CategoryFire      Category = "Fire"
	CategoryHealth    Category = "Health"
	CategoryEnv       Category = "Env"
	CategoryTransport Category = "Transport"
	CategoryInfra     Category = "Infra"
	CategoryCBRNE     Category = "CBRNE"
	CategoryOther     Category = "Other"

	ResponseShelter  ResponseType = "Shelter"
	ResponseEvacuate ResponseType = "Evacuate"
	ResponsePrepare  ResponseType = "Prepare"
	ResponseExecute  ResponseType = "Execute"
	ResponseAvoid    ResponseType = "Avoid"
	ResponseMonitor  ResponseType = "Monitor"
	ResponseAssess   ResponseType = "Assess"
	ResponseAllClear ResponseType = "AllClear"
	ResponseNone     ResponseType = "None"

	UrgencyImmediate Urgency = "Immediate"
	UrgencyExpected  Urgency = "Expected"
	UrgencyFuture    Urgency = "Future"
	UrgencyPast      Urgency = "Past"
	UrgencyUnknown   Urgency = "Unknown"

	SeverityExtreme  Severity = "Extreme"
	SeveritySevere   Severity = "Severe"
	SeverityModerate Severity = "Moderate"
	SeverityMinor    Severity = "Minor"
	SeverityUnknown  Severity = "Unknown"

	CertaintyObserved Certainty = "Observed"
	CertaintyLikely   Certainty = "Likely"
	CertaintyPossible Certainty = "Possible"
	CertaintyUnlikely Certainty = "Unlikely"
	CertaintyUnknown  Certainty = "Unknown"
)

// Valid reports whether s is one of the CAP 1.2 values.
func (s Status) Valid() bool {
	switch s {
	case StatusActual, StatusExercise, StatusSystem, StatusTest, StatusDraft:
		return true
	}
	return false
}

// Valid reports whether m is one of the CAP 1.2 values.
func (m MsgType) Valid() bool {
	switch m {
	case MsgTypeAlert, MsgTypeUpdate, MsgTypeCancel, MsgTypeAck, MsgTypeError:
		return true
	}
	return false
}

// Valid reports whether s is one of the CAP 1.2 values.
func (s Scope) Valid() bool {
	switch s {
	case ScopePublic, ScopeRestricted, ScopePrivate:
		return true
	}
	return false
}

// Valid reports whether c is one of the CAP 1.2 values.
func (c Category) Valid() bool {
	switch c {
	case CategoryGeo, CategoryMet, CategorySafety, CategorySecurity, CategoryRescue, CategoryFire,
		CategoryHealth, CategoryEnv, CategoryTransport, CategoryInfra, CategoryCBRNE, CategoryOther:
		return true
	}
	return false
}

// Valid reports whether r is one of the CAP 1.2 values.
func (r ResponseType) Valid() bool {
	switch r {
	case ResponseShelter, ResponseEvacuate, ResponsePrepare, ResponseExecute, ResponseAvoid,
		ResponseMonitor, ResponseAssess, ResponseAllClear, ResponseNone:
		return true
	}
	return false
}

// Valid reports whether u is one of the CAP 1.2 values.
func (u Urgency) Valid() bool {
	switch u {
	case UrgencyImmediate, UrgencyExpected, UrgencyFuture, UrgencyPast, UrgencyUnknown:
		return true
	}
	return false
}

// Valid reports whether s is one of the CAP 1.2 values.
func (s Severity) Valid() bool {
	switch s {
	case SeverityExtreme, SeveritySevere, SeverityModerate, SeverityMinor, SeverityUnknown:
		return true
	}
	return false
}

// Valid reports whether c is one of the CAP 1.2 values.
func (c Certainty) Valid() bool {
	switch c {
	case CertaintyObserved, CertaintyLikely, CertaintyPossible, CertaintyUnlikely, CertaintyUnknown:
		return true
	}
	return false
}

// Alert is a directive as a CAP 1.2 <alert> (CAP-v1.2 §3.2.1). It holds the elements a directive
// uses; <source>, <code>, <incidents>, <audience>, <eventCode>, <parameter>, <resource>,
// <circle>, <altitude> and <ceiling> are not used, and ParseXML ignores them.
type Alert struct {
	Identifier  string    // unique per sender; no whitespace, commas, < or &
	Sender      string    // globally unique originator, e.g. a domain name; same characters rule
	Sent        time.Time // origination time
	Status      Status
	MsgType     MsgType
	Scope       Scope
	Restriction string   // the distribution rule; set exactly when Scope is Restricted
	Addresses   []string // the recipients; required when Scope is Private (no whitespace each)
	Note        string
	References  []Ref // earlier messages this one updates, cancels, acknowledges or rejects
	Info        *Info // the one info block of a directive; nil only for Ack and Error
}

// Ref names an earlier message by its extended identifier sender,identifier,sent (§3.2.1).
type Ref struct {
	Sender     string
	Identifier string
	Sent       time.Time
}

// Info is the <info> block (CAP-v1.2 §3.2.2). Zero times and empty strings are left out.
type Info struct {
	Language      string // RFC 3066 tag; yiwang writes "zh-CN" (CAP's default would be en-US)
	Categories    []Category
	Event         string
	ResponseTypes []ResponseType
	Urgency       Urgency
	Severity      Severity
	Certainty     Certainty
	Effective     time.Time
	Onset         time.Time
	Expires       time.Time
	SenderName    string
	Headline      string
	Description   string
	Instruction   string
	Web           string // a full absolute URI
	Contact       string
	Areas         []Area
}

// Area is an <area> block (CAP-v1.2 §3.2.4): a description, polygons and geocodes.
type Area struct {
	Description string    // <areaDesc>
	Polygons    []Polygon // closed rings
	Geocodes    []Geocode // one per targeted grid, valueName GridValueName
}

// Polygon is a closed ring of WGS 84 points: at least 4, the last equal to the first.
type Polygon []Point

// Point is a WGS 84 coordinate pair, written "lat,lng" (CAP-v1.2 §3.3.1).
type Point struct{ Lat, Lng float64 }

// Geocode is a <geocode> valueName/value pair.
type Geocode struct{ ValueName, Value string }

// FieldError is one broken rule, naming the CAP element by its path in the message
// ("sender", "info.urgency", "info.area[0].polygon[1]"), so a handler can answer 400 with it.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// FieldErrors is every rule an Alert breaks, in document order.
type FieldErrors []*FieldError

func (es FieldErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return "invalid CAP alert: " + strings.Join(parts, "; ")
}

// Unwrap lets errors.As find the first *FieldError.
func (es FieldErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

type checker struct{ errs FieldErrors }

func (c *checker) add(field, reason string) { c.errs = append(c.errs, &FieldError{field, reason}) }

// required reports an empty value, and text that XML cannot carry.
func (c *checker) required(field, s string) {
	if s == "" {
		c.add(field, "required")
		return
	}
	c.text(field, s)
}

func (c *checker) text(field, s string) {
	if !xmlText(s) {
		c.add(field, "contains characters XML cannot carry")
	}
}

// token checks identifier and sender: CAP-v1.2 §3.2.1 "MUST NOT include spaces, commas or
// restricted characters (< and &)". Every whitespace counts, since references are split on it.
func (c *checker) token(field, s string) {
	if s == "" {
		c.add(field, "required")
		return
	}
	if strings.ContainsAny(s, ",<&") || strings.IndexFunc(s, isSpace) >= 0 {
		c.add(field, "must not contain whitespace, commas, < or &")
		return
	}
	c.text(field, s)
}

func (c *checker) enum(field string, valid bool, value string) {
	switch {
	case value == "":
		c.add(field, "required")
	case !valid:
		c.add(field, fmt.Sprintf("%q is not a CAP 1.2 value", value))
	}
}

func (c *checker) time(field string, t time.Time, required bool) {
	if t.IsZero() {
		if required {
			c.add(field, "required")
		}
		return
	}
	if y := t.In(districtZone).Year(); y < 1 || y > 9999 {
		c.add(field, "year out of range")
	}
}

// Validate checks the MUST rules of CAP 1.2 and yiwang's directive rules (marked "yiwang").
// It returns nil or FieldErrors.
func (a *Alert) Validate() error {
	c := &checker{}
	c.token("identifier", a.Identifier)
	c.token("sender", a.Sender)
	c.time("sent", a.Sent, true)
	c.enum("status", a.Status.Valid(), string(a.Status))
	c.enum("msgType", a.MsgType.Valid(), string(a.MsgType))
	c.enum("scope", a.Scope.Valid(), string(a.Scope))
	// §3.2.1: <restriction> is used when scope is Restricted; yiwang also refuses it otherwise.
	switch {
	case a.Scope == ScopeRestricted && a.Restriction == "":
		c.add("restriction", "required when scope is Restricted")
	case a.Scope != ScopeRestricted && a.Restriction != "":
		c.add("restriction", "only allowed when scope is Restricted")
	default:
		c.text("restriction", a.Restriction)
	}
	// §3.2.1: <addresses> is "Required when <scope> is Private". Addresses are written
	// space-separated; yiwang refuses the quoted form (an address with whitespace).
	if a.Scope == ScopePrivate && len(a.Addresses) == 0 {
		c.add("addresses", "required when scope is Private")
	}
	for i, addr := range a.Addresses {
		if addr == "" || strings.IndexFunc(addr, isSpace) >= 0 || strings.Contains(addr, `"`) {
			c.add(fmt.Sprintf("addresses[%d]", i), "must be non-empty, without whitespace or quotes")
		} else {
			c.text(fmt.Sprintf("addresses[%d]", i), addr)
		}
	}
	c.text("note", a.Note)
	// §3.2.1 defines Update, Cancel, Ack and Error as acting on "the earlier message(s)
	// identified in <references>"; it states no MUST, yiwang requires the reference.
	switch a.MsgType {
	case MsgTypeUpdate, MsgTypeCancel, MsgTypeAck, MsgTypeError:
		if len(a.References) == 0 {
			c.add("references", "required when msgType is "+string(a.MsgType))
		}
	}
	for i, r := range a.References {
		p := fmt.Sprintf("references[%d].", i)
		c.token(p+"sender", r.Sender)
		c.token(p+"identifier", r.Identifier)
		c.time(p+"sent", r.Sent, true)
	}
	switch {
	case a.Info != nil:
		a.Info.validate(c)
	case a.MsgType != MsgTypeAck && a.MsgType != MsgTypeError && a.MsgType.Valid():
		c.add("info", "required when msgType is "+string(a.MsgType)) // yiwang
	}
	if len(c.errs) == 0 {
		return nil
	}
	return c.errs
}

func (in *Info) validate(c *checker) {
	// §3.2.2 lets <language> default to en-US; a directive must say its language (yiwang).
	if in.Language == "" {
		c.add("info.language", "required")
	} else if !languageTag(in.Language) {
		c.add("info.language", "not an RFC 3066 language tag")
	}
	if len(in.Categories) == 0 {
		c.add("info.category", "required")
	}
	for i, cat := range in.Categories {
		c.enum(fmt.Sprintf("info.category[%d]", i), cat.Valid(), string(cat))
	}
	c.required("info.event", in.Event)
	for i, r := range in.ResponseTypes {
		c.enum(fmt.Sprintf("info.responseType[%d]", i), r.Valid(), string(r))
	}
	c.enum("info.urgency", in.Urgency.Valid(), string(in.Urgency))
	c.enum("info.severity", in.Severity.Valid(), string(in.Severity))
	c.enum("info.certainty", in.Certainty.Valid(), string(in.Certainty))
	c.time("info.effective", in.Effective, false)
	c.time("info.onset", in.Onset, false)
	c.time("info.expires", in.Expires, false)
	c.text("info.senderName", in.SenderName)
	c.text("info.headline", in.Headline)
	c.text("info.description", in.Description)
	c.text("info.instruction", in.Instruction)
	if in.Web != "" { // §3.2.2: "A full absolute URI"
		if u, err := url.Parse(in.Web); err != nil || !u.IsAbs() || !xmlText(in.Web) {
			c.add("info.web", "must be an absolute URI")
		}
	}
	c.text("info.contact", in.Contact)
	for i := range in.Areas {
		in.Areas[i].validate(c, fmt.Sprintf("info.area[%d].", i))
	}
}

func (ar *Area) validate(c *checker, p string) {
	c.required(p+"areaDesc", ar.Description)
	for i, ring := range ar.Polygons {
		field := fmt.Sprintf("%spolygon[%d]", p, i)
		// §3.2.4: "A minimum of 4 coordinate pairs MUST be present and the first and last
		// pairs of coordinates MUST be the same."
		switch {
		case len(ring) < 4:
			c.add(field, "needs at least 4 points")
		case ring[0] != ring[len(ring)-1]:
			c.add(field, "not closed: the last point must equal the first")
		}
		for _, pt := range ring {
			// WGS 84 ranges; written so that NaN fails too.
			if !(pt.Lat >= -90 && pt.Lat <= 90) || !(pt.Lng >= -180 && pt.Lng <= 180) {
				c.add(field, fmt.Sprintf("point %g,%g outside lat [-90,90], lng [-180,180]", pt.Lat, pt.Lng))
				break
			}
		}
	}
	for i, g := range ar.Geocodes {
		if g.ValueName == "" || g.Value == "" || !xmlText(g.ValueName) || !xmlText(g.Value) {
			c.add(fmt.Sprintf("%sgeocode[%d]", p, i), "valueName and value are required, as XML text")
		}
	}
}

// districtZone is the time every yiwang deployment writes: China Standard Time, UTC+8 (no DST).
var districtZone = time.FixedZone("CST", 8*60*60)

// formatDateTime writes t in its own zone in CAP's form (CAP-v1.2 §3.3.2 and the XSD pattern
// \d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-,+]\d\d:\d\d): no fractional seconds, and no "Z" —
// "The timezone for UTC MUST be represented as -00:00".
func formatDateTime(t time.Time) string {
	s := t.Format("2006-01-02T15:04:05-07:00")
	if strings.HasSuffix(s, "+00:00") {
		s = s[:len(s)-6] + "-00:00"
	}
	return s
}

// parseDateTime reads exactly the CAP form (time.Parse alone would accept fractional seconds).
func parseDateTime(s string) (time.Time, error) {
	ok := len(s) == 25
	for i := 0; ok && i < len(s); i++ {
		switch i {
		case 4, 7:
			ok = s[i] == '-'
		case 10:
			ok = s[i] == 'T'
		case 13, 16, 22:
			ok = s[i] == ':'
		case 19:
			ok = s[i] == '+' || s[i] == '-'
		default:
			ok = s[i] >= '0' && s[i] <= '9'
		}
	}
	if !ok {
		return time.Time{}, fmt.Errorf("%q is not a CAP dateTime (YYYY-MM-DDThh:mm:ss±hh:mm)", s)
	}
	t, err := time.Parse("2006-01-02T15:04:05-07:00", s)
	if err != nil {
		return time.Time{}, err
	}
	return t.In(districtZone), nil
}

// WriteXML validates a and writes it as a CAP 1.2 document, elements in the order of the XSD
// sequences (CAP-v1.2 §3.4), times at +08:00. It writes nothing when a is invalid.
//
// It streams by hand rather than through xml.Marshal: the order is then visible in one place
// and 20 000 geocodes cost a few milliseconds instead of reflection per element.
func (a *Alert) WriteXML(w io.Writer) error {
	if err := a.Validate(); err != nil {
		return err
	}
	x := &xmlWriter{w: bufio.NewWriterSize(w, 32<<10)}
	x.raw(xml.Header)
	x.raw(`<alert xmlns="` + CAPNamespace + `">` + "\n")
	x.depth = 1
	x.elem("identifier", a.Identifier)
	x.elem("sender", a.Sender)
	x.elem("sent", formatDateTime(a.Sent.In(districtZone)))
	x.elem("status", string(a.Status))
	x.elem("msgType", string(a.MsgType))
	x.elem("scope", string(a.Scope))
	x.elem("restriction", a.Restriction)
	x.elem("addresses", strings.Join(a.Addresses, " "))
	x.elem("note", a.Note)
	if len(a.References) > 0 {
		refs := make([]string, len(a.References))
		for i, r := range a.References {
			refs[i] = r.Sender + "," + r.Identifier + "," + formatDateTime(r.Sent.In(districtZone))
		}
		x.elem("references", strings.Join(refs, " "))
	}
	if in := a.Info; in != nil {
		x.open("info")
		x.elem("language", in.Language)
		for _, c := range in.Categories {
			x.elem("category", string(c))
		}
		x.elem("event", in.Event)
		for _, r := range in.ResponseTypes {
			x.elem("responseType", string(r))
		}
		x.elem("urgency", string(in.Urgency))
		x.elem("severity", string(in.Severity))
		x.elem("certainty", string(in.Certainty))
		x.time("effective", in.Effective)
		x.time("onset", in.Onset)
		x.time("expires", in.Expires)
		x.elem("senderName", in.SenderName)
		x.elem("headline", in.Headline)
		x.elem("description", in.Description)
		x.elem("instruction", in.Instruction)
		x.elem("web", in.Web)
		x.elem("contact", in.Contact)
		for _, ar := range in.Areas {
			x.open("area")
			x.elem("areaDesc", ar.Description)
			for _, ring := range ar.Polygons {
				x.polygon(ring)
			}
			for _, g := range ar.Geocodes {
				x.open("geocode")
				x.elem("valueName", g.ValueName)
				x.elem("value", g.Value)
				x.close("geocode")
			}
			x.close("area")
		}
		x.close("info")
	}
	x.raw("</alert>\n")
	if x.err != nil {
		return fmt.Errorf("write CAP alert %s: %w", a.Identifier, x.err)
	}
	if err := x.w.Flush(); err != nil {
		return fmt.Errorf("write CAP alert %s: %w", a.Identifier, err)
	}
	return nil
}

// xmlWriter writes indented elements and keeps the first error.
type xmlWriter struct {
	w     *bufio.Writer
	depth int
	err   error
	buf   []byte
}

func (x *xmlWriter) raw(s string) {
	if x.err == nil {
		_, x.err = x.w.WriteString(s)
	}
}

// indent writes two spaces per level; CAP nests four levels deep (alert, info, area, geocode).
func (x *xmlWriter) indent() {
	const spaces = "        "
	x.raw(spaces[:min(2*x.depth, len(spaces))])
}

func (x *xmlWriter) open(name string) {
	x.indent()
	x.tag("<", name, ">\n")
	x.depth++
}

func (x *xmlWriter) close(name string) {
	x.depth--
	x.indent()
	x.tag("</", name, ">\n")
}

// elem writes <name>value</name>, or nothing for an empty value (every optional CAP element).
func (x *xmlWriter) elem(name, value string) {
	if value == "" {
		return
	}
	x.indent()
	x.tag("<", name, ">")
	x.escape(value)
	x.tag("</", name, ">\n")
}

// tag writes its three parts without joining them, which would allocate per element.
func (x *xmlWriter) tag(open, name, end string) {
	x.raw(open)
	x.raw(name)
	x.raw(end)
}

func (x *xmlWriter) time(name string, t time.Time) {
	if !t.IsZero() {
		x.elem(name, formatDateTime(t.In(districtZone)))
	}
}

// polygon writes "lat,lng lat,lng …" (§3.2.4), each number in its shortest exact form.
func (x *xmlWriter) polygon(ring Polygon) {
	b := x.buf[:0]
	for i, pt := range ring {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendFloat(b, pt.Lat, 'f', -1, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, pt.Lng, 'f', -1, 64)
	}
	x.buf = b
	x.elem("polygon", string(b))
}

// escape writes character data. Unlike xml.EscapeText it keeps newlines and tabs readable;
// it escapes \r, which XML parsers would otherwise fold into \n.
func (x *xmlWriter) escape(s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\r':
			esc = "&#xD;"
		default:
			continue
		}
		x.raw(s[last:i])
		x.raw(esc)
		last = i + 1
	}
	x.raw(s[last:])
}

// xmlText reports whether s is valid UTF-8 made only of characters XML 1.0 allows (§2.2 Char).
func xmlText(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		if !(r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF ||
			r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
			return false
		}
		i += size
	}
	return true
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// languageTag accepts the RFC 3066 shape: 1–8 letters, then "-" and 1–8 letters or digits.
func languageTag(s string) bool {
	for i, part := range strings.Split(s, "-") {
		if len(part) < 1 || len(part) > 8 {
			return false
		}
		for _, r := range part {
			letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
			if !letter && (i == 0 || r < '0' || r > '9') {
				return false
			}
		}
	}
	return true
}

// The wire form ParseXML decodes into. Only the root is matched with its namespace; the
// children inherit it from the default xmlns that WriteXML declares.
type wireAlert struct {
	XMLName     xml.Name   `xml:"urn:oasis:names:tc:emergency:cap:1.2 alert"`
	Identifier  string     `xml:"identifier"`
	Sender      string     `xml:"sender"`
	Sent        string     `xml:"sent"`
	Status      string     `xml:"status"`
	MsgType     string     `xml:"msgType"`
	Scope       string     `xml:"scope"`
	Restriction string     `xml:"restriction"`
	Addresses   string     `xml:"addresses"`
	Note        string     `xml:"note"`
	References  string     `xml:"references"`
	Info        []wireInfo `xml:"info"`
}

type wireInfo struct {
	Language      string     `xml:"language"`
	Categories    []string   `xml:"category"`
	Event         string     `xml:"event"`
	ResponseTypes []string   `xml:"responseType"`
	Urgency       string     `xml:"urgency"`
	Severity      string     `xml:"severity"`
	Certainty     string     `xml:"certainty"`
	Effective     string     `xml:"effective"`
	Onset         string     `xml:"onset"`
	Expires       string     `xml:"expires"`
	SenderName    string     `xml:"senderName"`
	Headline      string     `xml:"headline"`
	Description   string     `xml:"description"`
	Instruction   string     `xml:"instruction"`
	Web           string     `xml:"web"`
	Contact       string     `xml:"contact"`
	Areas         []wireArea `xml:"area"`
}

type wireArea struct {
	Description string        `xml:"areaDesc"`
	Polygons    []string      `xml:"polygon"`
	Geocodes    []wireGeocode `xml:"geocode"`
}

type wireGeocode struct {
	ValueName string `xml:"valueName"`
	Value     string `xml:"value"`
}

// errTooLarge is returned when the input passes MaxXMLBytes.
var errTooLarge = fmt.Errorf("CAP document larger than %d bytes", MaxXMLBytes)

// limitReader fails, rather than stopping quietly, past MaxXMLBytes.
type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// ParseXML reads a CAP 1.2 alert as WriteXML writes it. It refuses another namespace, more than
// one <info>, malformed times, references and polygons, and reads at most MaxXMLBytes
// (encoding/xml expands no DTD entities, so the input size bounds the work). It does not call
// Validate: the caller decides what to accept.
func ParseXML(r io.Reader) (*Alert, error) {
	dec := xml.NewDecoder(&limitReader{r: r, left: MaxXMLBytes})
	var w wireAlert
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("parse CAP alert: %w", err)
	}
	a := &Alert{
		Identifier:  w.Identifier,
		Sender:      w.Sender,
		Status:      Status(w.Status),
		MsgType:     MsgType(w.MsgType),
		Scope:       Scope(w.Scope),
		Restriction: w.Restriction,
		Note:        w.Note,
	}
	if addresses := strings.Fields(w.Addresses); len(addresses) > 0 {
		a.Addresses = addresses
	}
	p := &parser{}
	a.Sent = p.time("sent", w.Sent)
	for i, f := range strings.Fields(w.References) {
		parts := strings.Split(f, ",")
		if len(parts) != 3 {
			p.fail(fmt.Sprintf("references[%d]", i), fmt.Errorf("%q is not sender,identifier,sent", f))
			continue
		}
		sent := p.time(fmt.Sprintf("references[%d].sent", i), parts[2])
		a.References = append(a.References, Ref{Sender: parts[0], Identifier: parts[1], Sent: sent})
	}
	switch len(w.Info) {
	case 0:
	case 1:
		a.Info = p.info(&w.Info[0])
	default:
		p.fail("info", errors.New("a directive carries one info block"))
	}
	if p.err != nil {
		return nil, fmt.Errorf("parse CAP alert: %w", p.err)
	}
	return a, nil
}

// parser converts the wire form and keeps the first error.
type parser struct{ err error }

func (p *parser) fail(field string, err error) {
	if p.err == nil {
		p.err = fmt.Errorf("%s: %w", field, err)
	}
}

func (p *parser) time(field, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := parseDateTime(s)
	if err != nil {
		p.fail(field, err)
	}
	return t
}

func (p *parser) info(w *wireInfo) *Info {
	in := &Info{
		Language:    w.Language,
		Event:       w.Event,
		Urgency:     Urgency(w.Urgency),
		Severity:    Severity(w.Severity),
		Certainty:   Certainty(w.Certainty),
		Effective:   p.time("info.effective", w.Effective),
		Onset:       p.time("info.onset", w.Onset),
		Expires:     p.time("info.expires", w.Expires),
		SenderName:  w.SenderName,
		Headline:    w.Headline,
		Description: w.Description,
		Instruction: w.Instruction,
		Web:         w.Web,
		Contact:     w.Contact,
	}
	for _, c := range w.Categories {
		in.Categories = append(in.Categories, Category(c))
	}
	for _, r := range w.ResponseTypes {
		in.ResponseTypes = append(in.ResponseTypes, ResponseType(r))
	}
	for i := range w.Areas {
		wa := &w.Areas[i]
		ar := Area{Description: wa.Description}
		if len(wa.Geocodes) > 0 {
			ar.Geocodes = make([]Geocode, len(wa.Geocodes))
			for j, g := range wa.Geocodes {
				ar.Geocodes[j] = Geocode(g)
			}
		}
		for j, s := range wa.Polygons {
			ring, err := parsePolygon(s)
			if err != nil {
				p.fail(fmt.Sprintf("info.area[%d].polygon[%d]", i, j), err)
			}
			ar.Polygons = append(ar.Polygons, ring)
		}
		in.Areas = append(in.Areas, ar)
	}
	return in
}

// parsePolygon reads whitespace-separated "lat,lng" pairs.
func parsePolygon(s string) (Polygon, error) {
	fields := strings.Fields(s)
	ring := make(Polygon, 0, len(fields))
	for _, f := range fields {
		lat, lng, ok := strings.Cut(f, ",")
		if !ok {
			return nil, fmt.Errorf("%q is not lat,lng", f)
		}
		la, err1 := strconv.ParseFloat(lat, 64)
		ln, err2 := strconv.ParseFloat(lng, 64)
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		ring = append(ring, Point{Lat: la, Lng: ln})
	}
	return ring, nil
}
