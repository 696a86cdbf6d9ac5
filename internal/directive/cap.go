package directive

import (
	"fmt"
	"net/url"
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
