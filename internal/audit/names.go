package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/db"
)

// LoadNames looks up, in a few queries, the names the records refer to: actors and accounts,
// org units (the actor's unit, a dispatch's department, a role's node), case numbers and
// what each audited case action recorded beside its status.
func LoadNames(ctx context.Context, d *db.DB, list []Entry) (Names, error) {
	n := Names{Users: map[string]string{}, Orgs: map[string]OrgName{}, Cases: map[string]string{},
		Events: map[string]map[string]any{}}
	users, orgs, cases := set{}, set{}, set{}
	for _, e := range list {
		users.add(e.ActorID)
		orgs.add(e.OrgCode)
		switch e.ObjectType {
		case "user":
			users.add(e.ObjectID)
		case "case":
			cases.add(e.ObjectID)
		case "district", "subdistrict", "community", "department", "org_node":
			orgs.add(e.ObjectID)
		}
		// A summary names units and zones by code (orgFields).
		for _, s := range []string{e.Before, e.After} {
			var m map[string]any
			if json.Unmarshal([]byte(s), &m) == nil {
				for field := range orgFields {
					if code, ok := m[field].(string); ok {
						orgs.add(code)
					}
				}
			}
		}
		// Role grants are summarised as "role@org_code".
		for _, s := range []string{e.Before, e.After} {
			for _, part := range strings.Split(s, "@")[1:] {
				code := strings.FieldsFunc(part, func(r rune) bool { return r < '0' || r > '9' })
				if len(code) > 0 {
					orgs.add(code[0])
				}
			}
		}
	}
	err := inBatches(ctx, d, `SELECT id, display_name FROM users WHERE id IN (%s)`, users, func(scan func(...any) error) error {
		var id, name string
		if err := scan(&id, &name); err != nil {
			return err
		}
		n.Users[id] = name
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("audit names: users: %w", err)
	}
	err = inBatches(ctx, d, `SELECT id, number FROM cases WHERE id IN (%s)`, cases, func(scan func(...any) error) error {
		var id, number string
		if err := scan(&id, &number); err != nil {
			return err
		}
		n.Cases[id] = number
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("audit names: cases: %w", err)
	}
	err = inBatches(ctx, d, `SELECT case_id, action, at, data FROM case_events
		WHERE action IN ('dispatch','rate','merge') AND case_id IN (%s)`, cases, func(scan func(...any) error) error {
		var e Entry
		var action, data string
		if err := scan(&e.ObjectID, &action, &e.At, &data); err != nil {
			return err
		}
		var m map[string]any
		if json.Unmarshal([]byte(data), &m) == nil {
			n.Events[EventKey(e.ObjectID, action, e.At)] = m
			if code, ok := m["department_code"].(string); ok {
				orgs.add(code)
			}
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("audit names: case events: %w", err)
	}
	err = inBatches(ctx, d, `SELECT code, name, name_en FROM org_nodes WHERE code IN (%s)`, orgs, func(scan func(...any) error) error {
		var code string
		var o OrgName
		if err := scan(&code, &o.Name, &o.NameEn); err != nil {
			return err
		}
		n.Orgs[code] = o
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("audit names: org units: %w", err)
	}
	// Zones (示范片区) are not org nodes, but summaries name them alike.
	err = inBatches(ctx, d, `SELECT code, name FROM zones WHERE code IN (%s)`, orgs, func(scan func(...any) error) error {
		var code string
		var o OrgName
		if err := scan(&code, &o.Name); err != nil {
			return err
		}
		n.Orgs[code] = o
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("audit names: zones: %w", err)
	}
	return n, nil
}

// orgFields are the summary fields whose values are org unit or zone codes, shown by name.
var orgFields = map[string]bool{"department_code": true, "org_code": true, "subdistrict_code": true,
	"community_code": true, "unit_code": true, "zone": true, "zone_code": true}

type set map[string]bool

func (s set) add(v string) {
	if v != "" {
		s[v] = true
	}
}

// inBatches runs query (with one %s for the placeholder list) over the set's values, 200 at a time.
func inBatches(ctx context.Context, d *db.DB, query string, values set, row func(scan func(...any) error) error) error {
	all := make([]any, 0, len(values))
	for v := range values {
		all = append(all, v)
	}
	for len(all) > 0 {
		batch := all[:min(200, len(all))]
		all = all[len(batch):]
		marks := make([]string, len(batch))
		for i := range batch {
			marks[i] = fmt.Sprintf("$%d", i+1)
		}
		rows, err := d.Query(ctx, fmt.Sprintf(query, strings.Join(marks, ",")), batch...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := row(rows.Scan); err != nil {
				rows.Close()
				return err
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
