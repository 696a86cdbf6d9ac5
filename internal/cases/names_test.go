package cases_test

import (
	"context"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// Reporters' names are personal data: the database holds them sealed (and masked for lists), not
// plain (等保 2.0 level 3, issue 10); the desk still reveals them, and names written before are
// sealed at start.
func TestReporterNamesAreSealedAtRest(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			desk := srv.Login(t, "donghai.intake_operator")
			var c caseJSON
			desk.Do("POST", "/api/v1/cases", map[string]any{"channel": "hotline_12345", "lat": lat, "lng": lng,
				"description": "楼道堆物堵塞通道", "reporter_phone": "13912345678", "reporter_name": "欧阳娜娜"}, &c)
			var name, enc string
			if err := srv.App.DB.Read.QueryRow(`SELECT reporter_name, reporter_name_enc FROM cases WHERE id = $1`, c.ID).Scan(&name, &enc); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(name, "娜娜") || enc == "" || strings.Contains(enc, "娜") {
				t.Fatalf("stored name %q, sealed %q: want masked and sealed", name, enc)
			}
			var contact struct {
				Name string `json:"reporter_name"`
			}
			if st := desk.Do("POST", "/api/v1/cases/"+c.ID+"/contact", map[string]string{"reason": "回访核实"}, &contact); st != 200 || contact.Name != "欧阳娜娜" {
				t.Fatalf("reveal: %d %+v", st, contact)
			}

			// A row from before names were sealed: plain name, nothing sealed. Start seals it.
			if _, err := srv.App.DB.Exec(context.Background(), `UPDATE cases SET reporter_name = '司马光明', reporter_name_enc = '' WHERE id = $1`, c.ID); err != nil {
				t.Fatal(err)
			}
			n, err := srv.App.Cases.SealNames(context.Background())
			if err != nil || n != 1 {
				t.Fatalf("sealed %d names: %v", n, err)
			}
			srv.App.DB.Read.QueryRow(`SELECT reporter_name, reporter_name_enc FROM cases WHERE id = $1`, c.ID).Scan(&name, &enc)
			if name != "司***" || enc == "" {
				t.Fatalf("after sealing: %q %q", name, enc)
			}
			if st := desk.Do("POST", "/api/v1/cases/"+c.ID+"/contact", map[string]string{"reason": "回访核实"}, &contact); st != 200 || contact.Name != "司马光明" {
				t.Fatalf("reveal after sealing: %d %+v", st, contact)
			}
			if n, _ := srv.App.Cases.SealNames(context.Background()); n != 0 {
				t.Fatalf("sealed again: %d", n)
			}
		})
	}
}
