package app

import (
	"context"
	"fmt"

	"github.com/yiwang-gov/yiwang/internal/cases"
	"github.com/yiwang-gov/yiwang/internal/patrol"
)

// buildPatrols wires the patrol (巡查) module: its findings become cases through the case desk's
// one intake pipeline.
func (a *App) buildPatrols() *patrol.Service {
	return &patrol.Service{DB: a.DB, Outbox: a.Notify.Outbox, Now: a.Now, Intake: patrolIntake{a.Cases}}
}

// patrolIntake hands a finding to the case desk as a report on the patrol channel, reported by
// the caller (cases.Service.Create: the resident app, the hotline and patrol share it).
type patrolIntake struct{ cases *cases.Service }

func (p patrolIntake) Report(ctx context.Context, r patrol.NewReport) (patrol.CaseRef, error) {
	c, err := p.cases.Create(ctx, cases.NewCase{Channel: cases.Patrol, Lat: r.Lat, Lng: r.Lng, Description: r.Description,
		CategoryClass: r.CategoryClass, CategoryCode: r.CategoryCode})
	if err != nil {
		return patrol.CaseRef{}, err
	}
	return patrol.CaseRef{ID: c.ID, Number: c.Number}, nil
}

// demoPatrols gives each grid of 东海's first community (东梅社区) a plan: three patrols a week
// along three points of the grid, the default checklist of its kind, the community's grid worker
// and volunteer assigned. Written in one transaction (the demo loads for every test).
func (a *App) demoPatrols(ctx context.Context) error {
	var worker, volunteer string
	for name, dst := range map[string]*string{"donghai.grid_worker": &worker, "donghai.volunteer": &volunteer} {
		if err := a.DB.QueryRow(ctx, `SELECT id FROM users WHERE username = $1`, name).Scan(dst); err != nil {
			return fmt.Errorf("demo patrol plans: %s: %w", name, err)
		}
	}
	rows, err := a.DB.Query(ctx, `SELECT code, min_lat, min_lng, max_lat, max_lng FROM grids
		WHERE community_code = '350503001001' ORDER BY code`)
	if err != nil {
		return fmt.Errorf("demo patrol plans: %w", err)
	}
	var plans []patrol.DemoPlan
	for rows.Next() {
		var code string
		var minLat, minLng, maxLat, maxLng float64
		if err := rows.Scan(&code, &minLat, &minLng, &maxLat, &maxLng); err != nil {
			rows.Close()
			return err
		}
		midLat, midLng := (minLat+maxLat)/2, (minLng+maxLng)/2
		plans = append(plans, patrol.DemoPlan{GridCode: code, PerWeek: 3, Users: []string{worker, volunteer},
			Route: []patrol.Point{
				{Name: "网格西侧入口", Lat: midLat, Lng: minLng + (maxLng-minLng)*0.2},
				{Name: "网格中心", Lat: midLat, Lng: midLng},
				{Name: "网格东侧出口", Lat: midLat, Lng: minLng + (maxLng-minLng)*0.8},
			}})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return a.Patrols.LoadDemo(ctx, plans)
}
