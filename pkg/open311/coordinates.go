package open311

import "strconv"

// ParsePoint reads a point from a decimal latitude and longitude, both required, with every
// problem reported at once (Invalid).
func ParsePoint(lat, long string) (Point, error) {
	var p Problems
	la, okLat := ParseCoordinate(lat, 90)
	lo, okLong := ParseCoordinate(long, 180)
	if lat == "" || long == "" {
		p.Add("lat and long must be given together")
	} else {
		if !okLat {
			p.Add("lat must be a decimal latitude between -90 and 90")
		}
		if !okLong {
			p.Add("long must be a decimal longitude between -180 and 180")
		}
	}
	return Point{Lat: la, Long: lo}, p.Err("open311.ParsePoint")
}

// ParseCoordinate reads a decimal latitude (limit 90) or longitude (limit 180): digits with an
// optional sign, decimal point and exponent ("40.7128", "-74.006", "5e-7" as JavaScript writes
// small numbers), never Go's hexadecimal floats, digit separators, infinities or NaN.
func ParseCoordinate(s string, limit float64) (float64, bool) {
	if !isDecimal(s) {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < -limit || v > limit {
		return 0, false
	}
	return v, true
}

// isDecimal reports whether s is a decimal number: [+-]digits[.digits][(e|E)[+-]digits], with
// at least one digit before the exponent.
func isDecimal(s string) bool {
	i, digits := 0, 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		}
		if i == start {
			return false
		}
	}
	return i == len(s)
}
