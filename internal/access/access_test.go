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
		//               TerrRead TerrLocate TerrWrite DeptRead UserRead UserWrite AuditRead CalRead CalWrite CatRead CatWrite Report Read Act Import Contact Deliveries NotifyConf EvalRead EvalPeople EvalPick EvalConf WhRead WhBlow WhAnswer DirRead DirIssue DirAck PatRead PatRun PatPlan PartRead PartManage AddrSearch AddrWrite DirEdit LedgRead LedgWrite ProjRead ProjPlan
		Resident:        {d, d, n, d, n, n, n, d, n, d, n, d, o, o, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n},
		GridWorker:      {s, d, n, d, n, n, n, d, n, d, n, d, s, s, n, s, n, n, s, n, n, n, s, s, n, s, n, s, s, s, n, s, n, d, n, n, n, n, n, n},
		IntakeOperator:  {s, d, n, d, n, n, n, d, n, d, n, d, s, s, n, s, n, n, s, n, n, n, n, n, n, n, n, n, n, n, n, n, n, d, n, n, n, n, n, n},
		ShiftLead:       {s, d, n, d, n, n, n, d, n, d, n, d, s, s, n, s, n, n, s, s, n, n, s, s, n, s, s, n, s, n, s, s, s, d, n, n, n, n, s, s},
		Dispatcher:      {s, d, n, d, n, n, n, d, n, d, n, n, s, s, n, s, n, n, s, n, n, n, s, s, n, s, n, n, s, n, n, s, n, d, n, n, n, n, n, n},
		DepartmentStaff: {d, d, n, d, n, n, n, d, n, d, n, n, x, x, n, x, n, n, x, n, n, n, x, n, x, n, n, n, n, n, n, n, n, d, n, n, n, n, n, n},
		Leader:          {s, d, n, d, s, n, n, d, n, d, n, n, s, s, n, n, n, n, s, s, s, n, s, s, n, s, s, n, s, n, s, s, s, d, n, n, s, n, s, s},
		SysAdmin:        {s, d, s, d, n, n, n, d, s, d, s, n, n, n, s, n, s, s, n, n, n, s, n, n, n, n, n, n, n, n, n, n, n, d, s, n, n, n, n, n},
		SecAdmin:        {s, d, n, d, s, s, n, d, n, d, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n},
		AuditAdmin:      {s, d, n, d, n, n, s, d, n, d, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n},
		CommunityStaff:  {s, d, n, d, n, n, n, d, n, d, n, d, s, n, n, n, n, n, s, n, n, n, s, s, n, s, n, s, s, n, s, s, s, d, n, n, n, n, s, s},
		Volunteer:       {s, d, n, d, n, n, n, d, n, d, n, d, o, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, o, s, n, s, n, n, n, n, n, n, n, n},
		Mediator:        {s, d, n, d, n, n, n, d, n, d, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n},
		DirectoryEditor: {d, d, n, d, n, n, n, d, n, d, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, s, n, n, n, n},
		FinanceOfficer:  {s, d, n, d, n, n, n, d, n, d, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, s, s, n, n},
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

// TestPlaces: an object whose places (paths in a related table) lie in scope is in reach, in the
// SQL condition and in the check alike; one whose own path and places lie outside is not.
func TestPlaces(t *testing.T) {
	k := Kind{Name: "directive", Read: DirectiveRead, Path: "issuer_path",
		Places: []Relation{{Name: "target", Table: "directive_targets", ObjectColumn: "directive_id", SubjectColumn: "path"}}}
	s := Scope{Paths: []string{"/1/2/"}}
	cond, args := s.Where(k, "d", 1)
	want := "((substr(d.issuer_path, 1, 5) = $1) OR EXISTS (SELECT 1 FROM directive_targets rel WHERE rel.directive_id = d.id AND (substr(rel.path, 1, 5) = $2)))"
	if cond != want || len(args) != 2 || args[0] != "/1/2/" || args[1] != "/1/2/" {
		t.Errorf("Where = %s %v\nwant %s", cond, args, want)
	}
	inside := Object{Kind: "directive", Path: "/1/", Places: []string{"/1/3/9/", "/1/2/7/"}}
	outside := Object{Kind: "directive", Path: "/1/", Places: []string{"/1/3/9/"}}
	if !s.Reaches(inside) || s.Reaches(outside) {
		t.Errorf("Reaches: inside %v, outside %v", s.Reaches(inside), s.Reaches(outside))
	}
	g := Grant{Role: CommunityStaff, OrgPath: "/1/2/"}
	if !GrantReaches("u", g, DirectiveRead, inside) || GrantReaches("u", g, DirectiveRead, outside) {
		t.Error("GrantReaches disagrees with Reaches on places")
	}
}
