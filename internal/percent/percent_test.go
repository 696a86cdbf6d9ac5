package percent

import "testing"

func TestOfRoundsHalfUp(t *testing.T) {
	for _, tc := range []struct {
		num, den int64
		want     float64
	}{
		{911, 972, 93.72}, // the indicators issue's example
		{1, 3, 33.33},
		{2, 3, 66.67},
		{1, 8, 12.5},
		{1, 800, 0.13},    // 0.125 → 0.13 (half-up; a float would give 0.12)
		{27, 20000, 0.14}, // 0.135 → 0.14
		{0, 5, 0},
		{5, 5, 100},
		{-1, 800, -0.13},
		{3, 0, 0},
	} {
		if got := Of(tc.num, tc.den); got != tc.want {
			t.Errorf("Of(%d, %d) = %v, want %v", tc.num, tc.den, got, tc.want)
		}
	}
}
