package access

import (
	"fmt"
	"strings"
)

// PathCondition returns an SQL condition that holds for rows whose column pathColumn lies in
// scope, with its arguments numbered from next ($next, $next+1 …). With no reachable path it
// returns a condition that is always false, never an empty string.
func (s Scope) PathCondition(pathColumn string, next int) (string, []any) {
	if len(s.Paths) == 0 {
		return "1 = 0", nil
	}
	var parts []string
	var args []any
	for _, p := range s.Paths {
		// substr works alike on SQLite and PostgreSQL and, unlike LIKE, has no wildcard characters.
		parts = append(parts, fmt.Sprintf("substr(%s, 1, %d) = $%d", pathColumn, len(p), next))
		args = append(args, p)
		next++
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}
