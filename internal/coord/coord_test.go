package coord

import (
	"math"
	"testing"
)

// Published test vectors of the GCJ-02 forward formula (eviltransform's test suites, repeated by
// its ports in many languages): WGS-84 → GCJ-02.
var known = []struct {
	name                           string
	wgsLat, wgsLng, gcjLat, gcjLng float64
}{
	{"上海", 31.1774276, 121.5272106, 31.17530398364597, 121.531541859215},
	{"深圳", 22.543847, 113.912316, 22.540796131694766, 113.9171764808363},
	{"北京", 39.911954, 116.377817, 39.91334545536069, 116.38404722455657},
	// Outside China nothing moves.
	{"Denver", 39.7392, -104.9903, 39.7392, -104.9903},
	{"Brisbane", -27.4698, 153.0251, -27.4698, 153.0251},
}

func TestWGS84ToGCJ02Known(t *testing.T) {
	for _, k := range known {
		lat, lng := WGS84ToGCJ02(k.wgsLat, k.wgsLng)
		if math.Abs(lat-k.gcjLat) > 1e-9 || math.Abs(lng-k.gcjLng) > 1e-9 {
			t.Errorf("%s: WGS84ToGCJ02(%v, %v) = %v, %v; want %v, %v", k.name, k.wgsLat, k.wgsLng, lat, lng, k.gcjLat, k.gcjLng)
		}
	}
}

func TestGCJ02ToWGS84Known(t *testing.T) {
	for _, k := range known {
		lat, lng := GCJ02ToWGS84(k.gcjLat, k.gcjLng)
		if d := DistanceM(lat, lng, k.wgsLat, k.wgsLng); d > 0.01 {
			t.Errorf("%s: GCJ02ToWGS84(%v, %v) = %v, %v: %.4f m from %v, %v", k.name, k.gcjLat, k.gcjLng, lat, lng, d, k.wgsLat, k.wgsLng)
		}
	}
}

// TestRoundTrip covers China on a lattice (and the demo district, 厦门/泉州 around 24.9 N 118.6 E):
// WGS → GCJ → WGS returns within 1 m (in fact within a centimetre), and the shift itself is the
// known few hundred metres, so a conversion that does nothing would fail.
func TestRoundTrip(t *testing.T) {
	worst := 0.0
	for lat := 18.0; lat <= 53.0; lat += 0.7 {
		for lng := 74.0; lng <= 134.0; lng += 0.9 {
			gLat, gLng := WGS84ToGCJ02(lat, lng)
			if shift := DistanceM(lat, lng, gLat, gLng); shift < 1 || shift > 1500 {
				t.Fatalf("shift at %v, %v is %.1f m; GCJ-02 moves points by tens to hundreds of metres", lat, lng, shift)
			}
			wLat, wLng := GCJ02ToWGS84(gLat, gLng)
			worst = math.Max(worst, DistanceM(lat, lng, wLat, wLng))
		}
	}
	if worst >= 1 {
		t.Fatalf("worst round-trip error %.4f m, want < 1 m", worst)
	}
	if worst > 0.01 {
		t.Errorf("worst round-trip error %.4f m; the iteration should reach a centimetre", worst)
	}
	lat, lng := 24.874, 118.676 // 丰泽区
	gLat, gLng := WGS84ToGCJ02(lat, lng)
	if d := DistanceM(lat, lng, gLat, gLng); d < 300 || d > 700 {
		t.Errorf("shift in the demo district %.0f m, want the known ~500 m", d)
	}
}

func TestDistanceM(t *testing.T) {
	// Shanghai to Beijing (the GCJ points above): 1 078 164 m in eviltransform's tests, which use
	// the equatorial radius 6 378 137 m; scaled to the mean radius used here.
	d := DistanceM(31.17530398364597, 121.531541859215, 39.91334545536069, 116.38404722455657)
	if want := 1078164 * 6371008.8 / 6378137; math.Abs(d-want) > 2 {
		t.Errorf("Shanghai–Beijing %.0f m, want %.0f", d, want)
	}
	if d := DistanceM(24.9, 118.6, 24.9, 118.6); d != 0 {
		t.Errorf("same point %.3f m", d)
	}
}
