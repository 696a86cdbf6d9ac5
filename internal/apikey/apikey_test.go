package apikey_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apikey"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

func as(role access.Role, path string) context.Context {
	code := strings.Trim(path[strings.LastIndex(strings.TrimSuffix(path, "/"), "/"):], "/")
	return access.WithPrincipal(context.Background(), &access.Principal{UserID: "u-" + string(role), Username: string(role),
		Grants: []access.Grant{{Role: role, OrgCode: code, OrgPath: path}}})
}

func TestKeysOnBothEngines(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		now := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
		s := &apikey.Service{DB: d, Now: func() time.Time { return now }}
		admin := as(access.SysAdmin, "/350503/")
		ctx := context.Background()

		// Only a district-level sys_admin (or the operator at the machine) manages keys.
		for _, c := range []context.Context{ctx, as(access.SysAdmin, "/350503/350503001/"), as(access.SecAdmin, "/350503/"),
			as(access.Resident, "/350503/")} {
			if _, _, err := s.Create(c, "app", 0); apperr.CodeOf(err) != apperr.Forbidden && apperr.CodeOf(err) != apperr.Unauthenticated {
				t.Fatalf("create by a non-admin: %v", err)
			}
			if _, err := s.List(c); err == nil {
				t.Fatal("list by a non-admin")
			}
		}
		k, secret, err := s.Create(admin, "fixmystreet", 0)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, apikey.Prefix) || len(secret) != len(apikey.Prefix)+43 || k.CreatedBy != "sys_admin" {
			t.Fatalf("key %q %+v", secret, k)
		}
		// Only the hash is stored.
		var hash string
		if err := d.Read.QueryRow(`SELECT key_hash FROM api_keys WHERE id = $1`, k.ID).Scan(&hash); err != nil {
			t.Fatal(err)
		}
		if hash != apikey.Hash(secret) || strings.Contains(hash, secret[len(apikey.Prefix):]) {
			t.Fatalf("stored %q", hash)
		}
		got, err := s.Authenticate(ctx, secret)
		if err != nil || got.ID != k.ID || got.Name != "fixmystreet" {
			t.Fatalf("authenticate: %+v %v", got, err)
		}
		for _, bad := range []string{"", "yw311_", secret + "x", strings.TrimPrefix(secret, apikey.Prefix), strings.Repeat("a", 200)} {
			if _, err := s.Authenticate(ctx, bad); apperr.CodeOf(err) != apperr.Forbidden {
				t.Fatalf("authenticate %q: %v", bad, err)
			}
		}
		if _, _, err := s.Create(admin, "fixmystreet", 0); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("a second active key of one name: %v", err)
		}
		for _, bad := range []string{"a", "has space", strings.Repeat("x", 65), "semi;colon"} {
			if _, _, err := s.Create(admin, bad, 0); apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("name %q: %v", bad, err)
			}
		}
		if _, _, err := s.Create(admin, "greedy", apikey.MaxRatePerMinute+1); apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("rate: %v", err)
		}
		if _, err := s.Revoke(admin, "nobody"); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("revoke unknown: %v", err)
		}
		now = now.Add(time.Hour)
		if _, err := s.Revoke(admin, "fixmystreet"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, secret); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("a revoked key still works: %v", err)
		}
		// A revoked name may be issued again; the list shows the active key first, never a secret.
		system := access.WithPrincipal(ctx, access.SystemPrincipal("cli:apikey create"))
		if _, _, err := s.Create(system, "fixmystreet", 120); err != nil {
			t.Fatal(err)
		}
		list, err := s.List(admin)
		if err != nil || len(list) != 2 || !list[0].Active() || list[0].RatePerMinute != 120 || list[1].Active() {
			t.Fatalf("list: %+v %v", list, err)
		}
		var audited int
		d.Read.QueryRow(`SELECT count(*) FROM audit_log WHERE action IN ('apikey.create', 'apikey.revoke')`).Scan(&audited)
		if audited != 3 {
			t.Fatalf("%d audit records", audited)
		}
		var out strings.Builder
		if err := apikey.WriteTable(&out, list); err != nil || !strings.Contains(out.String(), "revoked 2026-11-27T03:00:00Z") ||
			strings.Contains(out.String(), apikey.Prefix) {
			t.Fatalf("table:\n%s", out.String())
		}
		p := apikey.Principal(list[0], "350503")
		scope, err := access.Need(access.WithPrincipal(ctx, p), access.CaseReport)
		if err != nil || !scope.DistrictWide() {
			t.Fatalf("an API client reports district-wide: %+v %v", scope, err)
		}
		if _, err := access.Need(access.WithPrincipal(ctx, p), access.CaseImport); err == nil {
			t.Fatal("an API client may import cases")
		}
	})
}

func TestTokenBucket(t *testing.T) {
	l := apikey.NewLimiter(apikey.Rate{PerMinute: 60, Burst: 3})
	t0 := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("k", 0, t0); !ok {
			t.Fatalf("burst request %d refused", i)
		}
	}
	ok, wait := l.Allow("k", 0, t0)
	if ok || wait != time.Second {
		t.Fatalf("fourth at once: %v %v", ok, wait)
	}
	if ok, _ := l.Allow("other", 0, t0); !ok {
		t.Fatal("keys share a bucket")
	}
	if ok, _ := l.Allow("k", 0, t0.Add(500*time.Millisecond)); ok {
		t.Fatal("half a token")
	}
	if ok, _ := l.Allow("k", 0, t0.Add(1500*time.Millisecond)); !ok {
		t.Fatal("refilled token refused")
	}
	// A long pause refills to the burst, not beyond.
	later := t0.Add(time.Hour)
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("k", 0, later); !ok {
			t.Fatalf("after a pause, request %d refused", i)
		}
	}
	if ok, _ := l.Allow("k", 0, later); ok {
		t.Fatal("the bucket overfilled")
	}
	// A clock that goes back adds nothing.
	if ok, _ := l.Allow("k", 0, t0); ok {
		t.Fatal("time travel refilled the bucket")
	}
	// A key's own rate: 6 a minute gets a proportionally smaller burst (at least 1) and slower refill.
	if ok, _ := l.Allow("slow", 6, t0); !ok {
		t.Fatal("first request of a slow key")
	}
	if ok, wait := l.Allow("slow", 6, t0); ok || wait != 10*time.Second {
		t.Fatalf("slow key: %v %v", ok, wait)
	}
}
