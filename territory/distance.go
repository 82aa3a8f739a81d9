package territory

import "math"

// earthRadiusKm is the mean Earth radius (IUGG), in kilometres.
const earthRadiusKm = 6371.0088

// DistanceKm returns the great-circle (haversine) distance in kilometres
// between two points given in degrees.
func DistanceKm(lat1, lng1, lat2, lng2 float64) float64 {
	const rad = math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLng := (lng2 - lng1) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	// Rounding can push h just past 1 for antipodal points.
	h = math.Min(1, math.Max(0, h))
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(h))
}

type box struct{ minLat, maxLat, minLng, maxLng float64 }

// franceBoxes bound metropolitan France, Corsica and the overseas départements,
// with a small margin for coastal islands. Boxes overlap neighbouring countries
// at their edges: this is a sanity check on coordinates, not a border test.
var franceBoxes = []box{
	{42.30, 51.15, -5.25, 8.30},    // mainland, Ouessant to Lauterbourg
	{41.30, 43.10, 8.50, 9.60},     // Corsica
	{15.80, 16.55, -61.85, -60.95}, // Guadeloupe
	{14.35, 14.90, -61.25, -60.80}, // Martinique
	{2.10, 5.80, -54.65, -51.50},   // Guyane
	{-21.40, -20.85, 55.20, 55.85}, // La Réunion
	{-13.05, -12.60, 44.95, 45.35}, // Mayotte
}

// InFrance reports whether a point lies within the bounding box of
// metropolitan France, Corsica or an overseas département.
func InFrance(lat, lng float64) bool {
	for _, b := range franceBoxes {
		if lat >= b.minLat && lat <= b.maxLat && lng >= b.minLng && lng <= b.maxLng {
			return true
		}
	}
	return false
}
