package app_test

import (
	"testing"
)

// oaProjectCalls calls the operations of the zone projects (特色项目): a shift lead plans a project
// backward, records progress, lists, reads and exports; outsiders and bad input are refused.
func oaProjectCalls(t *testing.T, k *oaChecker) {
	srv := k.srv
	lead, worker := srv.Login(t, "donghai.shift_lead"), srv.Login(t, "donghai.grid_worker")
	const zone = "350503001Z01"
	body := func(milestones ...map[string]any) map[string]any {
		return map[string]any{"zone_code": zone, "field": "civility", "title": "文明楼道创建", "owner_unit_code": "350503001",
			"deadline": "2026-12-18", "milestones": milestones, "participants": []string{"社区党委"}, "budget_fen": 500000,
			"tasks": []map[string]any{{"unit_code": "350503001", "title": "统筹", "milestone": 0}}}
	}
	good := body(map[string]any{"title": "摸底", "duration_days": 3}, map[string]any{"title": "整治", "duration_days": 5, "depends_on": []int{0}})
	var made struct{ ID string }
	oaDecode(t, k.do(t, oaCall{as: lead, method: "POST", path: "/api/v1/projects", body: good, want: 201}), &made)
	k.do(t, oaCall{as: lead, method: "POST", path: "/api/v1/projects", body: body(map[string]any{"title": "甲", "duration_days": 1, "depends_on": []int{1}},
		map[string]any{"title": "乙", "duration_days": 1, "depends_on": []int{0}}), want: 400})
	k.do(t, oaCall{as: lead, method: "POST", path: "/api/v1/projects", body: map[string]any{"title": "缺字段"}, want: 400, invalid: true})
	other := body(map[string]any{"title": "摸底", "duration_days": 3})
	other["zone_code"] = "350503002Z01"
	k.do(t, oaCall{as: lead, method: "POST", path: "/api/v1/projects", body: other, want: 404})
	k.do(t, oaCall{as: worker, method: "POST", path: "/api/v1/projects", body: good, want: 403})
	k.do(t, oaCall{method: "POST", path: "/api/v1/projects", body: good, want: 401})
	k.do(t, oaCall{as: lead, method: "POST", path: "/api/v1/projects", body: "x", contentType: "text/plain", want: 415, invalid: true})
	k.do(t, oaCall{as: lead, method: "POST", path: "/api/v1/projects", body: `{"title":"` + string(make([]byte, 70<<10)) + `"}`, want: 413, invalid: true})

	k.do(t, oaCall{as: lead, method: "GET", path: "/api/v1/projects?zone=" + zone, want: 200})
	k.do(t, oaCall{as: lead, method: "GET", path: "/api/v1/projects", want: 200})
	k.do(t, oaCall{as: lead, method: "GET", path: "/api/v1/projects?zone=350503002Z01", want: 404})
	k.do(t, oaCall{as: worker, method: "GET", path: "/api/v1/projects", want: 403})
	k.do(t, oaCall{method: "GET", path: "/api/v1/projects", want: 401})

	k.do(t, oaCall{as: lead, method: "GET", path: "/api/v1/projects/" + made.ID, want: 200})
	k.do(t, oaCall{as: lead, method: "GET", path: "/api/v1/projects/nope", want: 404})
	k.do(t, oaCall{as: worker, method: "GET", path: "/api/v1/projects/" + made.ID, want: 403})
	k.do(t, oaCall{method: "GET", path: "/api/v1/projects/" + made.ID, want: 401})

	progress := "/api/v1/projects/" + made.ID + "/milestones/0/progress"
	k.do(t, oaCall{as: lead, method: "POST", path: progress, body: map[string]any{"started": true, "percent": 20, "note": "已摸底32户"}, want: 200})
	k.do(t, oaCall{as: lead, method: "POST", path: progress, body: map[string]any{}, want: 400})
	k.do(t, oaCall{as: lead, method: "POST", path: progress, body: map[string]any{"percent": 101}, want: 400, invalid: true})
	k.do(t, oaCall{as: lead, method: "POST", path: progress, body: map[string]any{"finished": true}, want: 200})
	k.do(t, oaCall{as: lead, method: "POST", path: progress, body: map[string]any{"percent": 50}, want: 409})
	k.do(t, oaCall{as: lead, method: "POST", path: "/api/v1/projects/" + made.ID + "/milestones/9/progress", body: map[string]any{"started": true}, want: 404})
	k.do(t, oaCall{as: worker, method: "POST", path: progress, body: map[string]any{"note": "越权"}, want: 403})
	k.do(t, oaCall{method: "POST", path: progress, body: map[string]any{"note": "匿名"}, want: 401})
	k.do(t, oaCall{as: lead, method: "POST", path: progress, body: "x", contentType: "text/plain", want: 415, invalid: true})
	k.do(t, oaCall{as: lead, method: "POST", path: progress, body: `{"note":"` + string(make([]byte, 70<<10)) + `"}`, want: 413, invalid: true})

	k.do(t, oaCall{as: lead, method: "GET", path: "/api/v1/projects/export?format=xlsx&zone=" + zone, want: 200})
	k.do(t, oaCall{as: lead, method: "GET", path: "/api/v1/projects/export?format=csv&zone=" + zone, want: 200})
	k.do(t, oaCall{as: lead, method: "GET", path: "/api/v1/projects/export?format=pdf&zone=" + zone, want: 400})
	k.do(t, oaCall{as: lead, method: "GET", path: "/api/v1/projects/export?format=xlsx&zone=350503002Z01", want: 404})
	k.do(t, oaCall{as: worker, method: "GET", path: "/api/v1/projects/export?format=xlsx&zone=" + zone, want: 403})
	k.do(t, oaCall{method: "GET", path: "/api/v1/projects/export?format=xlsx&zone=" + zone, want: 401})
}
