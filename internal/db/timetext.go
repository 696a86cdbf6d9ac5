package db

import (
	"fmt"
	"time"
)

// sqliteTimeLayout is how the SQLite driver writes a time (the DSN's _time_format=sqlite):
// "2006-01-02 15:04:05.999999999-07:00", the fraction left out when it is zero.
const sqliteTimeLayout = "2006-01-02 15:04:05.999999999-07:00"

// ParseSQLiteTime reads a time as SQLite stores it, for reads that take a time column as text
// (a packed export row) instead of letting the driver parse it, which tries its layouts one
// by one. The usual form is read digit by digit; anything else goes through time.Parse.
func ParseSQLiteTime(s string) (time.Time, error) {
	if t, ok := parseSQLiteTimeFast(s); ok {
		return t, nil
	}
	t, err := time.Parse(sqliteTimeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("read stored time %q: %w", s, err)
	}
	return t, nil
}

// parseSQLiteTimeFast reads "YYYY-MM-DD hh:mm:ss[.f…]±hh:mm" (UTC as +00:00).
func parseSQLiteTimeFast(s string) (time.Time, bool) {
	if len(s) < 25 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	num := func(from, to int) (int, bool) {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	year, ok1 := num(0, 4)
	month, ok2 := num(5, 7)
	day, ok3 := num(8, 10)
	hour, ok4 := num(11, 13)
	minute, ok5 := num(14, 16)
	sec, ok6 := num(17, 19)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	i, nsec := 19, 0
	if s[i] == '.' {
		i++
		digits := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if digits < 9 {
				nsec = nsec*10 + int(s[i]-'0')
				digits++
			}
			i++
		}
		if digits == 0 {
			return time.Time{}, false
		}
		for ; digits < 9; digits++ {
			nsec *= 10
		}
	}
	if len(s)-i != 6 || (s[i] != '+' && s[i] != '-') || s[i+3] != ':' {
		return time.Time{}, false
	}
	oh, ok7 := num(i+1, i+3)
	om, ok8 := num(i+4, i+6)
	if !ok7 || !ok8 {
		return time.Time{}, false
	}
	offset := oh*3600 + om*60
	if s[i] == '-' {
		offset = -offset
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Day() != day { // 31 February and the like: let time.Parse refuse it
		return time.Time{}, false
	}
	return t.Add(-time.Duration(offset) * time.Second), true
}
