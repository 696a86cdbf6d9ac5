package main

import (
	"context"
	"fmt"
	"os"
)

func calendarCmd(ctx context.Context, args []string) error {
	what, args := splitFirst(args)
	if what != "import" {
		return fmt.Errorf("usage: yiwang calendar import FILE.json [--data DIR | --db URL]")
	}
	file, args := splitFirst(args)
	a, fs, err := open(ctx, "calendar import", args, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	if file == "" {
		file = fs.Arg(0)
	}
	if file == "" {
		return fmt.Errorf("usage: yiwang calendar import FILE.json")
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	y, err := a.ImportCalendar(ctx, f)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported the %d work calendar: %d holidays, %d make-up workdays\n", y.Year, len(y.Holidays), len(y.Workdays))
	return nil
}
