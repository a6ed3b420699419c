package portal

import "onestop/services/reference"

// shipped is the reference lists as the seed file ships them: the demo
// world and the seed load are built on its districts and industries (the
// demo's project ideas are written per industry of the guidance
// catalogue), whatever a bureau has edited since.
var shipped = func() *reference.Lists {
	l, err := reference.Seeded()
	if err != nil {
		panic(err) // embedded and tested; cannot fail at run time
	}
	return l
}()

// demoDistricts are the shipped districts but "other".
func demoDistricts() []string {
	var out []string
	for _, d := range shipped.Codes(reference.District) {
		if d != "other" {
			out = append(out, d)
		}
	}
	return out
}

// demoIndustries are the shipped guidance catalogue's industries.
func demoIndustries() []string { return shipped.Codes(reference.Industry) }
