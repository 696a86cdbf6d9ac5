// Package percent is how every figure of yiwang becomes a percentage: the indicators' rates
// (package eval) and the whistles' on-time check-in rate (package whistle) round alike.
package percent

import "math/big"

// Of is num/den × 100 rounded half-up (away from zero) to two decimals, in exact integer
// arithmetic: a binary float would round 0.125 % one way and 0.135 % the other. A zero
// denominator gives 0; callers that must show "no figure" check it first.
func Of(num, den int64) float64 {
	if den == 0 {
		return 0
	}
	neg := (num < 0) != (den < 0)
	n := new(big.Int).Abs(big.NewInt(num))
	d := new(big.Int).Abs(big.NewInt(den))
	// hundredths of a percent = num × 10000 / den, half-up: (2·num·10000 + den) / (2·den).
	n.Mul(n, big.NewInt(20000))
	n.Add(n, d)
	d.Mul(d, big.NewInt(2))
	n.Quo(n, d)
	v := float64(n.Int64()) / 100
	if neg {
		v = -v
	}
	return v
}
