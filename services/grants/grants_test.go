package grants_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/grants"
	"onestop/services/orgs"
	"onestop/services/people"
	"onestop/services/pii"
	"onestop/services/policy"
	"onestop/services/rekey"
	"onestop/services/servicetest"
	"onestop/services/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var (
	ctx  = context.Background()
	meta = servicetest.Meta
	pdf  = []byte("%PDF-1.4 evidence")
)

// world is the service on a fresh database with the seed's catalogue, an
// officer, the hotline, an administrator and entrepreneurs.
type world struct {
	*servicetest.Env
	svc  *grants.Service
	orgs *orgs.Service
	who  map[string]accounts.Principal
}

func newWorld(t *testing.T) *world {
	t.Helper()
	x := servicetest.New(t, time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC), append(grants.Collections, orgs.Collections...)...)
	o := servicetest.Must(orgs.New(orgs.Deps{Store: x.Store, Outbox: x.Outbox, Audit: x.Audit, Notify: x.Notify, Accounts: x.Accounts,
		Vault: x.Vault, Clock: x.Clock, Reference: x.Reference, Log: x.Log}))
	svc := servicetest.Must(grants.New(grants.Deps{Store: x.Store, Outbox: x.Outbox, Audit: x.Audit, Notify: x.Notify, People: x.People,
		Orgs: o, Policies: x.Policies, Figures: x.Figures, Vault: x.Vault, Clock: x.Clock, Calendar: x.Workdays, Accounts: x.Accounts}))
	x.Ready(t)
	who := x.Users(t, map[string]accounts.Role{"admin": accounts.Admin, "officer": accounts.CaseOfficer, "hotline": accounts.Hotline,
		"owner": accounts.Entrepreneur, "farmer": accounts.Entrepreneur, "other": accounts.Entrepreneur, "hr": accounts.Organisation})
	return &world{Env: x, svc: svc, orgs: o, who: who}
}

func (w *world) save(t *testing.T, who string, in people.Input) {
	t.Helper()
	in.ConsentVersion = people.NoticeVersion
	if _, err := w.People.Save(ctx, w.who[who], in, "api", meta); err != nil {
		t.Fatalf("save %s: %v", who, err)
	}
}

func (w *world) verify(t *testing.T, who, fact, value string) {
	t.Helper()
	if _, err := w.People.Verify(ctx, w.who["officer"], w.who[who].ID, people.VerifyInput{Fact: fact, Value: value, Note: "核對原件"}, meta); err != nil {
		t.Fatalf("verify %s of %s: %v", fact, who, err)
	}
}

// owner runs an individual business, registered unemployed, first
// registered in March 2026: the fee exemption's certificate is hers.
func (w *world) owner(t *testing.T) {
	first := core.NewDate(2026, 3, 1)
	w.save(t, "owner", people.Input{RealName: "陳美玲", Facts: policy.Facts{TargetGroups: []string{"registered_unemployed"},
		Venture: &policy.Venture{Stage: "operating", Form: "individual", FirstRegistered: &first}}})
}

func field(err error, name string) string {
	var e *core.Error
	if !errorAs(err, &e) {
		return ""
	}
	return e.Fields[name]
}

func errorAs(err error, e **core.Error) bool {
	ce, ok := err.(*core.Error)
	if ok {
		*e = ce
	}
	return ok
}

func (w *world) told(t *testing.T, userID string) []string {
	t.Helper()
	list, _, err := w.Notify.List(ctx, userID, core.Page{Number: 1, Size: 50})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, n := range list {
		keys = append(keys, n.Key)
	}
	return keys
}

// TestCertificate: the fee exemption from application to a code anyone
// verifies — not before the evidence is there and the facts are checked,
// once only, in the ledger.
func TestCertificate(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.owner(t)
	owner, officer := w.who["owner"], w.who["officer"]
	a, err := w.svc.Apply(ctx, owner, grants.Input{PolicyID: "fee-exemption-3y", Note: "個體經營，需辦理營業執照年檢"}, nil, meta)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != grants.Submitted || a.Waiting() != "bureau" || a.DueDays != 5 || a.PolicyVersion != 1 {
		t.Fatalf("applied: %+v", a)
	}
	_, err = w.svc.Act(ctx, officer, a.ID, grants.StepInput{Action: "grant"}, meta)
	if got := field(err, "documents"); !strings.HasPrefix(got, "error.grant.document_missing") {
		t.Fatalf("a grant without the evidence: %v", err)
	}
	for _, kind := range []string{"id_card", "business_licence"} {
		if _, err := w.svc.Attach(ctx, owner, a.ID, grants.Upload{Kind: kind, Name: kind + ".pdf", Data: pdf}, meta); err != nil {
			t.Fatal(err)
		}
	}
	_, err = w.svc.Act(ctx, officer, a.ID, grants.StepInput{Action: "grant"}, meta)
	if got := field(err, "note"); !strings.HasPrefix(got, "error.grant.unverified") {
		t.Fatalf("a grant on her word alone: %v", err)
	}
	w.verify(t, "owner", "target_groups.registered_unemployed", "true")
	w.verify(t, "owner", "venture.first_registered", "2026-03-01")
	g, err := w.svc.Act(ctx, officer, a.ID, grants.StepInput{Action: "grant", Note: "已核對失業登記證"}, meta)
	if err != nil {
		t.Fatal(err)
	}
	if g.Status != grants.Granted || g.Grant == nil || g.Grant.Code == "" || g.Grant.ValidFrom != core.NewDate(2026, 3, 1) ||
		g.Grant.ValidUntil != core.NewDate(2029, 2, 28) || g.Waiting() != "" {
		t.Fatalf("granted: %+v %+v", g, g.Grant)
	}
	c, err := w.svc.Verify(ctx, strings.ToLower(strings.ReplaceAll(g.Grant.Code, "-", " ")))
	if err != nil || c.State != "valid" || c.Holder != "陳*玲" || c.PolicyID != "fee-exemption-3y" {
		t.Fatalf("verify by code: %+v %v", c, err)
	}
	if _, err := w.svc.Verify(ctx, "2345-6789-ABCD"); !core.IsCode(err, core.NotFound) {
		t.Errorf("an unknown code: %v", err)
	}
	if _, err := w.svc.Verify(ctx, "not a code"); field(err, "code") == "" {
		t.Errorf("a malformed code: %v", err)
	}
	w.Advance(3 * 365 * 24 * time.Hour)
	if c, _ := w.svc.Verify(ctx, g.Grant.Code); c == nil || c.State != "expired" {
		t.Errorf("three years on: %+v", c)
	}
	if _, err := w.svc.Apply(ctx, owner, grants.Input{PolicyID: "fee-exemption-3y"}, nil, meta); !core.IsCode(err, core.Conflict) {
		t.Errorf("a second application for a once-only support: %v", err)
	}
	ledger, total, _, err := w.svc.Ledger(ctx, owner, owner.ID, core.Page{})
	if err != nil || total != 1 || ledger[0].Grant.Code != g.Grant.Code || ledger[0].Grant.PolicyVersion != 1 {
		t.Fatalf("ledger: %d %v", total, err)
	}
	if keys := w.told(t, owner.ID); !slices.Contains(keys, "notify.grant.grant") {
		t.Errorf("told: %v", keys)
	}
}

// TestWhoMayActOnAnApplication: only a case officer or an administrator
// decides, a refusal needs a reason, another person does not see it, and
// a refusal lets the person apply again.
func TestWhoMayActOnAnApplication(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.owner(t)
	owner := w.who["owner"]
	if _, err := w.svc.Apply(ctx, w.who["other"], grants.Input{PolicyID: "fee-exemption-3y"}, nil, meta); field(err, "policy_id") != "error.grant.profile_first" {
		t.Errorf("someone without a profile: %v", err)
	}
	w.save(t, "other", people.Input{RealName: "張三"})
	if _, err := w.svc.Apply(ctx, w.who["other"], grants.Input{PolicyID: "fee-exemption-3y"}, nil, meta); field(err, "policy_id") != "error.grant.not_eligible" {
		t.Errorf("someone not eligible: %v", err)
	}
	if _, err := w.svc.Apply(ctx, w.who["hotline"], grants.Input{PolicyID: "fee-exemption-3y"}, nil, meta); !core.IsCode(err, core.Forbidden) {
		t.Errorf("the hotline applying: %v", err)
	}
	for _, id := range []string{"", "no-such-policy", "guaranteed-loan", "free-employment-services"} {
		if _, err := w.svc.Apply(ctx, owner, grants.Input{PolicyID: id}, nil, meta); field(err, "policy_id") != "error.grant.policy" {
			t.Errorf("policy %q: %v", id, err)
		}
	}
	a, err := w.svc.Apply(ctx, owner, grants.Input{PolicyID: "fee-exemption-3y"}, nil, meta)
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"hotline", "owner", "other"} {
		if _, err := w.svc.Act(ctx, w.who[who], a.ID, grants.StepInput{Action: "refuse", Note: "資料不符規定"}, meta); err == nil {
			t.Errorf("%s refused it", who)
		}
	}
	if _, err := w.svc.Get(ctx, w.who["other"], a.ID); !core.IsCode(err, core.NotFound) {
		t.Errorf("another person reads it: %v", err)
	}
	if _, err := w.svc.Act(ctx, w.who["officer"], a.ID, grants.StepInput{Action: "refuse", Note: "否"}, meta); field(err, "note") != "error.reason.short" {
		t.Errorf("a refusal without a reason: %v", err)
	}
	r, err := w.svc.Act(ctx, w.who["officer"], a.ID, grants.StepInput{Action: "return", Note: "請補交營業執照"}, meta)
	if err != nil || r.Waiting() != "applicant" || r.DueDays != grants.ReturnedDays {
		t.Fatalf("returned: %+v %v", r, err)
	}
	if _, err := w.svc.Act(ctx, w.who["officer"], a.ID, grants.StepInput{Action: "grant"}, meta); !core.IsCode(err, core.Conflict) {
		t.Errorf("granted while with the applicant: %v", err)
	}
	if _, err := w.svc.Act(ctx, owner, a.ID, grants.StepInput{Action: "resubmit"}, meta); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Act(ctx, w.who["admin"], a.ID, grants.StepInput{Action: "refuse", Note: "營業執照非個體工商戶"}, meta); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Apply(ctx, owner, grants.Input{PolicyID: "fee-exemption-3y"}, nil, meta); err != nil {
		t.Errorf("applying again after a refusal: %v", err)
	}
	if keys := w.told(t, owner.ID); !slices.Contains(keys, "notify.grant.refuse") || !slices.Contains(keys, "notify.grant.return") {
		t.Errorf("told: %v", keys)
	}
}

// TestNothingHalfWritten: a refused upload leaves no application, no key
// and no bytes behind.
func TestNothingHalfWritten(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.owner(t)
	owner := w.who["owner"]
	for name, up := range map[string]grants.Upload{
		"a text file":     {Kind: "id_card", Name: "id.txt", Data: []byte("hello")},
		"an unknown kind": {Kind: "passport", Name: "p.pdf", Data: pdf},
		"too large":       {Kind: "id_card", Name: "big.pdf", Data: append(slices.Clone(pdf), make([]byte, grants.MaxFileBytes)...)},
	} {
		if _, err := w.svc.Apply(ctx, owner, grants.Input{PolicyID: "fee-exemption-3y"}, []grants.Upload{up}, meta); field(err, "documents.0") == "" {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, coll := range []string{"grants", "grant_blobs"} {
		if n, _ := w.Store.C(coll).EstimatedDocumentCount(ctx); n != 0 {
			t.Errorf("%s: %d written", coll, n)
		}
	}
	a, err := w.svc.Apply(ctx, owner, grants.Input{PolicyID: "fee-exemption-3y"}, []grants.Upload{{Kind: "id_card", Name: "../../身分證.pdf", Data: pdf}}, meta)
	if err != nil || len(a.Documents) != 1 || a.Documents[0].Name != "身分證.pdf" {
		t.Fatalf("with a good document: %+v %v", a, err)
	}
	d, data, err := w.svc.Download(ctx, w.who["officer"], a.ID, a.Documents[0].ID, meta)
	if err != nil || d.Type != "application/pdf" || string(data) != string(pdf) {
		t.Errorf("download: %v", err)
	}
}

// TestRegistrationWithHardship: a land-expropriated farmer on the roster
// registers and, found in hardship, gets the 《再就業優惠證》 too; each
// number is the next of its series.
func TestRegistrationWithHardship(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	no := false
	w.save(t, "farmer", people.Input{RealName: "李秀英", Facts: policy.Facts{TargetGroups: []string{"land_expropriated_farmer"}, Employed: &no}})
	farmer := w.who["farmer"]
	for fact, value := range map[string]string{"on_farmer_roster": "true", "farmland_per_capita_mu": "0.05"} {
		if _, err := w.People.FromRoster(ctx, farmer.ID, people.RosterEntry{Roster: "北山村花名冊", Fact: fact, Value: value}); err != nil {
			t.Fatal(err)
		}
	}
	a, err := w.svc.Apply(ctx, farmer, grants.Input{PolicyID: "farmer-unemployment-registration", Hardship: true},
		[]grants.Upload{{Kind: "id_card", Name: "id.pdf", Data: pdf}}, meta)
	if err != nil {
		t.Fatal(err)
	}
	officer := w.who["officer"]
	if _, err := w.svc.Act(ctx, officer, a.ID, grants.StepInput{Action: "grant", Hardship: true}, meta); field(err, "note") != "error.grant.hardship_note" {
		t.Errorf("hardship without saying why: %v", err)
	}
	g, err := w.svc.Act(ctx, officer, a.ID, grants.StepInput{Action: "grant", Hardship: true, Note: "家庭人均收入低於最低生活保障標準"}, meta)
	if err != nil {
		t.Fatal(err)
	}
	if g.Grant.Number != "JY2026000001" || g.Grant.HardshipNumber != "ZJY2026000001" {
		t.Errorf("numbers: %+v", g.Grant)
	}
	w.owner(t)
	if _, err := w.svc.Apply(ctx, w.who["owner"], grants.Input{PolicyID: "fee-exemption-3y", Hardship: true}, nil, meta); field(err, "hardship") != "error.grant.no_hardship" {
		t.Errorf("hardship on a certificate: %v", err)
	}
}

// farmerNumber is a valid ID number for the n-th farmer of the tests.
func farmerNumber(n int) string { return pii.WithCheckDigit(fmt.Sprintf("44030119800101%03d", n)) }

// employer is a verified employer and its manager.
func (w *world) employer(t *testing.T, kind orgs.Kind) accounts.Principal {
	t.Helper()
	hr := w.who["hr"]
	o, err := w.orgs.Found(ctx, hr, orgs.Input{Name: "東城恒達製衣有限公司", CreditCode: orgs.WithCheckChar("91440101MA5D7Q1R2"), Kind: kind,
		District: "dongcheng", Address: "東城區人民路 1 號", ContactName: "陳經理", ContactPhone: "0755-86013388"}, meta)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.orgs.Verify(ctx, w.who["admin"], o.ID, meta); err != nil {
		t.Fatal(err)
	}
	return hr
}

// roster imports the farmers' roster with the first n test farmers.
func (w *world) roster(t *testing.T, n int) {
	t.Helper()
	var b strings.Builder
	for i := 1; i <= n; i++ {
		b.WriteString(`{"id_number":"` + farmerNumber(i) + `"}` + "\n")
	}
	if _, err := w.People.ImportRoster(ctx, "farmers", "北山村花名冊", strings.NewReader(b.String()), "jsonl", nil); err != nil {
		t.Fatal(err)
	}
}

func line(n int, start core.Date, years int, insured bool) grants.LineInput {
	return grants.LineInput{Name: fmt.Sprintf("農民%d", n), IDNumber: farmerNumber(n), ContractStart: start, ContractYears: years, SocialInsurance: insured}
}

// TestRewardClaim: an employer claims the hiring reward for the farmers
// it lists; each line is judged against the policy's terms and the
// roster, a farmer counts once whoever claims, and the grant is 200 yuan
// a farmer who meets them.
func TestRewardClaim(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.roster(t, 4)
	hr := w.employer(t, orgs.Employer)
	old := core.NewDate(2024, 1, 2)
	if _, err := w.svc.Apply(ctx, w.who["owner"], grants.Input{PolicyID: "farmer-hiring-reward"}, nil, meta); !core.IsCode(err, core.Forbidden) {
		t.Errorf("a person claiming an organisation's reward: %v", err)
	}
	if _, err := w.svc.Apply(ctx, hr, grants.Input{PolicyID: "farmer-placement-reward", Lines: []grants.LineInput{line(1, old, 3, true)}}, nil, meta); field(err, "policy_id") != "error.grant.org_kind" {
		t.Errorf("an employer claiming the agencies' reward: %v", err)
	}
	bad := []grants.LineInput{line(1, old, 3, true), line(1, old, 3, true)}
	if _, err := w.svc.Apply(ctx, hr, grants.Input{PolicyID: "farmer-hiring-reward", Lines: bad}, nil, meta); !strings.HasPrefix(field(err, "lines.1.id_number"), "error.grant.line_twice") {
		t.Errorf("a farmer listed twice: %v", err)
	}
	wrong := line(2, old, 3, true)
	wrong.IDNumber = wrong.IDNumber[:17] + "0"
	if wrong.IDNumber == farmerNumber(2) {
		wrong.IDNumber = wrong.IDNumber[:17] + "1"
	}
	if _, err := w.svc.Apply(ctx, hr, grants.Input{PolicyID: "farmer-hiring-reward", Lines: []grants.LineInput{wrong}}, nil, meta); field(err, "lines.0.id_number") != string(pii.IDChecksum) {
		t.Errorf("a bad check digit: %v", err)
	}
	lines := []grants.LineInput{
		line(1, old, 3, true),                      // meets the terms
		line(2, old, 1, true),                      // a one-year contract
		line(3, core.NewDate(2025, 6, 1), 3, true), // not two years yet
		line(4, old, 3, false),                     // no social insurance
		line(9, old, 3, true),                      // not on the roster
	}
	a, err := w.svc.Apply(ctx, hr, grants.Input{PolicyID: "farmer-hiring-reward", Lines: lines}, []grants.Upload{
		{Kind: "labour_contracts", Name: "contracts.pdf", Data: pdf}, {Kind: "social_insurance_record", Name: "si.pdf", Data: pdf}}, meta)
	if err != nil {
		t.Fatal(err)
	}
	var short []string
	for _, l := range a.Lines {
		short = append(short, l.Short)
		if strings.Contains(l.IDMasked, farmerNumber(1)[6:14]) {
			t.Errorf("the ID number is shown: %s", l.IDMasked)
		}
	}
	if !slices.Equal(short, []string{"", "contract", "served", "insurance", "roster"}) || a.Meeting() != 1 {
		t.Fatalf("lines judged: %q", short)
	}
	if _, err := w.svc.Apply(ctx, hr, grants.Input{PolicyID: "farmer-hiring-reward", Lines: lines[:1]}, nil, meta); !core.IsCode(err, core.Conflict) {
		t.Errorf("a second open claim: %v", err)
	}
	g, err := w.svc.Act(ctx, w.who["officer"], a.ID, grants.StepInput{Action: "grant", Note: "已核對勞動合同及社保繳費記錄"}, meta)
	if err != nil {
		t.Fatal(err)
	}
	if g.Grant.AmountFen != 200_00 {
		t.Errorf("granted %d fen", g.Grant.AmountFen)
	}
	// Farmer 1 was rewarded: a new claim listing them again finds the
	// line claimed, and with nothing else meeting the terms is refused.
	_, err = w.svc.Apply(ctx, hr, grants.Input{PolicyID: "farmer-hiring-reward", Lines: lines[:1]}, nil, meta)
	if field(err, "lines") != "error.grant.none_meet" {
		t.Errorf("the same farmer again: %v", err)
	}
	ledger, total, _, err := w.svc.Ledger(ctx, hr, g.SubjectID, core.Page{})
	if err != nil || total != 1 || ledger[0].Grant.AmountFen != 200_00 {
		t.Errorf("the employer's ledger: %d %v", total, err)
	}
	if _, _, _, err := w.svc.Ledger(ctx, w.who["owner"], g.SubjectID, core.Page{}); !core.IsCode(err, core.NotFound) {
		t.Errorf("someone else's ledger: %v", err)
	}
}

// TestEntityRewardNeedsMoreThanTen: an entity founded by farmers claims
// for more than 10 farmers on 3-year contracts, or not at all.
func TestEntityRewardNeedsMoreThanTen(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.roster(t, 11)
	hr := w.employer(t, orgs.FarmerEntity)
	var lines []grants.LineInput
	for i := 1; i <= 10; i++ {
		lines = append(lines, line(i, core.NewDate(2023, 1, 2), 3, true))
	}
	_, err := w.svc.Apply(ctx, hr, grants.Input{PolicyID: "farmer-entity-reward", Lines: lines}, nil, meta)
	if got := field(err, "lines"); !strings.HasPrefix(got, "error.grant.min_lines") {
		t.Fatalf("ten farmers: %v", err)
	}
	a, err := w.svc.Apply(ctx, hr, grants.Input{PolicyID: "farmer-entity-reward", Lines: append(lines, line(11, core.NewDate(2023, 1, 2), 3, true))}, nil, meta)
	if err != nil || a.Meeting() != 11 {
		t.Fatalf("eleven: %v", err)
	}
}

// TestUnverifiedOrganisationWaits: an organisation staff have not verified
// claims nothing yet.
func TestUnverifiedOrganisationWaits(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.roster(t, 1)
	if _, err := w.orgs.Found(ctx, w.who["hr"], orgs.Input{Name: "北山勞務", CreditCode: orgs.WithCheckChar("91440101MA5D7Q1R2"), Kind: orgs.LabourAgency,
		District: "dongcheng", Address: "東城區人民路 2 號", ContactName: "陳經理", ContactPhone: "0755-86013388"}, meta); err != nil {
		t.Fatal(err)
	}
	_, err := w.svc.Apply(ctx, w.who["hr"], grants.Input{PolicyID: "farmer-placement-reward", Lines: []grants.LineInput{line(1, core.NewDate(2023, 1, 2), 3, true)}}, nil, meta)
	if !core.IsCode(err, core.Conflict) {
		t.Errorf("an unverified agency: %v", err)
	}
}

// TestAutoGrant: the tax-relief confirmation is granted without
// application once a farmer's founding facts are checked — once.
func TestAutoGrant(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.save(t, "farmer", people.Input{RealName: "李秀英", Facts: policy.Facts{TargetGroups: []string{"land_expropriated_farmer"},
		Venture: &policy.Venture{Stage: "preparing", Form: "company", Industry: "manufacturing"}}})
	farmer := w.who["farmer"]
	if n, err := w.svc.AutoGrants(ctx, farmer.ID); err != nil || n != 0 {
		t.Fatalf("on her word: %d %v", n, err)
	}
	if _, err := w.People.FromRoster(ctx, farmer.ID, people.RosterEntry{Roster: "北山村花名冊", Fact: "on_farmer_roster", Value: "true"}); err != nil {
		t.Fatal(err)
	}
	if n, err := w.svc.AutoGrants(ctx, farmer.ID); err != nil || n != 1 {
		t.Fatalf("once checked: %d %v", n, err)
	}
	if n, err := w.svc.AutoGrants(ctx, farmer.ID); err != nil || n != 0 {
		t.Errorf("again: %d %v", n, err)
	}
	ledger, total, _, err := w.svc.Ledger(ctx, farmer, farmer.ID, core.Page{})
	if err != nil || total != 1 || !ledger[0].Grant.Auto || ledger[0].Grant.Code == "" || ledger[0].PolicyID != "farmer-tax-relief" {
		t.Fatalf("ledger: %d %v", total, err)
	}
	if g := ledger[0].Grant; g.ValidUntil != g.ValidFrom.AddYears(3).AddDays(-1) || g.HalfUntil != g.ValidUntil.AddYears(2) {
		t.Errorf("three years free, two halved: %+v", g)
	}
	if keys := w.told(t, farmer.ID); !slices.Contains(keys, "notify.grant.auto_grant") {
		t.Errorf("told: %v", keys)
	}
}

// TestQueue: the bureau's queue has what waits on it, the overdue first,
// by kind; an applicant's list has their own only.
func TestQueue(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.owner(t)
	w.roster(t, 1)
	first, err := w.svc.Apply(ctx, w.who["owner"], grants.Input{PolicyID: "fee-exemption-3y"}, nil, meta)
	if err != nil {
		t.Fatal(err)
	}
	w.Advance(10 * 24 * time.Hour)
	hr := w.employer(t, orgs.Employer)
	second, err := w.svc.Apply(ctx, hr, grants.Input{PolicyID: "farmer-hiring-reward", Lines: []grants.LineInput{line(1, core.NewDate(2023, 1, 2), 3, true)}}, nil, meta)
	if err != nil {
		t.Fatal(err)
	}
	rows, total, _, err := w.svc.List(ctx, w.who["officer"], grants.Query{})
	if err != nil || total != 2 || rows[0].ID != first.ID || !rows[0].Overdue || rows[1].ID != second.ID || rows[1].Overdue {
		t.Fatalf("queue: %+v %v", rows, err)
	}
	if rows, total, _, _ := w.svc.List(ctx, w.who["officer"], grants.Query{Kind: "reward"}); total != 1 || rows[0].ID != second.ID || rows[0].Lines != 1 {
		t.Errorf("rewards: %+v", rows)
	}
	if _, _, _, err := w.svc.List(ctx, w.who["officer"], grants.Query{Kind: "loan"}); field(err, "kind") != "error.enum" {
		t.Errorf("kind loan: %v", err)
	}
	if rows, total, _, _ := w.svc.List(ctx, hr, grants.Query{}); total != 1 || rows[0].ID != second.ID {
		t.Errorf("the employer's own: %+v", rows)
	}
	if _, _, _, err := w.svc.List(ctx, w.who["hr"], grants.Query{Status: "lost"}); field(err, "status") != "error.enum" {
		t.Errorf("an unknown status: %v", err)
	}
}

// TestRewardOnceAcrossKeyRotation: while the data key rotates, a farmer
// held by a claim under the old key's index is found claimed when another
// employer lists them under the new key.
func TestRewardOnceAcrossKeyRotation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.roster(t, 1)
	hr := w.employer(t, orgs.Employer)
	first, err := w.svc.Apply(ctx, hr, grants.Input{PolicyID: "farmer-hiring-reward", Lines: []grants.LineInput{line(1, core.NewDate(2023, 1, 2), 3, true)}}, nil, meta)
	if err != nil {
		t.Fatal(err)
	}
	rotated := servicetest.Must(pii.NewVault(bytes.Repeat([]byte{7}, 32), bytes.Repeat([]byte{9}, 32)))
	svc := servicetest.Must(grants.New(grants.Deps{Store: w.Store, Outbox: w.Outbox, Audit: w.Audit, Notify: w.Notify, People: w.People,
		Orgs: w.orgs, Policies: w.Policies, Figures: w.Figures, Vault: rotated, Clock: w.Clock, Calendar: w.Workdays, Accounts: w.Accounts}))
	other := w.Users(t, map[string]accounts.Role{"hr2": accounts.Organisation})["hr2"]
	o, err := w.orgs.Found(ctx, other, orgs.Input{Name: "西城製衣廠", CreditCode: orgs.WithCheckChar("91440101MA5D7Q1R3"), Kind: orgs.Employer,
		District: "dongcheng", Address: "東城區人民路 3 號", ContactName: "陳經理", ContactPhone: "0755-86013388"}, meta)
	if err == nil {
		_, err = w.orgs.Verify(ctx, w.who["admin"], o.ID, meta)
	}
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.Apply(ctx, other, grants.Input{PolicyID: "farmer-hiring-reward", Lines: []grants.LineInput{line(1, core.NewDate(2023, 1, 2), 3, true)}}, nil, meta)
	if field(err, "lines") != "error.grant.none_meet" {
		t.Fatalf("the same farmer under the new key: %v", err)
	}
	// The rotation walks the claims: once done, the old key can go and
	// the farmer is still claimed.
	rep, err := rekey.New(w.Store, rotated).Run(ctx, rekey.Options{})
	if err != nil || rep.Err() != nil {
		t.Fatalf("rotation: %v %v", err, rep.Err())
	}
	again, err := rekey.New(w.Store, rotated).Run(ctx, rekey.Options{})
	if err != nil || again.Rekeyed() != 0 {
		t.Errorf("a second run re-keyed %d: %v", again.Rekeyed(), err)
	}
	onlyNew := servicetest.Must(pii.NewVault(bytes.Repeat([]byte{7}, 32)))
	svc = servicetest.Must(grants.New(grants.Deps{Store: w.Store, Outbox: w.Outbox, Audit: w.Audit, Notify: w.Notify, People: w.People,
		Orgs: w.orgs, Policies: w.Policies, Figures: w.Figures, Vault: onlyNew, Clock: w.Clock, Calendar: w.Workdays, Accounts: w.Accounts}))
	_, err = svc.Apply(ctx, other, grants.Input{PolicyID: "farmer-hiring-reward", Lines: []grants.LineInput{line(1, core.NewDate(2023, 1, 2), 3, true)}}, nil, meta)
	if field(err, "lines") != "error.grant.none_meet" {
		t.Fatalf("the same farmer after the old key is gone: %v", err)
	}
	a, err := svc.Get(ctx, w.who["officer"], first.ID)
	if err != nil || !onlyNew.Current(a.Lines[0].IDSealed) {
		t.Errorf("the claim's line is not sealed under the new key: %v", err)
	}
}

// TestPolicyChangedUnderAnApplication: an administrator stops a support
// being applied for while an application waits; it cannot be granted on
// settings that are gone, but can still be refused.
func TestPolicyChangedUnderAnApplication(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.owner(t)
	a, err := w.svc.Apply(ctx, w.who["owner"], grants.Input{PolicyID: "fee-exemption-3y"}, nil, meta)
	if err != nil {
		t.Fatal(err)
	}
	p, err := w.Policies.Get(ctx, "fee-exemption-3y")
	if err != nil {
		t.Fatal(err)
	}
	edit := *p
	edit.Apply = nil
	if err := w.Policies.Save(ctx, w.who["admin"], &edit, meta); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Act(ctx, w.who["officer"], a.ID, grants.StepInput{Action: "grant"}, meta); !core.IsCode(err, core.Conflict) {
		t.Errorf("granted on settings that are gone: %v", err)
	}
	if _, err := w.svc.Act(ctx, w.who["officer"], a.ID, grants.StepInput{Action: "refuse", Note: "本項扶持已改為線下辦理"}, meta); err != nil {
		t.Errorf("refused: %v", err)
	}
}

// TestSubsidy: a one-off subsidy an administrator adds as data — refused
// without its amount — is applied for with its evidence and granted at
// the support's amount, once.
func TestSubsidy(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	admin, farmer, officer := w.who["admin"], w.who["farmer"], w.who["officer"]
	p := &policy.Policy{ID: "returning-start-subsidy", Active: true, Basis: "國辦發〔2015〕47號 (七)",
		Name:        policy.Text{"zh-Hant": "返鄉創業一次性補貼", "zh-Hans": "返乡创业一次性补贴", "en": "One-off start-up subsidy for returning workers"},
		Summary:     policy.Text{"zh-Hant": "返鄉農民工創業，一次性補貼。", "zh-Hans": "返乡农民工创业，一次性补贴。", "en": "Returning migrant workers who start a venture."},
		Grantor:     policy.Text{"zh-Hant": "市人社局", "zh-Hans": "市人社局", "en": "City bureau"},
		BenefitText: policy.Text{"zh-Hant": "一次性 3,000 元", "zh-Hans": "一次性 3,000 元", "en": "3,000 yuan once"},
		Apply:       &policy.Apply{Kind: policy.ApplySubsidy, Documents: []string{"id_card"}},
		Conditions:  json.RawMessage(`{"fact":"target_groups","op":"contains","value":"returning_migrant_worker"}`)}
	if err := w.Policies.Save(ctx, admin, p, meta); field(err, "benefit") != "error.policy.apply_subsidy" {
		t.Fatalf("a subsidy without its amount: %v", err)
	}
	p.Version, p.Benefit.AmountYuan = 0, 3000
	if err := w.Policies.Save(ctx, admin, p, meta); err != nil {
		t.Fatal(err)
	}
	w.save(t, "farmer", people.Input{RealName: "趙麗華", Facts: policy.Facts{TargetGroups: []string{"returning_migrant_worker"}}})
	a, err := w.svc.Apply(ctx, farmer, grants.Input{PolicyID: p.ID, Note: "社區家政服務店"}, nil, meta)
	if err != nil || a.Kind != policy.ApplySubsidy {
		t.Fatalf("apply: %+v %v", a, err)
	}
	if _, err := w.svc.Attach(ctx, farmer, a.ID, grants.Upload{Kind: "id_card", Name: "身分證.pdf", Data: pdf}, meta); err != nil {
		t.Fatal(err)
	}
	g, err := w.svc.Act(ctx, officer, a.ID, grants.StepInput{Action: "grant", Note: "已核對返鄉證明"}, meta)
	if err != nil {
		t.Fatal(err)
	}
	if g.Grant == nil || g.Grant.AmountFen != 300_000 || g.Grant.Code != "" || g.Grant.Number != "" {
		t.Fatalf("granted: %+v", g.Grant)
	}
	if _, err := w.svc.Apply(ctx, farmer, grants.Input{PolicyID: p.ID}, nil, meta); !core.IsCode(err, core.Conflict) {
		t.Errorf("a second subsidy: %v", err)
	}
	ledger, total, _, err := w.svc.Ledger(ctx, farmer, farmer.ID, core.Page{})
	if err != nil || total != 1 || ledger[0].Grant.AmountFen != 300_000 {
		t.Errorf("ledger: %d %v", total, err)
	}
}

// TestEscalate: an application the bureau has not decided within its
// time limit is raised to the administrators, once; one sent back and not
// completed in time is raised to the applicant, once per limit.
func TestEscalate(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.owner(t)
	owner, officer, admin := w.who["owner"], w.who["officer"], w.who["admin"]
	a, err := w.svc.Apply(ctx, owner, grants.Input{PolicyID: "fee-exemption-3y"}, nil, meta)
	if err != nil {
		t.Fatal(err)
	}
	count := func(userID, key string) int {
		n := 0
		for _, k := range w.told(t, userID) {
			if k == key {
				n++
			}
		}
		return n
	}
	if n, err := w.svc.Escalate(ctx); err != nil || n != 0 {
		t.Fatalf("within the limit: %d %v", n, err)
	}
	w.Advance(10 * 24 * time.Hour) // past five working days
	for range 2 {
		if _, err := w.svc.Escalate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(admin.ID, "notify.grant.overdue"); n != 1 {
		t.Errorf("the administrator was told %d times of the late decision, want once", n)
	}
	if _, err := w.svc.Act(ctx, officer, a.ID, grants.StepInput{Action: "return", Note: "請補交營業執照影本"}, meta); err != nil {
		t.Fatal(err)
	}
	w.Advance(14 * 24 * time.Hour) // past the applicant's seven working days
	for range 2 {
		if _, err := w.svc.Escalate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(owner.ID, "notify.grant.overdue.applicant"); n != 1 {
		t.Errorf("the applicant was told %d times, want once", n)
	}
	if n := count(admin.ID, "notify.grant.overdue"); n != 1 {
		t.Errorf("the administrator was told again of an application waiting on the applicant (%d)", n)
	}
}
