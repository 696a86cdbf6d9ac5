package open311

import "encoding/xml"

// The documents of GeoReport v2, each one Go type for both formats: XML element names from the
// spec, JSON by its "Spark" mapping of the XML (the root element and the repeated child vanish, so
// a list is a top-level array). Identifiers are strings, datetimes W3C with a zone (+08:00).

// Service is one entry of GET services.
type Service struct {
	Code        string `xml:"service_code" json:"service_code"`
	Name        string `xml:"service_name" json:"service_name"`
	Description string `xml:"description" json:"description"`
	Metadata    bool   `xml:"metadata" json:"metadata"`
	Type        string `xml:"type" json:"type"`
	Keywords    string `xml:"keywords" json:"keywords"`
	Group       string `xml:"group" json:"group"`
}

type servicesXML struct {
	XMLName  xml.Name  `xml:"services"`
	Services []Service `xml:"service"`
}

// Definition is GET services/{code}: the extra questions of a service.
type Definition struct {
	Code       string      `json:"service_code"`
	Attributes []Attribute `json:"attributes"`
}

type definitionXML struct {
	XMLName    xml.Name `xml:"service_definition"`
	Code       string   `xml:"service_code"`
	Attributes struct {
		Items []Attribute `xml:"attribute"`
	} `xml:"attributes"` // present even when empty
}

// Attribute is one question of a service definition.
type Attribute struct {
	Variable            bool   `xml:"variable" json:"variable"`
	Code                string `xml:"code" json:"code"`
	Datatype            string `xml:"datatype" json:"datatype"`
	Required            bool   `xml:"required" json:"required"`
	DatatypeDescription string `xml:"datatype_description" json:"datatype_description"`
	Order               int    `xml:"order" json:"order"`
	Description         string `xml:"description" json:"description"`
	Values              Values `xml:"values,omitempty" json:"values,omitempty"`
}

// Values are the options of a list attribute (absent for the other datatypes).
type Values []Value

// MarshalXML writes <values><value>…</value>…</values>. (A "values>value,omitempty" tag would
// leave an empty <values> behind for an empty list: golang/go#7233.)
func (v Values) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return list(e, start, "value", v)
}

// list writes items as the children, named child, of the element start.
func list[T any](e *xml.Encoder, start xml.StartElement, child string, items []T) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, it := range items {
		if err := e.EncodeElement(it, xml.StartElement{Name: xml.Name{Local: child}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// Value is an option of a list attribute: key is what the client sends, name what people read.
type Value struct {
	Key  string `xml:"key" json:"key"`
	Name string `xml:"name" json:"name"`
}

// Request is one entry of GET requests (and GET requests/{id}, a list of one). The attributes
// and notes are the extensions=true additions.
type Request struct {
	ID            string            `xml:"service_request_id" json:"service_request_id"`
	Status        string            `xml:"status" json:"status"`
	StatusNotes   string            `xml:"status_notes,omitempty" json:"status_notes,omitempty"`
	ServiceName   string            `xml:"service_name" json:"service_name"`
	ServiceCode   string            `xml:"service_code" json:"service_code"`
	Description   string            `xml:"description" json:"description"`
	Agency        string            `xml:"agency_responsible,omitempty" json:"agency_responsible,omitempty"`
	ServiceNotice string            `xml:"service_notice,omitempty" json:"service_notice,omitempty"`
	Requested     string            `xml:"requested_datetime" json:"requested_datetime"`
	Updated       string            `xml:"updated_datetime" json:"updated_datetime"`
	Expected      string            `xml:"expected_datetime,omitempty" json:"expected_datetime,omitempty"`
	Address       string            `xml:"address,omitempty" json:"address,omitempty"`
	AddressID     string            `xml:"address_id,omitempty" json:"address_id,omitempty"`
	Lat           *float64          `xml:"lat,omitempty" json:"lat,omitempty"`
	Long          *float64          `xml:"long,omitempty" json:"long,omitempty"`
	MediaURL      string            `xml:"media_url,omitempty" json:"media_url,omitempty"`
	Attributes    RequestAttributes `xml:"attributes,omitempty" json:"attributes,omitempty"`
	Notes         Notes             `xml:"notes,omitempty" json:"notes,omitempty"`
}

// RequestAttributes are the answers of a request (extensions=true).
type RequestAttributes []RequestAttribute

// MarshalXML writes <attributes><attribute>…</attribute>…</attributes>.
func (a RequestAttributes) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return list(e, start, "attribute", a)
}

// Notes are the public timeline of a request (extensions=true).
type Notes []Note

// MarshalXML writes <notes><note>…</note>…</notes>.
func (n Notes) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return list(e, start, "note", n)
}

// RequestAttribute is one answer the reporter gave (extensions=true): the attribute's code and
// question (label), the value sent and, for list attributes, the option's name. A multi-value
// answer is one entry per value.
type RequestAttribute struct {
	Code  string `xml:"code" json:"code"`
	Label string `xml:"label" json:"label"`
	Value string `xml:"value" json:"value"`
	Name  string `xml:"name" json:"name"`
}

// Note is one public step of the case (extensions=true): when, which step, what was said.
type Note struct {
	Datetime    string `xml:"datetime" json:"datetime"`
	Type        string `xml:"type" json:"type"`
	Description string `xml:"description" json:"description"`
}

type requestsXML struct {
	XMLName  xml.Name  `xml:"service_requests"`
	Requests []Request `xml:"request"`
}

// Receipt answers POST requests and GET tokens/{token}: the id xor the token after a POST, both
// for a token lookup.
type Receipt struct {
	ID            string `xml:"service_request_id,omitempty" json:"service_request_id,omitempty"`
	Token         string `xml:"token,omitempty" json:"token,omitempty"`
	ServiceNotice string `xml:"service_notice,omitempty" json:"service_notice,omitempty"`
}

type receiptsXML struct {
	XMLName  xml.Name  `xml:"service_requests"`
	Receipts []Receipt `xml:"request"`
}

// Discovery is the service discovery document.
type Discovery struct {
	XMLName    xml.Name   `xml:"discovery" json:"-"`
	Changeset  string     `xml:"changeset" json:"changeset"`
	Contact    string     `xml:"contact" json:"contact"`
	KeyService string     `xml:"key_service" json:"key_service"`
	Endpoints  []Endpoint `xml:"endpoints>endpoint" json:"endpoints"`
}

// Endpoint is one GeoReport endpoint of the discovery document.
type Endpoint struct {
	Specification string   `xml:"specification" json:"specification"`
	URL           string   `xml:"url" json:"url"`
	Changeset     string   `xml:"changeset" json:"changeset"`
	Type          string   `xml:"type" json:"type"`
	Formats       []string `xml:"formats>format" json:"formats"`
}

// Error is one problem with a request; several may come at once.
type Error struct {
	Code        int    `xml:"code" json:"code"`
	Description string `xml:"description" json:"description"`
}

type errorsXML struct {
	XMLName xml.Name `xml:"errors"`
	Errors  []Error  `xml:"error"`
}
