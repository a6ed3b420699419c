package people_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/people"
	"onestop/services/pii"
	"onestop/services/policy"
	"onestop/services/privacy"
	"onestop/services/servicetest"
)

// TestImportRoster (#17 §2): a village's roster establishes the roster
// fact of the people on it who have a profile, keeps the lines of those
// who have not — under the ID number's blind index, never the number —
// and checks them the moment they give that number; a bad line is said
// by its line and field and stops nothing; an import run again changes
// nothing and tells nobody twice.
func TestImportRoster(t *testing.T) {
	e, u := caseWorld(t) // the owner: a farmer with ID A, not on a roster yet
	ctx := context.Background()
	later := pii.WithCheckDigit("44030519851203004")
	file := strings.Join([]string{
		`{"id_number": "` + idA + `"}`,
		`{"id_number": "` + strings.ToLower(later) + `"}`, // (as typed: a lower-case check letter is the same number)
		``,
		`{"id_number": "440301199001011235"}`,
		`{"id_number": "` + idA + `", "village": "北山村"}`,
		`not json`,
	}, "\n")
	const roster = "北山村被徵地農民花名冊（2026）"
	rep, err := e.People.ImportRoster(ctx, "farmers", roster, strings.NewReader(file), "jsonl", nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Lines != 5 || rep.Matched != 1 || rep.Waiting != 1 || len(rep.Rejected) != 3 {
		t.Fatalf("report: %+v", rep)
	}
	for i, want := range []struct {
		line  int
		field string
	}{{4, "id_number"}, {5, ""}, {6, ""}} {
		if r := rep.Rejected[i]; r.Line != want.line || len(r.Faults) == 0 || r.Faults[0].Field != want.field {
			t.Errorf("rejection %d: %+v, want line %d at %q", i, r, want.line, want.field)
		}
	}
	owner := stored(t, e, u["owner"].ID)
	if src := owner.SourceOf("on_farmer_roster"); src.Source != people.SourceRoster || src.Roster != roster || owner.Facts.OnFarmerRoster == nil || !*owner.Facts.OnFarmerRoster {
		t.Errorf("the owner's roster fact: %+v %v", src, owner.Facts.OnFarmerRoster)
	}
	// No ID number in clear among the kept lines.
	cur, err := e.Store.C(people.RosterCollection.Name).Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var lines []bson.Raw
	if err := cur.All(ctx, &lines); err != nil || len(lines) != 2 {
		t.Fatalf("%d lines kept (%v)", len(lines), err)
	}
	for _, l := range lines {
		if s := l.String(); strings.Contains(s, idA) || strings.Contains(s, later) || strings.Contains(s, later[:17]) {
			t.Errorf("a kept line holds an ID number: %s", s)
		}
	}
	// Again: nothing changes, nobody is told twice.
	told := func(id string) int {
		list, _, err := e.Notify.List(ctx, id, core.Page{Size: 100})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, x := range list {
			if x.Key == "notify.fact.roster" {
				n++
			}
		}
		return n
	}
	if n := told(u["owner"].ID); n != 1 {
		t.Fatalf("the owner was told %d times", n)
	}
	if _, err := e.People.ImportRoster(ctx, "farmers", roster, strings.NewReader(file), "jsonl", nil); err != nil {
		t.Fatal(err)
	}
	if n := told(u["owner"].ID); n != 1 {
		t.Errorf("after importing again the owner was told %d times", n)
	}
	// The person not registered then gives their ID number now.
	newcomer := e.Users(t, map[string]accounts.Role{"newcomer": accounts.Entrepreneur})["newcomer"]
	in := input(later, phoneB)
	in.Facts = policy.Facts{TargetGroups: []string{"land_expropriated_farmer"}}
	if _, err := e.People.Save(ctx, newcomer, in, "web", servicetest.Meta); err != nil {
		t.Fatal(err)
	}
	if got := stored(t, e, newcomer.ID); got.SourceOf("on_farmer_roster").Source != people.SourceRoster {
		t.Errorf("registered after the import: %+v", got.SourceOf("on_farmer_roster"))
	}
	// The line is part of their data: in their export, gone with them.
	part, err := e.People.PersonalData().Export(ctx, newcomer.ID)
	if err != nil || !slices.ContainsFunc(part.Records, func(r privacy.Record) bool { return r.Kind == "roster_line" }) {
		t.Errorf("their export: %+v %v", part, err)
	}
	subj := privacy.Subject{ID: newcomer.ID, Pseudonym: accounts.Pseudonym(newcomer.ID), Names: []string{"newcomer"}, Numbers: []string{later, phoneB}}
	if err := e.People.PersonalData().Erase(ctx, subj); err != nil {
		t.Fatal(err)
	}
	if n, err := e.Store.C(people.RosterCollection.Name).CountDocuments(ctx, bson.D{}); err != nil || n != 1 {
		t.Errorf("%d lines kept after the erasure, want the owner's only (%v)", n, err)
	}
}

// TestImportRosterRefuses: what a roster import refuses as a whole (an
// unknown kind, no name, an unknown format) and line by line (the
// farmland list without the figure, or a figure out of range, in CSV).
func TestImportRosterRefuses(t *testing.T) {
	e, u := caseWorld(t)
	ctx := context.Background()
	for _, tt := range []struct{ kind, name, format, field string }{
		{"villages", "名單", "jsonl", "kind"}, {"farmers", "", "jsonl", "roster"}, {"farmers", "名單", "xml", "format"},
	} {
		if _, err := e.People.ImportRoster(ctx, tt.kind, tt.name, strings.NewReader(""), tt.format, nil); field(err, tt.field) == "" {
			t.Errorf("%+v: %v", tt, err)
		}
	}
	csv := "\ufeffid_number,farmland_per_capita_mu\n" + idA + ",0.06\n" + idA + ",\n" + idA + ",-1\n" + idA + ",abc\n"
	rep, err := e.People.ImportRoster(ctx, "farmland", "北山縣國土部門人均耕地名單", strings.NewReader(csv), "csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Lines != 4 || rep.Matched != 1 || len(rep.Rejected) != 3 || rep.Rejected[0].Line != 3 || rep.Rejected[0].Faults[0].Field != "farmland_per_capita_mu" {
		t.Fatalf("report: %+v", rep)
	}
	owner := stored(t, e, u["owner"].ID)
	if owner.Facts.FarmlandPerCapitaMu == nil || *owner.Facts.FarmlandPerCapitaMu != 0.06 || owner.SourceOf("farmland_per_capita_mu").Source != people.SourceRoster {
		t.Errorf("the owner's farmland: %v %+v", owner.Facts.FarmlandPerCapitaMu, owner.SourceOf("farmland_per_capita_mu"))
	}
}
