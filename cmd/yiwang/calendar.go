package main

import (
	"context"
	"fmt"
	"os"

	"github.com/yiwang-gov/yiwang/internal/app"
)

func calendarCmd(ctx context.Context, args []string) error {
	what, args := splitFirst(args)
	const usage = "yiwang calendar import FILE.json [--data DIR | --db URL]"
	if what != "import" {
		return fmt.Errorf("usage: %s", usage)
	}
	return withFile(ctx, "calendar import", usage, args, nil, func(a *app.App, f *os.File) error {
		y, err := a.ImportCalendar(ctx, f)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "imported the %d work calendar: %d holidays, %d make-up workdays\n", y.Year, len(y.Holidays), len(y.Workdays))
		return nil
	})
}
