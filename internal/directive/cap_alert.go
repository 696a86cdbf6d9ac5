package directive

import (
	"context"
	"fmt"

	"github.com/yiwang-gov/yiwang/internal/db"
)

// capSender is the CAP <sender> of a district's directives: one id per deployment's district.
func capSender(path string) string { return "yiwang@" + districtOf(path) }

// CAP renders a directive as a CAP 1.2 alert (CAP-v1.2 §3.2): identifier = the directive's id,
// sender = the district's, sent = issued, status Actual, scope Restricted (restriction: the
// text given, from the catalogue), one info block (category, event = title, urgency, severity,
// certainty, effective/expires, senderName = the issuer's unit, instruction) with one area
// whose geocodes are the target grids the caller may see. An Update or Cancel references the
// directive it ended by (sender, identifier, sent).
func (s *Service) CAP(ctx context.Context, id, restriction string) (*Alert, error) {
	scope, d, err := s.readable(ctx, id)
	if err != nil {
		return nil, err
	}
	cond, args := targetFilter(scope, d, 2)
	codes, err := db.Strings(ctx, s.DB.Prepared(), `SELECT t.grid_code FROM directive_targets t WHERE t.directive_id = $1 AND `+cond+`
		ORDER BY t.grid_code`, append([]any{id}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("CAP of directive %s: %w", id, err)
	}
	a := &Alert{Identifier: d.ID, Sender: capSender(d.path), Sent: d.IssuedAt.In(districtZone), Status: StatusActual,
		MsgType: d.MsgType, Scope: ScopeRestricted, Restriction: restriction,
		Info: &Info{Language: "zh-CN", Categories: []Category{d.Category}, Event: d.Title, Urgency: d.Urgency,
			Severity: d.Severity, Certainty: d.Certainty, SenderName: d.IssuerName, Headline: d.Title,
			Instruction: d.Instruction}}
	if d.Effective != nil {
		a.Info.Effective = d.Effective.In(districtZone)
	}
	if d.Expires != nil {
		a.Info.Expires = d.Expires.In(districtZone)
	}
	area := Area{Description: d.AreaDesc}
	for _, c := range codes {
		area.Geocodes = append(area.Geocodes, Geocode{ValueName: GridValueName, Value: c})
	}
	a.Info.Areas = []Area{area}
	if d.References != "" {
		var issued, path string
		var at = d.IssuedAt
		if err := s.DB.QueryRow(ctx, `SELECT id, path, issued_at FROM directives WHERE id = $1`, d.References).Scan(&issued, &path, &at); err != nil {
			return nil, fmt.Errorf("CAP of directive %s: the directive it references: %w", id, err)
		}
		a.References = []Ref{{Sender: capSender(path), Identifier: issued, Sent: at.In(districtZone)}}
	}
	return a, nil
}
