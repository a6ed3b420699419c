package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// What people type and pick: Chinese words in both scripts (the library
// folds one into the other), and the facets of the portal's forms. The
// districts and industries are the portal's reference data: discover reads
// the running portal's lists (GET /api/v1/reference), so a bureau's own
// lists are exercised; these, the lists it ships, stand in for a portal
// that does not answer that.
var (
	words          = []string{"社區", "服務", "養老", "直播", "回收", "加工", "電商", "裝修", "農產品", "家政", "社区", "养老", "电商", "物流", "培訓", "冷鏈", "記賬", "托育"}
	shipIndustries = []string{"technology", "resource_recycling", "labour_intensive", "agri_processing", "trade_promotion", "community_service", "construction_labour", "information_service"}
	shipDistricts  = []string{"dongcheng", "xicheng", "nancheng", "beicheng", "hightech", "econdev", "lingang", "beishan"}
	risks          = []string{"low", "medium", "high"}
	groups         = []string{"college_graduate", "registered_unemployed", "returning_migrant_worker", "land_expropriated_farmer", "retired_soldier"}
	surnames       = []string{"王", "李", "張", "劉", "陳", "楊", "黃", "趙", "林", "周"}
	topics         = []string{"financing", "marketing", "licensing", "tax", "law", "operations"}
	services       = []string{"project_development", "plan_design", "risk_assessment", "opening_guidance", "financing", "follow_up"}
	callTopics     = []string{"eligibility", "training", "loan", "subsidy", "registration", "tax", "premises", "incubator"}
	skills         = []string{"網店運營", "攝影", "烹飪", "財務記賬", "電工", "短視頻"}
)

// discover reads, as a guest, the ids the pages will be asked for.
func (e *env) discover(ctx context.Context) error {
	g := &user{env: e, client: e.client()}
	ids := func(path, field string) []string {
		a := g.api(ctx, "", "", http.MethodGet, path, nil, nil)
		var l map[string][]struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(a.body, &l)
		var out []string
		for _, it := range l[field] {
			out = append(out, it.ID)
		}
		return out
	}
	for p := 1; p <= 10; p++ {
		e.projects = append(e.projects, ids(fmt.Sprintf("/api/v1/projects?per_page=50&page=%d&sort=newest", p), "hits")...)
	}
	e.bases = ids("/api/v1/bases", "items")
	e.districts, e.industries = shipDistricts, shipIndustries
	var ref struct {
		Lists []struct {
			Kind    string `json:"kind"`
			Entries []struct {
				Code string `json:"code"`
			} `json:"entries"`
		} `json:"lists"`
	}
	if a := g.api(ctx, "", "", http.MethodGet, "/api/v1/reference", nil, nil); a.code == http.StatusOK && json.Unmarshal(a.body, &ref) == nil {
		for _, l := range ref.Lists {
			var codes []string
			for _, en := range l.Entries {
				codes = append(codes, en.Code)
			}
			switch {
			case len(codes) == 0:
			case l.Kind == "district":
				e.districts = codes
			case l.Kind == "industry":
				e.industries = codes
			}
		}
	}
	e.mentors = ids("/api/v1/mentors?size=50", "items")
	if len(e.projects) == 0 {
		return fmt.Errorf("load: %s has no projects in its library (is it running, with data?)", e.cfg.BaseURL)
	}
	return nil
}

func (u *user) q() string {
	w := u.one(words)
	if u.rng.IntN(2) == 0 {
		w += " " + u.one(words)
	}
	return url.QueryEscape(w)
}

// facet is one filter of the library, as picked from its side bar.
func (u *user) facet() string {
	switch u.rng.IntN(4) {
	case 0:
		return "&industry=" + u.one(u.env.industries)
	case 1:
		return "&district=" + u.one(u.env.districts)
	case 2:
		return "&risk=" + u.one(risks)
	}
	return "&target_group=" + u.one(groups)
}

// pages are the page views of the user's role.
func (u *user) pages() []action {
	g := func(route, path string) action {
		return func(ctx context.Context) { u.get(ctx, Page, route, path) }
	}
	as := []action{
		g("GET /", "/"),
		func(ctx context.Context) {
			u.get(ctx, Page, "GET /projects", "/projects?page="+strconv.Itoa(1+u.rng.IntN(5)))
		},
		func(ctx context.Context) { u.get(ctx, Page, "GET /projects/:id", "/projects/"+u.one(u.env.projects)) },
		func(ctx context.Context) { u.get(ctx, Page, "GET /projects/:id", "/projects/"+u.one(u.env.projects)) },
		g("GET /bases", "/bases"),
		g("GET /policies", "/policies"),
		g("GET /mentors", "/mentors"),
		g("GET /training", "/training"),
	}
	if len(u.env.bases) > 0 {
		as = append(as, func(ctx context.Context) { u.get(ctx, Page, "GET /bases/:id", "/bases/"+u.one(u.env.bases)) })
	}
	switch u.role {
	case RoleEntrepreneur:
		as = append(as, g("GET /profile", "/profile"), g("GET /supports", "/supports"), g("GET /services", "/services"),
			g("GET /me/venture", "/me/venture"), g("GET /bases/for-me", "/bases/for-me"), g("GET /consultations", "/consultations"),
			g("GET /notifications", "/notifications"))
		if len(u.requests) > 0 {
			as = append(as, func(ctx context.Context) { u.get(ctx, Page, "GET /services/:id", "/services/"+u.one(u.requests)) })
		}
	case RoleHotline, RoleAdmin:
		as = append(as, g("GET /hotline", "/hotline"), g("GET /staff/services", "/staff/services"), g("GET /hotline/cases", "/hotline/cases"),
			g("GET /complaints", "/complaints"), g("GET /hotline/topics", "/hotline/topics"))
		if u.contact != "" {
			as = append(as, func(ctx context.Context) {
				u.get(ctx, Page, "GET /hotline/contacts/:id", "/hotline/contacts/"+u.contact)
			})
		}
		if len(u.people) > 0 {
			as = append(as, func(ctx context.Context) { u.get(ctx, Page, "GET /staff/people/:id", "/staff/people/"+u.one(u.people)) })
		}
		if u.role == RoleAdmin {
			as = append(as, g("GET /admin/figures", "/admin/figures"), g("GET /admin/users", "/admin/users"), g("GET /admin/projects", "/admin/projects"))
		}
	}
	return as
}

// searches are the library, bases, mentors and (staff) people searches.
func (u *user) searches() []action {
	as := []action{
		func(ctx context.Context) { u.get(ctx, Search, "GET /projects?q", "/projects?q="+u.q()+u.facet()) },
		func(ctx context.Context) { u.get(ctx, Search, "GET /projects?q", "/projects?q="+u.q()) },
		func(ctx context.Context) {
			u.api(ctx, Search, "GET /api/v1/projects?q", http.MethodGet, "/api/v1/projects?q="+u.q()+u.facet(), nil, nil)
		},
		func(ctx context.Context) {
			f := []string{"district=" + u.one(u.env.districts), "industry=" + u.one(u.env.industries), "free=1", "target_group=" + u.one(groups)}[u.rng.IntN(4)]
			u.get(ctx, Search, "GET /bases?filter", "/bases?"+f)
		},
		func(ctx context.Context) {
			u.get(ctx, Search, "GET /mentors?q", "/mentors?q="+url.QueryEscape(u.one(words))+"&topic="+u.one(topics))
		},
	}
	if u.role == RoleHotline || u.role == RoleAdmin {
		as = append(as, func(ctx context.Context) {
			u.get(ctx, Search, "GET /staff/people?q", "/staff/people?q="+url.QueryEscape(u.one(surnames)))
		}, func(ctx context.Context) {
			// A number is looked up by POST, never in a URL (ASVS 14.2.1).
			u.form(ctx, Search, "POST /staff/people/search", "/staff/people/search", url.Values{"q": {fmt.Sprintf("139%08d", u.rng.IntN(100_000_000))}})
		})
	}
	return as
}

// writes are the role's forms and API creates.
func (u *user) writes() []action {
	switch u.role {
	case RoleEntrepreneur:
		as := []action{u.apiServiceRequest, u.webServiceRequest, u.ask}
		if u.profile != nil {
			as = append(as, u.saveProfile, u.saveProfile)
		}
		return as
	case RoleHotline, RoleAdmin:
		if u.contact == "" {
			return nil
		}
		return []action{u.apiCall, u.webCall}
	}
	return nil
}

func (u *user) key() string {
	return fmt.Sprintf("load-%d-%d-%d", u.env.cfg.Seed, u.id, u.seq.Add(1))
}

func (u *user) details() string {
	return fmt.Sprintf("想了解%s方面的支持，準備在%s開一家小店，請幫忙看看需要哪些手續。", u.one(words), u.one(words))
}

func (u *user) apiServiceRequest(ctx context.Context) {
	a := u.api(ctx, Write, "POST /api/v1/services", http.MethodPost, "/api/v1/services",
		map[string]string{"type": u.one(services), "details": u.details()}, map[string]string{"Idempotency-Key": u.key()})
	var r struct {
		ID string `json:"id"`
	}
	if a.code == http.StatusCreated && json.Unmarshal(a.body, &r) == nil && r.ID != "" && len(u.requests) < 20 {
		u.requests = append(u.requests, r.ID)
	}
}

func (u *user) webServiceRequest(ctx context.Context) {
	u.form(ctx, Write, "POST /services", "/services", url.Values{"type": {u.one(services)}, "details": {u.details()}})
}

func (u *user) ask(ctx context.Context) {
	u.api(ctx, Write, "POST /api/v1/consultations", http.MethodPost, "/api/v1/consultations",
		map[string]string{"topic": u.one(topics), "question": "請問" + u.details()}, map[string]string{"Idempotency-Key": u.key()})
}

// saveProfile changes the skills on the profile read at sign-in, as a
// person editing one field does.
func (u *user) saveProfile(ctx context.Context) {
	p := map[string]any{}
	for k, v := range u.profile {
		p[k] = v
	}
	p["skills"] = []string{u.one(skills), u.one(skills)}
	u.api(ctx, Write, "PUT /api/v1/me/profile", http.MethodPut, "/api/v1/me/profile", p, nil)
}

func (u *user) apiCall(ctx context.Context) {
	u.api(ctx, Write, "POST /api/v1/hotline/calls", http.MethodPost, "/api/v1/hotline/calls", map[string]any{
		"contact_id": u.contact, "type": "policy", "topic": u.one(callTopics), "notes": "來電詢問" + u.one(words) + "的扶持政策，已解答。",
		"outcome": "resolved", "duration_minutes": 1 + u.rng.IntN(15)}, map[string]string{"Idempotency-Key": u.key()})
}

func (u *user) webCall(ctx context.Context) {
	u.form(ctx, Write, "POST /hotline/contacts/:id/calls", "/hotline/contacts/"+u.contact+"/calls", url.Values{
		"type": {"consultation"}, "topic": {u.one(callTopics)}, "notes": {"詢問" + u.one(words) + "的辦理流程。"},
		"outcome": {"resolved"}, "duration_minutes": {strconv.Itoa(2 + u.rng.IntN(10))}})
}
