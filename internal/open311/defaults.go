package open311

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/category"
)

// defaultAttributes are example questions for a few common categories, one of each datatype; a
// district edits them to its own practice (SetAttributes).
var defaultAttributes = []struct {
	class category.Class
	code  string
	attrs []AttributeDef
}{
	{category.Event, "06010", []AttributeDef{ // 暴露垃圾
		{Code: "garbage_type", Variable: true, Datatype: "singlevaluelist", Required: true, Order: 1,
			Description: "垃圾类型", DescriptionEN: "Type of garbage",
			Values: []ValueDef{{"household", "生活垃圾", "Household waste"}, {"construction", "建筑垃圾", "Construction waste"},
				{"bulky", "大件垃圾", "Bulky waste"}, {"other", "其他", "Other"}}},
		{Code: "volume_m3", Variable: true, Datatype: "number", Order: 2,
			Description: "估计体积（立方米）", DescriptionEN: "Estimated volume (cubic metres)",
			DatatypeDescription: "数字，如 0.5", DatatypeDescriptionEN: "a number, e.g. 0.5"},
	}},
	{category.Event, "09009", []AttributeDef{ // 机动车乱停放
		{Code: "plate", Variable: true, Datatype: "string", Order: 1, Description: "车牌号", DescriptionEN: "Licence plate",
			DatatypeDescription: "如 闽C12345", DatatypeDescriptionEN: "e.g. 闽C12345"},
		{Code: "fire_lane", Variable: true, Datatype: "singlevaluelist", Required: true, Order: 2,
			Description: "是否占用消防通道", DescriptionEN: "Is it blocking a fire lane?",
			Values: []ValueDef{{"yes", "是", "Yes"}, {"no", "否", "No"}}},
		{Code: "seen_at", Variable: true, Datatype: "datetime", Order: 3, Description: "发现时间", DescriptionEN: "Seen at",
			DatatypeDescription:   "带时区的时间，如 2026-11-27T08:30:00+08:00",
			DatatypeDescriptionEN: "a time with its zone, e.g. 2026-11-27T08:30:00+08:00"},
	}},
	{category.Component, "01001", []AttributeDef{ // 供水井盖
		{Code: "safety", Variable: false, Datatype: "text", Order: 1,
			Description:   "井盖缺失或破损时请远离并提醒行人绕行；情况危急请拨打 110。",
			DescriptionEN: "Keep away from a missing or broken cover and warn passers-by; call 110 if it is dangerous."},
		{Code: "cover_state", Variable: true, Datatype: "multivaluelist", Required: true, Order: 2,
			Description: "井盖状态", DescriptionEN: "State of the cover",
			Values: []ValueDef{{"missing", "缺失", "Missing"}, {"broken", "破损", "Broken"}, {"displaced", "移位", "Displaced"},
				{"noisy", "松动异响", "Loose or rattling"}}},
		{Code: "details", Variable: true, Datatype: "text", Order: 3, Description: "补充说明", DescriptionEN: "Further details"},
	}},
}

// LoadDefaults gives the example categories their questions when no category has any yet (a new
// database; the demo loader calls it after the catalogue is loaded). The caller acts as a
// district-level sys_admin or as the system.
func (s *Services) LoadDefaults(ctx context.Context) error {
	grant, err := needWrite(ctx)
	if err != nil {
		return err
	}
	for _, d := range defaultAttributes {
		if problems := CheckAttributes(d.attrs); len(problems) > 0 {
			return fmt.Errorf("open311 default attributes of %s/%s: %v", d.class, d.code, problems)
		}
	}
	now := s.Now().UTC()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := s.DB.TxQueryRow(ctx, tx, `SELECT count(*) FROM open311_attributes`).Scan(&n); err != nil {
			return fmt.Errorf("load open311 defaults: %w", err)
		}
		if n > 0 {
			return nil
		}
		loaded := 0
		for _, d := range defaultAttributes {
			var exists int
			if err := s.DB.TxQueryRow(ctx, tx, `SELECT count(*) FROM categories WHERE class = $1 AND code = $2`,
				string(d.class), d.code).Scan(&exists); err != nil {
				return fmt.Errorf("load open311 defaults: %w", err)
			}
			if exists == 0 {
				continue // a catalogue without this category
			}
			if err := s.writeAttributes(ctx, tx, d.class, d.code, d.attrs, now); err != nil {
				return err
			}
			loaded++
		}
		e := audit.For(access.ActorOf(ctx, grant), now, "open311.load_defaults", "categories", fmt.Sprintf("%d services", loaded))
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
}
