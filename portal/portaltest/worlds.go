package portaltest

import (
	"context"
	"testing"

	"onestop/services/accounts"
	"onestop/services/loans"
	"onestop/services/people"
)

// The worlds are the records several areas' tests start from (an area's
// own tests and the cross-cutting sweeps): each on a portal of its own.

// LoanWorld: a farmer whose profile qualifies for the small guaranteed
// loan, another entrepreneur, hotline staff, two banks with an officer
// each, a mentor.
type LoanWorld struct {
	*Portal
	Admin, Farmer, Other, Staff, Officer, Officer2 string
	Mentor, BankID                                 string
}

// NewLoanWorld builds a LoanWorld.
func NewLoanWorld(t *testing.T) *LoanWorld {
	tp := New(t)
	w := &LoanWorld{Portal: tp}
	_, w.Admin, _ = tp.Account(accounts.Admin, "admin@test.cn")
	farmerID, farmer, _ := tp.Account(accounts.Entrepreneur, "farmer@test.cn")
	w.Farmer = farmer
	_, w.Other, _ = tp.Account(accounts.Entrepreneur, "other@test.cn")
	_, w.Staff, _ = tp.Account(accounts.Hotline, "hotline@test.cn")
	_, w.Mentor, _ = tp.Account(accounts.Mentor, "mentor@test.cn")
	officerID, officer, _ := tp.Account(accounts.BankOfficer, "bank@test.cn")
	officer2ID, officer2, _ := tp.Account(accounts.BankOfficer, "bank2@test.cn")
	w.Officer, w.Officer2 = officer, officer2
	if resp, body := tp.Do("PUT", "/api/v1/me/profile", map[string]any{"real_name": "李秀英", "consent_version": "2026-11", "target_groups": []string{"land_expropriated_farmer"},
		"venture": map[string]any{"stage": "preparing", "micro_profit": true, "own_funds_sufficient": false, "industry": "agri_processing"}}, w.Farmer); resp.StatusCode != 200 {
		t.Fatalf("profile: %d %s", resp.StatusCode, body)
	}
	// Her village's roster has her: the fact the loan rests on is checked,
	// so the bureau may forward her file (#17).
	if _, err := tp.App.Bureau().People.FromRoster(context.Background(), farmerID, people.RosterEntry{Roster: "北山村被徵地農民花名冊", Fact: "on_farmer_roster", Value: "true"}); err != nil {
		t.Fatal(err)
	}
	for name, off := range map[string]string{"城市商業銀行": officerID, "農村信用社": officer2ID} {
		resp, body := tp.Do("POST", "/api/v1/admin/banks", map[string]any{"name": name}, w.Admin)
		if resp.StatusCode != 201 {
			t.Fatalf("bank: %d %s", resp.StatusCode, body)
		}
		b := Decode[loans.Bank](t, body)
		if resp, body := tp.Do("POST", "/api/v1/admin/banks/"+b.ID+"/officers", map[string]any{"officers": []string{off}}, w.Admin); resp.StatusCode != 200 {
			t.Fatalf("officers: %d %s", resp.StatusCode, body)
		}
		if off == officerID {
			w.BankID = b.ID
		}
	}
	return w
}

// HotlineWorld: hotline staff, an entrepreneur with a profile (so callers
// can be linked), another entrepreneur, an active "restart" mentor, a base
// manager and an administrator.
type HotlineWorld struct {
	*Portal
	Admin, Staff, E1, E2, Mentor, Other, Manager string
	E1ID, MentorID, StaffID                      string
}

// NewHotlineWorld builds a HotlineWorld.
func NewHotlineWorld(t *testing.T) *HotlineWorld {
	tp := New(t)
	w := &HotlineWorld{Portal: tp}
	_, w.Admin, _ = tp.Account(accounts.Admin, "admin@test.cn")
	w.StaffID, w.Staff, _ = tp.Account(accounts.Hotline, "hotline@test.cn")
	w.E1ID, w.E1, _ = tp.Account(accounts.Entrepreneur, "e1@test.cn")
	_, w.E2, _ = tp.Account(accounts.Entrepreneur, "e2@test.cn")
	_, w.Manager, _ = tp.Account(accounts.IncubatorManager, "manager@test.cn")
	if resp, body := tp.Do("PUT", "/api/v1/me/profile", map[string]any{"real_name": "王小明", "phone": "13800138000",
		"id_number": "11010519880512123X", "consent_version": "2026-11"}, w.E1); resp.StatusCode != 200 {
		t.Fatalf("profile: %d %s", resp.StatusCode, body)
	}
	mk := func(email string) (string, string) {
		id, token, _ := tp.Account(accounts.Mentor, email)
		if resp, body := tp.Do("PUT", "/api/v1/me/mentor", map[string]any{"type": "successful_founder", "topics": []string{"restart", "financing"},
			"bio": "兩次創業失敗後第三次成功，願意陪伴重新出發的人。", "languages": []string{"zh"}, "capacity": 5}, token); resp.StatusCode != 200 {
			t.Fatalf("mentor: %d %s", resp.StatusCode, body)
		}
		if resp, body := tp.Do("POST", "/api/v1/admin/mentors/"+id+"/status", map[string]string{"status": "active"}, w.Admin); resp.StatusCode != 200 {
			t.Fatalf("approve: %d %s", resp.StatusCode, body)
		}
		return id, token
	}
	w.MentorID, w.Mentor = mk("mentor@test.cn")
	_, w.Other = mk("other-mentor@test.cn")
	return w
}

// Post sends a POST that must succeed (200 or 201) and returns its body.
func (w *HotlineWorld) Post(t *testing.T, path string, body any, token string) []byte {
	t.Helper()
	resp, b := w.Portal.Do("POST", path, body, token)
	if resp.StatusCode != 201 && resp.StatusCode != 200 {
		t.Fatalf("POST %s: %d %s", path, resp.StatusCode, b)
	}
	return b
}

// BaseWorld: an admin, two managers with a base each, two entrepreneurs and
// an open intake.
type BaseWorld struct {
	*Portal
	Admin, MgrA, MgrB, E1, E2  string
	BaseA, BaseB, Full, Closed string
}

// NewBaseWorld builds a BaseWorld.
func NewBaseWorld(t *testing.T) *BaseWorld {
	tp := New(t)
	w := &BaseWorld{Portal: tp}
	_, w.Admin, _ = tp.Account(accounts.Admin, "admin@test.cn")
	mgrAID, mgrA, _ := tp.Account(accounts.IncubatorManager, "mgra@test.cn")
	mgrBID, mgrB, _ := tp.Account(accounts.IncubatorManager, "mgrb@test.cn")
	w.MgrA, w.MgrB = mgrA, mgrB
	_, w.E1, _ = tp.Account(accounts.Entrepreneur, "e1@test.cn")
	_, w.E2, _ = tp.Account(accounts.Entrepreneur, "e2@test.cn")
	mk := func(name string, seats int, open bool, manager string) string {
		resp, body := tp.Do("POST", "/api/v1/admin/bases", map[string]any{"name": name, "level": "municipal", "district": "hightech",
			"industries": []string{"technology"}, "seats": seats, "intake_open": open, "services": []string{"mentoring"}}, w.Admin)
		if resp.StatusCode != 201 {
			t.Fatalf("create base: %d %s", resp.StatusCode, body)
		}
		id := Decode[map[string]any](t, body)["id"].(string)
		tp.Do("POST", "/api/v1/admin/bases/"+id+"/status", map[string]string{"status": "approved"}, w.Admin)
		if manager != "" {
			tp.Do("POST", "/api/v1/admin/bases/"+id+"/managers", map[string]any{"manager_ids": []string{manager}}, w.Admin)
		}
		return id
	}
	w.BaseA, w.BaseB = mk("高新創業園", 3, true, mgrAID), mk("東城孵化器", 2, true, mgrBID)
	w.Full, w.Closed = mk("滿員基地", 0, true, ""), mk("暫停基地", 5, false, "")
	if resp, body := tp.Do("POST", "/api/v1/admin/intakes", map[string]string{"name": "2026 冬季"}, w.Admin); resp.StatusCode != 201 {
		t.Fatalf("intake: %d %s", resp.StatusCode, body)
	}
	return w
}
