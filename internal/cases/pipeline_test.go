package cases_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/cases"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// TestTakeForOtherChannels checks the pipeline's entry for channels outside the case desk: what it
// refuses, that the channel's record is written in the case's transaction (a failure undoes the
// case), and that the channel's event data lands in the report event.
func TestTakeForOtherChannels(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			ctx := app.System(context.Background(), "pipeline-test")
			report := cases.NewCase{Channel: cases.Sensor, CategoryCode: "06010", Lat: lat, Lng: lng, Description: "传感器报告井盖位移"}

			refused := []struct {
				name string
				in   cases.Intake
				key  string
			}{
				{"import channel", cases.Intake{NewCase: withChannel(report, cases.Import)}, "case.bad_channel"},
				{"unknown channel", cases.Intake{NewCase: withChannel(report, "fax")}, "case.bad_channel"},
				{"given report time", cases.Intake{NewCase: withExternalID(report, "x-1")}, "case.import_only"},
			}
			for _, r := range refused {
				_, err := srv.App.Cases.Take(ctx, r.in)
				if e, ok := apperr.As(err); !ok || e.Key != r.key {
					t.Errorf("%s: %v, want %s", r.name, err, r.key)
				}
			}

			failing := cases.Intake{NewCase: withDescription(report, "记录失败的报告不应留下"), Record: func(context.Context, *sql.Tx, cases.Case) error {
				return errors.New("channel record failed")
			}}
			if _, err := srv.App.Cases.Take(ctx, failing); err == nil || !strings.Contains(err.Error(), "channel record failed") {
				t.Fatalf("failing record: %v", err)
			}
			var n int
			if err := srv.App.DB.Read.QueryRow(`SELECT count(*) FROM cases WHERE description = '记录失败的报告不应留下'`).Scan(&n); err != nil || n != 0 {
				t.Fatalf("a case whose channel record failed was kept: %d %v", n, err)
			}

			var recorded string
			c, err := srv.App.Cases.Take(ctx, cases.Intake{NewCase: report, EventData: map[string]any{"sensor": "井盖-17"},
				Record: func(_ context.Context, _ *sql.Tx, c cases.Case) error {
					recorded = c.ID
					return nil
				}})
			if err != nil {
				t.Fatal(err)
			}
			if c.ID == "" || recorded != c.ID || c.Number == "" || c.Channel != cases.Sensor || c.GridCode == "" {
				t.Fatalf("taken: %+v (record saw %q)", c, recorded)
			}
			var data string
			if err := srv.App.DB.Read.QueryRow(`SELECT data FROM case_events WHERE case_id = $1 AND seq = 1`, c.ID).Scan(&data); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(data, `"sensor":"井盖-17"`) || !strings.Contains(data, `"grid_code":"`+c.GridCode+`"`) {
				t.Fatalf("report event data: %s", data)
			}
		})
	}
}

func withChannel(in cases.NewCase, ch cases.Channel) cases.NewCase { in.Channel = ch; return in }
func withExternalID(in cases.NewCase, id string) cases.NewCase     { in.ExternalID = id; return in }
func withDescription(in cases.NewCase, d string) cases.NewCase     { in.Description = d; return in }
