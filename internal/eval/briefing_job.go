package eval

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/jobs"
	"github.com/yiwang-gov/yiwang/internal/notify"
)

// Schedule says which briefings leaders are sent: the week's on Mondays, the month's on the 1st.
type Schedule struct {
	Weekly, Monthly bool
}

// ParseSchedule reads the --briefings setting: "weekly", "monthly", both comma-separated, or
// "none".
func ParseSchedule(s string) (Schedule, error) {
	var out Schedule
	for _, part := range strings.Split(s, ",") {
		switch strings.TrimSpace(part) {
		case "weekly":
			out.Weekly = true
		case "monthly":
			out.Monthly = true
		case "none", "":
		default:
			return Schedule{}, fmt.Errorf("briefings: want weekly, monthly, weekly,monthly or none, not %q", s)
		}
	}
	return out, nil
}

// String is the setting's text.
func (s Schedule) String() string {
	var parts []string
	if s.Weekly {
		parts = append(parts, "weekly")
	}
	if s.Monthly {
		parts = append(parts, "monthly")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ",")
}

// BriefingEvent is the event type that tells leaders a briefing is ready.
const BriefingEvent = "eval.briefing"

// briefingDay is the job's period. The runner claims each period once per cluster (package
// jobs); a day's period starts at midnight UTC, which is 08:00 in the district — the start of
// the working day, when the briefing should be waiting.
const briefingDay = 24 * time.Hour

// briefingJobs is the job that sends the scheduled briefings (none when nothing is scheduled).
func (s *Service) briefingJobs() []jobs.Job {
	if s.Briefings.Schedule == (Schedule{}) {
		return nil
	}
	return []jobs.Job{{Name: "eval.briefing", Every: briefingDay, Run: func(ctx context.Context, now time.Time) error {
		_, err := s.SendBriefings(ctx, now)
		return err
	}}}
}

// dueBriefings are the periods whose briefings are due in the job's period that holds now: on a
// Monday the week before (Monday to Sunday), on the 1st the month before. The day is the
// period's first day in the district, not now's: a run late in the period still sends them.
func dueBriefings(sch Schedule, now time.Time) []Period {
	day := now.UTC().Truncate(briefingDay).In(Zone)
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, Zone)
	var out []Period
	if sch.Weekly && day.Weekday() == time.Monday {
		out = append(out, Period{From: day.AddDate(0, 0, -7), To: day.AddDate(0, 0, -1)})
	}
	if sch.Monthly && day.Day() == 1 {
		out = append(out, Period{From: day.AddDate(0, -1, 0), To: day.AddDate(0, 0, -1)})
	}
	return out
}

// SendBriefings tells the leaders of each subdistrict and of the district that the briefing of
// their unit for the period just ended is ready, with a link to it: one outbox event per unit
// and period, in one transaction. It returns how many events it recorded. The runner calls it
// once per day and cluster; on other days nothing is due.
func (s *Service) SendBriefings(ctx context.Context, now time.Time) (int, error) {
	due := dueBriefings(s.Briefings.Schedule, now)
	if len(due) == 0 {
		return 0, nil
	}
	districts, err := s.Directory.Units(ctx, LevelDistrict)
	if err != nil {
		return 0, fmt.Errorf("briefings: %w", err)
	}
	subdistricts, err := s.Directory.Units(ctx, LevelSubdistrict)
	if err != nil {
		return 0, fmt.Errorf("briefings: %w", err)
	}
	n := 0
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		n = 0
		for _, p := range due {
			kind := "weekly"
			if p.From.Day() == 1 && p.To.AddDate(0, 0, 1).Day() == 1 {
				kind = "monthly"
			}
			for _, d := range districts {
				ok, err := s.recordBriefing(ctx, tx, now, LevelDistrict, d, "", kind, p)
				if err != nil {
					return err
				}
				if ok {
					n++
				}
			}
			for _, sub := range subdistricts {
				ok, err := s.recordBriefing(ctx, tx, now, LevelSubdistrict, sub, "/"+DistrictOf(sub.Path)+"/", kind, p)
				if err != nil {
					return err
				}
				if ok {
					n++
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("briefings: %w", err)
	}
	return n, nil
}

// recordBriefing records the event of one unit's briefing for its leaders; false when the unit
// has no leader to tell. Leaders of the unit above (above) are left out: they are sent their own
// unit's briefing, not one per subdistrict.
func (s *Service) recordBriefing(ctx context.Context, tx *sql.Tx, now time.Time, level Level, u UnitInfo, above, kind string, p Period) (bool, error) {
	if s.Outbox.People == nil {
		return false, nil
	}
	leaders := []access.Role{access.Leader}
	users, err := s.Outbox.People.Holding(ctx, tx, leaders, u.Path)
	if err != nil {
		return false, err
	}
	if above != "" {
		upper, err := s.Outbox.People.Holding(ctx, tx, leaders, above)
		if err != nil {
			return false, err
		}
		users = slices.DeleteFunc(users, func(id string) bool { return slices.Contains(upper, id) })
	}
	if len(users) == 0 {
		return false, nil
	}
	from, to := p.From.Format(time.DateOnly), p.To.Format(time.DateOnly)
	link := url.Values{"level": {string(level)}, "code": {u.Code}, "from": {from}, "to": {to}}
	// The object is the briefing, named by its page's query: the notification's object id, which
	// the bell turns into the link /briefing?<id>.
	ev := notify.Event{Type: BriefingEvent, Object: access.Object{Kind: "briefing", ID: link.Encode(), Path: u.Path},
		Notices: []notify.Notice{{Template: "notify.eval.briefing." + kind, Params: []string{u.Name, from, to},
			Audience: notify.Audience{Users: users}}}}
	return true, s.Outbox.Record(ctx, tx, now, ev)
}
