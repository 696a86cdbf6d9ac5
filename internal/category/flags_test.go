package category_test

import (
	"testing"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/category"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// A category asks for an after-photo only once a district sys_admin says so; the change is
// audited, survives a later Put of the category, and nobody else may make it.
func TestRequiresPhoto(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := loaded(t, d)
		reader := as(access.Resident, districtPath)
		admin := as(access.SysAdmin, districtPath)

		if on, err := s.RequiresPhoto(reader, category.Event, "06010"); err != nil || on {
			t.Fatalf("shipped categories ask for no photo: %v %v", on, err)
		}
		for _, tc := range []struct {
			name string
			err  error
			want apperr.Code
		}{
			{"a subdistrict sys_admin", s.SetRequiresPhoto(as(access.SysAdmin, subdistrictPath), category.Event, "06010", true), apperr.Forbidden},
			{"a resident", s.SetRequiresPhoto(reader, category.Event, "06010", true), apperr.Forbidden},
			{"no such category", s.SetRequiresPhoto(admin, category.Event, "99999", true), apperr.NotFound},
			{"bad class", s.SetRequiresPhoto(admin, "nonsense", "06010", true), apperr.Invalid},
		} {
			if got := apperr.CodeOf(tc.err); got != tc.want {
				t.Errorf("%s: %v (%s), want %s", tc.name, tc.err, got, tc.want)
			}
		}
		if on, _ := s.RequiresPhoto(reader, category.Event, "06010"); on {
			t.Fatal("a refused change took effect")
		}

		audits := count(t, d, `SELECT count(*) FROM audit_log WHERE action = 'category.requires_photo'`)
		if err := s.SetRequiresPhoto(admin, category.Event, "06010", true); err != nil {
			t.Fatal(err)
		}
		if n := count(t, d, `SELECT count(*) FROM audit_log WHERE action = 'category.requires_photo'`); n != audits+1 {
			t.Errorf("audit entries: %d, want %d", n, audits+1)
		}
		// Editing the category otherwise keeps the flag.
		c, err := s.Get(reader, category.Event, "06010")
		if err != nil {
			t.Fatal(err)
		}
		c.Name += "（改）"
		if _, err := s.Put(admin, c); err != nil {
			t.Fatal(err)
		}
		if on, err := s.RequiresPhoto(reader, category.Event, "06010"); err != nil || !on {
			t.Fatalf("after Put: %v %v", on, err)
		}
		// The same code in the other class is another category.
		if on, _ := s.RequiresPhoto(reader, category.Component, "06010"); on {
			t.Error("component/06010 follows event/06010")
		}
		if on, err := s.RequiresPhoto(reader, category.Event, "99999"); err != nil || on {
			t.Errorf("unknown category: %v %v", on, err)
		}
		all, err := s.PhotoRequired(reader)
		if err != nil || len(all) != 1 || !all[category.Key{Class: category.Event, Code: "06010"}] {
			t.Errorf("PhotoRequired: %v %v", all, err)
		}
		if err := s.SetRequiresPhoto(admin, category.Event, "06010", false); err != nil {
			t.Fatal(err)
		}
		if on, _ := s.RequiresPhoto(reader, category.Event, "06010"); on {
			t.Error("turned off, still on")
		}
	})
}
