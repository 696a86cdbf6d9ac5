package app

import (
	"context"
	"fmt"

	"github.com/yiwang-gov/yiwang/internal/calendar"
	"github.com/yiwang-gov/yiwang/internal/project"
)

// buildProjects wires the zone projects (特色项目): plans count the work calendar's working days.
func (a *App) buildProjects() *project.Service {
	return &project.Service{DB: a.DB, Now: a.Now, Calendars: a.Calendar}
}

// demoProjects gives every demo zone two projects, planned backward from deadlines counted from
// the demo's clock: an environment micro-renovation due in about two months whose first
// milestone has started, and a safety patrol project due in about four months.
func (a *App) demoProjects(ctx context.Context) error {
	zones, err := a.Org.Zones(ctx)
	if err != nil {
		return fmt.Errorf("demo projects: zones: %w", err)
	}
	today := a.Now().In(calendar.Zone)
	day := func(days int) string { return today.AddDate(0, 0, days).Format(project.DateLayout) }
	budget := int64(8_000_000)
	for _, z := range zones {
		p, err := a.Projects.Create(ctx, project.Input{ZoneCode: z.Code, Field: project.Environment, Title: z.Name + "老旧小区环境微改造",
			Goal: "补齐绿化、照明和垃圾分类设施，居民满意率达到90%以上", OwnerUnitCode: z.SubdistrictCode,
			Participants: []string{"社区党委", "物业服务企业", "居民志愿服务队"}, BudgetFen: &budget, Deadline: day(60),
			Milestones: []project.MilestoneInput{
				{Title: "入户征求居民意见", DurationDays: 5},
				{Title: "编制改造方案并公示", DurationDays: 8, DependsOn: []int{0}},
				{Title: "绿化与照明施工", DurationDays: 15, DependsOn: []int{1}},
				{Title: "垃圾分类设施安装", DurationDays: 6, DependsOn: []int{1}},
				{Title: "竣工验收与居民评议", DurationDays: 3, DependsOn: []int{2, 3}},
			},
			Tasks: []project.Task{{UnitCode: z.SubdistrictCode, Title: "统筹协调与验收"}}})
		if err != nil {
			return fmt.Errorf("demo projects: %s: %w", z.Code, err)
		}
		if _, err := a.Projects.Progress(ctx, p.ID, 0, project.ProgressInput{Started: true, Percent: new(40), Note: "已走访120户"}); err != nil {
			return fmt.Errorf("demo projects: %s progress: %w", z.Code, err)
		}
		if _, err := a.Projects.Create(ctx, project.Input{ZoneCode: z.Code, Field: project.Safety, Title: z.Name + "平安巡防联动",
			Goal: "群防群治力量每周巡防不少于三次", OwnerUnitCode: z.SubdistrictCode, Participants: []string{"派出所", "平安志愿者"},
			Deadline: day(120),
			Milestones: []project.MilestoneInput{
				{Title: "组建巡防队伍", DurationDays: 10},
				{Title: "巡防设备采购", DurationDays: 20},
				{Title: "巡防路线试运行", DurationDays: 15, DependsOn: []int{0, 1}},
			}}); err != nil {
			return fmt.Errorf("demo projects: %s: %w", z.Code, err)
		}
	}
	return nil
}
