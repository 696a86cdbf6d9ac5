package directive

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// wantCode fails unless err is an apperr of code.
func wantCode(t *testing.T, what string, err error, code apperr.Code) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Errorf("%s: %v, want %s", what, err, code)
	}
}

// TestEscalationTiming: a missing acknowledgement goes to the community's staff once the
// deadline passes (one notice per community, listing its missing grids), and to the
// subdistrict's leaders escalation_hours working hours later on the work calendar — across a
// weekend — each once.
func TestEscalationTiming(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		clock := &testClock{now: cst(12, 4, 16, 0)} // Friday 16:00
		s := newService(t, d, clock)
		ctx := context.Background()
		in := typhoon(clock.Now(), Target{Subdistricts: []string{"350503001"}})
		in.AckDue = cst(12, 4, 17, 0)
		id := mustIssue(t, s, donghaiLeader, in).ID
		mustAck(t, s, c1Worker, id, "350503001001001", false)
		escalate := func(at time.Time, want int) {
			t.Helper()
			clock.Set(at)
			if n, err := s.Escalate(ctx, at); err != nil || n != want {
				t.Errorf("escalate at %s: %d events, %v; want %d", at.Format("01-02 15:04"), n, err, want)
			}
		}
		escalate(cst(12, 4, 16, 59), 0)
		escalate(cst(12, 4, 17, 1), 2) // one per community of 东海
		got := told(t, d, "directive.escalate")
		want := []string{
			`community_staff@` + c1 + `|["台风防御","2","350503001001002、350503001001003"]`,
			`community_staff@` + c2 + `|["台风防御","2","350503001002001、350503001002002"]`,
		}
		if !slices.Equal(got, want) {
			t.Errorf("level 1 told\n%v\nwant\n%v", got, want)
		}
		escalate(cst(12, 4, 17, 2), 0) // nothing twice
		// Acknowledged after level 1: it is not escalated further.
		mustAck(t, s, c1Staff, id, "350503001001002", false)
		// 17:00 Fri + 2 working hours: 30 minutes on Friday, 90 on Monday from 08:30 → Mon 10:00.
		escalate(cst(12, 5, 12, 0), 0)
		escalate(cst(12, 7, 9, 59), 0)
		escalate(cst(12, 7, 10, 0), 1) // one for the subdistrict
		got = told(t, d, "directive.escalate")[2:]
		want = []string{`leader@` + donghai + `|["台风防御","3","350503001001003、350503001002001、350503001002002"]`}
		if !slices.Equal(got, want) {
			t.Errorf("level 2 told\n%v\nwant\n%v", got, want)
		}
		escalate(cst(12, 7, 11, 0), 0)
		list, err := s.Targets(donghaiLeader, id, TargetQuery{Status: Unacknowledged})
		if err != nil || list.Total != 3 || !list.Targets[0].Overdue || list.Targets[0].EscalatedLevel != LevelSubdistrict {
			t.Errorf("the overdue list: %+v, %v", list, err)
		}
	})
}

// TestSupersede: an Update supersedes the earlier directive (its acknowledgements no longer
// due and not counted for the new one, whose targets are resolved afresh); a Cancel ends the
// directive, after which it owes no acknowledgement and nothing about it is escalated.
func TestSupersede(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		clock := &testClock{now: cst(12, 7, 9, 0)} // Monday
		s := newService(t, d, clock)
		a := mustIssue(t, s, donghaiLeader, typhoon(clock.Now(), Target{Communities: []string{"350503001001"}}))
		mustAck(t, s, c1Worker, a.ID, "350503001001001", true)
		mustAck(t, s, c1Worker, a.ID, "350503001001002", false)

		up := typhoon(clock.Now(), Target{Communities: []string{"350503001002"}, Grids: []string{"350503001001001"}})
		up.MsgType, up.References, up.Title = MsgTypeUpdate, a.ID, "台风升级"
		b := mustIssue(t, s, donghaiLeader, up)
		if b.Targeted != 3 {
			t.Errorf("the update targets %d grids, want 3 (re-resolved)", b.Targeted)
		}
		old, err := s.Get(donghaiLeader, a.ID)
		if err != nil || old.Status != Superseded || old.SupersededBy != b.ID || old.EndedAt == nil {
			t.Errorf("the earlier directive: %+v, %v", old, err)
		}
		cov, err := s.Coverage(donghaiLeader, b.ID)
		if err != nil || cov.Targeted != 3 || cov.Acknowledged != 0 || cov.Done != 0 {
			t.Errorf("the update's coverage counts the earlier acknowledgements: %+v, %v", cov, err)
		}
		_, err = s.Ack(c1Worker, a.ID, AckInput{GridCode: "350503001001003"})
		wantCode(t, "ack a superseded directive", err, apperr.Conflict)
		_, err = s.Issue(donghaiLeader, up)
		wantCode(t, "update a superseded directive", err, apperr.Conflict)

		mustAck(t, s, c1Worker, b.ID, "350503001001001", false)
		cancel := typhoon(clock.Now(), Target{})
		cancel.MsgType, cancel.References, cancel.Title = MsgTypeCancel, b.ID, "解除台风防御"
		c := mustIssue(t, s, donghaiLeader, cancel)
		if c.Targeted != 3 {
			t.Errorf("the cancel without a target of its own targets %d grids, want the update's 3", c.Targeted)
		}
		// Past every deadline: only the Cancel, which asks for a fresh acknowledgement, is chased.
		late := cst(12, 7, 16, 0)
		clock.Set(late)
		if _, err := s.Escalate(context.Background(), late); err != nil {
			t.Fatal(err)
		}
		ids := eventsOf(t, d, EscalateEvent)
		if len(ids) == 0 || slices.ContainsFunc(ids, func(id string) bool { return id != c.ID }) {
			t.Errorf("escalated %v, want only the cancel %s", ids, c.ID)
		}
		for _, id := range []string{a.ID, b.ID} {
			cov, err := s.Coverage(donghaiLeader, id)
			if err != nil || cov.Overdue != 0 {
				t.Errorf("%s owes acknowledgements after it ended: %+v, %v", id, cov, err)
			}
		}
		_, err = s.Ack(c1Worker, b.ID, AckInput{GridCode: "350503001001001"})
		wantCode(t, "ack a cancelled directive", err, apperr.Conflict)
		_, err = s.Ack(c1Worker, c.ID, AckInput{GridCode: "350503001001001", Done: true})
		wantCode(t, "report a cancel done", err, apperr.Invalid)
		mustAck(t, s, c1Worker, c.ID, "350503001001001", false)
		// The rule on references.
		alert := typhoon(clock.Now(), Target{Communities: []string{"350503001001"}})
		alert.References = a.ID
		_, err = s.Issue(donghaiLeader, alert)
		wantCode(t, "an Alert with references", err, apperr.Invalid)
		alert.MsgType, alert.References = MsgTypeUpdate, ""
		_, err = s.Issue(donghaiLeader, alert)
		wantCode(t, "an Update without references", err, apperr.Invalid)
	})
}

// eventsOf lists the object IDs of the outbox events of a type.
func eventsOf(t *testing.T, d *db.DB, typ string) []string {
	t.Helper()
	ids, err := db.Strings(context.Background(), d.Prepared(), `SELECT object_id FROM outbox_events WHERE type = $1 ORDER BY seq`, typ)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestScope: a community sees the directives that target its grids and nothing else, and of
// those only its own grids; a grid worker acknowledges only for grids their grant reaches;
// an issuer targets only inside their reach.
func TestScope(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		clock := &testClock{now: cst(12, 7, 9, 0)}
		s := newService(t, d, clock)
		x := mustIssue(t, s, districtLeader, typhoon(clock.Now(), Target{Subdistricts: []string{"350503002"}}))
		y := mustIssue(t, s, donghaiLeader, typhoon(clock.Now(), Target{Subdistricts: []string{"350503001"}}))
		z := mustIssue(t, s, districtLeader, typhoon(clock.Now(), Target{Grids: []string{"350503001002001"}}))
		list := func(ctx context.Context) []string {
			t.Helper()
			ds, err := s.List(ctx, Page{})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, d := range ds {
				ids = append(ids, d.ID)
			}
			return ids
		}
		for _, tc := range []struct {
			name string
			ctx  context.Context
			want []string
		}{
			{"the district's leader", districtLeader, []string{z.ID, y.ID, x.ID}},
			{"东海's leader", donghaiLeader, []string{z.ID, y.ID}},
			{"东梅's staff", c1Staff, []string{y.ID}},
			{"东星's staff", c2Staff, []string{z.ID, y.ID}},
			{"城东's grid worker", c3Worker, []string{x.ID}},
		} {
			if got := list(tc.ctx); !slices.Equal(got, tc.want) {
				t.Errorf("%s lists %v, want %v", tc.name, got, tc.want)
			}
		}
		for _, read := range []func(ctx context.Context, id string) error{
			func(ctx context.Context, id string) error { _, err := s.Get(ctx, id); return err },
			func(ctx context.Context, id string) error { _, err := s.Coverage(ctx, id); return err },
			func(ctx context.Context, id string) error { _, err := s.Targets(ctx, id, TargetQuery{}); return err },
			func(ctx context.Context, id string) error { _, err := s.CAP(ctx, id, "内部"); return err },
		} {
			wantCode(t, "东梅's staff read 城东's directive", read(c1Staff, x.ID), apperr.NotFound)
			wantCode(t, "东海's leader read 城东's directive", read(donghaiLeader, x.ID), apperr.NotFound)
			wantCode(t, "城东's worker read 东海's directive", read(c3Worker, y.ID), apperr.NotFound)
		}
		// A community sees its own grids' figures; the issuer sees all.
		cov, err := s.Coverage(c1Staff, y.ID)
		if err != nil || cov.Targeted != 3 || len(cov.ByCommunity) != 1 || cov.ByCommunity[0].Code != "350503001001" {
			t.Errorf("东梅's coverage of 东海's directive: %+v, %v", cov, err)
		}
		cov, err = s.Coverage(donghaiLeader, y.ID)
		if err != nil || cov.Targeted != 5 || len(cov.BySubdistrict) != 1 || cov.BySubdistrict[0].Targeted != 5 {
			t.Errorf("the issuer's coverage: %+v, %v", cov, err)
		}
		alert, err := s.CAP(c1Staff, y.ID, "内部")
		if err != nil || len(alert.Info.Areas[0].Geocodes) != 3 {
			t.Errorf("东梅's CAP lists other communities' grids: %+v, %v", alert, err)
		}
		got, err := s.Get(c1Worker, y.ID)
		if err != nil || len(got.Mine) != 3 || got.Mine[0].GridCode != "350503001001001" {
			t.Errorf("a worker's own grids: %+v, %v", got.Mine, err)
		}
		// Acknowledging: another community's grid is forbidden, a grid not targeted not found.
		_, err = s.Ack(c1Worker, y.ID, AckInput{GridCode: "350503001002001"})
		wantCode(t, "ack another community's grid", err, apperr.Forbidden)
		_, err = s.Ack(c2Staff, z.ID, AckInput{GridCode: "350503001002002"})
		wantCode(t, "ack a grid not targeted", err, apperr.NotFound)
		_, err = s.Ack(c1Worker, x.ID, AckInput{GridCode: "350503002001001"})
		wantCode(t, "ack another subdistrict's directive", err, apperr.NotFound)
		_, err = s.Ack(donghaiLeader, y.ID, AckInput{GridCode: "350503001001001"})
		wantCode(t, "a leader acknowledges", err, apperr.Forbidden)
		// Issuing: only inside one's reach, and only with directive.issue.
		_, err = s.Issue(donghaiLeader, typhoon(clock.Now(), Target{Communities: []string{"350503002001"}}))
		wantCode(t, "东海's leader targets 城东", err, apperr.Forbidden)
		_, err = s.Issue(c1Staff, typhoon(clock.Now(), Target{Communities: []string{"350503001001"}}))
		wantCode(t, "community staff issue", err, apperr.Forbidden)
	})
}

// TestAck: acknowledging twice changes nothing the second time; done records the note and
// position and acknowledges too; bad input changes nothing.
func TestAck(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		clock := &testClock{now: cst(12, 7, 9, 0)}
		s := newService(t, d, clock)
		id := mustIssue(t, s, donghaiLeader, typhoon(clock.Now(), Target{Communities: []string{"350503001001"}})).ID
		first := mustAck(t, s, c1Worker, id, "350503001001001", false)
		clock.Set(cst(12, 7, 9, 5))
		again := mustAck(t, s, c1Staff, id, "350503001001001", false)
		if first.Status != Acknowledged || again.AcknowledgedAt == nil || !again.AcknowledgedAt.Equal(*first.AcknowledgedAt) {
			t.Errorf("a repeat changed the acknowledgement: %+v then %+v", first, again)
		}
		if n := len(eventsOf(t, d, AckEvent)); n != 1 {
			t.Errorf("%d ack events, want 1", n)
		}
		lat, lng := 24.925, 118.574
		for _, bad := range []AckInput{
			{GridCode: ""}, {GridCode: "350503001001002", Lat: &lat}, {GridCode: "350503001001002", Lat: &lng, Lng: &lat, Done: true},
			{GridCode: "350503001001002", Note: strings.Repeat("长", MaxNote+1)},
		} {
			_, err := s.Ack(c1Worker, id, bad)
			wantCode(t, "bad acknowledgement", err, apperr.Invalid)
		}
		done, err := s.Ack(c1Worker, id, AckInput{GridCode: "350503001001002", Done: true, Note: "已排查 12 处", Lat: &lat, Lng: &lng})
		if err != nil || done.Status != Done || done.AcknowledgedAt == nil || done.DoneAt == nil || done.Note != "已排查 12 处" ||
			done.Lat == nil || *done.Lat != lat {
			t.Errorf("done: %+v, %v", done, err)
		}
		cov, err := s.Coverage(donghaiLeader, id)
		if err != nil || cov.Targeted != 3 || cov.Acknowledged != 2 || cov.Done != 1 || cov.Overdue != 0 {
			t.Errorf("coverage: %+v, %v", cov, err)
		}
		clock.Set(cst(12, 7, 10, 30)) // past the deadline
		cov, _ = s.Coverage(donghaiLeader, id)
		if cov.Overdue != 1 || cov.ByCommunity[0].Overdue != 1 {
			t.Errorf("overdue after the deadline: %+v", cov)
		}
		for _, bad := range []Input{
			func() Input {
				in := typhoon(clock.Now(), Target{Grids: []string{"350503001001001"}})
				in.AckDue = clock.Now()
				return in
			}(),
			func() Input {
				in := typhoon(clock.Now(), Target{Grids: []string{"350503001001001"}})
				in.Urgency = "Soon"
				return in
			}(),
			func() Input {
				in := typhoon(clock.Now(), Target{Grids: []string{"350503001001001"}})
				in.Title = "x"
				return in
			}(),
			func() Input {
				in := typhoon(clock.Now(), Target{Grids: []string{"350503001001001"}})
				in.MsgType = MsgTypeAck
				return in
			}(),
		} {
			_, err := s.Issue(donghaiLeader, bad)
			wantCode(t, "bad directive", err, apperr.Invalid)
		}
		if ds, _ := s.List(donghaiLeader, Page{}); len(ds) != 1 {
			t.Errorf("a refused directive was written: %d directives", len(ds))
		}
	})
}
