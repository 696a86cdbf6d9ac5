package whistle

import (
	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/flow"
)

// Action is one thing a person does to a whistle or a summons; each is audited.
type Action string

const (
	Blow    Action = "blow"     // 吹哨
	Message Action = "message"  // a post to the shared thread
	Close   Action = "close"    // the whistler confirms the problem solved
	Cancel  Action = "cancel"   // the whistler calls it off, with a note
	Rate    Action = "rate"     // the whistler rates a summoned unit (the 街道's evaluation of departments)
	Ack     Action = "ack"      // a summoned unit acknowledges
	CheckIn Action = "check_in" // 报到: on site, time and position recorded
	Done    Action = "done"     // the unit reports its task done
)

// whistlers are the roles that may blow the whistle (whistle.blow in package access): a grid's
// worker, the community's staff, the subdistrict's desk and leaders.
var whistlers = []access.Role{access.GridWorker, access.CommunityStaff, access.ShiftLead, access.Dispatcher, access.Leader}

// answerers are the roles that answer a summons (whistle.answer): the summoned unit's staff.
var answerers = []access.Role{access.DepartmentStaff}

// whistleFlow is the whistle's own states: open until the whistler confirms the case solved
// ("事不完、人不撤": nobody leaves before) or calls it off. Messages go to an open whistle;
// ratings follow the close.
var whistleFlow = flow.New(flow.Table[Status, Action, access.Role]{
	Name:    "whistle",
	States:  Statuses,
	Initial: []Status{Open},
	Transitions: []flow.Transition[Status, Action, access.Role]{
		{Action: Message, Roles: append(append([]access.Role{}, whistlers...), answerers...), From: []Status{Open}, Needs: []flow.Need{flow.Note}},
		{Action: Close, Roles: whistlers, From: []Status{Open}, To: Closed},
		{Action: Cancel, Roles: whistlers, From: []Status{Open}, To: Cancelled, Needs: []flow.Need{flow.Note}},
		{Action: Rate, Roles: whistlers, From: []Status{Closed}},
	},
})

// summonsFlow is one summoned unit's answer: it acknowledges, checks in on site (with or without
// acknowledging first: arriving is the answer), and reports its task done with a note.
var summonsFlow = flow.New(flow.Table[Answer, Action, access.Role]{
	Name:    "whistle",
	States:  Answers,
	Initial: []Answer{Summoned},
	Transitions: []flow.Transition[Answer, Action, access.Role]{
		{Action: Ack, Roles: answerers, From: []Answer{Summoned}, To: Acknowledged},
		{Action: CheckIn, Roles: answerers, From: []Answer{Summoned, Acknowledged}, To: CheckedIn},
		{Action: Done, Roles: answerers, From: []Answer{CheckedIn}, To: TaskDone, Needs: []flow.Need{flow.Note}},
	},
})

// I18nKey names the action in messages (httpx translates it).
func (a Action) I18nKey() string { return "whistle.action." + string(a) }

// I18nKey names the status in messages.
func (s Status) I18nKey() string { return "whistle.status." + string(s) }

// I18nKey names the answer in messages.
func (a Answer) I18nKey() string { return "whistle.answer." + string(a) }
