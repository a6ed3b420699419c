package privacy_test

import (
	"context"
	"strings"
	"testing"

	"onestop/services/privacy"
)

// area is a stand-in area holding some collections.
type area struct {
	name  string
	holds []string
}

func (a area) Name() string    { return a.name }
func (a area) Holds() []string { return a.holds }
func (area) Export(context.Context, string) (*privacy.Part, error) {
	return &privacy.Part{}, nil
}
func (area) Erase(context.Context, privacy.Subject) error { return nil }

// TestRegistryCheck: start-up refuses a collection that no area holds and
// that is not declared impersonal with a reason, and names it.
func TestRegistryCheck(t *testing.T) {
	for _, tc := range []struct {
		name       string
		colls      []string
		impersonal map[string]string
		want       string // in the error; "" for none
	}{
		{"every collection covered", []string{"applications", "loans", "banks"}, map[string]string{"banks": "organisations"}, ""},
		{"a new area's collection", []string{"applications", "loans", "visits"}, nil, "visits"},
		{"two missing, both named", []string{"visits", "applications", "photos"}, nil, "photos, visits"},
		{"impersonal without a reason", []string{"applications", "banks"}, map[string]string{"banks": " "}, `"banks"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r privacy.Registry
			if err := r.Register(area{"incubators", []string{"applications"}}, area{"loans", []string{"loans"}}); err != nil {
				t.Fatal(err)
			}
			err := r.Check(tc.colls, tc.impersonal)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one naming %s", err, tc.want)
			}
		})
	}
}

// TestRegisterTwice: an area's name and a collection belong to one area.
func TestRegisterTwice(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b area
	}{
		{"same name", area{"loans", []string{"loans"}}, area{"loans", []string{"banks"}}},
		{"same collection", area{"loans", []string{"loans"}}, area{"bank", []string{"loans"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r privacy.Registry
			if err := r.Register(tc.a, tc.b); err == nil {
				t.Fatal("registered")
			}
		})
	}
}

// TestScrub: a subject's names and numbers leave free text, longest first;
// a one-character name does not (it would take the character out of every
// word), and nothing else changes.
func TestScrub(t *testing.T) {
	s := privacy.Subject{ID: "u1", Pseudonym: "#u1", Names: []string{"王小明", "小明", "王"}, Numbers: []string{"13800138000", "110105196501010005"}}
	for in, want := range map[string]string{
		"王小明說他的電話是13800138000":      "#u1說他的電話是#u1",
		"小明的身份證 110105196501010005": "#u1的身份證 #u1",
		"王先生來電":                     "王先生來電",
		"":                          "",
	} {
		if got := s.Scrub(in); got != want {
			t.Errorf("Scrub(%q) = %q, want %q", in, got, want)
		}
	}
	if !s.IsName(" 小明 ") || s.IsName("") || s.Name("王小明") != "#u1" || s.Name("李四") != "李四" {
		t.Error("IsName or Name wrong")
	}
	// In other people's text only the numbers go: a name may be anybody's.
	if got, want := s.ScrubNumbers("王小明說他的電話是13800138000"), "王小明說他的電話是#u1"; got != want {
		t.Errorf("ScrubNumbers = %q, want %q", got, want)
	}
}

// TestRecords: the records an erasure took the name from are shared by
// every copy of the subject; a subject without them knows of none.
func TestRecords(t *testing.T) {
	s := privacy.Subject{ID: "u1", Records: privacy.NewRecords("L1")}
	c := s
	c.Erased("C1", "")
	if !s.WasErased("C1") || !s.WasErased("L1") || s.WasErased("") || s.Records.Len() != 2 {
		t.Errorf("records %v", s.Records.IDs())
	}
	var none privacy.Subject
	none.Erased("L1")
	if none.WasErased("L1") || none.Records.IDs() != nil {
		t.Error("a subject without records took one")
	}
}

// TestFilePath: a document's path stays inside its area and record.
func TestFilePath(t *testing.T) {
	for name, want := range map[string]string{
		"plan.pdf":         "loans/L1/plan.pdf",
		"../../etc/passwd": "loans/L1/_.._etc_passwd",
		"a/b\\c.png":       "loans/L1/a_b_c.png",
		"..":               "loans/L1",
	} {
		if got := privacy.FilePath("loans", "L1", name); got != want {
			t.Errorf("FilePath(%q) = %q, want %q", name, got, want)
		}
	}
}
