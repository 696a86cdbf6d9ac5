package open311

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/category"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Services says what each category of the catalogue is as an Open311 service: its service_code,
// its type (realtime unless set otherwise) and the extra questions it asks.
//
// service_code is the category code. The catalogue has ten codes in both classes (事项 majors
// 01–05 mirror the 部件 majors); a plain code names the event, as everywhere in yiwang
// (category.Find), and the component of such a pair is "C" + code. "C…" and "E…" are accepted for
// any code.
type Services struct {
	DB         *db.DB
	Categories *category.Service
	Now        func() time.Time
}

// Service types (GeoReport v2).
const (
	Realtime = "realtime" // the request id comes back at once
	Batch    = "batch"    // a token comes back; GET tokens/{token} gives the id
	Blackbox = "blackbox" // no id ever comes back
)

// Datatypes of attributes (GeoReport v2).
var Datatypes = []string{"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}

// AttributeDef is a question a category asks, as stored.
type AttributeDef struct {
	Code                  string     `json:"code"`
	Variable              bool       `json:"variable"`
	Datatype              string     `json:"datatype"`
	Required              bool       `json:"required"`
	DatatypeDescription   string     `json:"datatype_description,omitempty"`
	DatatypeDescriptionEN string     `json:"datatype_description_en,omitempty"`
	Order                 int        `json:"order"`
	Description           string     `json:"description"`
	DescriptionEN         string     `json:"description_en,omitempty"`
	Values                []ValueDef `json:"values,omitempty"`
}

// ValueDef is an option of a list attribute.
type ValueDef struct {
	Key    string `json:"key"`
	Name   string `json:"name"`
	NameEN string `json:"name_en,omitempty"`
}

// ServiceDef is a category as an Open311 service.
type ServiceDef struct {
	Code       string
	Category   category.Category
	Type       string
	Attributes []AttributeDef
}

// codeOf is a category's service_code, given the codes that name an event.
func codeOf(class category.Class, code string, events map[string]bool) string {
	if class == category.Component && events[code] {
		return "C" + code
	}
	return code
}

// ParseCode reads a service_code: the class when it says one ("C"/"E" + code), and the code.
func ParseCode(serviceCode string) (category.Class, string, bool) {
	s := strings.TrimSpace(serviceCode)
	var class category.Class
	switch {
	case len(s) == 6 && (s[0] == 'C' || s[0] == 'c'):
		class, s = category.Component, s[1:]
	case len(s) == 6 && (s[0] == 'E' || s[0] == 'e'):
		class, s = category.Event, s[1:]
	}
	return class, s, category.ValidCode(s)
}

// List returns every active category as a service, by code (events before components of the
// same code), with its type and attributes.
func (s *Services) List(ctx context.Context) ([]ServiceDef, error) {
	cats, err := s.Categories.List(ctx, category.ListFilter{ActiveOnly: true})
	if err != nil {
		return nil, err
	}
	events, err := s.eventCodes(ctx)
	if err != nil {
		return nil, err
	}
	types, err := s.types(ctx, "", "")
	if err != nil {
		return nil, err
	}
	attrs, err := s.attributes(ctx, "", "")
	if err != nil {
		return nil, err
	}
	out := make([]ServiceDef, 0, len(cats))
	for _, c := range cats {
		k := key(c.Class, c.Code)
		t := types[k]
		if t == "" {
			t = Realtime
		}
		out = append(out, ServiceDef{Code: codeOf(c.Class, c.Code, events), Category: c, Type: t, Attributes: attrs[k]})
	}
	slices.SortStableFunc(out, func(a, b ServiceDef) int {
		if c := strings.Compare(a.Category.Code, b.Category.Code); c != 0 {
			return c
		}
		return strings.Compare(string(b.Category.Class), string(a.Category.Class)) // event first
	})
	return out, nil
}

// Find returns the service of a service_code; inactive categories only when withInactive (a
// filter over past requests may name one). Unknown codes are not found.
func (s *Services) Find(ctx context.Context, serviceCode string, withInactive bool) (ServiceDef, error) {
	class, code, ok := ParseCode(serviceCode)
	if !ok {
		return ServiceDef{}, apperr.New(apperr.NotFound, "category.not_found", "", serviceCode)
	}
	var c category.Category
	var err error
	if class != "" {
		c, err = s.Categories.Get(ctx, class, code)
	} else {
		c, err = s.Categories.Find(ctx, code)
	}
	if err != nil {
		return ServiceDef{}, err
	}
	if !c.Active && !withInactive {
		return ServiceDef{}, apperr.New(apperr.NotFound, "category.not_found", string(c.Class), code)
	}
	events, err := s.eventCodes(ctx)
	if err != nil {
		return ServiceDef{}, err
	}
	types, err := s.types(ctx, string(c.Class), c.Code)
	if err != nil {
		return ServiceDef{}, err
	}
	attrs, err := s.attributes(ctx, string(c.Class), c.Code)
	if err != nil {
		return ServiceDef{}, err
	}
	k := key(c.Class, c.Code)
	d := ServiceDef{Code: codeOf(c.Class, c.Code, events), Category: c, Type: types[k], Attributes: attrs[k]}
	if d.Type == "" {
		d.Type = Realtime
	}
	return d, nil
}

// codeMapper returns the service_code of a category (cases store class and code).
func (s *Services) codeMapper(ctx context.Context) (func(class, code string) string, error) {
	events, err := s.eventCodes(ctx)
	if err != nil {
		return nil, err
	}
	return func(class, code string) string { return codeOf(category.Class(class), code, events) }, nil
}

func key(class category.Class, code string) string { return string(class) + "/" + code }

func (s *Services) eventCodes(ctx context.Context) (map[string]bool, error) {
	rows, err := s.DB.Query(ctx, `SELECT code FROM categories WHERE class = 'event'`)
	if err != nil {
		return nil, fmt.Errorf("event codes: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			return nil, err
		}
		out[code] = true
	}
	return out, rows.Err()
}

// types reads the service types of one category (class, code) or of all ("", "").
func (s *Services) types(ctx context.Context, class, code string) (map[string]string, error) {
	rows, err := s.DB.Query(ctx, `SELECT class, code, type FROM open311_services
		WHERE ($1 = '' OR (class = $1 AND code = $2))`, class, code)
	if err != nil {
		return nil, fmt.Errorf("open311 service types: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var cl, co, t string
		if err := rows.Scan(&cl, &co, &t); err != nil {
			return nil, err
		}
		out[key(category.Class(cl), co)] = t
	}
	return out, rows.Err()
}

// attributes reads the attributes of one category (class, code) or of all ("", ""), in order.
func (s *Services) attributes(ctx context.Context, class, code string) (map[string][]AttributeDef, error) {
	rows, err := s.DB.Query(ctx, `SELECT class, code, attribute, variable, datatype, required, datatype_description,
		datatype_description_en, position, description, description_en, value_list FROM open311_attributes
		WHERE ($1 = '' OR (class = $1 AND code = $2)) ORDER BY class, code, position`, class, code)
	if err != nil {
		return nil, fmt.Errorf("open311 attributes: %w", err)
	}
	defer rows.Close()
	out := map[string][]AttributeDef{}
	for rows.Next() {
		var cl, co, values string
		var a AttributeDef
		if err := rows.Scan(&cl, &co, &a.Code, &a.Variable, &a.Datatype, &a.Required, &a.DatatypeDescription,
			&a.DatatypeDescriptionEN, &a.Order, &a.Description, &a.DescriptionEN, &values); err != nil {
			return nil, fmt.Errorf("open311 attributes: %w", err)
		}
		if err := json.Unmarshal([]byte(values), &a.Values); err != nil {
			return nil, fmt.Errorf("open311 attribute %s of %s/%s: %w", a.Code, cl, co, err)
		}
		k := key(category.Class(cl), co)
		out[k] = append(out[k], a)
	}
	return out, rows.Err()
}

// Changeset is the time of the latest change to the catalogue or to its Open311 settings:
// clients refresh their cached service lists and definitions when it moves.
func (s *Services) Changeset(ctx context.Context) (time.Time, error) {
	var latest time.Time
	for _, table := range []string{"categories", "open311_services", "open311_attributes"} {
		var at time.Time
		err := s.DB.QueryRow(ctx, `SELECT updated_at FROM `+table+` ORDER BY updated_at DESC LIMIT 1`).Scan(&at)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return latest, fmt.Errorf("changeset of %s: %w", table, err)
		}
		if at.After(latest) {
			latest = at
		}
	}
	return latest.UTC(), nil
}

// needWrite: the Open311 settings are district-wide configuration, changed by a district-level
// sys_admin (or the operator at the machine), like the catalogue itself.
func needWrite(ctx context.Context) (access.Grant, error) {
	scope, err := access.NeedDistrict(ctx, access.CategoryWrite, "category.district_only")
	return scope.Primary(), err
}

// SetType makes a category a realtime, batch or blackbox service.
func (s *Services) SetType(ctx context.Context, class category.Class, code, serviceType string) error {
	grant, err := needWrite(ctx)
	if err != nil {
		return err
	}
	if serviceType != Realtime && serviceType != Batch && serviceType != Blackbox {
		return apperr.New(apperr.Invalid, "open311.bad_service_type", serviceType)
	}
	if _, err := s.Categories.Get(ctx, class, code); err != nil {
		return err
	}
	now := s.Now().UTC()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO open311_services (class, code, type, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (class, code) DO UPDATE SET type = excluded.type, updated_at = excluded.updated_at`,
			string(class), code, serviceType, now); err != nil {
			return fmt.Errorf("set open311 service type: %w", err)
		}
		e := audit.For(access.ActorOf(ctx, grant), now, "open311.service_type", "category", string(class)+"/"+code)
		e.After = serviceType
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
}

var attributeCode = regexp.MustCompile(`^[A-Za-z0-9_.\-]{1,64}$`)

// CheckAttributes returns what is wrong with a category's attribute list (empty when nothing):
// codes unique and usable in attribute[CODE], known datatypes, orders positive and unique, list
// datatypes with unique options and only they with options, a question for each.
func CheckAttributes(list []AttributeDef) []string {
	var out []string
	codes, orders := map[string]bool{}, map[int]bool{}
	for _, a := range list {
		bad := func(format string, args ...any) { out = append(out, a.Code+": "+fmt.Sprintf(format, args...)) }
		switch {
		case !attributeCode.MatchString(a.Code):
			bad("code must be 1-64 of A-Z a-z 0-9 _ . -")
		case codes[a.Code]:
			bad("code used twice")
		}
		codes[a.Code] = true
		if !slices.Contains(Datatypes, a.Datatype) {
			bad("unknown datatype %q", a.Datatype)
		}
		if a.Order < 1 || orders[a.Order] {
			bad("order must be a positive number unique in the service")
		}
		orders[a.Order] = true
		if n := utf8.RuneCountInString(a.Description); n < 1 || n > 500 {
			bad("description (the question) is required, at most 500 characters")
		}
		isList := a.Datatype == "singlevaluelist" || a.Datatype == "multivaluelist"
		if isList != (len(a.Values) > 0) {
			bad("values are required for list datatypes and only for them")
		}
		keys := map[string]bool{}
		for _, v := range a.Values {
			if v.Key == "" || v.Name == "" || keys[v.Key] || len(v.Key) > 64 {
				bad("value keys must be unique and short, and every value needs a name")
				break
			}
			keys[v.Key] = true
		}
		if a.Required && !a.Variable {
			bad("an attribute that asks nothing (variable false) cannot be required")
		}
	}
	return out
}

// SetAttributes replaces the questions a category asks.
func (s *Services) SetAttributes(ctx context.Context, class category.Class, code string, list []AttributeDef) error {
	grant, err := needWrite(ctx)
	if err != nil {
		return err
	}
	if problems := CheckAttributes(list); len(problems) > 0 {
		return apperr.New(apperr.Invalid, "open311.bad_attributes", strings.Join(problems, "; "))
	}
	if _, err := s.Categories.Get(ctx, class, code); err != nil {
		return err
	}
	now := s.Now().UTC()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.writeAttributes(ctx, tx, class, code, list, now); err != nil {
			return err
		}
		e := audit.For(access.ActorOf(ctx, grant), now, "open311.attributes", "category", string(class)+"/"+code)
		e.After = audit.Summary(list)
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
}

func (s *Services) writeAttributes(ctx context.Context, tx *sql.Tx, class category.Class, code string, list []AttributeDef, now time.Time) error {
	if _, err := s.DB.TxExec(ctx, tx, `DELETE FROM open311_attributes WHERE class = $1 AND code = $2`, string(class), code); err != nil {
		return fmt.Errorf("set open311 attributes: %w", err)
	}
	for _, a := range list {
		values, _ := json.Marshal(a.Values)
		if a.Values == nil {
			values = []byte("[]")
		}
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO open311_attributes (class, code, attribute, variable, datatype, required,
			datatype_description, datatype_description_en, position, description, description_en, value_list, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`, string(class), code, a.Code, a.Variable, a.Datatype, a.Required,
			a.DatatypeDescription, a.DatatypeDescriptionEN, a.Order, a.Description, a.DescriptionEN, string(values), now); err != nil {
			return fmt.Errorf("set open311 attribute %s: %w", a.Code, err)
		}
	}
	return nil
}
