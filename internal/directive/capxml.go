package directive

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// The XML form of a directive's CAP 1.2 alert (CAP-v1.2 §3.4): WriteXML serves it at
// GET /api/v1/directives/{id}/cap, ParseXML reads it back. The types and their rules are in cap.go.

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
