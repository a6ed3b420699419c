package portal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"onestop/portal/portaltest"
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/pii"
)

// xssPayloads are script and markup payloads stored in every free-text
// field a caller can write.
var xssPayloads = []string{
	`<script>alert(1)</script>`,
	`<SCRIPT SRC=//evil.example/x.js></SCRIPT>`,
	`<script>alert(String.fromCharCode(88,83,83))</script>`,
	`</script><script>alert(2)</script>`,
	`<img src=x onerror=alert(3)>`,
	`<IMG SRC="javascript:alert(4);">`,
	`<img src=1 href=1 onerror="javascript:alert(5)"></img>`,
	`<svg onload=alert(6)>`,
	`<svg><script>alert(7)</script></svg>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(8)>`,
	`<body onload=alert(9)>`,
	`<iframe src="javascript:alert(10)"></iframe>`,
	`<iframe srcdoc="<script>alert(11)</script>">`,
	`<object data="javascript:alert(12)">`,
	`<embed src="data:text/html,<script>alert(13)</script>">`,
	`<a href="javascript:alert(14)">click</a>`,
	`<a href="jav&#x09;ascript:alert(15)">tab</a>`,
	`<a href=" javascript:alert(16)">space</a>`,
	`<form action="javascript:alert(17)"><button>go</button></form>`,
	`<button formaction="javascript:alert(18)">x</button>`,
	`<input onfocus=alert(19) autofocus>`,
	`<details open ontoggle=alert(20)>`,
	`<video><source onerror="alert(21)">`,
	`<base href="//evil.example/">`,
	`<meta http-equiv="refresh" content="0;url=javascript:alert(22)">`,
	`<link rel=stylesheet href="//evil.example/x.css">`,
	`<style>@import "//evil.example/x.css";</style>`,
	`"><script>alert(23)</script>`,
	`'><img src=x onerror=alert(24)>`,
	`" onmouseover="alert(25)" x="`,
	`' onclick='alert(26)' x='`,
	`" autofocus onfocus="alert(27)`,
	"`onmouseover=alert(28)`",
	`</textarea><script>alert(29)</script>`,
	`</title><script>alert(30)</script>`,
	`</style><script>alert(31)</script>`,
	`--><script>alert(32)</script><!--`,
	`<![CDATA[<script>alert(33)</script>]]>`,
	`{{.}}{{template "base"}}{{printf "%s" "alert(34)"}}`,
	`${alert(35)}#{alert(36)}<%= alert(37) %>`,
	`{{constructor.constructor('alert(38)')()}}`,
	`javascript:alert(39)`,
	`data:text/html;base64,PHNjcmlwdD5hbGVydCg0MCk8L3NjcmlwdD4=`,
	`jaVasCript:/*-/*` + "`" + `/*\` + "`" + `/*'/*"/**/(/* */oNcliCk=alert() )//%0D%0A%0d%0a//</stYle/</titLe/</teXtarEa/</scRipt/--!>\x3csVg/<sVg/oNloAd=alert()//>\x3e`,
	`jaVasCript:/*-/*` + "`" + `/*\` + "`" + `/*'/*"/**/(/* */oNcliCk=alert() )//`,
	`<scr<script>ipt>alert(41)</scr</script>ipt>`,
	`&lt;script&gt;alert(42)&lt;/script&gt;`,
	`\u003cscript\u003ealert(43)\u003c/script\u003e`,
	`<a href="https://example.com" target=_blank rel=opener>x</a><img src=//evil.example/p.gif>`,
}

// xssWriter stores payloads through the API and counts what was stored.
type xssWriter struct {
	t               *testing.T
	tp              *portaltest.Portal
	stored, refused int            // field values stored, requests refused
	byPayload       map[string]int // payload → field values stored
}

// write sends base with every field set to the payload; when that is
// refused, each field alone. It returns the first stored answer (nil when
// nothing was stored).
func (x *xssWriter) write(method, path, token string, base map[string]any, fields []string, p string) map[string]any {
	x.t.Helper()
	set := func(body map[string]any, f string) {
		if _, list := base[f].([]string); list {
			body[f] = []string{p}
		} else {
			body[f] = p
		}
	}
	try := func(fs []string) map[string]any {
		body := map[string]any{}
		for k, v := range base {
			body[k] = v
		}
		for _, f := range fs {
			set(body, f)
		}
		resp, out := x.tp.Do(method, path, body, token)
		if resp.StatusCode >= 500 {
			x.t.Errorf("%s %s with %.60q: %d %s", method, path, p, resp.StatusCode, out)
		}
		if resp.StatusCode/100 != 2 {
			x.refused++
			return nil
		}
		x.stored += len(fs)
		x.byPayload[p] += len(fs)
		var m map[string]any
		_ = json.Unmarshal(out, &m)
		if m == nil {
			m = map[string]any{}
		}
		return m
	}
	if m := try(fields); m != nil || len(fields) == 1 {
		return m
	}
	var first map[string]any
	for _, f := range fields {
		if m := try([]string{f}); m != nil && first == nil {
			first = m
		}
	}
	return first
}

// TestStoredXSS (S5): about fifty script and polyglot payloads are stored
// through the API (validation applies; what it refuses is counted) in every
// free-text field a caller can write — names, profiles, service requests,
// projects (submitted and imported), consultations and answers, hotline
// contacts, calls, complaints (internal notes, reasons to reopen), cases
// and their notes, bases, banks, courses, loans, mentor profiles; then every page and every JSON answer
// is read as every role (and as some of the accounts that wrote payloads),
// the library also searched for the payloads (its highlights are HTML). No page may carry an element
// or attribute that came from a payload: no script but the portal's own
// static ones, no on* attribute, no javascript:/data: URL in a link, form
// or source, no iframe, object, embed, svg, math, base or refresh; every
// HTML answer carries a Content-Security-Policy, every JSON answer a JSON
// type and nosniff.
func TestStoredXSS(t *testing.T) {
	t.Parallel()
	// The detector finds what it looks for.
	bad, _ := goquery.NewDocumentFromReader(strings.NewReader(`<html><body><p>x</p><script>alert(1)</script><img src=x onerror=alert(2)>` +
		`<a href=" jav&#x09;ascript:alert(3)">y</a><iframe src=//evil.example></iframe><form action="https://evil.example/"></form></body></html>`))
	if found := injected(bad); len(found) < 5 {
		t.Fatalf("the detector found only %q", found)
	}

	tp := portaltest.New(t)
	w, bank := newSmallWorld(t, tp)
	admin, hotlineTok, school := w.token(t, "admin@sweep.test.cn"), w.token(t, "hotline@sweep.test.cn"), w.token(t, "training_provider@sweep.test.cn")
	mentorTok := w.token(t, "mentor@sweep.test.cn")
	var bases []string
	start := time.Now()
	today := core.DateOf(tp.Now()).String()
	x := &xssWriter{t: t, tp: tp, byPayload: map[string]int{}}
	var lines bytes.Buffer
	var writers []sweepSubject
	for i, p := range xssPayloads {
		// An entrepreneur named by the payload (or not, if names refuse it),
		// with a profile, requests, a project, a question, a complaint, a
		// base application and a loan written with it.
		if x.write("POST", "/api/v1/admin/users", admin, map[string]any{"email": fmt.Sprintf("xss%d@xss.test.cn", i), "password": portaltest.Password,
			"name": fmt.Sprintf("試驗者%d", i), "role": "entrepreneur"}, []string{"name"}, p) == nil {
			tp.MustDo(t, "POST", "/api/v1/admin/users", map[string]any{"email": fmt.Sprintf("xss%d@xss.test.cn", i),
				"password": portaltest.Password, "name": fmt.Sprintf("試驗者%d", i), "role": "entrepreneur"}, admin)
		}
		ent := tp.Login(fmt.Sprintf("xss%d@xss.test.cn", i))
		if i == 0 || i == 4 || i == len(xssPayloads)-5 {
			writers = append(writers, sweepSubject{name: "entrepreneur", login: fmt.Sprintf("xss%d@xss.test.cn", i), role: accounts.Entrepreneur, token: ent})
		}
		// A mentor whose profile carries it.
		mentorEmail := fmt.Sprintf("xssm%d@xss.test.cn", i)
		m := portaltest.Decode[map[string]any](t, tp.MustDo(t, "POST", "/api/v1/admin/users", map[string]any{"email": mentorEmail, "password": portaltest.Password, "name": fmt.Sprintf("導師%d", i), "role": "mentor"}, admin))
		mentorOwn := tp.Login(mentorEmail)
		if x.write("PUT", "/api/v1/me/mentor", mentorOwn, map[string]any{"type": "successful_founder", "industries": []string{"technology"},
			"topics": []string{"financing"}, "bio": "連續創業者，十年軟件公司經營經驗。", "languages": []string{"zh"}, "capacity": 5, "contact": []string{"sms"}}, []string{"bio"}, p) != nil {
			tp.Do("POST", "/api/v1/admin/mentors/"+portaltest.Str(m, "id")+"/status", map[string]string{"status": "active"}, admin)
		}

		profile := portaltest.GoodProfile()
		profile["id_number"] = pii.WithCheckDigit(fmt.Sprintf("44030119850101%03d", 100+i))
		profile["phone"] = fmt.Sprintf("1365555%04d", i)
		profile["skills"] = []string{"網店運營"}
		x.write("PUT", "/api/v1/me/profile", ent, profile, []string{"real_name", "skills"}, p)
		x.write("POST", "/api/v1/services", ent, map[string]any{"type": "financing", "details": "需要資金"}, []string{"details"}, p)
		x.write("POST", "/api/v1/projects", ent, map[string]any{"title": "社區洗衣便民店", "summary": "提供乾洗", "description": "租用臨街商鋪",
			"industry": "community_service", "district": "xicheng", "investment_yuan": 60000, "risk": "low", "expected_jobs": 3,
			"target_groups": []string{"registered_unemployed"}, "tags": []string{"洗衣"}, "source": "individual", "submit": true},
			[]string{"title", "summary", "description", "tags"}, p)
		if q := x.write("POST", "/api/v1/consultations", ent, map[string]any{"topic": "financing", "question": "怎樣申請擔保貸款？"}, []string{"question"}, p); q != nil {
			for _, m := range []string{mentorTok, mentorOwn} {
				if resp, _ := tp.Do("POST", "/api/v1/consultations/"+portaltest.Str(q, "id")+"/messages", map[string]any{"text": p}, m); resp.StatusCode == 200 {
					x.stored++
					x.byPayload[p]++
					break
				}
			}
			x.write("POST", "/api/v1/consultations/"+portaltest.Str(q, "id")+"/messages", ent, map[string]any{"text": "補充"}, []string{"text"}, p)
		}
		x.write("POST", "/api/v1/complaints", ent, map[string]any{"kind": "service", "subject": "等太久", "against": "portal", "details": "網頁打不開", "desired": "改善"},
			[]string{"subject", "details", "desired"}, p)
		x.write("POST", "/api/v1/applications", ent, map[string]any{"choices": bases[:min(2, len(bases))], "venture": "社區服務"}, []string{"venture"}, p)
		x.write("POST", "/api/v1/loans", ent, map[string]any{"policy_id": "guaranteed-loan", "amount_yuan": 20000, "term_months": 24, "purpose": "購買設備",
			"guarantee": "guarantee_fund", "guarantee_details": "擔保基金", "plan": "開豆腐坊", "documents": []string{"id_card", "business_plan"}, "bank_id": bank},
			[]string{"purpose", "plan", "guarantee_details"}, p)

		// The hotline: a caller, a call, a complaint, a case and its notes.
		c := x.write("POST", "/api/v1/hotline/contacts", hotlineTok, map[string]any{"name": "陳先生"}, []string{"name"}, p)
		if c == nil {
			c = portaltest.Decode[map[string]any](t, tp.MustDo(t, "POST", "/api/v1/hotline/contacts", map[string]any{"name": "陳先生"}, hotlineTok))
		}
		cid := portaltest.Str(c, "id")
		x.write("POST", "/api/v1/hotline/calls", hotlineTok, map[string]any{"contact_id": cid, "type": "policy", "topic": "loan", "notes": "問貸款", "outcome": "resolved", "duration_minutes": 2},
			[]string{"notes"}, p)
		if cp := x.write("POST", "/api/v1/complaints", hotlineTok, map[string]any{"contact_id": cid, "kind": "service", "subject": "等太久", "against": "portal", "details": "網頁打不開", "desired": "改善"},
			[]string{"subject", "details", "desired"}, p); cp != nil {
			steps := "/api/v1/complaints/" + portaltest.Str(cp, "id") + "/steps"
			tp.Do("POST", steps, map[string]any{"action": "start"}, hotlineTok)
			x.write("POST", steps, hotlineTok, map[string]any{"action": "note", "text": "內部備註"}, []string{"text"}, p)
			x.write("POST", steps, hotlineTok, map[string]any{"action": "answer", "text": "已處理"}, []string{"text"}, p)
			x.write("POST", steps, hotlineTok, map[string]any{"action": "reopen", "text": "問題仍未解決"}, []string{"text"}, p)
		}
		if cs := x.write("POST", "/api/v1/cases", hotlineTok, map[string]any{"contact_id": cid, "reasons": []string{"market"}, "loan_status": "none", "situation": "店面關閉"},
			[]string{"situation"}, p); cs != nil {
			path := "/api/v1/cases/" + portaltest.Str(cs, "id")
			x.write("POST", path+"/contacts", hotlineTok, map[string]any{"on": today, "channel": "phone", "note": "情緒低落"}, []string{"note"}, p)
			x.write("POST", path+"/help", hotlineTok, map[string]any{"kind": "consultation", "text": "停業後怎樣選新項目？"}, []string{"text"}, p)
		}

		// The bureau: a base, a bank; a provider's course; an imported project.
		if b := x.write("POST", "/api/v1/admin/bases", admin, map[string]any{"name": fmt.Sprintf("創業園%d", i), "level": "municipal", "district": "hightech", "address": "高新路1號",
			"contact": "0755-1234", "industries": []string{"technology"}, "seats": 3, "intake_open": true, "services": []string{"mentoring"}},
			[]string{"name", "address", "contact"}, p); b != nil {
			tp.Do("POST", "/api/v1/admin/bases/"+portaltest.Str(b, "id")+"/status", map[string]string{"status": "approved"}, admin)
			bases = append(bases, portaltest.Str(b, "id"))
		}
		x.write("POST", "/api/v1/admin/banks", admin, map[string]any{"name": fmt.Sprintf("銀行%d", i)}, []string{"name"}, p)
		x.write("POST", "/api/v1/courses", school, map[string]any{"title": "創業培訓", "kind": "planning", "description": "課程", "place": "東城區", "certificate": "合格證",
			"seats": 10, "sessions": []map[string]any{{"starts_at": tp.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339), "hours": 3}}},
			[]string{"title", "description", "place", "certificate"}, p)
		line, _ := json.Marshal(map[string]any{"external_id": fmt.Sprintf("xss-%d", i), "title": p, "summary": p, "description": p, "industry": "community_service",
			"district": "dongcheng", "investment_yuan": 50000, "risk": "low", "expected_jobs": 3, "target_groups": []string{"college_graduate"}, "tags": []string{p},
			"source": "bureau", "status": "recommended"})
		lines.Write(append(line, '\n'))
		if i%10 == 9 {
			t.Logf("%d payloads written in %s", i+1, time.Since(start).Round(time.Second))
		}
	}
	rep, err := tp.App.Bureau().Projects.Import(context.Background(), &lines, "jsonl", nil)
	if err != nil {
		t.Fatal(err)
	}
	x.stored += 4 * rep.Created
	x.refused += len(rep.Rejected)
	if err := tp.App.Bureau().Outbox.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if x.stored < 10*len(xssPayloads) {
		t.Fatalf("only %d payload values stored", x.stored)
	}

	// Read everything back, as every demo account and some of the writers.
	w.subjects = append(w.subjects, writers...)
	var pages, withCSP, echoed, answers int
	problems := map[string]int{}
	w.crawl(t, false, 2, func(r web.Route, target string, s sweepSubject, resp *http.Response, body []byte) {
		ct := resp.Header.Get("Content-Type")
		if !strings.HasPrefix(ct, "text/html") {
			if resp.StatusCode == 200 && !strings.Contains(ct, "csv") && !strings.Contains(ct, "spreadsheet") && !strings.Contains(ct, "pdf") && !strings.Contains(ct, "octet") && !strings.Contains(ct, "image") {
				t.Errorf("GET %s as %s: unexpected type %q", target, s.name, ct)
			}
			return
		}
		pages++
		if resp.Header.Get("Content-Security-Policy") != "" {
			withCSP++
		} else {
			t.Errorf("GET %s as %s: HTML without a Content-Security-Policy", target, s.name)
		}
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
		if err != nil {
			t.Errorf("GET %s as %s: %v", target, s.name, err)
			return
		}
		if strings.Contains(doc.Find("body").Text(), "alert(") {
			echoed++
		}
		for _, p := range injected(doc) {
			if problems[r.Path+p]++; problems[r.Path+p] == 1 {
				t.Errorf("GET %s as %s: %s", target, s.name, p)
			}
		}
	})
	w.crawl(t, true, 2, func(r web.Route, target string, s sweepSubject, resp *http.Response, body []byte) {
		answers++
		ct := resp.Header.Get("Content-Type")
		if strings.HasPrefix(ct, "text/html") {
			t.Errorf("GET %s as %s: an API answer as HTML", target, s.name)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s as %s: no nosniff", target, s.name)
		}
	})
	distinct := 0
	for _, n := range x.byPayload {
		if n > 0 {
			distinct++
		}
	}
	t.Logf("%d payloads; %d payload values stored (%d of the payloads at least once), %d writes refused by validation; "+
		"%d HTML pages rendered (%d with CSP, %d showing a payload as text), %d JSON answers checked",
		len(xssPayloads), x.stored, distinct, x.refused, pages, withCSP, echoed, answers)
	if echoed == 0 {
		t.Error("no page showed a stored payload: the sweep read nothing it wrote")
	}
}

// injected lists what in a parsed page could only have come from markup
// in the data: foreign scripts, event handlers, script URLs, embedding
// elements.
func injected(doc *goquery.Document) []string {
	var out []string
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		src, _ := s.Attr("src")
		if !strings.HasPrefix(src, "/static/") || strings.TrimSpace(s.Text()) != "" {
			h, _ := goquery.OuterHtml(s)
			out = append(out, "a script that is not the portal's: "+trunc(h))
		}
	})
	// (The figures page draws its charts as inline SVG, labelled by a title.)
	doc.Find("iframe, frame, frameset, object, embed, applet, svg, math, base, video, audio, source, details[ontoggle], body style, meta[http-equiv]").
		Not(`svg[role="img"][aria-labelledby^="t-"]`).Each(func(_ int, s *goquery.Selection) {
		h, _ := goquery.OuterHtml(s)
		out = append(out, "an injected element: "+trunc(h))
	})
	doc.Find("link").Each(func(_ int, s *goquery.Selection) {
		if href, _ := s.Attr("href"); !strings.HasPrefix(href, "/") || strings.HasPrefix(href, "//") {
			h, _ := goquery.OuterHtml(s)
			out = append(out, "a foreign link element: "+trunc(h))
		}
	})
	doc.Find("img").Each(func(_ int, s *goquery.Selection) {
		if src, _ := s.Attr("src"); !strings.HasPrefix(src, "/static/") {
			h, _ := goquery.OuterHtml(s)
			out = append(out, "an image not from the portal: "+trunc(h))
		}
	})
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			name := strings.ToLower(a.Key)
			if strings.HasPrefix(name, "on") {
				out = append(out, fmt.Sprintf("an event handler %s=%q on <%s>", a.Key, trunc(a.Val), goquery.NodeName(s)))
			}
			switch name {
			case "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcdoc", "srcset", "ping", "manifest":
				v := strings.ToLower(strings.Map(func(r rune) rune {
					if r <= ' ' {
						return -1
					}
					return r
				}, a.Val))
				if strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") || strings.HasPrefix(v, "data:") || name == "srcdoc" {
					out = append(out, fmt.Sprintf("a script URL %s=%q on <%s>", a.Key, trunc(a.Val), goquery.NodeName(s)))
				}
				if (name == "action" || name == "formaction") && (!strings.HasPrefix(v, "/") || strings.HasPrefix(v, "//")) && v != "" {
					out = append(out, fmt.Sprintf("a form to elsewhere %s=%q", a.Key, trunc(a.Val)))
				}
			}
		}
	})
	return out
}

func trunc(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}
