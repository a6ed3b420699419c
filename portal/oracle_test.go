package portal

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"testing"

	"onestop/services/accounts"
)

// TestNoAnswerDependsOnOthersNumbers is the oracle check of the hostile
// corpus: a profile saved with an ID number or phone that another person
// holds is answered exactly as one saved with a free number, through the
// API and the web form. (A 409 error.id.taken once let anyone recover a
// phone from its mask in minutes, and test whether someone is registered.)
func TestNoAnswerDependsOnOthersNumbers(t *testing.T) {
	tp := newTestPortal(t)
	_, owner, _ := tp.account(accounts.Entrepreneur, "owner@test.cn")
	if resp, body := tp.do("PUT", "/api/v1/me/profile", goodProfile(), owner); resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	// Free numbers, valid like the canaries.
	const freeID, freePhone = "440301198512150012", "13912345671"
	for n, tt := range []struct {
		name        string
		taken, free map[string]any
	}{
		{"ID number", with(goodProfile(), "phone", nil), with(with(goodProfile(), "phone", nil), "id_number", freeID)},
		{"phone", with(goodProfile(), "id_number", nil), with(with(goodProfile(), "id_number", nil), "phone", freePhone)},
	} {
		t.Run("api "+tt.name, func(t *testing.T) {
			answers := make([]map[string]any, 2)
			for i, body := range []map[string]any{tt.taken, tt.free} {
				_, token, _ := tp.account(accounts.Entrepreneur, fmt.Sprintf("api%d%d@test.cn", n, i))
				resp, raw := tp.do("PUT", "/api/v1/me/profile", body, token)
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
		for i, id := range []string{canaryID, freeID} {
			email := "web" + string(rune('a'+i)) + "@test.cn"
			tp.account(accounts.Entrepreneur, email)
			b := tp.browser()
			_, doc := b.get("/login")
			b.post("/login", url.Values{"login": {email}, "password": {testPassword}}, csrfOf(doc))
			_, doc = b.get("/profile")
			resp, doc := b.post("/profile", url.Values{"real_name": {"何志明"}, "id_number": {id}, "consent": {"yes"}}, csrfOf(doc))
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
	tp := newTestPortal(t)
	ownerID, owner, _ := tp.account(accounts.Entrepreneur, "owner@test.cn")
	claimantID, claimant, _ := tp.account(accounts.Entrepreneur, "claimant@test.cn")
	_, hotline, _ := tp.account(accounts.Hotline, "hotline@test.cn")
	for _, token := range []string{owner, claimant} {
		if resp, body := tp.do("PUT", "/api/v1/me/profile", with(goodProfile(), "phone", nil), token); resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	}
	tp.run(t, []scenario{
		{name: "claimant reads no queue", method: "GET", path: "/api/v1/staff/disputes", token: claimant, status: 403},
		{name: "staff read the queue", method: "GET", path: "/api/v1/staff/disputes", token: hotline, status: 200,
			contains: []string{`"claimant_id":"` + claimantID + `"`, `"holder_id":"` + ownerID + `"`, `"masked":"4403**********1234"`, `"status":"open"`}, notContains: []string{canaryID}},
		{name: "staff see the pending number on the person", method: "GET", path: "/api/v1/staff/people/" + claimantID, token: hotline, status: 200,
			contains: []string{`"pending_verification":["id_number"]`}},
		{name: "the claimant does not", method: "GET", path: "/api/v1/me/profile", token: claimant, status: 200, notContains: []string{"pending"}},
		{name: "settling needs a decision", method: "POST", path: "/api/v1/staff/disputes/" + claimantID + ":id_number/resolve", token: hotline,
			body: map[string]string{"decision": "maybe", "note": "x"}, status: 422, contains: []string{`"field":"decision"`}},
	})

	tp.account(accounts.Hotline, "desk@test.cn")
	b := tp.browser()
	_, doc := b.get("/login")
	b.post("/login", url.Values{"login": {"desk@test.cn"}, "password": {testPassword}}, csrfOf(doc))
	_, doc = b.get("/staff/people/" + claimantID)
	if doc.Find("#person-disputed").Length() != 1 {
		t.Error("the person's page does not warn of the pending number")
	}
	_, doc = b.get("/staff/disputes")
	row := doc.Find("#dispute-" + claimantID + "\\:id_number")
	if row.Length() != 1 {
		t.Fatalf("the dispute is not listed: %s", doc.Find("#disputes").Text())
	}
	action, _ := row.Find("form").Attr("action")
	resp, _ := b.post(action, url.Values{"decision": {"claimant"}, "note": {"到窗口核驗身分證"}}, csrfOf(doc))
	if resp.StatusCode != 303 {
		t.Fatalf("resolve: %d", resp.StatusCode)
	}
	_, doc = b.get("/staff/disputes")
	if doc.Find(`#disputes tbody[id] form`).Length() != 0 || doc.Find("#dispute-"+claimantID+"\\:id_number").Length() != 0 {
		t.Errorf("still open: %s", doc.Find("#disputes").Text())
	}
	tp.run(t, []scenario{{name: "the number now finds the claimant", method: "POST", path: "/api/v1/staff/people/search", token: hotline,
		body: map[string]string{"q": canaryID}, status: 200, contains: []string{claimantID}, notContains: []string{ownerID}}})
}
