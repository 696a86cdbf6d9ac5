package cases

import (
	"fmt"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/access"
)

// scopeCondition is the one SQL condition that limits every case query to what the caller
// reaches: cases below their org nodes, cases they reported, and cases dispatched to their
// department (lead or assisting). c is the alias of the cases table.
func scopeCondition(scope access.Scope, next int) (string, []any) {
	var parts []string
	var args []any
	if len(scope.Paths) > 0 {
		cond, a := scope.PathCondition("c.path", next)
		parts, args = append(parts, cond), append(args, a...)
		next += len(a)
	}
	if scope.UserID != "" {
		// Their own reports, and the cases they follow (their report was merged into it).
		parts = append(parts, fmt.Sprintf("(c.reporter_id = $%d OR EXISTS (SELECT 1 FROM case_reporters cr WHERE cr.case_id = c.id AND cr.reporter_id = $%d))", next, next))
		args = append(args, scope.UserID)
		next++
	}
	if len(scope.Departments) > 0 {
		var ph []string
		for _, d := range scope.Departments {
			ph = append(ph, fmt.Sprintf("$%d", next))
			args = append(args, d)
			next++
		}
		parts = append(parts, "EXISTS (SELECT 1 FROM case_departments cd WHERE cd.case_id = c.id AND cd.department_code IN ("+strings.Join(ph, ",")+"))")
	}
	if len(parts) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}
