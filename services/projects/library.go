package projects

import (
	"context"

	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/policy"
	"onestop/services/reference"
	"onestop/services/store"
)

// Sorts a library query may ask for.
var Sorts = []string{"relevance", "newest", "investment_asc", "investment_desc"}

// Stages a library query may ask for (Query.Stage): a review queue's, or a
// status.
func Stages() []string {
	return append([]string{"needs_reviewers", "in_review", "awaiting_consensus"}, Statuses...)
}

// Query is a library search.
type Query struct {
	Text          string
	Industry      string
	District      string
	Risk          string
	TargetGroup   string
	MinInvestment *int64
	MaxInvestment *int64
	Sort          string
	Page          core.Page
	// Board lists for staff: "" is the public library (recommended only);
	// "mine" the caller's own; "review" the caller's pending reviews;
	// "board" the administrators' view of a stage or status.
	View  string
	Stage string
}

// Facets counted on the library.
var Facets = []string{"industry", "district", "risk", "target_groups"}

// Card is one project in a list.
type Card struct {
	ID, ExternalID, Title, Summary, Industry, District, Risk, Status, Stage string
	InvestmentYuan                                                          int64
	ExpectedJobs                                                            int
	Score                                                                   float64
	TargetGroups                                                            []string
	CreatedAt                                                               time.Time
	Highlight                                                               map[string]string
}

// Result is a page of the library.
type Result struct {
	Cards    []Card
	Total    int
	Page     core.Page
	Facets   map[string][]search.FacetCount
	Degraded bool // the search engine is down; this came from the database
}

// MaxQueryRunes bounds the text of a query.
const MaxQueryRunes = 100

// Normalize checks a query: text bounded and cleaned of control
// characters, enumerations known, sort known. Unknown values are refused,
// not ignored, so a typo in an API call is seen. An industry or district
// may be any ever listed, by code or label.
func (q *Query) Normalize(lists *reference.Lists) error {
	var v core.Validation
	q.Text = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(q.Text, ""))
	q.Text = strings.Join(strings.Fields(q.Text), " ")
	v.Check(utf8.RuneCountInString(q.Text) <= MaxQueryRunes, "q", "error.query.long")
	lists.Known(reference.Industry).Check(&v, "industry", &q.Industry)
	lists.Known(reference.District).Check(&v, "district", &q.District)
	v.Check(q.Risk == "" || slices.Contains(Risks, q.Risk), "risk", "error.enum")
	v.Check(q.TargetGroup == "" || slices.Contains(policy.TargetGroups, q.TargetGroup), "target_group", "error.enum")
	if q.Sort == "" {
		q.Sort = "relevance"
	}
	v.Check(slices.Contains(Sorts, q.Sort), "sort", "error.enum")
	v.Check(q.Stage == "" || slices.Contains(Stages(), q.Stage), "stage", "error.enum")
	if q.MinInvestment != nil && q.MaxInvestment != nil {
		v.Check(*q.MinInvestment <= *q.MaxInvestment, "min_investment", "error.range")
	}
	q.Page = q.Page.Normalize()
	return v.Err()
}

// Search lists projects. The public library shows recommended projects
// only; when the search engine fails it answers from the database and says
// so, rather than failing.
func (s *Service) Search(ctx context.Context, actor accounts.Principal, q Query) (*Result, error) {
	if err := q.Normalize(s.reference); err != nil {
		return nil, err
	}
	sq := search.Query{Text: q.Text, Offset: q.Page.Offset(), Limit: q.Page.Size, Highlight: []string{"title", "summary"}}
	filter := func(field, v string) {
		if v != "" {
			sq.Filters = append(sq.Filters, search.Filter{Field: field, Values: []string{v}})
		}
	}
	switch q.View {
	case "":
		filter("status", Recommended)
		sq.Facets = Facets
	case "mine":
		if actor.Guest() {
			return nil, core.Errorf(core.Unauthenticated, "error.unauthenticated")
		}
		filter("owner_id", actor.ID)
	case "review":
		if actor.Role != accounts.Mentor && actor.Role != accounts.Admin {
			return nil, core.Errorf(core.Forbidden, "error.forbidden")
		}
		filter("pending_reviewers", actor.ID)
	case "board":
		if actor.Role != accounts.Admin {
			return nil, core.Errorf(core.Forbidden, "error.forbidden")
		}
		if slices.Contains(Statuses, q.Stage) {
			filter("status", q.Stage)
		} else {
			filter("stage", q.Stage)
		}
	default:
		return nil, core.Errorf(core.Invalid, "error.invalid")
	}
	filter("industry", q.Industry)
	filter("district", q.District)
	filter("risk", q.Risk)
	filter("target_groups", q.TargetGroup)
	if q.MinInvestment != nil || q.MaxInvestment != nil {
		r := search.Range{Field: "investment_yuan"}
		if q.MinInvestment != nil {
			f := float64(*q.MinInvestment)
			r.Min = &f
		}
		if q.MaxInvestment != nil {
			f := float64(*q.MaxInvestment)
			r.Max = &f
		}
		sq.Ranges = append(sq.Ranges, r)
	}
	switch q.Sort {
	case "newest":
		sq.Sort = []search.Sort{{Field: "created_at", Desc: true}}
	case "investment_asc":
		sq.Sort = []search.Sort{{Field: "investment_yuan"}}
	case "investment_desc":
		sq.Sort = []search.Sort{{Field: "investment_yuan", Desc: true}}
	}
	res, err := s.outbox.Engine().Search(ctx, Index.Name, sq)
	if err != nil {
		if q.View != "" {
			return nil, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
		}
		return s.searchDatabase(ctx, q)
	}
	out := &Result{Total: res.Total, Page: q.Page, Facets: res.Facets, Cards: make([]Card, 0, len(res.Hits))}
	for _, h := range res.Hits {
		out.Cards = append(out.Cards, Card{ID: h.ID, ExternalID: h.String("external_id"), Title: h.String("title"), Summary: h.String("summary"),
			Industry: h.String("industry"), District: h.String("district"), Risk: h.String("risk"), Status: h.String("status"),
			Stage: h.String("stage"), InvestmentYuan: int64(h.Number("investment_yuan")), ExpectedJobs: int(h.Number("expected_jobs")),
			Score: h.Number("score"), TargetGroups: h.Strings("target_groups"), CreatedAt: h.Time("created_at"), Highlight: h.Highlights})
	}
	return out, nil
}

// searchDatabase is the degraded library: recommended projects from the
// database, filtered by equality and a title pattern built from the escaped
// query text (never a pattern the user wrote), newest first, no facets.
func (s *Service) searchDatabase(ctx context.Context, q Query) (*Result, error) {
	filter := bson.D{{Key: "status", Value: Recommended}}
	for field, v := range map[string]string{"industry": q.Industry, "district": q.District, "risk": q.Risk, "target_groups": q.TargetGroup} {
		if v != "" {
			filter = append(filter, bson.E{Key: field, Value: v})
		}
	}
	if q.Text != "" {
		filter = append(filter, bson.E{Key: "title", Value: bson.D{{Key: "$regex", Value: search.FoldPattern(q.Text)}, {Key: "$options", Value: "i"}}})
	}
	if q.MinInvestment != nil {
		filter = append(filter, bson.E{Key: "investment_yuan", Value: bson.D{{Key: "$gte", Value: *q.MinInvestment}}})
	}
	if q.MaxInvestment != nil {
		filter = append(filter, bson.E{Key: "investment_yuan", Value: bson.D{{Key: "$lte", Value: *q.MaxInvestment}}})
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	unavailable := func(err error) error {
		return &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
	}
	// One pass over the collection: the embedded store reads all of it for
	// any filter but an _id, so a count and then a sorted page would read
	// it twice. The matches' ids and dates are enough to count and order;
	// the page's projects are then read by _id.
	cur, err := s.store.C(Collection.Name).Find(ctx, filter, options.Find().SetProjection(bson.D{{Key: "created_at", Value: 1}}))
	if err != nil {
		return nil, unavailable(err)
	}
	type match struct {
		ID        string    `bson:"_id"`
		CreatedAt time.Time `bson:"created_at"`
	}
	var matches []match
	if err := cur.All(ctx, &matches); err != nil {
		return nil, unavailable(err)
	}
	slices.SortFunc(matches, func(a, b match) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c // newest first
		}
		return strings.Compare(a.ID, b.ID)
	})
	total := len(matches)
	var ids []string
	for _, m := range matches[min(q.Page.Offset(), total):min(q.Page.Offset()+q.Page.Size, total)] {
		ids = append(ids, m.ID)
	}
	page, err := store.GetMany[Project](ctx, s.store, Collection.Name, ids)
	if err != nil {
		return nil, unavailable(err)
	}
	var list []Project
	for _, p := range page {
		if p != nil {
			list = append(list, *p)
		}
	}
	out := &Result{Total: total, Page: q.Page, Degraded: true, Cards: make([]Card, 0, len(list))}
	for _, p := range list {
		out.Cards = append(out.Cards, Card{ID: p.ID, ExternalID: p.ExternalID, Title: p.Title, Summary: p.Summary, Industry: p.Industry,
			District: p.District, Risk: p.Risk, Status: p.Status, Stage: p.Stage(), InvestmentYuan: p.InvestmentYuan,
			ExpectedJobs: p.ExpectedJobs, Score: p.Score(), TargetGroups: p.TargetGroups, CreatedAt: p.CreatedAt})
	}
	return out, nil
}
