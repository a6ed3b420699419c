package hotline_test

import (
	"encoding/csv"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"

	hotlineweb "onestop/portal/hotline"
	"onestop/portal/portaltest"
	"onestop/services/accounts"
)

// boardWorld is the hotline world with a second hotline member and four
// complaints a day apart: two of e1's (service, unassigned; conduct,
// assigned to the first member), one taken on a call (service, assigned
// to the second member) and one of e2's (service, unassigned).
type boardWorld struct {
	*portaltest.HotlineWorld
	Staff2ID, Staff2 string
	Window, Mentor   hotlineweb.APIComplaint // e1's
	Caller, Base     hotlineweb.APIComplaint // taken on a call; e2's
}

func newBoardWorld(t *testing.T) *boardWorld {
	t.Helper()
	w := &boardWorld{HotlineWorld: portaltest.NewHotlineWorld(t)}
	w.Staff2ID, w.Staff2, _ = w.Portal.Account(accounts.Hotline, "hotline2@test.cn")
	contact := portaltest.Decode[hotlineweb.APIContact](t, w.Post(t, "/api/v1/hotline/contacts", map[string]any{"name": "陳先生"}, w.Staff))
	file := func(token string, body map[string]any, assignee string) hotlineweb.APIComplaint {
		x := portaltest.Decode[hotlineweb.APIComplaint](t, w.Post(t, "/api/v1/complaints", body, token))
		if assignee != "" {
			w.Post(t, "/api/v1/complaints/"+x.ID+"/steps", map[string]any{"action": "assign", "assignee_id": assignee}, w.Admin)
		}
		// A day on, so each has its own due day; the tokens of the day
		// before have expired.
		w.Portal.Advance(24 * time.Hour)
		w.Admin, w.Staff, w.Staff2 = w.Portal.Login("admin@test.cn"), w.Portal.Login("hotline@test.cn"), w.Portal.Login("hotline2@test.cn")
		w.E1, w.E2 = w.Portal.Login("e1@test.cn"), w.Portal.Login("e2@test.cn")
		return x
	}
	w.Window = file(w.E1, map[string]any{"kind": "service", "subject": "窗口排隊兩小時", "against": "department", "against_name": "東城區就業服務窗口",
		"details": "辦理登記排了兩個小時。"}, "")
	w.Mentor = file(w.E1, map[string]any{"kind": "conduct", "subject": "導師三次沒回覆", "against": "mentor", "against_name": "張導師",
		"details": "預約三次都沒有回覆。"}, w.StaffID)
	w.Caller = file(w.Staff, map[string]any{"contact_id": contact.ID, "kind": "service", "subject": "補貼審核太慢", "against": "department",
		"against_name": "補貼審核科", "details": "申請一個月沒有消息。"}, w.Staff2ID)
	w.Base = file(w.E2, map[string]any{"kind": "service", "subject": "承諾的工位沒有兌現", "against": "base", "against_name": "高新區創業孵化基地",
		"details": "入駐後一直沒有工位。"}, "")
	return w
}

// TestComplaintBoardAPI: GET /api/v1/complaints filters by kind, whom it
// is about and assignee (nobody's too), sorts by due time, names the
// assignee for staff only, and refuses unknown values with 422 naming the
// field. Internal notes stay with staff; a reopen needs its reason.
func TestComplaintBoardAPI(t *testing.T) {
	t.Parallel()
	w := newBoardWorld(t)
	tp := w.Portal
	list := "/api/v1/complaints"
	const secret = "窗口主管說當天只有一人上班，暫不對外說明"
	tp.Run(t, []portaltest.Scenario{
		{Name: "by kind", Method: "GET", Path: list + "?kind=conduct", Token: w.Staff, Status: 200, Contains: []string{w.Mentor.ID, `"total":1`}},
		{Name: "by whom it is about", Method: "GET", Path: list + "?against=department", Token: w.Staff, Status: 200, Contains: []string{w.Window.ID, w.Caller.ID, `"total":2`}},
		{Name: "nobody's", Method: "GET", Path: list + "?assignee_id=none", Token: w.Staff, Status: 200, Contains: []string{w.Window.ID, w.Base.ID, `"total":2`},
			NotContains: []string{`"assignee_id"`, `"assignee_name"`}},
		{Name: "a member's, named", Method: "GET", Path: list + "?assignee_id=" + w.Staff2ID, Token: w.Staff, Status: 200,
			Contains: []string{w.Caller.ID, `"total":1`, `"assignee_id":"` + w.Staff2ID + `"`, `"assignee_name":"測試hotline"`}},
		{Name: "combined", Method: "GET", Path: list + "?kind=service&assignee_id=none&against=base", Token: w.Staff, Status: 200, Contains: []string{w.Base.ID, `"total":1`}},
		{Name: "an administrator's board", Method: "GET", Path: list + "?assignee_id=" + w.StaffID, Token: w.Admin, Status: 200, Contains: []string{w.Mentor.ID, `"total":1`}},
		{Name: "an unknown kind", Method: "GET", Path: list + "?kind=rude", Token: w.Staff, Status: 422, Contains: []string{`"field":"kind"`, `"code":"error.enum"`}},
		{Name: "an unknown subject", Method: "GET", Path: list + "?against=mayor", Token: w.Staff, Status: 422, Contains: []string{`"field":"against"`}},
		{Name: "an assignee that is no id", Method: "GET", Path: list + "?assignee_id=" + url.QueryEscape(`{"$ne":null}`), Token: w.Staff, Status: 422, Contains: []string{`"field":"assignee_id"`}},
		{Name: "an unknown order", Method: "GET", Path: list + "?sort=created_at", Token: w.Staff, Status: 422, Contains: []string{`"field":"sort"`}},
		{Name: "all wrong at once", Method: "GET", Path: list + "?kind=x&against=y&sort=z", Token: w.Staff, Status: 422, Contains: []string{`"field":"kind"`, `"field":"against"`, `"field":"sort"`}},
		{Name: "the complainant filters their own", Method: "GET", Path: list + "?kind=service", Token: w.E1, Status: 200, Contains: []string{w.Window.ID, `"total":1`},
			NotContains: []string{w.Base.ID, w.Caller.ID}},
		{Name: "an assignee picks nothing out of one's own list", Method: "GET", Path: list + "?assignee_id=" + w.StaffID, Token: w.E1, Status: 200,
			Contains: []string{w.Window.ID, w.Mentor.ID, `"total":2`}, NotContains: []string{w.StaffID, "測試hotline", `"assignee`}},
		{Name: "nor does nobody's", Method: "GET", Path: list + "?assignee_id=none", Token: w.E1, Status: 200, Contains: []string{`"total":2`}},
		{Name: "nor anyone else's complaints", Method: "GET", Path: list + "?against=base", Token: w.E1, Status: 200, Contains: []string{`"total":0`}},
		{Name: "guests", Method: "GET", Path: list + "?kind=service", Status: 401},

		// Internal notes: staff only, at any status, never the complainant's.
		{Name: "the complainant cannot note", Method: "POST", Path: list + "/" + w.Window.ID + "/steps", Token: w.E1, Body: map[string]any{"action": "note", "text": "我的備註"}, Status: 403},
		{Name: "a note too short", Method: "POST", Path: list + "/" + w.Window.ID + "/steps", Token: w.Staff, Body: map[string]any{"action": "note", "text": "好"}, Status: 422, Contains: []string{`"field":"text"`}},
		{Name: "a note", Method: "POST", Path: list + "/" + w.Window.ID + "/steps", Token: w.Staff, Body: map[string]any{"action": "note", "text": secret}, Status: 200,
			Contains: []string{secret, `"action":"note"`, `"status":"received"`}, NotContains: []string{`"assignee_name"`}},
		{Name: "staff read it", Method: "GET", Path: list + "/" + w.Window.ID, Token: w.Staff2, Status: 200, Contains: []string{secret}},
		{Name: "the complainant does not", Method: "GET", Path: list + "/" + w.Window.ID, Token: w.E1, Status: 200, NotContains: []string{secret, `"action":"note"`}},
		{Name: "nor is told of it", Method: "GET", Path: "/api/v1/me/notifications", Token: w.E1, Status: 200, NotContains: []string{secret, w.Window.ID}},
		{Name: "answer", Method: "POST", Path: list + "/" + w.Window.ID + "/steps", Token: w.Staff, Body: map[string]any{"action": "answer", "text": "已增派人手，請再試一次。"}, Status: 200,
			Contains: []string{`"status":"answered"`, `"answer":"已增派人手，請再試一次。"`}},

		// A reopening says why, and both sides read it.
		{Name: "a reopening without a reason", Method: "POST", Path: list + "/" + w.Window.ID + "/steps", Token: w.E1, Body: map[string]any{"action": "reopen"}, Status: 422, Contains: []string{`"field":"text"`}},
		{Name: "a reason too short", Method: "POST", Path: list + "/" + w.Window.ID + "/steps", Token: w.Staff, Body: map[string]any{"action": "reopen", "text": "不滿意"}, Status: 422, Contains: []string{`"field":"text"`}},
		{Name: "nothing was written", Method: "GET", Path: list + "/" + w.Window.ID, Token: w.E1, Status: 200, Contains: []string{`"status":"answered"`}, NotContains: []string{`"action":"reopen"`}},
		{Name: "reopened with a reason", Method: "POST", Path: list + "/" + w.Window.ID + "/steps", Token: w.Staff, Body: map[string]any{"action": "reopen", "text": "投訴人來電表示問題仍在"}, Status: 200,
			Contains: []string{`"status":"reopened"`}},
		{Name: "the complainant reads why", Method: "GET", Path: list + "/" + w.Window.ID, Token: w.E1, Status: 200, Contains: []string{`"said":"投訴人來電表示問題仍在"`}, NotContains: []string{secret}},
	})
	// Due first: the earliest limit leads whatever the filing order.
	var due []string
	for _, r := range portaltest.Decode[struct {
		Items []struct {
			ID    string `json:"id"`
			DueOn string `json:"due_on"`
		} `json:"items"`
	}](t, tp.MustDo(t, "GET", list+"?sort=due", nil, w.Staff)).Items {
		due = append(due, r.DueOn)
	}
	if len(due) != 4 || !slices.IsSorted(due) {
		t.Errorf("sorted by due: %v", due)
	}
	slices.Reverse(due)
	var late []string
	for _, r := range portaltest.Decode[struct {
		Items []struct {
			DueOn string `json:"due_on"`
		} `json:"items"`
	}](t, tp.MustDo(t, "GET", list+"?sort=-due", nil, w.Staff)).Items {
		late = append(late, r.DueOn)
	}
	if !slices.Equal(late, due) {
		t.Errorf("latest due first: %v, want %v", late, due)
	}
}

// selected is the value of the option chosen in a select.
func selected(doc *goquery.Document, sel string) string {
	return doc.Find(sel+" option[selected]").AttrOr("value", "")
}

// TestComplaintBoardPage: the staff board's filter form keeps the chosen
// kind, subject, assignee and order (and the queue and words), and the
// pager, the queue chips and the export carry them; rows name the
// assignee. An unknown value is said at its field, not a 500 and not a
// list that only looks filtered. The complainant's list has no assignee.
func TestComplaintBoardPage(t *testing.T) {
	t.Parallel()
	w := newBoardWorld(t)
	desk, _ := w.Portal.SignedIn(t, "hotline@test.cn")
	resp, doc := desk.Get("/complaints?queue=open&kind=service&against=department&assignee_id=none&sort=due&q=" + url.QueryEscape("排隊"))
	if resp.StatusCode != 200 {
		t.Fatalf("board: %d", resp.StatusCode)
	}
	for sel, want := range map[string]string{"#f-kind": "service", "#f-against": "department", "#f-assignee_id": "none", "#f-sort": "due"} {
		if got := selected(doc, sel); got != want {
			t.Errorf("%s keeps %q, want %q", sel, got, want)
		}
	}
	if doc.Find(`#complaint-find input[name="queue"]`).AttrOr("value", "") != "open" || doc.Find("#complaint-q").AttrOr("value", "") != "排隊" {
		t.Error("the form lost the queue or the words")
	}
	if rows := doc.Find("#complaints tbody tr"); rows.Length() != 1 || !strings.Contains(rows.Text(), "窗口排隊兩小時") || rows.Find("td.assignee").Text() != "未指派" {
		t.Errorf("rows: %q", rows.Text())
	}
	csvLink := doc.Find("#complaints-csv").AttrOr("href", "")
	chip := doc.Find(`.quick a.chip[href*="queue=overdue"]`).AttrOr("href", "")
	for what, href := range map[string]string{"export": csvLink, "overdue chip": chip} {
		u, err := url.Parse(href)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		if q.Get("kind") != "service" || q.Get("against") != "department" || q.Get("assignee_id") != "none" || q.Get("sort") != "due" {
			t.Errorf("the %s drops the filters: %s", what, href)
		}
	}
	// Every option staff may pick an assignee from, named as on the
	// assign form; the column names who has each.
	_, doc = desk.Get("/complaints?sort=due")
	var staff []string
	doc.Find("#f-assignee_id option").Each(func(_ int, s *goquery.Selection) { staff = append(staff, s.AttrOr("value", "")) })
	for _, id := range []string{"", "none", w.StaffID, w.Staff2ID} {
		if !slices.Contains(staff, id) {
			t.Errorf("assignee options %v lack %q", staff, id)
		}
	}
	var assignees []string
	doc.Find("#complaints td.assignee").Each(func(_ int, s *goquery.Selection) { assignees = append(assignees, s.Text()) })
	if len(assignees) != 4 || slices.Index(assignees, "測試hotline") < 0 || slices.Index(assignees, "未指派") < 0 {
		t.Errorf("assignee column: %q", assignees)
	}
	// The pager keeps the filters from page to page.
	_, doc = desk.Get("/complaints?kind=service&sort=-due&size=1")
	next, _ := url.Parse(doc.Find(`.pager a[rel="next"]`).AttrOr("href", ""))
	if q := next.Query(); q.Get("kind") != "service" || q.Get("sort") != "-due" || q.Get("page") != "2" {
		t.Errorf("next page: %s", next)
	}
	// The export holds the filtered rows, with their assignee.
	resp, raw := desk.Raw("/complaints.csv?kind=service&assignee_id=" + w.Staff2ID)
	records, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	if resp.StatusCode != 200 || err != nil || len(records) != 2 || !slices.Contains(records[0], "承辦人") || !slices.Contains(records[1], "測試hotline") ||
		!slices.Contains(records[1], w.Caller.ID) {
		t.Errorf("export: %d %v %q", resp.StatusCode, err, records)
	}
	// Unknown values: said at their fields, nothing listed, nothing broken.
	for _, tt := range []struct {
		path   string
		fields []string
	}{
		{"/complaints?kind=rude&sort=up", []string{"kind", "sort"}},
		{"/complaints?against=mayor&assignee_id=nobody", []string{"against", "assignee_id"}},
		{"/complaints?queue=everything", []string{"queue"}},
	} {
		resp, doc := desk.Get(tt.path)
		if resp.StatusCode != 422 || doc.Find("#filter-errors").Length() != 1 || doc.Find("#complaints").Length() != 0 {
			t.Errorf("%s: %d, message %q", tt.path, resp.StatusCode, doc.Find("#filter-errors").Text())
		}
		for _, f := range tt.fields {
			if got := doc.Find("#e-" + f).Text(); got != "請從列表中選擇。" {
				t.Errorf("%s: the %s message reads %q", tt.path, f, got)
			}
		}
		if main := doc.Find("main").Text(); strings.Contains(main, "error.") {
			t.Errorf("%s: a raw key: %q", tt.path, main)
		}
	}
	if resp, _ := desk.Raw("/complaints.csv?sort=up"); resp.StatusCode != 422 || strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Errorf("a refused export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// The complainant: their own, no assignee to choose or read.
	own, _ := w.Portal.SignedIn(t, "e1@test.cn")
	resp, doc = own.Get("/complaints?assignee_id=" + w.StaffID)
	if resp.StatusCode != 200 || doc.Find("#complaints tbody tr").Length() != 2 || doc.Find("#f-assignee_id, td.assignee").Length() != 0 ||
		strings.Contains(doc.Text(), "測試hotline") {
		t.Errorf("the complainant's list: %d %q", resp.StatusCode, doc.Find("main").Text())
	}
}

// TestComplaintNotesAndReopenOnThePage: staff read the public answer and
// history apart from the internal notes (labelled staff-only); a note too
// short comes back at its form with what was typed; the complainant's page
// has no trace of notes. Reopening without a reason comes back at its form
// with the message and what was typed; with one, both sides read it.
func TestComplaintNotesAndReopenOnThePage(t *testing.T) {
	t.Parallel()
	w := newBoardWorld(t)
	id := w.Window.ID
	page := "/complaints/" + id
	const secret = "窗口主管說當天只有一人上班"
	desk, _ := w.Portal.SignedIn(t, "hotline@test.cn")
	_, doc := desk.Get(page)
	if got := doc.Find("#internal-notes h2 .badge").Text(); got != "僅限工作人員" || doc.Find("#notes-none").Length() != 1 {
		t.Errorf("the notes section: %q", doc.Find("#internal-notes").Text())
	}
	resp, doc := desk.Post(page+"/steps", url.Values{"action": {"note"}, "text": {"好"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 422 || doc.Find("#note-form #step-errors").Length() != 1 || doc.Find("#note-text").Text() != "好" {
		t.Errorf("a short note: %d, form %q", resp.StatusCode, doc.Find("#note-form").Text())
	}
	_, doc = desk.Get(page)
	if resp, _ := desk.Post(page+"/steps", url.Values{"action": {"note"}, "text": {secret}}, portaltest.CSRF(doc)); resp.StatusCode != 303 {
		t.Fatalf("note: %d", resp.StatusCode)
	}
	_, doc = desk.Get(page)
	// A stray "note" field on the answer form goes nowhere.
	if resp, _ := desk.Post(page+"/steps", url.Values{"action": {"answer"}, "text": {"已增派人手，請再試一次。"}, "note": {"內部：不要告訴他"}}, portaltest.CSRF(doc)); resp.StatusCode != 303 {
		t.Fatalf("answer: %d", resp.StatusCode)
	}
	_, doc = desk.Get(page)
	if !strings.Contains(doc.Find("#internal-notes #notes").Text(), secret) || strings.Contains(doc.Find("#public-record").Text(), secret) {
		t.Errorf("staff's page: notes %q / public %q", doc.Find("#notes").Text(), doc.Find("#public-record").Text())
	}
	if got := doc.Find("#public-record #complaint-answer").Text(); got != "已增派人手，請再試一次。" {
		t.Errorf("the answer: %q", got)
	}
	own, _ := w.Portal.SignedIn(t, "e1@test.cn")
	_, doc = own.Get(page)
	if html, _ := doc.Html(); strings.Contains(html, secret) || strings.Contains(html, "不要告訴他") || doc.Find("#internal-notes, #note-form").Length() != 0 {
		t.Errorf("the complainant's page shows notes: %q", doc.Find("main").Text())
	}
	steps := doc.Find("#history li").Length()
	if steps != 2 { // filed, answered: no row for the note
		t.Errorf("the complainant's history has %d steps: %q", steps, doc.Find("#history").Text())
	}
	// Reopening: without a reason, then too short, then with one.
	if doc.Find("#reopen-text[required]").Length() != 1 {
		t.Error("the reason is not marked required")
	}
	for _, typed := range []string{"", "不滿意"} {
		resp, doc = own.Post(page+"/steps", url.Values{"action": {"reopen"}, "text": {typed}}, portaltest.CSRF(doc))
		errs := doc.Find("#reopen-form #step-errors").Text()
		if resp.StatusCode != 422 || errs == "" || strings.Contains(errs, "error.") || doc.Find("#reopen-text").Text() != typed {
			t.Errorf("reopen with %q: %d %q, typed %q", typed, resp.StatusCode, errs, doc.Find("#reopen-text").Text())
		}
	}
	const reason = "等候時間還是超過一小時"
	if resp, _ := own.Post(page+"/steps", url.Values{"action": {"reopen"}, "text": {reason}}, portaltest.CSRF(doc)); resp.StatusCode != 303 {
		t.Fatalf("reopen: %d", resp.StatusCode)
	}
	for who, b := range map[string]*portaltest.Browser{"the complainant": own, "staff": desk} {
		if _, doc := b.Get(page); !strings.Contains(doc.Find("#history li").Last().Text(), reason) {
			t.Errorf("%s reads the reopening as %q", who, doc.Find("#history li").Last().Text())
		}
	}
}

// TestBrowserComplaintBoardJourney: on a phone, a hotline member narrows
// the board to unassigned service complaints, earliest due first, opens
// the first, adds an internal note and answers. The complainant, in a
// browser session of their own, reads the answer and not the note, tries
// to reopen without a reason (the message shows at the form) and reopens
// with one; staff read the reason.
func TestBrowserComplaintBoardJourney(t *testing.T) {
	t.Parallel()
	w := newBoardWorld(t)
	s := portaltest.NewSession(t, w.Portal, 120*time.Second)
	s.Step("phone screen", chromedp.EmulateViewport(375, 812))
	s.ZhHant()
	s.Login("hotline@test.cn")
	s.Step("the board", chromedp.Navigate(s.Base+"/complaints"), chromedp.WaitVisible(chromedp.ID("complaint-find")))
	s.Fits("the complaint board")
	s.Step("filter and sort", chromedp.SetValue(chromedp.ID("f-kind"), "service"), chromedp.SetValue(chromedp.ID("f-assignee_id"), "none"),
		chromedp.SetValue(chromedp.ID("f-sort"), "due"), chromedp.Click(chromedp.ID("complaint-filter-submit")),
		chromedp.WaitReady(chromedp.CSS(`#f-sort option[value="due"][selected]`)), chromedp.WaitVisible(chromedp.ID("complaints")))
	rows, err := chromedp.Run(s.Ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#complaints tbody tr")].map(tr => tr.querySelector("a").textContent)`))
	if err != nil || !slices.Equal(rows, []string{"窗口排隊兩小時", "承諾的工位沒有兌現"}) {
		t.Fatalf("the filtered board: %q (%v)", rows, err)
	}
	if got := s.Text("#complaints tbody td.assignee"); got != "未指派" {
		t.Errorf("assignee column: %q", got)
	}
	s.Fits("the filtered board")
	portaltest.Screenshot(t, s.Ctx, "complaint-board-filtered")
	s.Step("open the first", chromedp.Click(chromedp.CSS(`#complaints tbody tr:first-child a`)), chromedp.WaitVisible(chromedp.ID("internal-notes")))
	const secret = "窗口主管說當天只有一人上班，暫不對外說明"
	s.Step("add an internal note", chromedp.SendKeys(chromedp.ID("note-text"), secret), chromedp.Click(chromedp.ID("note-submit")),
		chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="complaints.step.note"]`)))
	if got := s.Text("#notes"); !strings.Contains(got, secret) {
		t.Errorf("notes: %q", got)
	}
	const answer = "已增派窗口人員，下週起等候不超過三十分鐘。"
	s.Step("answer", chromedp.SendKeys(chromedp.ID("answer"), answer), chromedp.Click(chromedp.ID("answer-submit")),
		chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="complaints.step.answer"]`)))
	if got := s.Text("#complaint-answer"); got != answer {
		t.Errorf("answer: %q", got)
	}
	s.Fits("the complaint page")
	portaltest.Screenshot(t, s.Ctx, "complaint-staff-notes")
	staffPage, err := chromedp.Run(s.Ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}

	// The complainant, in a browser context of their own (cookies apart).
	tab, cancel := chromedp.NewContext(s.Ctx, chromedp.WithNewBrowserContext())
	defer cancel()
	e := &portaltest.Session{T: t, Ctx: tab, Base: s.Base}
	e.Step("phone screen", chromedp.EmulateViewport(375, 812))
	e.ZhHant()
	e.Login("e1@test.cn")
	e.Step("the complaint", chromedp.Navigate(staffPage), chromedp.WaitVisible(chromedp.ID("complaint-answer")))
	if got := e.Text("#complaint-answer"); got != answer {
		t.Errorf("the complainant reads %q", got)
	}
	html, err := chromedp.Run(tab, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil || strings.Contains(html, secret) || strings.Contains(html, "internal-notes") {
		t.Errorf("the complainant's page holds the note (%v)", err)
	}
	e.Step("reopen without a reason", chromedp.Click(chromedp.ID("reopen-submit")), chromedp.WaitVisible(chromedp.CSS("#reopen-form #step-errors")))
	if got := e.Text("#reopen-form #step-errors"); got == "" || strings.Contains(got, "error.") {
		t.Errorf("the message: %q", got)
	}
	portaltest.Screenshot(t, tab, "complaint-reopen-refused")
	const reason = "等候時間還是超過一小時"
	e.Step("reopen with one", chromedp.SendKeys(chromedp.ID("reopen-text"), reason), chromedp.Click(chromedp.ID("reopen-submit")),
		chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="complaints.step.reopen"]`)))
	if got := e.Text("#history"); !strings.Contains(got, reason) {
		t.Errorf("the complainant's history: %q", got)
	}
	if got := e.Text("#complaint-status"); !strings.Contains(got, "重新處理") {
		t.Errorf("status: %q", got)
	}
	s.Step("staff read the reason", chromedp.Navigate(staffPage), chromedp.WaitVisible(chromedp.ID("history")))
	if got := s.Text("#history"); !strings.Contains(got, reason) {
		t.Errorf("staff's history: %q", got)
	}
}
