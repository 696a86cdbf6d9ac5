package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/participant"
)

// buildParticipants wires the participant (1+N) module: contacts sealed with the vault, and
// volunteers' patrol time read from the patrols.
func (a *App) buildParticipants() *participant.Service {
	return &participant.Service{DB: a.DB, Outbox: a.Notify.Outbox, Now: a.Now, Vault: a.vault, Patrols: participantPatrols{a}}
}

// participantPatrols reads patrol time from the patrol module (built after this one).
type participantPatrols struct{ a *App }

func (p participantPatrols) PatrolMinutes(ctx context.Context, userID string, from, to time.Time) (int, error) {
	return p.a.Patrols.PatrolMinutes(ctx, userID, from, to)
}

// demoParticipants writes a 1+N roster for each demo zone: the subdistrict's party working
// committee as lead (the zone's lead_organisation), a public utility, a property firm, a social
// work station and the zone's volunteer team, with their pledges; 东海's team has donghai.volunteer.
func (a *App) demoParticipants(ctx context.Context) error {
	rows, err := a.DB.Query(ctx, `SELECT z.code, z.lead_organisation, n.name FROM zones z JOIN org_nodes n ON n.code = z.subdistrict_code ORDER BY z.code`)
	if err != nil {
		return fmt.Errorf("demo rosters: %w", err)
	}
	type zoneRow struct{ code, lead, sub string }
	var zones []zoneRow
	for rows.Next() {
		var z zoneRow
		if err := rows.Scan(&z.code, &z.lead, &z.sub); err != nil {
			rows.Close()
			return err
		}
		zones = append(zones, z)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var volunteer, volunteerName string
	if err := a.DB.QueryRow(ctx, `SELECT id, display_name FROM users WHERE username = 'donghai.volunteer'`).Scan(&volunteer, &volunteerName); err != nil {
		return fmt.Errorf("demo rosters: donghai.volunteer: %w", err)
	}
	rosters := map[string][]participant.DemoParticipant{}
	for i, z := range zones {
		short := strings.TrimSuffix(z.sub, "街道")
		lead := z.lead
		if lead == "" {
			lead = z.sub + "党工委"
		}
		phone := func(n int) string { return fmt.Sprintf("1385950%02d%02d", i+1, n) }
		team := participant.DemoParticipant{Kind: participant.VolunteerTeam, Name: short + "志愿服务队", Contact: "林志远", Phone: phone(5),
			MemberNames: []string{"陈晓梅", "黄建国"},
			Pledges:     []participant.DemoPledge{{Title: "每周三次网格巡查", Kind: "project", Description: "配合网格员开展平安巡查", Status: "in_progress"}}}
		if z.code == "350503001Z01" {
			team.MemberUsers = []string{volunteer}
		}
		rosters[z.code] = []participant.DemoParticipant{
			{Kind: participant.Lead, Name: lead, Contact: "王建华", Phone: phone(1),
				Pledges: []participant.DemoPledge{{Title: "党建引领“1+N”联席会议", Kind: "project", Description: "每月召开一次片区共建联席会议", Status: "in_progress"}}},
			{Kind: participant.Unit, Name: "区供电服务中心" + short + "供电所", Contact: "李明", Phone: phone(2),
				Pledges: []participant.DemoPledge{{Title: "老旧小区线路排查", Kind: "project", Description: "每季度排查一次楼道线路", Status: "pledged"}}},
			{Kind: participant.Firm, Name: short + "物业服务有限公司", Contact: "张伟", Phone: phone(3),
				Pledges: []participant.DemoPledge{{Title: "共享活动室", Kind: "resource", Description: "每周开放两个半天供居民议事使用", Status: "delivered"}}},
			{Kind: participant.SocialOrg, Name: short + "社会工作服务站", Contact: "刘芳", Phone: phone(4),
				Pledges: []participant.DemoPledge{{Title: "独居老人探访", Kind: "project", Description: "每月探访片区内独居老人", Status: "pledged"}}},
			team,
		}
	}
	return a.Participants.LoadDemo(ctx, rosters, map[string]string{volunteer: volunteerName})
}
