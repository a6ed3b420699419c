package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"time"
)

func newJar() http.CookieJar {
	j, _ := cookiejar.New(nil)
	return j
}

// user is one virtual user: a browser with its session, and an API token
// for the JSON writes.
type user struct {
	env    *env
	id     int
	role   string
	acct   Account
	rng    *rand.Rand
	client *http.Client
	ready  bool
	csrf   string // the form token of the current session
	token  string // API access token
	refr   string // API refresh token
	expiry time.Time
	// The user's own things: a hotline contact for staff, a profile body
	// for entrepreneurs, and what they made.
	contact  string
	profile  map[string]any
	people   []string
	requests []string
	seq      atomic.Int64
}

// answer is what one request got.
type answer struct {
	code int
	body []byte
	hdr  http.Header
}

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// do sends one request and records it under class and route (route ""
// records nothing: setup).
func (u *user) do(ctx context.Context, class, route, method, path string, body io.Reader, hdr map[string]string) answer {
	req, err := http.NewRequestWithContext(ctx, method, u.env.cfg.BaseURL+path, body)
	if err != nil {
		return answer{}
	}
	req.Header.Set("Accept-Language", "zh-TW,zh;q=0.9")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := u.client.Do(req)
	var a answer
	detail := ""
	if err == nil {
		a.code, a.hdr = resp.StatusCode, resp.Header
		a.body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	took := time.Since(start)
	if err != nil {
		if ctx.Err() != nil && route != "" {
			return answer{} // the run ended mid-request: not the portal's fault
		}
		a.code, detail = 0, err.Error()
	} else if a.code >= 400 {
		detail = fmt.Sprintf("%d %s %s: %s", a.code, method, path, snippet(a.body))
	}
	if route != "" {
		u.env.rec.add(class, route, took, classify(a.code), detail)
		u.env.done.Add(1)
	}
	if m := csrfRe.FindSubmatch(a.body); m != nil {
		u.csrf = string(m[1])
	}
	return a
}

func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

func (u *user) get(ctx context.Context, class, route, path string) answer {
	return u.do(ctx, class, route, http.MethodGet, path, nil, nil)
}

// form posts a web form with the session's CSRF token, as a browser does.
func (u *user) form(ctx context.Context, class, route, path string, v url.Values) answer {
	v.Set("_csrf", u.csrf)
	return u.do(ctx, class, route, http.MethodPost, path, strings.NewReader(v.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": u.env.cfg.BaseURL})
}

// api sends JSON with the bearer token, renewing it first when it is
// about to expire.
func (u *user) api(ctx context.Context, class, route, method, path string, body any, hdr map[string]string) answer {
	if u.token != "" && time.Until(u.expiry) < time.Minute {
		u.refresh(ctx)
	}
	h := map[string]string{"Accept": "application/json"}
	for k, v := range hdr {
		h[k] = v
	}
	if u.token != "" {
		h["Authorization"] = "Bearer " + u.token
	}
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
		h["Content-Type"] = "application/json"
	}
	return u.do(ctx, class, route, method, path, r, h)
}

type tokens struct {
	Access    string `json:"access_token"`
	Refresh   string `json:"refresh_token"`
	ExpiresIn int    `json:"expires_in"`
}

func (u *user) keep(a answer) bool {
	var t tokens
	if a.code != http.StatusOK || json.Unmarshal(a.body, &t) != nil || t.Access == "" {
		return false
	}
	u.token, u.refr, u.expiry = t.Access, t.Refresh, time.Now().Add(time.Duration(t.ExpiresIn)*time.Second)
	return true
}

func (u *user) refresh(ctx context.Context) {
	tok := u.token
	u.token = "" // the refresh itself goes without the old token
	a := u.api(ctx, Login, "POST /api/v1/auth/refresh", http.MethodPost, "/api/v1/auth/refresh", map[string]string{"refresh_token": u.refr}, nil)
	if !u.keep(a) {
		u.token = tok
	}
}

// signIn opens the user's web session and API token and prepares what the
// user's writes need. Sign-ins are recorded as the login class.
func (u *user) signIn(ctx context.Context) {
	u.get(ctx, Login, "", "/login") // the CSRF seed and the form's token
	if u.role == RoleGuest {
		u.ready = true
		return
	}
	a := u.form(ctx, Login, "POST /login", "/login", url.Values{"login": {u.acct.Login}, "password": {u.acct.Password}, "next": {"/"}})
	if a.code != http.StatusSeeOther {
		return
	}
	u.get(ctx, Login, "", "/") // the signed-in session's form token
	a = u.api(ctx, Login, "POST /api/v1/auth/login", http.MethodPost, "/api/v1/auth/login",
		map[string]string{"login": u.acct.Login, "password": u.acct.Password}, nil)
	if !u.keep(a) {
		return
	}
	switch u.role {
	case RoleEntrepreneur:
		a := u.api(ctx, Login, "", http.MethodGet, "/api/v1/me/profile", nil, nil)
		var p map[string]any
		if a.code == http.StatusOK && json.Unmarshal(a.body, &p) == nil && p["real_name"] != nil && p["real_name"] != "" {
			for _, k := range []string{"id", "id_number_masked", "phone_masked", "consents", "notice_version", "updated_at", "fact_sources", "recommendations"} {
				delete(p, k)
			}
			u.profile = p
		}
	case RoleHotline, RoleAdmin:
		a := u.api(ctx, Login, "", http.MethodPost, "/api/v1/hotline/contacts",
			map[string]string{"name": fmt.Sprintf("壓測來電人%03d", u.id), "district": u.one(u.env.districts)}, map[string]string{"Idempotency-Key": u.key()})
		var c struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(a.body, &c) == nil {
			u.contact = c.ID
		}
		a = u.api(ctx, Login, "", http.MethodGet, "/api/v1/staff/people?q="+url.QueryEscape("王"), nil, nil)
		var l struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		if json.Unmarshal(a.body, &l) == nil {
			for _, it := range l.Items {
				u.people = append(u.people, it.ID)
			}
		}
	}
	u.ready = true
}

// loop runs the user's requests until ctx ends or the budget is spent.
func (u *user) loop(ctx context.Context) {
	if !u.ready {
		return
	}
	for ctx.Err() == nil {
		if t := u.env.cfg.Think; t > 0 {
			// Exponential pauses around the mean, as independent people.
			// The pause comes first, so users start as people arrive, one
			// by one, not all in the instant the run begins: that herd
			// measured a stall no steady load has.
			d := time.Duration(u.rng.ExpFloat64() * float64(t))
			select {
			case <-ctx.Done():
				return
			case <-time.After(d):
			}
		}
		if !u.env.take() {
			return // the others finish what they started
		}
		u.step(ctx)
	}
}

// step picks a class by the mix, then an action of the user's role.
func (u *user) step(ctx context.Context) {
	c := u.env.cfg
	n := u.rng.IntN(c.PagePct + c.SearchPct + c.WritePct)
	switch {
	case n < c.PagePct:
		pick(u.rng, u.pages())(ctx)
	case n < c.PagePct+c.SearchPct:
		pick(u.rng, u.searches())(ctx)
	default:
		if w := u.writes(); len(w) > 0 {
			pick(u.rng, w)(ctx)
		} else {
			pick(u.rng, u.searches())(ctx) // guests write nothing; they search
		}
	}
}

type action = func(context.Context)

func pick(r *rand.Rand, as []action) action { return as[r.IntN(len(as))] }

func (u *user) one(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[u.rng.IntN(len(list))]
}
