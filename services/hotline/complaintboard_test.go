package hotline_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/hotline"
)

// board files the complaints the board tests pick from, a day apart (the
// first is the oldest): wang's three, li's one, and one staff took for a
// caller. Their limits (privacy 5, conduct 7, service 10 working days)
// give each its own due day.
func board(t *testing.T, e *env) map[string]*hotline.Complaint {
	t.Helper()
	ctx := context.Background()
	caller := e.contact(t, "陳先生", "13912345678")
	out := map[string]*hotline.Complaint{}
	for _, c := range []struct {
		name, subject, who, kind, against, assignee string
	}{
		{"slow-window", "窗口排隊兩小時", "wang", "service", "department", "staff"},
		{"rude-mentor", "導師三次沒回覆", "wang", "conduct", "mentor", "staff2"},
		{"leak", "懷疑資料外洩", "wang", "privacy", "portal", ""},
		{"li-base", "承諾的工位沒有兌現", "li", "service", "base", ""},
		{"caller", "工作人員態度生硬", "staff", "conduct", "department", "staff"},
	} {
		in := hotline.NewComplaint{Kind: c.kind, Subject: c.subject, Against: c.against, AgainstName: "對象", Details: "經過寫得很清楚。"}
		if c.who == "staff" {
			in.ContactID = caller.ID
		}
		x, err := e.svc.FileComplaint(ctx, e.who[c.who], in, meta)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if c.assignee != "" {
			if x, err = e.svc.ActOnComplaint(ctx, e.who["admin"], x.ID, hotline.ComplaintStep{Action: "assign", AssigneeID: e.who[c.assignee].ID}, meta); err != nil {
				t.Fatalf("assign %s: %v", c.name, err)
			}
		}
		out[c.name] = x
		e.advance(24 * time.Hour)
	}
	return out
}

// TestComplaintBoardFilters: the board is filtered by kind, by whom the
// complaint is about and by assignee (anyone's, or nobody's yet), sorted
// by due time either way, and the filters combine with the queues; an
// entrepreneur's list stays their own whatever they ask, and says nothing
// of who works on what.
func TestComplaintBoardFilters(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	cs := board(t, e)
	// Due days, earliest first: leak (privacy, 5 days, filed third),
	// rude-mentor (conduct, 7, second), caller (conduct, 7, fifth),
	// slow-window (service, 10, first), li-base (service, 10, fourth).
	staff, staff2 := e.who["staff"].ID, e.who["staff2"].ID
	for _, tt := range []struct {
		name string
		who  string
		q    hotline.ComplaintQuery
		want []string // in order
	}{
		{"newest first", "staff", hotline.ComplaintQuery{}, []string{"caller", "li-base", "leak", "rude-mentor", "slow-window"}},
		{"earliest due first", "staff", hotline.ComplaintQuery{Sort: "due"}, []string{"leak", "rude-mentor", "caller", "slow-window", "li-base"}},
		{"latest due first", "staff", hotline.ComplaintQuery{Sort: "-due"}, []string{"li-base", "slow-window", "caller", "rude-mentor", "leak"}},
		{"by kind", "staff", hotline.ComplaintQuery{Kind: "conduct"}, []string{"caller", "rude-mentor"}},
		{"by whom it is about", "staff", hotline.ComplaintQuery{Against: "department"}, []string{"caller", "slow-window"}},
		{"by assignee, due first", "staff", hotline.ComplaintQuery{AssigneeID: staff, Sort: "due"}, []string{"caller", "slow-window"}},
		{"another assignee", "admin", hotline.ComplaintQuery{AssigneeID: staff2}, []string{"rude-mentor"}},
		{"nobody's yet", "staff", hotline.ComplaintQuery{AssigneeID: hotline.Unassigned}, []string{"li-base", "leak"}},
		{"kind and assignee", "staff", hotline.ComplaintQuery{Kind: "service", AssigneeID: hotline.Unassigned}, []string{"li-base"}},
		{"a queue and a filter", "staff", hotline.ComplaintQuery{Queue: "mine", Kind: "conduct"}, []string{"caller"}},
		{"text and a filter", "staff", hotline.ComplaintQuery{Text: "資料外洩", Against: "portal"}, []string{"leak"}},
		{"nothing matches", "staff", hotline.ComplaintQuery{Kind: "policy"}, nil},
		{"the complainant's own, filtered", "wang", hotline.ComplaintQuery{Kind: "service"}, []string{"slow-window"}},
		{"the complainant's own, sorted", "wang", hotline.ComplaintQuery{Sort: "due"}, []string{"leak", "rude-mentor", "slow-window"}},
		// An assignee filter would tell a complainant who handles which
		// of theirs: it picks nothing out.
		{"the complainant asks by assignee", "wang", hotline.ComplaintQuery{AssigneeID: staff}, []string{"leak", "rude-mentor", "slow-window"}},
		{"the complainant asks for nobody's", "wang", hotline.ComplaintQuery{AssigneeID: hotline.Unassigned}, []string{"leak", "rude-mentor", "slow-window"}},
		{"another entrepreneur", "li", hotline.ComplaintQuery{Against: "department"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rows, total, _, err := e.svc.Complaints(ctx, e.who[tt.who], tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rows {
				for name, c := range cs {
					if c.ID == r.ID {
						got = append(got, name)
					}
				}
				if staffRow := e.who[tt.who].Role.Staff(); !staffRow && (r.AssigneeID != "" || r.AssigneeName != "") {
					t.Errorf("%s sees the assignee %q %q", tt.who, r.AssigneeID, r.AssigneeName)
				}
			}
			if !slices.Equal(got, tt.want) || total != len(tt.want) {
				t.Errorf("got %v (total %d), want %v", got, total, tt.want)
			}
		})
	}
	// Staff read who has each one; nobody's reads as nobody, not "none".
	rows, _, _, _ := e.svc.Complaints(ctx, e.who["staff"], hotline.ComplaintQuery{Sort: "due"})
	if rows[0].AssigneeID != "" || rows[1].AssigneeID != staff2 || rows[1].AssigneeName != "staff2" {
		t.Errorf("assignees on the board: %+v / %+v", rows[0], rows[1])
	}
	// Taking a complaint moves it out of nobody's.
	if _, err := e.svc.ActOnComplaint(ctx, e.who["staff2"], cs["leak"].ID, hotline.ComplaintStep{Action: "start"}, meta); err != nil {
		t.Fatal(err)
	}
	rows, _, _, _ = e.svc.Complaints(ctx, e.who["staff"], hotline.ComplaintQuery{AssigneeID: hotline.Unassigned})
	if len(rows) != 1 || rows[0].ID != cs["li-base"].ID {
		t.Errorf("nobody's after one was started: %+v", rows)
	}
	// The overdue queue keeps due order, a sort turns it.
	e.advance(30 * 24 * time.Hour)
	for _, tt := range []struct {
		sort  string
		first string
	}{{"", "leak"}, {"due", "leak"}, {"-due", "li-base"}} {
		rows, _, _, err := e.svc.Complaints(ctx, e.who["staff"], hotline.ComplaintQuery{Queue: "overdue", Sort: tt.sort})
		if err != nil || len(rows) != 5 || rows[0].ID != cs[tt.first].ID {
			t.Errorf("overdue sorted %q: %d rows, first %+v (%v)", tt.sort, len(rows), rows, err)
		}
	}
}

// TestComplaintBoardRefusesUnknownValues: a value no option offers is a
// field error (never "everything"), for anyone who asks.
func TestComplaintBoardRefusesUnknownValues(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	for _, tt := range []struct {
		who   string
		q     hotline.ComplaintQuery
		field string
	}{
		{"staff", hotline.ComplaintQuery{Kind: "rude"}, "kind"},
		{"staff", hotline.ComplaintQuery{Against: "mayor"}, "against"},
		{"staff", hotline.ComplaintQuery{AssigneeID: "nobody"}, "assignee_id"},
		{"staff", hotline.ComplaintQuery{AssigneeID: `{"$ne":null}`}, "assignee_id"},
		{"staff", hotline.ComplaintQuery{Sort: "created_at"}, "sort"},
		{"staff", hotline.ComplaintQuery{Sort: "due_ms"}, "sort"},
		{"staff", hotline.ComplaintQuery{Queue: "everything"}, "queue"},
		{"wang", hotline.ComplaintQuery{Kind: "rude"}, "kind"},
		{"wang", hotline.ComplaintQuery{AssigneeID: "x"}, "assignee_id"},
	} {
		_, _, _, err := e.svc.Complaints(ctx, e.who[tt.who], tt.q)
		if !core.IsCode(err, core.Invalid) || !slices.Equal(fields(err), []string{tt.field}) {
			t.Errorf("%s %+v: %v, want an error on %s", tt.who, tt.q, err, tt.field)
			continue
		}
		if f := core.Faults(err); f[0].Msg != "error.enum" {
			t.Errorf("%+v: message %q", tt.q, f[0].Msg)
		}
	}
}

// TestComplaintNotes: staff add internal notes (內部備註) at any status,
// without moving the complaint or taking it; the complainant never reads
// them — not in the complaint, not in their data export, not as an empty
// row of the history — and is told nothing of them.
func TestComplaintNotes(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	staff, wang := e.who["staff"], e.who["wang"]
	c, err := e.svc.FileComplaint(ctx, wang, hotline.NewComplaint{Kind: "service", Subject: "窗口辦理太慢", Against: "department",
		AgainstName: "就業服務窗口", Details: "排隊兩個小時才輪到。"}, meta)
	if err != nil {
		t.Fatal(err)
	}
	const secret = "窗口主管說當天只有一人上班，暫不對外說明"
	note := func(who, text string) (*hotline.Complaint, error) {
		return e.svc.ActOnComplaint(ctx, e.who[who], c.ID, hotline.ComplaintStep{Action: hotline.NoteAction, Text: text}, meta)
	}
	// A note on a fresh complaint: status and assignee as they were.
	x, err := note("staff", secret)
	if err != nil || x.Status != hotline.Received || x.AssigneeID != "" {
		t.Fatalf("note: %+v %v", x, err)
	}
	if last := x.History[len(x.History)-1]; last.Action != hotline.NoteAction || last.Note != secret || last.Said != "" {
		t.Fatalf("the note step: %+v", last)
	}
	// Refused: too short, too long, not staff.
	for _, tt := range []struct {
		who, text string
		code      core.Code
	}{{"staff", " ", core.Invalid}, {"staff", "好", core.Invalid}, {"staff", strings.Repeat("長", 2001), core.Invalid},
		{"wang", "我也想寫備註", core.Forbidden}, {"li", "路過", core.NotFound}, {"mentor", "被投訴的人", core.NotFound}} {
		if _, err := note(tt.who, tt.text); !core.IsCode(err, tt.code) {
			t.Errorf("%s notes %q: %v, want %s", tt.who, tt.text, err, tt.code)
		}
	}
	// Answered, then closed: notes still go in, and the answer holds the
	// answer only.
	const answer = "已增派人手，下週起等候不超過三十分鐘。"
	if _, err = e.svc.ActOnComplaint(ctx, staff, c.ID, hotline.ComplaintStep{Action: "answer", Text: answer}, meta); err != nil {
		t.Fatal(err)
	}
	if _, err := note("staff2", "答覆後致電確認，投訴人表示滿意"); err != nil {
		t.Fatalf("note on an answered complaint: %v", err)
	}
	if _, err = e.svc.ActOnComplaint(ctx, wang, c.ID, hotline.ComplaintStep{Action: "close"}, meta); err != nil {
		t.Fatal(err)
	}
	x, err = note("admin", "結案後抽查：處理妥當")
	if err != nil || x.Status != hotline.Closed || x.Answer != answer || x.AssigneeID != staff.ID {
		t.Fatalf("note on a closed complaint: %+v %v", x, err)
	}
	notes := 0
	for _, st := range x.History {
		if st.Action == hotline.NoteAction {
			notes++
		}
	}
	if notes != 3 {
		t.Errorf("staff read %d notes, want 3", notes)
	}
	// The complainant: no note, no note step, no notification of one.
	mine, err := e.svc.Complaint(ctx, wang, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range mine.History {
		if st.Action == hotline.NoteAction || st.Note != "" {
			t.Errorf("the complainant reads %+v", st)
		}
	}
	if mine.Answer != answer || len(mine.History) != len(x.History)-notes {
		t.Errorf("the complainant's view: answer %q, %d steps of %d", mine.Answer, len(mine.History), len(x.History))
	}
	if n, _ := e.notify.Unread(ctx, wang.ID); n != 1 { // the answer only
		t.Errorf("the complainant has %d notifications", n)
	}
	part, err := e.svc.PersonalData().Export(ctx, wang.ID)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(part)
	if strings.Contains(string(raw), secret) || strings.Contains(string(raw), `"action":"note"`) || !strings.Contains(string(raw), answer) {
		t.Errorf("the export: %s", raw)
	}
	// The board: the note took nobody's complaint.
	other, _ := e.svc.FileComplaint(ctx, wang, hotline.NewComplaint{Kind: "other", Subject: "手機表單顯示不全", Against: "portal", Details: "按鈕被遮住了。"}, meta)
	if _, err := e.svc.ActOnComplaint(ctx, staff, other.ID, hotline.ComplaintStep{Action: hotline.NoteAction, Text: "已轉給技術組"}, meta); err != nil {
		t.Fatal(err)
	}
	if rows, _, _, _ := e.svc.Complaints(ctx, staff, hotline.ComplaintQuery{AssigneeID: hotline.Unassigned}); len(rows) != 1 || rows[0].ID != other.ID {
		t.Errorf("nobody's after a note: %+v", rows)
	}
}

// TestReopenNeedsReason: reopening takes a reason of at least five
// characters, from staff and from the complainant alike; without one
// nothing is written. The reason is read by both.
func TestReopenNeedsReason(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	staff, wang := e.who["staff"], e.who["wang"]
	c, err := e.svc.FileComplaint(ctx, wang, hotline.NewComplaint{Kind: "service", Subject: "窗口辦理太慢", Against: "department",
		AgainstName: "就業服務窗口", Details: "排隊兩個小時才輪到。"}, meta)
	if err != nil {
		t.Fatal(err)
	}
	if c, err = e.svc.ActOnComplaint(ctx, staff, c.ID, hotline.ComplaintStep{Action: "answer", Text: "已增派人手，請再試一次。"}, meta); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"wang", "staff"} {
		for _, text := range []string{"", "   ", "不滿意", "\u200b\u200b\u200b\u200b\u200b"} {
			_, err := e.svc.ActOnComplaint(ctx, e.who[who], c.ID, hotline.ComplaintStep{Action: "reopen", Text: text}, meta)
			if !slices.Equal(fields(err), []string{"text"}) {
				t.Errorf("%s reopens with %q: %v", who, text, err)
			}
		}
	}
	after, _ := e.svc.Complaint(ctx, staff, c.ID)
	if after.Status != hotline.Answered || after.Version != c.Version || len(after.History) != len(c.History) || !after.DueAt.Equal(c.DueAt) {
		t.Fatalf("a refused reopening wrote: %+v", after)
	}
	for _, tt := range []struct {
		who    string
		reason string
	}{{"wang", "等候時間還是超過一小時"}, {"staff", "投訴人來電表示問題仍在"}} {
		x, err := e.svc.ActOnComplaint(ctx, e.who[tt.who], c.ID, hotline.ComplaintStep{Action: "reopen", Text: tt.reason}, meta)
		if err != nil || x.Status != hotline.Reopened {
			t.Fatalf("%s reopens: %v", tt.who, err)
		}
		for _, reader := range []accounts.Principal{wang, staff} {
			x, _ := e.svc.Complaint(ctx, reader, c.ID)
			if last := x.History[len(x.History)-1]; last.Action != "reopen" || last.Said != tt.reason || last.Note != "" {
				t.Errorf("%s reads %s's reopening as %+v", reader.Name, tt.who, last)
			}
		}
		if _, err := e.svc.ActOnComplaint(ctx, staff, c.ID, hotline.ComplaintStep{Action: "answer", Text: "已再次處理，請查看。"}, meta); err != nil {
			t.Fatal(err)
		}
	}
}
