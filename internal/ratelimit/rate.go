package ratelimit

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseRate reads a rate setting: "PER_MINUTE,BURST" (120,60), "PER_MINUTE" (the burst is then
// a quarter of a minute's tokens, at least 1), or "0" / "off" for no limit.
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	if s == "0" || strings.EqualFold(s, "off") {
		return Rate{}, nil
	}
	perMinute, burst, hasBurst := strings.Cut(s, ",")
	var r Rate
	var err error
	if r.PerMinute, err = strconv.Atoi(strings.TrimSpace(perMinute)); err != nil || r.PerMinute < 1 {
		return Rate{}, fmt.Errorf("want requests per minute and burst, such as 120,60 (or 0 for no limit)")
	}
	r.Burst = max(1, r.PerMinute/4)
	if hasBurst {
		if r.Burst, err = strconv.Atoi(strings.TrimSpace(burst)); err != nil || r.Burst < 1 {
			return Rate{}, fmt.Errorf("want requests per minute and burst, such as 120,60 (or 0 for no limit)")
		}
	}
	return r, nil
}

// String is the setting's form of r.
func (r Rate) String() string {
	if r.Off() {
		return "0"
	}
	return fmt.Sprintf("%d,%d", r.PerMinute, r.Burst)
}
