package portaltest

import (
	"strings"
	"testing"
)

// Scenario is one request of an API table and what its answer must be:
// one table per endpoint, covering guest, owner, other user and staff.
type Scenario struct {
	Name        string
	Method      string
	Path        string
	Body        any    // JSON-encoded unless a string
	Token       string // the access token, or none for a guest
	Status      int
	Contains    []string // each must be in the body
	NotContains []string // none may be in the body: nothing leaks
	Header      []string // name, value, …
}

// Run sends each scenario's request in a subtest of its own, in order (a
// table may change what the next row sees), and checks the answer; an error
// answer must be problem+json.
func (p *Portal) Run(t *testing.T, scenarios []Scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			resp, body := p.Do(sc.Method, sc.Path, sc.Body, sc.Token, sc.Header...)
			if resp.StatusCode != sc.Status {
				t.Fatalf("%s %s: status %d, want %d; body %s", sc.Method, sc.Path, resp.StatusCode, sc.Status, body)
			}
			for _, s := range sc.Contains {
				if !strings.Contains(string(body), s) {
					t.Errorf("body lacks %q: %s", s, body)
				}
			}
			for _, s := range sc.NotContains {
				if strings.Contains(string(body), s) {
					t.Errorf("body has %q: %s", s, body)
				}
			}
			if resp.StatusCode >= 400 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("error without problem+json: %s", resp.Header.Get("Content-Type"))
			}
		})
	}
}
