package access

import (
	"context"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// TestPermissionTable pins every cell of the role × permission table, so that a change of who may
// do what is a deliberate, reviewed edit of this test too.
func TestPermissionTable(t *testing.T) {
	const (
		n = None
		o = Own
		s = Subtree
		d = District
		x = Dispatched
	)
	want := map[Role][]Reach{
		//               TerrRead TerrLocate TerrWrite DeptRead UserRead UserWrite AuditRead CalRead CalWrite CatRead CatWrite Report Read Act Import Contact Deliveries EvalRead EvalPeople EvalPick EvalConf
		Resident:        {d, d, n, d, n, n, n, d, n, d, n, d, o, o, n, n, n, n, n, n, n},
		GridWorker:      {s, d, n, d, n, n, n, d, n, d, n, d, s, s, n, s, n, s, n, n, n},
		IntakeOperator:  {s, d, n, d, n, n, n, d, n, d, n, d, s, s, n, s, n, s, n, n, n},
		ShiftLead:       {s, d, n, d, n, n, n, d, n, d, n, d, s, s, n, s, n, s, s, n, n},
		Dispatcher:      {s, d, n, d, n, n, n, d, n, d, n, n, s, s, n, s, n, s, n, n, n},
		DepartmentStaff: {d, d, n, d, n, n, n, d, n, d, n, n, x, x, n, x, n, x, n, n, n},
		Leader:          {s, d, n, d, s, n, n, d, n, d, n, n, s, s, n, n, n, s, s, s, n},
		SysAdmin:        {s, d, s, d, n, n, n, d, s, d, s, n, n, n, s, n, s, n, n, n, s},
		SecAdmin:        {s, d, n, d, s, s, n, d, n, d, n, n, n, n, n, n, n, n, n, n, n},
		AuditAdmin:      {s, d, n, d, n, n, s, d, n, d, n, n, n, n, n, n, n, n, n, n, n},
		CommunityStaff:  {s, d, n, d, n, n, n, d, n, d, n, d, s, n, n, n, n, s, n, n, n},
		Volunteer:       {s, d, n, d, n, n, n, d, n, d, n, d, o, n, n, n, n, n, n, n, n},
		Mediator:        {s, d, n, d, n, n, n, d, n, d, n, n, n, n, n, n, n, n, n, n, n},
		DirectoryEditor: {d, d, n, d, n, n, n, d, n, d, n, n, n, n, n, n, n, n, n, n, n},
		FinanceOfficer:  {s, d, n, d, n, n, n, d, n, d, n, n, n, n, n, n, n, n, n, n, n},
	}
	if len(want) != len(Roles) {
		t.Fatalf("table covers %d roles, there are %d", len(want), len(Roles))
	}
	for _, role := range Roles {
		for i, perm := range Permissions {
			if got := Allowed(role, perm); got != want[role][i] {
				t.Errorf("%s × %s = %d, want %d", role, perm, got, want[role][i])
			}
		}
	}
	if Allowed("nobody", TerritoryRead) != None {
		t.Error("unknown role has a permission")
	}
}

func TestNeedBuildsScopeFromGrants(t *testing.T) {
	ctx := func(p *Principal) context.Context { return WithPrincipal(context.Background(), p) }
	if _, err := Need(context.Background(), TerritoryRead); apperr.CodeOf(err) != apperr.Unauthenticated {
		t.Fatalf("anonymous: %v", err)
	}
	worker := &Principal{UserID: "u", Grants: []Grant{{Role: GridWorker, OrgCode: "350503001001", OrgPath: "/350503/350503001/350503001001/"}}}
	s, err := Need(ctx(worker), TerritoryRead)
	if err != nil || len(s.Paths) != 1 || !s.Covers("/350503/350503001/350503001001/350503001001003/") || s.Covers("/350503/350503001/350503001002/") {
		t.Fatalf("grid worker scope: %+v %v", s, err)
	}
	if _, err := Need(ctx(worker), UserRead); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("grid worker reading users: %v", err)
	}
	// District reach and overlapping grants collapse to the widest path.
	resident := &Principal{Grants: []Grant{{Role: Resident, OrgPath: "/350503/350503002/"}, {Role: GridWorker, OrgPath: "/350503/350503002/350503002001/"}}}
	s, _ = Need(ctx(resident), TerritoryRead)
	if len(s.Paths) != 1 || s.Paths[0] != "/350503/" || !s.DistrictWide() {
		t.Fatalf("district reach: %+v", s.Paths)
	}
	must := &Principal{MustChangePassword: true, Grants: worker.Grants}
	if _, err := Need(ctx(must), TerritoryRead); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("must change password: %v", err)
	}
	sys, _ := Need(ctx(SystemPrincipal("cli")), AuditRead)
	if !sys.Covers("/anything/") {
		t.Fatal("system principal lacks full reach")
	}
}

func TestPathCondition(t *testing.T) {
	cond, args := Scope{Paths: []string{"/a/", "/b/c/"}}.PathCondition("x.path", 3)
	if cond != "(substr(x.path, 1, 3) = $3 OR substr(x.path, 1, 5) = $4)" || len(args) != 2 {
		t.Fatalf("%s %v", cond, args)
	}
	if cond, _ := (Scope{}).PathCondition("p", 1); cond != "1 = 0" {
		t.Fatalf("empty scope: %s", cond)
	}
}
