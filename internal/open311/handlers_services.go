package open311

import (
	"net/http"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// discovery answers GET /open311/discovery.{xml,json}.
func (h *HTTP) discovery(w http.ResponseWriter, r *http.Request) {
	ctx, _, f, ok := h.beginFile(w, r, "discovery")
	if !ok {
		return
	}
	changed, err := h.Services.Changeset(ctx)
	if err != nil {
		h.failWith(w, r, f, err)
		return
	}
	if changed.IsZero() {
		changed = time.Unix(0, 0)
	}
	lang := language(r)
	kind := "production"
	if h.Test {
		kind = "test"
	}
	d := Discovery{Changeset: datetime(changed), Contact: h.Catalog.T(lang, "open311.discovery.contact"),
		KeyService: h.Catalog.T(lang, "open311.discovery.key_service"),
		Endpoints: []Endpoint{{Specification: Specification, URL: h.base(r) + Base, Changeset: datetime(changed), Type: kind,
			Formats: []string{"text/xml", "application/json"}}}}
	write(w, f, http.StatusOK, d, nil)
}

// getList answers GET services.{fmt} and GET requests.{fmt}.
func (h *HTTP) getList(w http.ResponseWriter, r *http.Request) {
	name, f, ok := splitFile(r.PathValue("file"))
	switch {
	case ok && name == "services":
		h.services(w, r, f)
	case ok && name == "requests":
		h.requests(w, r, f)
	default:
		h.unmatched(w, r)
	}
}

// services answers GET services: every active category of the catalogue.
func (h *HTTP) services(w http.ResponseWriter, r *http.Request, f format) {
	ctx, _, ok := h.begin(w, r, f, r.URL.Query().Get("jurisdiction_id"))
	if !ok {
		return
	}
	defs, err := h.Services.List(ctx)
	if err != nil {
		h.failWith(w, r, f, err)
		return
	}
	lang := language(r)
	out := make([]Service, 0, len(defs))
	for _, d := range defs {
		out = append(out, h.service(lang, d))
	}
	write(w, f, http.StatusOK, out, servicesXML{Services: out})
}

// service shows a category as a service: the name in the caller's language, the major category
// as its group, the catalogue's keywords.
func (h *HTTP) service(lang string, d ServiceDef) Service {
	c := d.Category
	name, group := c.Name, c.MajorName
	if lang == i18n.EN {
		name, group = or(c.NameEN, c.Name), or(c.MajorNameEN, c.MajorName)
	}
	return Service{Code: d.Code, Name: name, Metadata: len(d.Attributes) > 0, Type: d.Type, Group: group,
		Keywords:    strings.Join(c.Keywords, ","),
		Description: h.Catalog.T(lang, "open311.service.description", name, group, c.StandardRef, c.Code)}
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// definition answers GET services/{service_code}.{fmt}.
func (h *HTTP) definition(w http.ResponseWriter, r *http.Request) {
	ctx, code, f, ok := h.beginFile(w, r, "")
	if !ok {
		return
	}
	d, err := h.Services.Find(ctx, code, false)
	if apperr.CodeOf(err) == apperr.NotFound {
		h.fail(w, r, f, http.StatusNotFound, "open311.error.service_code", code)
		return
	}
	if err != nil {
		h.failWith(w, r, f, err)
		return
	}
	lang := language(r)
	def := Definition{Code: d.Code, Attributes: make([]Attribute, 0, len(d.Attributes))}
	for _, a := range d.Attributes {
		def.Attributes = append(def.Attributes, attributeOf(lang, a))
	}
	doc := definitionXML{Code: def.Code}
	doc.Attributes.Items = def.Attributes
	write(w, f, http.StatusOK, def, doc)
}

func attributeOf(lang string, a AttributeDef) Attribute {
	en := lang == i18n.EN
	out := Attribute{Variable: a.Variable, Code: a.Code, Datatype: a.Datatype, Required: a.Required, Order: a.Order,
		Description: a.Description, DatatypeDescription: a.DatatypeDescription}
	if en {
		out.Description, out.DatatypeDescription = or(a.DescriptionEN, a.Description), or(a.DatatypeDescriptionEN, a.DatatypeDescription)
	}
	for _, v := range a.Values {
		name := v.Name
		if en {
			name = or(v.NameEN, v.Name)
		}
		out.Values = append(out.Values, Value{Key: v.Key, Name: name})
	}
	return out
}
