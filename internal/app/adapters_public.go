package app

import (
	"context"
	"fmt"
	"strconv"

	"github.com/yiwang-gov/yiwang/internal/category"
	"github.com/yiwang-gov/yiwang/internal/demo"
)

// demoSensitive puts the demo's sensitive categories on the district's list (issue 14): their
// cases never enter the public view.
func (a *App) demoSensitive(ctx context.Context) error {
	for _, k := range demo.PublicSettings().SensitiveCategories {
		if err := a.Categories.SetFlag(ctx, category.SensitiveFlag, category.Class(k[0]), k[1], true); err != nil {
			return fmt.Errorf("demo sensitive categories: %w", err)
		}
	}
	return nil
}

// demoReplies gives closed cases of the synthetic history a handling unit's public reply, one
// reply per last digit of the case number, so that about seven in ten carry one.
func (a *App) demoReplies(ctx context.Context) error {
	for i, reply := range demo.PublicSettings().Replies {
		if i > 9 {
			break
		}
		if _, err := a.DB.Exec(ctx, `UPDATE cases SET public_reply = $1
			WHERE status = 'closed' AND public_reply = '' AND substr(number, length(number), 1) = $2`, reply, strconv.Itoa(i)); err != nil {
			return fmt.Errorf("demo replies: %w", err)
		}
	}
	return nil
}
