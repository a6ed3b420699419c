package bases

import (
	"cmp"
	"context"
	"slices"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/matching"
)

// RankedBase is a base scored for a person.
type RankedBase struct {
	Base  *Base
	Score matching.Score
}

// ForPerson ranks the public bases for a person, best fit first, each with
// the parts of its score.
func (s *Service) ForPerson(ctx context.Context, p matching.Person) ([]RankedBase, error) {
	list, err := s.Directory(ctx, Filter{})
	if err != nil {
		return nil, err
	}
	bases := make([]matching.Base, len(list))
	byID := map[string]*Base{}
	for i, b := range list {
		bases[i] = b.MatchBase()
		byID[b.ID] = b
	}
	ranked := matching.Rank(p, bases)
	out := make([]RankedBase, len(ranked))
	for i, r := range ranked {
		out[i] = RankedBase{Base: byID[r.Base.ID], Score: r.Score}
	}
	return out, nil
}

// PersonOf tells the assignment who an applicant is.
type PersonOf func(ctx context.Context, applicantID string) matching.Person

// Preview is an intake's assignment before it is committed: for every
// applicant the choices in order and the base they get; for every base its
// seats and its ranked applicants with scores — enough to check by hand
// that no applicant and base prefer each other to what they got.
type Preview struct {
	Intake     *Intake            `json:"intake"`
	Applicants []PreviewApplicant `json:"applicants"`
	Bases      []PreviewBase      `json:"bases"`
	Placed     int                `json:"placed"`
}

// PreviewApplicant is one applicant's choices and result.
type PreviewApplicant struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Choices []string `json:"choices"`
	Gets    string   `json:"gets,omitempty"`
}

// PreviewBase is one base's side.
type PreviewBase struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Capacity int            `json:"capacity"`
	Ranked   []ScoredPerson `json:"ranked"`
	Gets     []string       `json:"gets"`
	Excluded []ScoredPerson `json:"excluded,omitempty"` // applicants a hard rule keeps out
}

// ScoredPerson is an applicant in a base's order.
type ScoredPerson struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Score int    `json:"score"`
}

// intakeApps loads the pending applications of an intake.
func (s *Service) intakeApps(ctx context.Context, intakeID string) ([]*Application, error) {
	var all []*Application
	for page := 1; page <= 500; page++ {
		r, err := s.outbox.Engine().Search(ctx, AppIndex.Name, search.Query{Filters: []search.Filter{
			{Field: "intake_id", Values: []string{intakeID}}, {Field: "status", Values: []string{AppPending}}},
			Offset: (page - 1) * 100, Limit: 100, Sort: []search.Sort{{Field: "created_at"}}})
		if err != nil {
			return nil, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
		}
		for _, h := range r.Hits {
			var a Application
			if err := s.store.Get(ctx, "applications", h.ID, &a); err == nil && a.Status == AppPending {
				all = append(all, &a)
			}
		}
		if len(r.Hits) < 100 {
			break
		}
	}
	return all, nil
}

// PreviewAssignment computes an intake's assignment without changing
// anything. Bases order their applicants by the scorer (ties: applicant id
// ascending); applicants an exclusion rule keeps out are not acceptable to
// the base; capacities are the free seats now.
func (s *Service) PreviewAssignment(ctx context.Context, actor accounts.Principal, intakeID string, person PersonOf) (*Preview, matching.Assignment, []*Application, error) {
	if actor.Role != accounts.Admin {
		return nil, nil, nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	var intake Intake
	if err := s.store.Get(ctx, "intakes", intakeID, &intake); err != nil {
		return nil, nil, nil, err
	}
	apps, err := s.intakeApps(ctx, intakeID)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(apps) == 0 {
		return nil, nil, nil, core.Errorf(core.Conflict, "error.intake.empty")
	}
	byApplicant := map[string][]*Application{}
	names := map[string]string{}
	for _, a := range apps {
		byApplicant[a.ApplicantID] = append(byApplicant[a.ApplicantID], a)
		names[a.ApplicantID] = a.ApplicantName
	}
	bases := map[string]*Base{}
	applicantsOf := map[string][]ScoredPerson{}
	excluded := map[string][]ScoredPerson{}
	var applicants []matching.Applicant
	var pa []PreviewApplicant
	for id, list := range byApplicant {
		slices.SortFunc(list, func(x, y *Application) int { return cmp.Compare(x.Rank, y.Rank) })
		who := person(ctx, id)
		ma := matching.Applicant{ID: id}
		for _, a := range list {
			b, ok := bases[a.BaseID]
			if !ok {
				var fresh Base
				if err := s.store.Get(ctx, "bases", a.BaseID, &fresh); err != nil {
					return nil, nil, nil, err
				}
				b, bases[a.BaseID] = &fresh, &fresh
			}
			ma.Choices = append(ma.Choices, b.ID)
			sc := matching.ScoreBase(who, b.MatchBase())
			sp := ScoredPerson{ID: id, Name: names[id], Score: sc.Total}
			// Full seats are the capacity's business, not an exclusion here.
			hard := false
			for _, part := range sc.Parts {
				if part.Excludes && part.Key != "match.seats.none" && part.Key != "match.intake.closed" {
					hard = true
				}
			}
			if hard {
				excluded[b.ID] = append(excluded[b.ID], sp)
			} else {
				applicantsOf[b.ID] = append(applicantsOf[b.ID], sp)
			}
		}
		applicants = append(applicants, ma)
		pa = append(pa, PreviewApplicant{ID: id, Name: names[id], Choices: ma.Choices})
	}
	var programs []matching.Program
	var pb []PreviewBase
	for id, b := range bases {
		ranked := applicantsOf[id]
		slices.SortFunc(ranked, func(x, y ScoredPerson) int {
			if c := cmp.Compare(y.Score, x.Score); c != 0 {
				return c
			}
			return cmp.Compare(x.ID, y.ID)
		})
		prio := make([]string, len(ranked))
		for i, r := range ranked {
			prio[i] = r.ID
		}
		programs = append(programs, matching.Program{ID: id, Capacity: max(b.FreeSeats, 0), Priority: prio})
		pb = append(pb, PreviewBase{ID: id, Name: b.Name, Capacity: max(b.FreeSeats, 0), Ranked: ranked, Excluded: excluded[id], Gets: []string{}})
	}
	as := matching.Assign(applicants, programs)
	for i := range pa {
		pa[i].Gets = as[pa[i].ID]
	}
	for i := range pb {
		for _, r := range pb[i].Ranked {
			if as[r.ID] == pb[i].ID {
				pb[i].Gets = append(pb[i].Gets, r.ID)
			}
		}
	}
	slices.SortFunc(pa, func(x, y PreviewApplicant) int { return cmp.Compare(x.ID, y.ID) })
	slices.SortFunc(pb, func(x, y PreviewBase) int { return cmp.Compare(x.ID, y.ID) })
	return &Preview{Intake: &intake, Applicants: pa, Bases: pb, Placed: len(as)}, as, apps, nil
}

// CommitAssignment turns the assignment into offers: each placed
// applicant's application becomes an offer holding a seat, the rest of the
// intake's pending applications are wait-listed, and the intake closes.
func (s *Service) CommitAssignment(ctx context.Context, actor accounts.Principal, intakeID string, person PersonOf, m accounts.Meta) (*Preview, error) {
	pv, as, apps, err := s.PreviewAssignment(ctx, actor, intakeID, person)
	if err != nil {
		return nil, err
	}
	offered := 0
	for _, a := range apps {
		to := AppWaitlisted
		if as[a.ApplicantID] == a.BaseID {
			if err := s.takeSeat(ctx, a.BaseID); err != nil {
				continue // a seat went elsewhere since the preview; stays pending
			}
			to = AppOffered
		}
		if err := s.transition(ctx, actor, a, to, "assign", ""); err != nil {
			if to == AppOffered {
				_ = s.releaseSeat(context.WithoutCancel(ctx), a.BaseID)
			}
			continue
		}
		if to == AppOffered {
			offered++
			s.notify.Send(ctx, a.ApplicantID, "notify.application.offered", a.BaseName, "/applications")
		}
	}
	_, err = s.store.C("intakes").UpdateOne(ctx, bson.D{{Key: "_id", Value: intakeID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "open", Value: false}, {Key: "assigned_at", Value: s.clock.Now()}}}})
	if err != nil {
		return nil, core.Wrap(err, "close intake")
	}
	s.audit.Record(ctx, actor.Actor(m), "intake.assign", audit.Success, intakeID, strconv.Itoa(offered)+" offers")
	return pv, nil
}
