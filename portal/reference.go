package portal

import "onestop/services/policy"

// ventureIndustries are the choices of a venture's industry: the guidance
// catalogue's, then the other trades the tax rules name.
func (a *App) ventureIndustries() []string {
	var out []string
	for _, k := range policy.VentureIndustries {
		out = append(out, a.reference.Codes(k)...)
	}
	return out
}
