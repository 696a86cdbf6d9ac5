package whistle

import (
	"strconv"
	"time"

	"github.com/yiwang-gov/yiwang/internal/notify"
)

// The events a whistle records in the outbox, each in the transaction of its change, with who is
// told. Texts are templates of the i18n catalogue (locales/whistle.*.json, keys notify.whistle.*).
const (
	EventBlow    = "whistle.blow"     // to each summoned unit's staff
	EventCheckIn = "whistle.check_in" // to the whistler
	EventLate    = "whistle.late"     // escalation: to the leaders of the place's subdistrict, and the whistler
	EventClose   = "whistle.close"    // to the summoned units
	EventCancel  = "whistle.cancel"   // to the summoned units: they need not come
	EventRate    = "whistle.rate"     // to the rated unit
)

// EventTypes lists the event types the module records.
func EventTypes() []string {
	return []string{EventBlow, EventCheckIn, EventLate, EventClose, EventCancel, EventRate}
}

// Zone is the district's time zone (China Standard Time): deadlines in texts are local times.
var Zone = time.FixedZone("CST", 8*3600)

func local(t time.Time) string { return t.In(Zone).Format("2006-01-02 15:04") }

// live is the update the pages of those who reach the whistle receive.
func live(w Whistle, action Action) notify.Message {
	return notify.Message{Kind: ObjectKind.Name, ID: w.ID, CaseID: w.CaseID, Number: w.CaseNumber, Action: string(action),
		Status: string(w.Status)}
}

func units(w Whistle) []string {
	out := make([]string, len(w.Summons))
	for i, s := range w.Summons {
		out[i] = s.DepartmentCode
	}
	return out
}

// blowEvent tells every summoned unit's staff where to go, what is asked, and by when.
func blowEvent(w Whistle, due time.Time) notify.Event {
	return notify.Event{Type: EventBlow, Object: w.object(), Live: live(w, Blow),
		Notices: []notify.Notice{{Template: "notify.whistle.blow." + string(w.Kind),
			Params: []string{w.CaseNumber, local(due), w.Ask}, Audience: notify.Audience{Units: units(w)}}}}
}

// checkInEvent tells the whistler that a unit is on site; a check-in far from the place says so.
func checkInEvent(w Whistle, sm Summons, r CheckInResult) notify.Event {
	n := notify.Notice{Template: "notify.whistle.check_in", Params: []string{sm.DepartmentName, w.CaseNumber, strconv.Itoa(r.DistanceM)},
		Audience: notify.Audience{Users: []string{w.BlownBy}}}
	if r.Flagged {
		n.Template = "notify.whistle.check_in_far"
		n.Params = append(n.Params, strconv.Itoa(w.FlagDistanceM))
	}
	return notify.Event{Type: EventCheckIn, Object: w.object(), Live: live(w, CheckIn), Notices: []notify.Notice{n}}
}

// lateEvent escalates a missing check-in to the leaders of the subdistrict (named by the job)
// and tells the whistler.
func lateEvent(w Whistle, sm Summons, leaders []string) notify.Event {
	return notify.Event{Type: EventLate, Object: w.object(), Live: live(w, "late"),
		Notices: []notify.Notice{{Template: "notify.whistle.late", Params: []string{sm.DepartmentName, w.CaseNumber, local(sm.DueAt)},
			Audience: notify.Audience{Users: append([]string{w.BlownBy}, leaders...)}}}}
}

// endEvent tells the summoned units that the whistle is closed or called off.
func endEvent(w Whistle, action Action) notify.Event {
	typ, template := EventClose, "notify.whistle.close"
	if action == Cancel {
		typ, template = EventCancel, "notify.whistle.cancel"
	}
	return notify.Event{Type: typ, Object: w.object(), Live: live(w, action),
		Notices: []notify.Notice{{Template: template, Params: []string{w.CaseNumber, w.Note},
			Audience: notify.Audience{Units: units(w)}}}}
}

// rateEvent tells the rated unit its stars.
func rateEvent(w Whistle, sm Summons) notify.Event {
	return notify.Event{Type: EventRate, Object: w.object(), Live: live(w, Rate),
		Notices: []notify.Notice{{Template: "notify.whistle.rate", Params: []string{w.CaseNumber, strconv.Itoa(*sm.Stars)},
			Audience: notify.Audience{Units: []string{sm.DepartmentCode}}}}}
}
