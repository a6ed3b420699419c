package portal_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
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

// TestEmptyStatesFitTheFilter (#20.11): an empty list says what is empty —
// the filter shown, or that there is nothing yet — in a paragraph, not as
// an item of the list (an <ol> numbered it 「1. 尚無來電紀錄。」), and the
// tenants filter of a base no longer says 「還沒有申請。」.
func TestEmptyStatesFitTheFilter(t *testing.T) {
	t.Parallel()
	w := portaltest.NewLoanWorld(t)
	mgrID, _, _ := w.Account(accounts.IncubatorManager, "manager@test.cn")
	base := portaltest.Decode[map[string]any](t, w.MustDo(t, "POST", "/api/v1/admin/bases", map[string]any{"name": "高新創業園", "level": "municipal",
		"district": "hightech", "industries": []string{"technology"}, "seats": 3, "intake_open": true, "services": []string{"mentoring"}}, w.Admin))["id"].(string)
	w.MustDo(t, "POST", "/api/v1/admin/bases/"+base+"/status", map[string]string{"status": "approved"}, w.Admin)
	w.MustDo(t, "POST", "/api/v1/admin/bases/"+base+"/managers", map[string]any{"manager_ids": []string{mgrID}}, w.Admin)
	contact := portaltest.Decode[map[string]any](t, w.MustDo(t, "POST", "/api/v1/hotline/contacts", map[string]any{"name": "陳先生", "phone": "139 1234 5678"}, w.Staff))["id"].(string)
	for _, c := range []struct{ who, path, sel, want string }{
		{"hotline@test.cn", "/hotline/contacts/" + contact, "#calls-none", "尚無來電紀錄。"},
		{"manager@test.cn", "/manage", "#none-" + base, "這個基地還沒有申請。"},
		{"manager@test.cn", "/manage?status=tenant", "#none-" + base, "目前沒有入駐的企業。"},
		{"manager@test.cn", "/manage?status=pending", "#none-" + base, "沒有待審的申請。"},
		{"farmer@test.cn", "/loans", "#loans-none", "還沒有貸款申請。"},
		{"farmer@test.cn", "/loans?status=repaid", "#loans-none", "「已還清」中沒有貸款申請。"},
		{"hotline@test.cn", "/loans", "#loans-none", "「待人社局審核」中沒有貸款申請。"},
		{"farmer@test.cn", "/consultations", "#consultations-none", "還沒有諮詢。"},
		{"mentor@test.cn", "/consultations?status=mine", "#consultations-none", "「待我答覆」中沒有諮詢。"},
		{"farmer@test.cn", "/complaints", "#complaints-none", "沒有投訴。"},
		{"hotline@test.cn", "/complaints?queue=overdue", "#complaints-none", "「已逾期」中沒有投訴。"},
		{"hotline@test.cn", "/complaints?q=" + url.QueryEscape("房租"), "#complaints-none", "沒有符合的資料。"},
		{"hotline@test.cn", "/hotline/cases?queue=due_today", "#cases-none", "「今日待回訪」中沒有個案。"},
		{"hotline@test.cn", "/staff/services", "#queue-none", "沒有服務工單。"},
		{"hotline@test.cn", "/staff/services?status=completed", "#queue-none", "沒有符合的資料。"},
	} {
		b, _ := w.SignedIn(t, c.who)
		resp, doc := b.Get(c.path)
		if resp.StatusCode != 200 {
			t.Errorf("%s %s: %d", c.who, c.path, resp.StatusCode)
			continue
		}
		if got := strings.TrimSpace(doc.Find("main " + c.sel).Text()); got != c.want {
			t.Errorf("%s %s: the empty state says %q, want %q", c.who, c.path, got, c.want)
		}
		if n := doc.Find("main li.empty, main li:only-child:empty, main tbody tr td[colspan]").Length(); n > 0 {
			t.Errorf("%s %s: %d empty states inside a list or table", c.who, c.path, n)
		}
	}
	// A status the console does not filter by is not shown as a code.
	b, _ := w.SignedIn(t, "manager@test.cn")
	if resp, _ := b.Get("/manage?status=bogus"); resp.StatusCode != 303 || resp.Header.Get("Location") != "/manage" {
		t.Errorf("an unknown filter: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}
