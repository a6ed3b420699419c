package people_test

import (
	"net/url"
	"testing"

	"onestop/portal/portaltest"
)

// TestSearchByNumberAPI: staff find a person by an ID number or a phone by
// POST with the number in the body; a GET with one in q is refused before
// any look-up, and names still go by GET. (The hotline's caller look-up
// keeps the same rule: hotline's TestLookupByNumberAPI.)
func TestSearchByNumberAPI(t *testing.T) {
	t.Parallel()
	w := portaltest.NewHotlineWorld(t)
	const idNo, phone = "11010519880512123X", "13800138000"
	refused := []string{`"field":"q"`, "error.query.in_url"}
	var sc []portaltest.Scenario
	for _, who := range []struct{ name, token string }{{"hotline", w.Staff}, {"admin", w.Admin}} {
		sc = append(sc,
			portaltest.Scenario{Name: who.name + " finds a person by ID number", Method: "POST", Path: "/api/v1/staff/people/search", Body: map[string]string{"q": idNo}, Token: who.token, Status: 200, Contains: []string{w.E1ID, `"total":1`}, NotContains: []string{idNo}},
			portaltest.Scenario{Name: who.name + " finds a person by phone", Method: "POST", Path: "/api/v1/staff/people/search", Body: map[string]string{"q": phone}, Token: who.token, Status: 200, Contains: []string{w.E1ID, `"total":1`}, NotContains: []string{phone}},
			portaltest.Scenario{Name: who.name + " searches people by name (POST)", Method: "POST", Path: "/api/v1/staff/people/search", Body: map[string]any{"q": "王小明", "page": 1, "size": 5}, Token: who.token, Status: 200, Contains: []string{w.E1ID, `"size":5`}},
			portaltest.Scenario{Name: who.name + " searches people by name (GET)", Method: "GET", Path: "/api/v1/staff/people?q=" + url.QueryEscape("王小明"), Token: who.token, Status: 200, Contains: []string{w.E1ID}},
			portaltest.Scenario{Name: who.name + " lists people (GET, no q)", Method: "GET", Path: "/api/v1/staff/people?page=1&size=5", Token: who.token, Status: 200, Contains: []string{w.E1ID}},
		)
		for _, q := range []string{idNo, phone, "138 0013 8000", "+8613800138000", "11010519880512123"} {
			sc = append(sc, portaltest.Scenario{Name: who.name + " GET people with " + q, Method: "GET", Path: "/api/v1/staff/people?q=" + url.QueryEscape(q), Token: who.token, Status: 422, Contains: refused, NotContains: []string{w.E1ID, "王小明", "items"}})
		}
	}
	for _, who := range []struct {
		name, token string
		status      int
	}{{"entrepreneur", w.E1, 403}, {"mentor", w.Mentor, 403}, {"manager", w.Manager, 403}, {"guest", "", 401}} {
		for _, q := range []string{idNo, phone} {
			sc = append(sc, portaltest.Scenario{Name: who.name + " POST search " + q, Method: "POST", Path: "/api/v1/staff/people/search", Body: map[string]string{"q": q}, Token: who.token, Status: who.status, NotContains: []string{w.E1ID, "王小明"}})
		}
	}
	sc = append(sc,
		portaltest.Scenario{Name: "an operator object as q", Method: "POST", Path: "/api/v1/staff/people/search", Body: `{"q":{"$ne":null}}`, Token: w.Staff, Status: 422},
	)
	w.Run(t, sc)
}
