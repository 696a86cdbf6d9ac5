package audit

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// Plain is an audit record in the reader's words: who (name, role, unit) did what to which
// object, with status and field changes as before → after pairs. It carries no raw codes or
// JSON, so the audit page and its export show the same plain text.
type Plain struct {
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Username string    `json:"username"`
	Role     string    `json:"role"`
	Unit     string    `json:"unit"`
	Action   string    `json:"action"`
	// ActionCode is the recorded action's code (case.dispatch …), for programs and filters; the
	// page shows Action.
	ActionCode string   `json:"action_code"`
	Sentence   string   `json:"sentence"`
	Object     Object   `json:"object"`
	Changes    []Change `json:"changes"`
	IP         string   `json:"ip"`
	// Result is the outcome in words; ResultKind ("ok", "denied", "failed") is for styling only.
	Result     string `json:"result"`
	ResultKind Result `json:"result_kind"`
}

// Object names what was acted on; Link is the page that shows it, when one exists.
type Object struct {
	Kind  string `json:"kind"`
	Label string `json:"label"`
	Link  string `json:"link,omitempty"`
}

// Change is one field's before → after, both in words ("" where there was none).
type Change struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// Names resolves the identifiers a record carries to what people call them. A missing entry
// falls back to a neutral word, never to the identifier's code.
type Names struct {
	Users map[string]string // user ID → display name
	Orgs  map[string]OrgName
	Cases map[string]string // case ID → case number
	// Events holds what a case action recorded beside the status (department, rating …),
	// keyed by EventKey.
	Events map[string]map[string]any
}

// OrgName is an org node's name in both languages.
type OrgName struct{ Name, NameEn string }

// EventKey keys a case event by case, action and instant (the audit record's time).
func EventKey(caseID, action string, at time.Time) string {
	return caseID + "|" + action + "|" + at.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
}

func (n Names) org(lang, code string) string {
	if code == "" {
		return ""
	}
	o, ok := n.Orgs[code]
	if !ok {
		return ""
	}
	if lang == i18n.EN && o.NameEn != "" {
		return o.NameEn
	}
	return o.Name
}

// Wording renders records in one language.
type Wording struct {
	Cat  *i18n.Catalog
	Lang string
}

func (w Wording) t(key string, args ...any) string { return w.Cat.T(w.Lang, key, args...) }

// first returns the text of the first key the catalogue has.
func (w Wording) first(keys ...string) (string, bool) {
	for _, k := range keys {
		if w.Cat.Has(w.Lang, k) || w.Cat.Has(i18n.ZH, k) {
			return w.t(k), true
		}
	}
	return "", false
}

// ActionName is an action in words ("派遣", "新建账号"); an action no catalogue names reads as
// "other operation" with its area, never as its code.
func (w Wording) ActionName(action string) string {
	area, verb, _ := strings.Cut(action, ".")
	keys := []string{"auditpage.action." + action, "web.action." + action}
	switch area {
	case "case":
		keys = append(keys, "case.action."+verb)
	case "whistle":
		keys = append(keys, "whistle.action."+verb)
	}
	if s, ok := w.first(keys...); ok {
		return s
	}
	if s, ok := w.first("auditpage.area." + area); ok {
		return w.t("auditpage.action.other_in", s)
	}
	return w.t("auditpage.action.other")
}

// Render turns one record into plain words.
func (w Wording) Render(e Entry, n Names) Plain {
	p := Plain{Seq: e.Seq, At: e.At, Username: e.ActorName, IP: e.IP, ResultKind: e.Result}
	p.Actor = n.Users[e.ActorID]
	if p.Actor == "" {
		p.Actor = e.ActorName
	}
	if p.Actor == "" {
		p.Actor = w.t("auditpage.nobody")
	}
	if e.Role != "" {
		p.Role, _ = w.first("role." + e.Role)
	}
	p.Unit = n.org(w.Lang, e.OrgCode)
	p.Action, p.ActionCode = w.ActionName(e.Action), e.Action
	p.Result, _ = w.first("auditpage.result." + string(e.Result))
	p.Object = w.object(e, n)
	p.Changes = w.changes(e, n)
	p.Sentence = w.sentence(e, n, p)
	return p
}

// object names what the record is about and links it where a page shows it.
func (w Wording) object(e Entry, n Names) Object {
	kind, _ := w.first("auditpage.object." + e.ObjectType)
	o := Object{Kind: kind}
	switch e.ObjectType {
	case "case":
		if num := n.Cases[e.ObjectID]; num != "" {
			o.Label, o.Link = num, "/cases/"+e.ObjectID
		}
	case "user":
		o.Label = n.Users[e.ObjectID]
	case "district", "subdistrict", "community", "department", "org_node":
		o.Label = n.org(w.Lang, e.ObjectID)
	case "calendar_year":
		o.Label = e.ObjectID
	}
	if o.Label == "" && countLike(e.ObjectID) {
		// "12 rules", "300 features": a batch; the count is words enough.
		o.Label = w.t("auditpage.batch", strings.Fields(e.ObjectID)[0])
	}
	if o.Kind == "" && o.Label == "" && e.ObjectType != "" {
		o.Kind = w.t("auditpage.object.other")
	}
	return o
}

// countLike reports whether an object ID is a batch description such as "12 rules".
func countLike(id string) bool {
	f := strings.Fields(id)
	if len(f) != 2 {
		return false
	}
	for _, r := range f[0] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// sentence says the record in one line: "把案卷 20261127-0001 派遣给 区城市管理局".
func (w Wording) sentence(e Entry, n Names, p Plain) string {
	label := p.Object.Label
	if label == "" {
		label = p.Object.Kind
	}
	area, verb, _ := strings.Cut(e.Action, ".")
	if area == "case" && p.Object.Label != "" {
		data := n.Events[EventKey(e.ObjectID, verb, e.At)]
		switch verb {
		case "dispatch":
			if dept := n.org(w.Lang, str(data["department_code"])); dept != "" {
				return w.t("auditpage.say.case_dispatch", label, dept)
			}
		case "rate":
			if r, ok := w.first("desk.rating." + str(data["rating"])); ok {
				return w.t("auditpage.say.case_rate", label, r)
			}
		case "merge":
			if target := str(data["target_number"]); target != "" {
				return w.t("auditpage.say.case_merge", label, target)
			}
		}
		return w.t("auditpage.say.case", p.Action, label)
	}
	var s string
	if label != "" {
		s = w.t("auditpage.say.object", p.Action, label)
	} else {
		s = p.Action
	}
	if e.Result != OK && e.Result != "" {
		s = w.t("auditpage.say.not_ok", s, p.Result)
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.In(shanghai).Format("2006-01-02 15:04")
	}
	return s
}

// changes parses the stored summaries into field changes in words. A summary is either a JSON
// object (field → value), a JSON list, or a plain value (a case status, a grid code …).
func (w Wording) changes(e Entry, n Names) []Change {
	before, after := decode(e.Before), decode(e.After)
	if before == nil && after == nil {
		return []Change{}
	}
	bm, bObj := before.(map[string]any)
	am, aObj := after.(map[string]any)
	if !bObj && !aObj {
		field := "value"
		if strings.HasPrefix(e.Action, "case.") {
			field = "status"
		} else if e.Action == "user.grant" || e.Action == "user.revoke" {
			field = "roles"
		}
		b, a := w.value(field, before, n), w.value(field, after, n)
		if b == a {
			return []Change{} // a rating or a comment leaves the status as it was
		}
		return []Change{{Field: w.fieldName(field), Before: b, After: a}}
	}
	if before != nil && !bObj {
		bm = map[string]any{"value": before}
	}
	if after != nil && !aObj {
		am = map[string]any{"value": after}
	}
	keys := map[string]bool{}
	for k := range bm {
		keys[k] = true
	}
	for k := range am {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	out := []Change{}
	for _, k := range names {
		b, a := w.value(k, bm[k], n), w.value(k, am[k], n)
		if b == a && before != nil {
			continue // unchanged: an update lists only what moved
		}
		out = append(out, Change{Field: w.fieldName(k), Before: b, After: a})
	}
	return out
}

func decode(s string) any {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	var v any
	if (strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[")) && json.Unmarshal([]byte(s), &v) == nil {
		return v
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.In(shanghai).Format("2006-01-02 15:04")
	}
	return s
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func (w Wording) fieldName(key string) string {
	if s, ok := w.first("auditpage.field." + key); ok {
		return s
	}
	return w.t("auditpage.field.other")
}

// value renders one field's value: codes become names (statuses, roles, org units, channels),
// booleans yes/no, lists joined, nested objects as "field: value" pairs.
func (w Wording) value(field string, v any, n Names) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return w.t("auditpage.yes")
		}
		return w.t("auditpage.no")
	case float64:
		return fmt.Sprint(x)
	case []any:
		parts := make([]string, 0, len(x))
		for _, item := range x {
			parts = append(parts, w.value(field, item, n))
		}
		return strings.Join(parts, w.t("auditpage.list_sep"))
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, w.fieldName(k)+w.t("auditpage.colon")+w.value(k, x[k], n))
		}
		return strings.Join(parts, w.t("auditpage.list_sep"))
	case string:
		return w.word(field, x, n)
	}
	return fmt.Sprint(v)
}

// word maps a code to its name where the field says what kind of code it is.
func (w Wording) word(field, s string, n Names) string {
	switch field {
	case "status":
		if t, ok := w.first("case.status."+s, "auditpage.status."+s); ok {
			return t
		}
	case "channel":
		if t, ok := w.first("desk.channel." + s); ok {
			return t
		}
	case "roles", "role":
		// users record a grant as "role@org_code".
		role, code, _ := strings.Cut(s, "@")
		name, ok := w.first("role." + role)
		if !ok {
			return s
		}
		if unit := n.org(w.Lang, code); unit != "" {
			return w.t("auditpage.role_at", name, unit)
		}
		return name
	case "rating":
		if t, ok := w.first("desk.rating." + s); ok {
			return t
		}
	case "urgency":
		if t, ok := w.first("category.urgency." + s); ok {
			return t
		}
	}
	if orgFields[field] {
		if name := n.org(w.Lang, s); name != "" {
			return name
		}
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.In(shanghai).Format("2006-01-02 15:04")
	}
	return s
}
