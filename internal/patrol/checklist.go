package patrol

// defaultChecklists are the checklist items a new plan starts with when its author gives none,
// by the grid's kind (grid.Kind: basic = a residential 基础网格, dedicated = a 专属网格 such as a
// school, hospital, market or park). They follow the 巡查 duties of a grid worker: public
// facilities, environment, safety hazards, order, and the residents' concerns (民情).
var defaultChecklists = map[string][]string{
	"basic": {
		"道路、井盖、路灯等市政设施是否完好",
		"垃圾分类投放点是否整洁、是否满溢",
		"楼道、消防通道是否堆物堵塞",
		"是否有违章搭建、占道经营",
		"电动车是否楼内充电、飞线充电",
		"独居老人、困难群众走访情况",
		"居民反映的诉求与矛盾纠纷",
	},
	"dedicated": {
		"出入口及周边交通秩序是否正常",
		"消防设施、安全出口是否完好畅通",
		"周边环境卫生是否整洁",
		"是否有流动摊贩、乱停乱放",
		"单位安全责任人是否在岗",
		"单位反映的诉求与需协调事项",
	},
}

// DefaultChecklist returns the default checklist of a grid kind (basic when the kind is unknown).
func DefaultChecklist(gridKind string) []string {
	items, ok := defaultChecklists[gridKind]
	if !ok {
		items = defaultChecklists["basic"]
	}
	return append([]string(nil), items...)
}
