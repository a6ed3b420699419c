package portal_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"testing"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
)

// TestNoAnswerDependsOnOthersNumbers is the oracle check of the hostile
// corpus: a profile saved with an ID number or phone that another person
// holds is answered exactly as one saved with a free number, through the
// API and the web form. (A 409 error.id.taken once let anyone recover a
// phone from its mask in minutes, and test whether someone is registered.)
func TestNoAnswerDependsOnOthersNumbers(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	_, owner, _ := tp.Account(accounts.Entrepreneur, "owner@test.cn")
	if resp, body := tp.Do("PUT", "/api/v1/me/profile", portaltest.GoodProfile(), owner); resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	// Free numbers, valid like the canaries.
	const freeID, freePhone = "440301198512150012", "13912345671"
	for n, tt := range []struct {
		name        string
		taken, free map[string]any
	}{
		{"ID number", portaltest.With(portaltest.GoodProfile(), "phone", nil), portaltest.With(portaltest.With(portaltest.GoodProfile(), "phone", nil), "id_number", freeID)},
		{"phone", portaltest.With(portaltest.GoodProfile(), "id_number", nil), portaltest.With(portaltest.With(portaltest.GoodProfile(), "id_number", nil), "phone", freePhone)},
	} {
		t.Run("api "+tt.name, func(t *testing.T) {
			answers := make([]map[string]any, 2)
			for i, body := range []map[string]any{tt.taken, tt.free} {
				_, token, _ := tp.Account(accounts.Entrepreneur, fmt.Sprintf("api%d%d@test.cn", n, i))
				resp, raw := tp.Do("PUT", "/api/v1/me/profile", body, token)
				answers[i] = map[string]any{"status": resp.StatusCode}
				var m map[string]any
				if err := json.Unmarshal(raw, &m); err != nil {
					t.Fatalf("%d %s", resp.StatusCode, raw)
				}
				// What differs by person and number typed, not by whether a number is held.
				for _, k := range []string{"id", "id_number_masked", "phone_masked", "updated_at", "consents", "birth_date", "gender"} {
					delete(m, k)
				}
				maps.Copy(answers[i], m)
			}
			if !reflect.DeepEqual(answers[0], answers[1]) {
				t.Errorf("answers differ by whether someone holds the number:\n taken %v\n free  %v", answers[0], answers[1])
			}
		})
	}
	t.Run("web form", func(t *testing.T) {
		var answers []string
		for i, id := range []string{portaltest.CanaryID, freeID} {
			email := "web" + string(rune('a'+i)) + "@test.cn"
			tp.Account(accounts.Entrepreneur, email)
			b := tp.Browser()
			_, doc := b.Get("/login")
			b.Post("/login", url.Values{"login": {email}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
			_, doc = b.Get("/profile")
			resp, doc := b.Post("/profile", url.Values{"real_name": {"何志明"}, "id_number": {id}, "consent": {"yes"}}, portaltest.CSRF(doc))
			answers = append(answers, resp.Status+" "+resp.Header.Get("Location")+" "+doc.Find(".field-error").Text())
		}
		if answers[0] != answers[1] {
			t.Errorf("the form answers differ: taken %q, free %q", answers[0], answers[1])
		}
	})
}

// TestDisputeQueueWeb: the claim lands in the staff queue, where hotline
// staff settle it with a form; the number then finds the claimant.
func TestDisputeQueueWeb(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	ownerID, owner, _ := tp.Account(accounts.Entrepreneur, "owner@test.cn")
	claimantID, claimant, _ := tp.Account(accounts.Entrepreneur, "claimant@test.cn")
	_, hotline, _ := tp.Account(accounts.Hotline, "hotline@test.cn")
	for _, token := range []string{owner, claimant} {
		if resp, body := tp.Do("PUT", "/api/v1/me/profile", portaltest.With(portaltest.GoodProfile(), "phone", nil), token); resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	}
	tp.Run(t, []portaltest.Scenario{
		{Name: "claimant reads no queue", Method: "GET", Path: "/api/v1/staff/disputes", Token: claimant, Status: 403},
		{Name: "staff read the queue", Method: "GET", Path: "/api/v1/staff/disputes", Token: hotline, Status: 200,
			Contains: []string{`"claimant_id":"` + claimantID + `"`, `"holder_id":"` + ownerID + `"`, `"masked":"4403**********1234"`, `"status":"open"`}, NotContains: []string{portaltest.CanaryID}},
		{Name: "staff see the pending number on the person", Method: "GET", Path: "/api/v1/staff/people/" + claimantID, Token: hotline, Status: 200,
			Contains: []string{`"pending_verification":["id_number"]`}},
		{Name: "the claimant does not", Method: "GET", Path: "/api/v1/me/profile", Token: claimant, Status: 200, NotContains: []string{"pending"}},
		{Name: "settling needs a decision", Method: "POST", Path: "/api/v1/staff/disputes/" + claimantID + ":id_number/resolve", Token: hotline,
			Body: map[string]string{"decision": "maybe", "note": "x"}, Status: 422, Contains: []string{`"field":"decision"`}},
	})

	tp.Account(accounts.Hotline, "desk@test.cn")
	b := tp.Browser()
	_, doc := b.Get("/login")
	b.Post("/login", url.Values{"login": {"desk@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	_, doc = b.Get("/staff/people/" + claimantID)
	if doc.Find("#person-disputed").Length() != 1 {
		t.Error("the person's page does not warn of the pending number")
	}
	_, doc = b.Get("/staff/disputes")
	row := doc.Find("#dispute-" + claimantID + "\\:id_number")
	if row.Length() != 1 {
		t.Fatalf("the dispute is not listed: %s", doc.Find("#disputes").Text())
	}
	action, _ := row.Find("form").Attr("action")
	resp, _ := b.Post(action, url.Values{"decision": {"claimant"}, "note": {"到窗口核驗身分證"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 303 {
		t.Fatalf("resolve: %d", resp.StatusCode)
	}
	_, doc = b.Get("/staff/disputes")
	if doc.Find(`#disputes tbody[id] form`).Length() != 0 || doc.Find("#dispute-"+claimantID+"\\:id_number").Length() != 0 {
		t.Errorf("still open: %s", doc.Find("#disputes").Text())
	}
	tp.Run(t, []portaltest.Scenario{{Name: "the number now finds the claimant", Method: "POST", Path: "/api/v1/staff/people/search", Token: hotline,
		Body: map[string]string{"q": portaltest.CanaryID}, Status: 200, Contains: []string{claimantID}, NotContains: []string{ownerID}}})
}
