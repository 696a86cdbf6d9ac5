// Package coord converts between WGS-84, the coordinates yiwang stores, and GCJ-02 (国测局坐标,
// "Mars coordinates"), which the map pickers and links of AMap (高德) and Tencent Maps use. The
// conversion happens at the edges only: input from such a picker is turned into WGS-84 once, and
// output for their links is turned into GCJ-02 once.
//
// WGS84ToGCJ02 is the published forward formula (the Krasovsky-1940 ellipsoid constants and the
// polynomial-and-sine shift, as in the widely used open implementations such as eviltransform);
// GCJ02ToWGS84 inverts it by fixed-point iteration to well under a centimetre.
package coord

import "math"

// Krasovsky 1940 ellipsoid, as the GCJ-02 formula uses it.
const (
	semiMajor    = 6378245.0
	eccentricity = 0.00669342162296594323 // first eccentricity squared
)

// OutOfChina reports whether a point lies outside the rectangle in which GCJ-02 applies; such
// points are not shifted.
func OutOfChina(lat, lng float64) bool {
	return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271
}

func shiftLat(x, y float64) float64 {
	r := -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	r += (160.0*math.Sin(y/12.0*math.Pi) + 320*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0
	return r
}

func shiftLng(x, y float64) float64 {
	r := 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	r += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0
	return r
}

// delta is the GCJ-02 shift (degrees) at a WGS-84 point.
func delta(lat, lng float64) (dLat, dLng float64) {
	dLat = shiftLat(lng-105.0, lat-35.0)
	dLng = shiftLng(lng-105.0, lat-35.0)
	radLat := lat / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - eccentricity*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = (dLat * 180.0) / ((semiMajor * (1 - eccentricity)) / (magic * sqrtMagic) * math.Pi)
	dLng = (dLng * 180.0) / (semiMajor / sqrtMagic * math.Cos(radLat) * math.Pi)
	return dLat, dLng
}

// WGS84ToGCJ02 shifts a WGS-84 point to GCJ-02 (unchanged outside China).
func WGS84ToGCJ02(lat, lng float64) (float64, float64) {
	if OutOfChina(lat, lng) {
		return lat, lng
	}
	dLat, dLng := delta(lat, lng)
	return lat + dLat, lng + dLng
}

// GCJ02ToWGS84 finds the WGS-84 point whose GCJ-02 shift is the given point: start from the point
// less the shift there, then correct by the remaining error until it is below 1e-9° (about
// 0.1 mm); the shift is smooth, so a handful of steps suffices.
func GCJ02ToWGS84(lat, lng float64) (float64, float64) {
	if OutOfChina(lat, lng) {
		return lat, lng
	}
	wLat, wLng := lat, lng
	for range 30 {
		gLat, gLng := WGS84ToGCJ02(wLat, wLng)
		eLat, eLng := gLat-lat, gLng-lng
		if math.Abs(eLat) < 1e-9 && math.Abs(eLng) < 1e-9 {
			break
		}
		wLat, wLng = wLat-eLat, wLng-eLng
	}
	return wLat, wLng
}

// DistanceM is the great-circle distance in metres between two points (haversine, mean Earth
// radius 6 371 008.8 m), good to a fraction of a metre at a city's scale.
func DistanceM(lat1, lng1, lat2, lng2 float64) float64 {
	const r = 6371008.8
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}
