package project

import (
	"strconv"
	"strings"
)

// ExportHeader is the first row of a zone's project table, as the district circulates it.
func ExportHeader() []any {
	return []any{"项目编号", "片区", "领域", "项目名称", "项目目标", "牵头单位", "参与单位", "预算(元)", "完成时限",
		"项目状态", "进度(%)", "节点序号", "节点名称", "工作日", "前置节点", "最迟开始", "最迟完成", "关键路径", "节点状态", "节点进度(%)"}
}

// fieldNames are the fields as the table names them.
var fieldNames = map[Field]string{ManagementService: "管理服务", Environment: "环境卫生", Safety: "综治平安", Industry: "产业发展", Civility: "文明秩序"}

// ExportRows is a project's rows of the table: one per milestone, the project's cells repeated.
func ExportRows(p Project) [][]any {
	var budget any
	if p.BudgetFen != nil {
		budget = float64(*p.BudgetFen) / 100
	}
	rows := make([][]any, 0, len(p.Milestones))
	for _, m := range p.Milestones {
		deps := make([]string, len(m.DependsOn))
		for i, d := range m.DependsOn {
			deps[i] = strconv.Itoa(d + 1)
		}
		critical := ""
		if m.Critical {
			critical = "是"
		}
		rows = append(rows, []any{p.ID, p.ZoneName, fieldNames[p.Field], p.Title, p.Goal, p.OwnerUnitCode, strings.Join(p.Participants, "、"),
			budget, p.Deadline, p.Status, p.Percent, m.Index + 1, m.Title, m.DurationDays, strings.Join(deps, ","), m.LatestStart,
			m.LatestFinish, critical, m.Status, m.Percent})
	}
	return rows
}
