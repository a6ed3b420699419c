package portal_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/grants"
	"onestop/services/people"
)

// deliveryRow is the policy-delivery table's row of a policy as the page
// shows it: eligible now, applied, granted, refused, amount.
func deliveryRow(doc *goquery.Document, policy string) []string {
	var cells []string
	doc.Find(`div[aria-labelledby="breakdown-figures.delivery.title"] tbody tr`).Each(func(_ int, tr *goquery.Selection) {
		if strings.TrimSpace(tr.Find("th").Text()) == policy {
			tr.Find("td").Each(func(_ int, td *goquery.Selection) { cells = append(cells, strings.TrimSpace(td.Text())) })
		}
	})
	return cells
}

// TestPolicyDelivery (#17, source (十五)): after a fee-exemption
// certificate is applied for and granted, the bureau's dashboard shows, in
// the policy-delivery table, the two people eligible for it now, the one
// application and the one grant; the loan's row is there beside it with
// nothing yet; the names are in the reader's language, and the CSV and
// XLSX exports carry the same row.
func TestPolicyDelivery(t *testing.T) {
	tp := portaltest.New(t)
	ctx := context.Background()
	meta := accounts.Meta{IP: "192.0.2.1"}
	b := tp.App.Bureau()
	tp.Account(accounts.Admin, "admin@test.cn")
	officerID, _, _ := tp.Account(accounts.CaseOfficer, "officer@test.cn")
	officer := accounts.Principal{ID: officerID, Role: accounts.CaseOfficer, Name: "吳經辦"}
	profile := map[string]any{"consent_version": "2026-11", "target_groups": []string{"registered_unemployed"},
		"venture": map[string]any{"stage": "preparing", "form": "individual", "industry": "community_service"}}
	var owner accounts.Principal
	for i, who := range []string{"陳美玲", "林淑華"} {
		id, token, _ := tp.Account(accounts.Entrepreneur, []string{"chen@test.cn", "lin@test.cn"}[i])
		if resp, body := tp.Do("PUT", "/api/v1/me/profile", portaltest.With(profile, "real_name", who), token); resp.StatusCode != 200 {
			t.Fatalf("profile: %d %s", resp.StatusCode, body)
		}
		if i == 0 {
			owner = accounts.Principal{ID: id, Role: accounts.Entrepreneur, Name: who}
		}
	}
	pdf := []byte("%PDF-1.4 evidence")
	a, err := b.Grants.Apply(ctx, owner, grants.Input{PolicyID: "fee-exemption-3y"},
		[]grants.Upload{{Kind: "id_card", Name: "id.pdf", Data: pdf}, {Kind: "business_licence", Name: "licence.pdf", Data: pdf}}, meta)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.People.Verify(ctx, officer, owner.ID, people.VerifyInput{Fact: "target_groups.registered_unemployed", Value: "true", Note: "已核對失業登記證"}, meta); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Grants.Act(ctx, officer, a.ID, grants.StepInput{Action: "grant", Note: "材料齊全"}, meta); err != nil {
		t.Fatal(err)
	}
	fee, err := b.Policies.Get(ctx, "fee-exemption-3y")
	if err != nil {
		t.Fatal(err)
	}
	loan, err := b.Policies.Get(ctx, "guaranteed-loan")
	if err != nil {
		t.Fatal(err)
	}
	month := core.DateOf(tp.Now()).String()[:7]
	span := "?from=" + month + "&to=" + month
	browser, _ := tp.SignedIn(t, "admin@test.cn")
	for _, lang := range []string{"zh-Hant", "en"} {
		browser.Cookies["lang"] = lang
		resp, doc := browser.Get("/admin/figures" + span)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: dashboard %d", lang, resp.StatusCode)
		}
		if got, want := deliveryRow(doc, fee.Name.In(lang)), []string{"2", "1", "1", "0", "0.00"}; !slices.Equal(got, want) {
			t.Errorf("%s: the fee exemption's row %q, want %q", lang, got, want)
		}
		if got, want := deliveryRow(doc, loan.Name.In(lang)), []string{"0", "0", "0", "0", "0.00"}; !slices.Equal(got, want) {
			t.Errorf("%s: the loan's row %q, want %q", lang, got, want)
		}
	}
	delete(browser.Cookies, "lang")
	row := []string{fee.Name.In("zh-Hant"), "2", "1", "1", "0", "0.00"}
	resp, raw := browser.Raw("/admin/figures.csv" + span)
	if resp.StatusCode != 200 {
		t.Fatalf("csv: %d", resp.StatusCode)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil || !slices.ContainsFunc(rows, func(r []string) bool { return slices.Equal(r, row) }) {
		t.Errorf("csv has no row %q (%v)", row, err)
	}
	resp, raw = browser.Raw("/admin/figures.xlsx" + span)
	if resp.StatusCode != 200 {
		t.Fatalf("xlsx: %d", resp.StatusCode)
	}
	x, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, sheet := range x.GetSheetList() {
		xrows, _ := x.GetRows(sheet)
		if len(xrows) > 0 && xrows[0][0] == "政策兌現情況" {
			found = slices.ContainsFunc(xrows, func(r []string) bool { return len(r) == len(row) && r[0] == row[0] && r[2] == "1" && r[3] == "1" })
		}
	}
	if !found {
		t.Errorf("the workbook has no delivery sheet with the row %q", row)
	}
}
