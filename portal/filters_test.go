package portal_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"onestop/portal/portaltest"
)

// chips are the values a list page's quick filters offer for param.
func chips(doc *goquery.Document, param string) []string {
	var out []string
	doc.Find(".quick a.chip").Each(func(_ int, a *goquery.Selection) {
		u, err := url.Parse(a.AttrOr("href", ""))
		if err == nil && u.Query().Get(param) != "" {
			out = append(out, u.Query().Get(param))
		}
	})
	return out
}

// TestFilterChipsOfEachRole (#20.16): each role's lists offer only the
// statuses its records can have. A bank officer was offered 「待審」 and
// 「退回補件」, which no file has by the time it reaches the bank.
func TestFilterChipsOfEachRole(t *testing.T) {
	t.Parallel()
	w := portaltest.NewLoanWorld(t)
	allLoans := []string{"submitted", "returned", "forwarded", "approved", "declined", "disbursed", "repaid", "withdrawn"}
	bankLoans := []string{"forwarded", "approved", "declined", "disbursed", "repaid", "withdrawn"}
	complaintQueues := []string{"open", "overdue", "escalated", "mine", "received", "in_progress", "answered", "closed", "reopened"}
	for _, c := range []struct {
		who, path, param string
		want             []string
	}{
		{"farmer@test.cn", "/loans", "status", allLoans},
		{"hotline@test.cn", "/loans", "status", allLoans},
		{"admin@test.cn", "/loans", "status", allLoans},
		{"bank@test.cn", "/loans", "status", bankLoans},
		{"farmer@test.cn", "/consultations", "status", []string{"unassigned", "waiting", "answering", "answered", "closed"}},
		{"mentor@test.cn", "/consultations", "status", []string{"mine", "overdue", "waiting", "answering", "answered", "closed"}},
		{"hotline@test.cn", "/consultations", "status", []string{"overdue", "unassigned", "waiting", "answering", "answered", "closed", "rematched"}},
		{"farmer@test.cn", "/complaints", "queue", nil}, // their own few, no queues
		{"hotline@test.cn", "/complaints", "queue", complaintQueues},
		{"admin@test.cn", "/complaints", "queue", complaintQueues},
		{"hotline@test.cn", "/hotline/cases", "queue", []string{"due_today", "overdue", "mine", "unassigned", "open", "closed"}},
		{"mentor@test.cn", "/cases", "queue", nil}, // the cases they accompany, no staff queues
	} {
		b, _ := w.SignedIn(t, c.who)
		resp, doc := b.Get(c.path)
		if resp.StatusCode != 200 {
			t.Errorf("%s %s: %d", c.who, c.path, resp.StatusCode)
			continue
		}
		if got := chips(doc, c.param); !slices.Equal(got, c.want) {
			t.Errorf("%s %s offers %s=%s, want %s", c.who, c.path, c.param, strings.Join(got, ","), strings.Join(c.want, ","))
		}
	}
}
