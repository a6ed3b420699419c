package portal_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/orgs"
	"onestop/services/people"
	"onestop/services/pii"
)

// ownWorld is a portal with two accounts of every role but the
// administrator's, set up to act (both providers listed, each officer at
// their own bank, each manager at their own base, the first mentor
// approved), where the ownership matrix builds its records: the first
// account of a role owns (or is assigned to) what it builds, the second
// is the other account of the same role.
type ownWorld struct {
	tp     *portaltest.Portal
	seed   string // the CSRF cookie every page request carries
	admin  string
	tok    map[accounts.Role][2]string
	id     map[accounts.Role][2]string
	bank   [2]string
	base   [2]string
	n      int            // accounts made so far
	cache  map[string]fix // records of GET rows, by kind and role
	setup  int            // requests made to build records
	today  string
	person string // an entrepreneur with a profile and an operating venture
	// code is a certificate the person earned; freeCourse a course with
	// seats that staff may enrol the person in.
	code, freeCourse string
	reviewer         string // a third mentor, the second reviewer of a project
	orgClaim         string // the first organisation's open reward claim
}

// fix is a record a row acts on: the concrete path and the token of its
// owner.
type fix struct {
	path, owner string
	ids         map[string]string
}

func newOwnWorld(t *testing.T, tp *portaltest.Portal) *ownWorld {
	t.Helper()
	o := &ownWorld{tp: tp, seed: "ownership-matrix-seed", tok: map[accounts.Role][2]string{}, id: map[accounts.Role][2]string{},
		cache: map[string]fix{}, today: core.DateOf(tp.Now()).String()}
	_, o.admin, _ = tp.Account(accounts.Admin, "admin@own.test.cn")
	for _, r := range accounts.Roles {
		if r == accounts.Admin {
			continue
		}
		var ids, toks [2]string
		for i := range 2 {
			ids[i], toks[i], _ = tp.Account(r, fmt.Sprintf("%s%d@own.test.cn", r, i+1))
		}
		o.tok[r], o.id[r] = toks, ids
	}
	for i := range 2 {
		o.must(t, "POST", "/api/v1/admin/providers/"+o.id[accounts.Provider][i], map[string]any{"listed": true}, o.admin)
		b := o.must(t, "POST", "/api/v1/admin/banks", map[string]any{"name": fmt.Sprintf("城商行%d", i+1)}, o.admin)
		o.bank[i] = portaltest.Str(b, "id")
		o.must(t, "POST", "/api/v1/admin/banks/"+o.bank[i]+"/officers", map[string]any{"officers": []string{o.id[accounts.BankOfficer][i]}}, o.admin)
		base := o.must(t, "POST", "/api/v1/admin/bases", map[string]any{"name": fmt.Sprintf("創業園%d", i+1), "level": "municipal", "district": "hightech",
			"address": "高新路1號", "contact": "0755-1234", "industries": []string{"technology"}, "seats": 20, "intake_open": true, "services": []string{"mentoring"}}, o.admin)
		o.base[i] = portaltest.Str(base, "id")
		o.must(t, "POST", "/api/v1/admin/bases/"+o.base[i]+"/status", map[string]string{"status": "approved"}, o.admin)
		o.must(t, "POST", "/api/v1/admin/bases/"+o.base[i]+"/managers", map[string]any{"manager_ids": []string{o.id[accounts.IncubatorManager][i]}}, o.admin)
		o.must(t, "PUT", "/api/v1/me/mentor", map[string]any{"type": "successful_founder", "industries": []string{"technology"},
			"topics": []string{"financing", "tax", "law"}, "bio": "連續創業者，十年軟件公司經營經驗。", "languages": []string{"zh"}, "capacity": 50, "contact": []string{"sms"}},
			o.tok[accounts.Mentor][i])
	}
	// Each organisation's account manages an organisation of its own.
	for i := range 2 {
		in := orgs.Input{Name: fmt.Sprintf("測試單位%d", i+1), CreditCode: orgs.WithCheckChar(fmt.Sprintf("914401017084611%02d", i)), Kind: orgs.Employer,
			District: "dongcheng", Address: "東城區人民路1號", ContactName: "陳經理", ContactPhone: "0755-86013388"}
		if _, err := tp.App.Bureau().Orgs.Found(context.Background(), o.orgManager(i), in, accounts.Meta{IP: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
	}
	o.reviewer, _, _ = tp.Account(accounts.Mentor, "mentor3@own.test.cn")
	o.must(t, "POST", "/api/v1/admin/intakes", map[string]string{"name": "2026 冬季"}, o.admin)
	// Only the first mentor is approved: questions go to them.
	o.must(t, "POST", "/api/v1/admin/mentors/"+o.id[accounts.Mentor][0]+"/status", map[string]string{"status": "active"}, o.admin)
	// The first entrepreneur has a profile and a venture in its first
	// months (a check-in due within the month).
	profile := portaltest.GoodProfile()
	profile["venture"] = map[string]any{"stage": "operating", "form": "individual", "industry": "information_service",
		"first_registered": core.DateOf(tp.Now().AddDate(0, -5, -10)).String()}
	o.must(t, "PUT", "/api/v1/me/profile", profile, o.tok[accounts.Entrepreneur][0])
	o.person = o.id[accounts.Entrepreneur][0]

	// A certificate: the person takes a course that then takes place (the
	// clock moves past the tokens, so everyone signs in again).
	school := o.tok[accounts.Provider][0]
	c := o.must(t, "POST", "/api/v1/courses", o.courseBody(), school)
	o.must(t, "POST", "/api/v1/courses/"+portaltest.Str(c, "id")+"/enrolments", map[string]any{}, o.tok[accounts.Entrepreneur][0])
	tp.Advance(72 * time.Hour)
	o.admin = tp.Login("admin@own.test.cn")
	for r, toks := range o.tok {
		for i := range toks {
			toks[i] = tp.Login(fmt.Sprintf("%s%d@own.test.cn", r, i+1))
		}
		o.tok[r] = toks
	}
	o.today = core.DateOf(tp.Now()).String()
	school = o.tok[accounts.Provider][0]
	o.must(t, "POST", "/api/v1/courses/"+portaltest.Str(c, "id")+"/attendance", map[string]any{"session_id": "s1", "present": []string{o.person}}, school)
	o.must(t, "POST", "/api/v1/courses/"+portaltest.Str(c, "id")+"/complete", map[string]any{}, school)
	o.setup++
	_, body := tp.Do("GET", "/api/v1/me/trainings", nil, o.tok[accounts.Entrepreneur][0])
	mine := portaltest.Decode[struct {
		Items []struct {
			Code string `json:"code"`
		} `json:"items"`
	}](t, body)
	if len(mine.Items) != 1 || mine.Items[0].Code == "" {
		t.Fatalf("no certificate: %s", body)
	}
	o.code = mine.Items[0].Code
	o.freeCourse = portaltest.Str(o.must(t, "POST", "/api/v1/courses", o.courseBody(), school), "id")
	return o
}

// must sends a request that has to succeed and decodes the answer.
func (o *ownWorld) must(t *testing.T, method, path string, body any, token string) map[string]any {
	t.Helper()
	o.setup++
	out := o.tp.MustDo(t, method, path, body, token)
	if len(out) == 0 || out[0] != '{' {
		return nil
	}
	return portaltest.Decode[map[string]any](t, out)
}

// entrepreneur makes a new entrepreneur account (records that allow one
// open at a time get a fresh owner each).
func (o *ownWorld) entrepreneur(t *testing.T) (id, token string) {
	t.Helper()
	o.n++
	id, token, _ = o.tp.Account(accounts.Entrepreneur, fmt.Sprintf("owner%d@own.test.cn", o.n))
	return id, token
}

// borrower is a new entrepreneur the guaranteed loan is open to.
func (o *ownWorld) borrower(t *testing.T) (id, token string) {
	t.Helper()
	id, token = o.entrepreneur(t)
	o.must(t, "PUT", "/api/v1/me/profile", map[string]any{"real_name": "李秀英", "consent_version": "2026-11", "target_groups": []string{"land_expropriated_farmer"},
		"venture": map[string]any{"stage": "preparing", "micro_profit": true, "own_funds_sufficient": false, "industry": "agri_processing"}}, token)
	// On her village's roster: her file may be forwarded to the bank.
	if _, err := o.tp.App.Bureau().People.FromRoster(context.Background(), id, people.RosterEntry{Roster: "測試花名冊", Fact: "on_farmer_roster", Value: "true"}); err != nil {
		t.Fatal(err)
	}
	return id, token
}

// kindOf names the kind of record a route's first parameter is.
func kindOf(path string) string {
	for _, k := range []struct{ part, kind string }{
		{"staff/people/", "person"}, // before a loan's attachments: a person's evidence documents are theirs
		{"/attachments/:att", "attachment"}, {"loans/", "loan"}, {"services/", "service"}, {"consultations/", "consultation"},
		{"complaints/", "complaint"}, {"manage/bases/", "base"}, {"bases/", "base"}, {"applications/", "application"},
		{"cases/", "case"}, {"courses/", "course"}, {"training/", "course"}, {"certificates/", "certificate"},
		{"hotline/contacts/", "contact"}, {"hotline/calls/", "call"}, {"hotline/accounts/", "account"},
		{"mentors/", "mentor"}, {"policies/", "policy"}, {"projects/", "project"}, {"ventures/", "venture"},
		{"disputes/", "dispute"}, {"org/invitations/", "org_invite"}, {"orgs/mine/invitations/", "org_invite"}, {"org/users/", "org_user"},
		{"orgs/mine/users/", "org_user"}, {"grants/:id/attachments/:doc", "grant_doc"}, {"grants/", "grant"}, {"verify/", "grant_code"},
	} {
		if strings.Contains(path, k.part) {
			return k.kind
		}
	}
	return ""
}

// fixture is the record a row acts on: a fresh one for a write, one per
// kind and role for a read.
func (o *ownWorld) fixture(t *testing.T, method, path string, role accounts.Role) fix {
	t.Helper()
	kind := kindOf(path)
	if kind == "" {
		t.Fatalf("%s: no kind of record for its parameter; add it to kindOf", path)
	}
	variant := ""
	if kind == "project" && strings.HasSuffix(path, "/reviews") {
		variant = "review"
	}
	if kind == "person" && strings.Contains(path, "/attachments/:att") {
		variant = "evidence"
	}
	key := kind + variant + "/" + string(role)
	if method == "GET" {
		if f, ok := o.cache[key]; ok {
			f.path = o.fill(path, f.ids)
			return f
		}
	}
	f := o.build(t, kind, variant, role)
	f.path = o.fill(path, f.ids)
	if method == "GET" {
		o.cache[key] = f
	}
	return f
}

func (o *ownWorld) fill(path string, ids map[string]string) string {
	return strings.NewReplacer(":id", ids["id"], ":att", ids["att"], ":code", ids["code"], ":doc", ids["doc"]).Replace(path)
}

// build makes a record of a kind that the first account of the role owns
// where the role can own one.
func (o *ownWorld) build(t *testing.T, kind, variant string, role accounts.Role) fix {
	t.Helper()
	hot := o.tok[accounts.Hotline][0]
	first := o.tok[role][0]
	f := fix{owner: first, ids: map[string]string{}}
	switch kind {
	case "service":
		owner := o.tok[accounts.Entrepreneur][0]
		s := o.must(t, "POST", "/api/v1/services", map[string]any{"type": "financing", "details": "想了解創業擔保貸款的申請流程"}, owner)
		f.ids["id"] = portaltest.Str(s, "id")
		if role == accounts.Hotline {
			o.must(t, "POST", "/api/v1/staff/services/"+f.ids["id"]+"/assign", map[string]any{}, hot)
		}
		if role == accounts.Entrepreneur {
			f.owner = owner
		}
	case "consultation":
		owner := o.tok[accounts.Entrepreneur][0]
		q := o.must(t, "POST", "/api/v1/consultations", map[string]any{"topic": "financing", "question": "怎樣申請創業擔保貸款？需要哪些材料？"}, owner)
		f.ids["id"] = portaltest.Str(q, "id")
		if m := portaltest.Str(q, "mentor_id"); m != "" && m != o.id[accounts.Mentor][0] {
			t.Fatalf("the question went to mentor %s, not the approved one", m)
		}
		if role == accounts.Entrepreneur {
			f.owner = owner
		}
	case "complaint":
		owner := o.tok[accounts.Entrepreneur][0]
		c := o.must(t, "POST", "/api/v1/complaints", map[string]any{"kind": "service", "subject": "等太久", "against": "portal", "details": "網頁打不開", "desired": "改善"}, owner)
		f.ids["id"] = portaltest.Str(c, "id")
		if role == accounts.Entrepreneur {
			f.owner = owner
		}
	case "project":
		author := first
		if variant == "review" || role == accounts.Admin {
			author = o.tok[accounts.Entrepreneur][0]
		}
		p := o.must(t, "POST", "/api/v1/projects", o.projectBody(variant == "review"), author)
		f.ids["id"] = portaltest.Str(p, "id")
		if variant == "review" {
			o.must(t, "POST", "/api/v1/projects/"+f.ids["id"]+"/reviewers", map[string]any{"reviewer_ids": []string{o.id[accounts.Mentor][0], o.reviewer}}, o.admin)
		}
	case "loan", "attachment":
		_, owner := o.borrower(t)
		l := o.must(t, "POST", "/api/v1/loans", o.loanBody(), owner)
		f.ids["id"] = portaltest.Str(l, "id")
		if kind == "attachment" {
			a := o.upload(t, "/api/v1/loans/"+f.ids["id"]+"/attachments", owner)
			f.ids["att"] = portaltest.Str(a, "id")
		}
		if role == accounts.BankOfficer {
			o.must(t, "POST", "/api/v1/loans/"+f.ids["id"]+"/steps", map[string]any{"action": "forward", "note": "已核實花名冊與身份"}, hot)
		}
		if role == accounts.Entrepreneur {
			f.owner = owner
		}
	case "base":
		f.ids["id"] = o.base[0]
	case "application":
		_, owner := o.entrepreneur(t)
		o.setup++
		apps := portaltest.Decode[struct {
			Items []map[string]any `json:"items"`
		}](t, o.tp.MustDo(t, "POST", "/api/v1/applications", map[string]any{"choices": []string{o.base[0]}, "venture": "社區烘焙坊，兩人團隊"}, owner))
		f.ids["id"] = portaltest.Str(apps.Items[0], "id")
		if role == accounts.Entrepreneur {
			f.owner = owner
		}
	case "case":
		pid, owner := o.borrower(t)
		c := o.must(t, "POST", "/api/v1/hotline/accounts/"+pid+"/contact", map[string]any{}, hot)
		cs := o.must(t, "POST", "/api/v1/cases", map[string]any{"contact_id": portaltest.Str(c, "id"), "reasons": []string{"market"}, "loan_status": "none", "situation": "店面關閉"}, hot)
		f.ids["id"] = portaltest.Str(cs, "id")
		o.must(t, "POST", "/api/v1/cases/"+f.ids["id"]+"/mentor", map[string]any{"mentor_id": o.id[accounts.Mentor][0]}, hot)
		if role == accounts.Entrepreneur {
			f.owner = owner
		}
	case "course":
		c := o.must(t, "POST", "/api/v1/courses", o.courseBody(), o.tok[accounts.Provider][0])
		f.ids["id"] = portaltest.Str(c, "id")
	case "certificate":
		f.ids["code"] = o.code
	case "contact":
		c := o.must(t, "POST", "/api/v1/hotline/contacts", map[string]any{"name": "陳先生", "phone": fmt.Sprintf("1391234%04d", o.setup)}, hot)
		f.ids["id"] = portaltest.Str(c, "id")
	case "call":
		c := o.must(t, "POST", "/api/v1/hotline/contacts", map[string]any{"name": "陳先生"}, hot)
		call := o.must(t, "POST", "/api/v1/hotline/calls", map[string]any{"contact_id": portaltest.Str(c, "id"), "type": "policy", "topic": "loan", "notes": "問貸款", "outcome": "resolved", "duration_minutes": 2}, hot)
		f.ids["id"] = portaltest.Str(call, "id")
	case "account":
		f.ids["id"], _ = o.borrower(t)
	case "person", "venture":
		f.ids["id"] = o.person
		if variant == "evidence" {
			a := o.upload(t, "/api/v1/staff/people/"+o.person+"/attachments", o.tok[accounts.CaseOfficer][0])
			f.ids["att"] = portaltest.Str(a, "id")
		}
		if kind == "venture" && role == accounts.Entrepreneur {
			f.owner = o.tok[accounts.Entrepreneur][0]
		}
	case "dispute":
		// A new person saves the first entrepreneur's ID number.
		id, token := o.entrepreneur(t)
		o.must(t, "PUT", "/api/v1/me/profile", portaltest.With(portaltest.GoodProfile(), "phone", nil), token)
		f.ids["id"] = id + ":id_number"
	case "mentor":
		f.ids["id"] = o.id[accounts.Mentor][0]
	case "policy":
		f.ids["id"] = "guaranteed-loan"
	case "org_invite":
		// An open invitation of the first organisation (its manager owns
		// it); the second organisation's manager is the other.
		o.n++
		inv := o.must(t, "POST", "/api/v1/orgs/mine/invitations", map[string]any{"email": fmt.Sprintf("invitee%d@own.test.cn", o.n), "name": "同事"}, first)
		f.ids["id"] = portaltest.Str(inv, "id")
	case "grant", "grant_doc", "grant_code":
		return o.grant(t, kind, role, f)
	case "org_user":
		// A colleague who joined the first organisation.
		o.n++
		id, _, _ := o.tp.Account(accounts.Organisation, fmt.Sprintf("colleague%d@own.test.cn", o.n))
		svc, m := o.tp.App.Bureau().Orgs, accounts.Meta{IP: "192.0.2.1"}
		inv, err := svc.Invite(context.Background(), o.orgManager(0), orgs.InviteInput{Email: fmt.Sprintf("colleague%d@own.test.cn", o.n), Name: "同事"}, m)
		if err == nil {
			_, err = svc.Accept(context.Background(), accounts.Principal{ID: id, Role: accounts.Organisation}, inv.Token, m)
		}
		if err != nil {
			t.Fatal(err)
		}
		f.ids["id"] = id
	}
	return f
}

// orgManager is the organisation's account i as the manager of its own
// organisation.
func (o *ownWorld) orgManager(i int) accounts.Principal {
	return accounts.Principal{ID: o.id[accounts.Organisation][i], Role: accounts.Organisation, Name: "測試organisation"}
}

// body is a valid request body of a row, so that a refusal is about who
// asks: the same fields serve the API (JSON) and the pages (a form).
func (o *ownWorld) body(method, path string, role accounts.Role, f fix) map[string]any {
	if method == "GET" || method == "DELETE" {
		return nil
	}
	last := path[strings.LastIndexByte(path, '/')+1:]
	kind := kindOf(path)
	switch {
	case kind == "project" && (method == "PUT" || last == ":id"):
		b := o.projectBody(false)
		delete(b, "submit") // an edit saves; submitting is its own step
		return b
	case kind == "project" && last == "reviews":
		return map[string]any{"scores": map[string]int{"market": 4, "investment": 4, "risk": 5, "employment": 3, "feasibility": 4},
			"score.market": "4", "score.investment": "4", "score.risk": "5", "score.employment": "3", "score.feasibility": "4", "opinion": "選址合理，需求穩定，建議推介。"}
	case kind == "base" && method == "PUT":
		return map[string]any{"name": "創業園1", "level": "municipal", "district": "hightech", "address": "高新路2號", "contact": "0755-1234",
			"industries": []string{"technology"}, "seats": 20, "intake_open": true, "services": []string{"mentoring"}}
	case kind == "loan" && last == "steps":
		switch role {
		case accounts.Entrepreneur:
			return map[string]any{"action": "withdraw", "note": "不需要了"}
		case accounts.BankOfficer:
			return map[string]any{"action": "decline", "note": "經營流水不足"}
		}
		return map[string]any{"action": "forward", "note": "已核實花名冊與身份"}
	case kind == "complaint":
		if role == accounts.Hotline {
			return map[string]any{"action": "start"}
		}
		return map[string]any{"action": "withdraw", "text": "已解決"}
	case kind == "consultation" && last == "messages":
		return map[string]any{"text": "請問需要準備哪些材料？"}
	case kind == "consultation" && last == "decline":
		return map[string]any{"reason": "not_my_field", "text": "不熟悉此領域"}
	case kind == "consultation" && last == "close":
		return map[string]any{"rating": 5, "text": "謝謝"}
	case kind == "service" && last == "complete":
		return map[string]any{"note": "已介紹貸款流程"}
	case kind == "service" && last == "cancel":
		return map[string]any{"note": "自行辦好了"}
	case kind == "service" && last == "assign":
		return map[string]any{"assignee_id": o.id[accounts.Hotline][0]}
	case kind == "case":
		switch last {
		case "contacts":
			return map[string]any{"on": o.today, "channel": "phone", "note": "情緒低落"}
		case "schedule":
			return map[string]any{"days": []int{30, 60}}
		case "mentor":
			return map[string]any{"mentor_id": o.id[accounts.Mentor][0]}
		case "staff":
			return map[string]any{"staff_id": o.id[accounts.Hotline][0]}
		case "help":
			return map[string]any{"kind": "consultation", "text": "停業後怎樣選新項目？"}
		case "close":
			return map[string]any{"outcome": "started_again", "on": o.today}
		case "eligibility":
			return map[string]any{}
		}
		return map[string]any{"reasons": []string{"market"}, "loan_status": "none", "situation": "店面關閉"}
	case kind == "course" && last == "attendance":
		return map[string]any{"session_id": "s1", "present": []string{}}
	case kind == "course" && last == "enrolments" && role != accounts.Entrepreneur:
		return map[string]any{"person_id": o.person}
	case kind == "person" && last == "enrol":
		return map[string]any{"course_id": o.freeCourse}
	case kind == "person" && last == "verify":
		return map[string]any{"fact": "on_farmer_roster", "value": true, "note": "已核對北山村花名冊"}
	case kind == "person" && last == "recommendations":
		return map[string]any{"kind": "training", "what": "中式烹調師培訓", "on": o.today, "answer": "accepted"}
	case kind == "call":
		return map[string]any{"to": "consultation"}
	case kind == "contact" && last == "calls":
		return map[string]any{"type": "policy", "topic": "loan", "notes": "問貸款", "outcome": "resolved", "duration_minutes": 2}
	case kind == "dispute":
		return map[string]any{"decision": "holder", "note": "到窗口核驗身分證"}
	case kind == "venture":
		return map[string]any{"month": 6, "on": o.today, "operating": true, "employees": 4}
	case kind == "grant" && last == "steps":
		switch role {
		case accounts.Entrepreneur, accounts.Organisation:
			return map[string]any{"action": "withdraw"}
		}
		return map[string]any{"action": "refuse", "note": "資料不符合要求"}
	case kind == "application" && strings.Contains(path, "/manage/"):
		return map[string]any{"reason": "名額已滿"}
	}
	return map[string]any{}
}

func (o *ownWorld) projectBody(submit bool) map[string]any {
	return map[string]any{"title": "社區洗衣便民店", "summary": "提供乾洗和熨燙", "description": "租用臨街商鋪，提供洗衣、乾洗和熨燙服務。",
		"industry": "community_service", "district": "xicheng", "investment_yuan": 60000, "risk": "low", "expected_jobs": 3,
		"target_groups": []string{"registered_unemployed"}, "tags": []string{"洗衣"}, "source": "individual", "submit": submit}
}

func (o *ownWorld) loanBody() map[string]any {
	return map[string]any{"policy_id": "guaranteed-loan", "amount_yuan": 20000, "term_months": 24, "purpose": "購買豆腐坊設備",
		"guarantee": "guarantee_fund", "guarantee_details": "擔保基金", "plan": "在村口開豆腐坊，日產 200 斤，供應三家超市，預計八個月收回設備投資。",
		"documents": []string{"id_card", "business_plan"}, "bank_id": o.bank[0]}
}

func (o *ownWorld) courseBody() map[string]any {
	return map[string]any{"title": "創業培訓（SYB）", "kind": "planning", "description": "課程", "place": "東城區", "certificate": "合格證", "seats": 10,
		"sessions": []map[string]any{{"starts_at": o.tp.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339), "hours": 3}}}
}

// upload sends a document to a loan file through the API.
func (o *ownWorld) upload(t *testing.T, path, token string) map[string]any {
	t.Helper()
	return o.uploadAs(t, path, token, "lease")
}

// uploadAs sends a document of a kind.
func (o *ownWorld) uploadAs(t *testing.T, path, token, kind string) map[string]any {
	t.Helper()
	r, ct := portaltest.Multipart(t, map[string]string{"kind": kind}, "租約.png", []byte("\x89PNG\r\n\x1a\nrest"))
	req := httptest.NewRequest("POST", path, r)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := o.tp.App.HTTP().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("upload %s: %d %s", path, resp.StatusCode, body)
	}
	o.setup++
	return portaltest.Decode[map[string]any](t, body)
}

// grant builds an application for a support: an organisation's role gets
// a reward claim of the first organisation (verified, its farmer on the
// roster); every other role a new person's fee-exemption application. A
// document row gets evidence on it; a code row a granted certificate.
func (o *ownWorld) grant(t *testing.T, kind string, role accounts.Role, f fix) fix {
	t.Helper()
	ctx, m := context.Background(), accounts.Meta{IP: "192.0.2.1"}
	b := o.tp.App.Bureau()
	evidence, applicant := "id_card", f.owner
	if role == accounts.Organisation && kind != "grant_code" {
		org, _, err := b.Orgs.Of(ctx, o.id[accounts.Organisation][0])
		if err == nil && !org.Verified() {
			_, err = b.Orgs.Verify(ctx, accounts.Principal{ID: "own-admin", Role: accounts.Admin, Name: "admin"}, org.ID, m)
		}
		if err != nil {
			t.Fatal(err)
		}
		o.n++
		number := pii.WithCheckDigit(fmt.Sprintf("44030119800101%03d", o.n))
		if _, err := b.People.ImportRoster(ctx, "farmers", "測試花名冊", strings.NewReader(`{"id_number":"`+number+`"}`+"\n"), "jsonl", nil); err != nil {
			t.Fatal(err)
		}
		// One open claim at a time: the one a row before built ends first
		// (a row that ended it already gets a conflict, which is fine).
		if o.orgClaim != "" {
			o.tp.Do("POST", "/api/v1/grants/"+o.orgClaim+"/steps", map[string]any{"action": "withdraw"}, f.owner)
		}
		g := o.must(t, "POST", "/api/v1/grants", map[string]any{"policy_id": "farmer-hiring-reward", "lines": []map[string]any{{"name": "農民甲", "id_number": number,
			"contract_start": core.DateOf(o.tp.Now().AddDate(-3, 0, 0)).String(), "contract_years": 3, "social_insurance": true}}}, f.owner)
		f.ids["id"] = portaltest.Str(g, "id")
		o.orgClaim = f.ids["id"]
		evidence = "labour_contracts"
	} else {
		id, token := o.entrepreneur(t)
		first := core.DateOf(o.tp.Now().AddDate(0, -2, 0)).String()
		o.must(t, "PUT", "/api/v1/me/profile", map[string]any{"real_name": "陳美玲", "consent_version": "2026-11", "target_groups": []string{"registered_unemployed"},
			"venture": map[string]any{"stage": "operating", "form": "individual", "industry": "information_service", "first_registered": first}}, token)
		g := o.must(t, "POST", "/api/v1/grants", map[string]any{"policy_id": "fee-exemption-3y"}, token)
		f.ids["id"], applicant = portaltest.Str(g, "id"), token
		if role == accounts.Entrepreneur {
			f.owner = token
		}
		if kind == "grant_code" {
			officer := o.tok[accounts.CaseOfficer][0]
			o.must(t, "POST", "/api/v1/staff/people/"+id+"/facts/verify", map[string]any{"fact": "target_groups.registered_unemployed", "value": true, "note": "失業登記證"}, officer)
			o.must(t, "POST", "/api/v1/staff/people/"+id+"/facts/verify", map[string]any{"fact": "venture.first_registered", "value": first, "note": "營業執照"}, officer)
			o.uploadAs(t, "/api/v1/grants/"+f.ids["id"]+"/attachments", token, "id_card")
			o.uploadAs(t, "/api/v1/grants/"+f.ids["id"]+"/attachments", token, "business_licence")
			done := o.must(t, "POST", "/api/v1/grants/"+f.ids["id"]+"/steps", map[string]any{"action": "grant"}, officer)
			grant, _ := done["grant"].(map[string]any)
			f.ids["code"], _ = grant["code"].(string)
			return f
		}
	}
	if kind == "grant_doc" {
		d := o.uploadAs(t, "/api/v1/grants/"+f.ids["id"]+"/attachments", applicant, evidence)
		f.ids["doc"] = portaltest.Str(d, "id")
	}
	return f
}
