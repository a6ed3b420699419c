package figures

import "context"

// delivery is the policy-delivery table (政策兌現, source (十五)): for each
// support applied for, the people eligible for it now, and in the span the
// applications, the grants, the refusals and the amount granted.
//
// Eligible is a stock, the others are flows: the people who qualify today
// (the entitlements' snapshots, kept as a stock rollup), beside what
// happened in the span. A count of people eligible "during" a span would
// add up everyone who qualified for a day of it, which nobody reads; the
// question the bureau asks is how many qualify and how many of them the
// support reaches, and "now" is what it can act on. The table says so
// (its note).
//
// A loan's row counts its files (services/loans: applied, approved,
// declined — decided but not approved — and the amount approved); every
// other kind counts its applications (services/grants). A support no
// longer offered is listed while the span has figures of it. The rollups
// hold one dimension each, so the table is the city's: under another
// filter it is not shown.
func (v *Views) delivery(ctx context.Context, q Query, recs Records) (Breakdown, error) {
	b := Breakdown{Key: "figures.delivery.title", Note: "figures.delivery.note",
		Header: []string{"figures.policy", "figures.delivery.eligible_now", "figures.delivery.applied", "figures.delivery.granted",
			"figures.delivery.refused", "figures.delivery.amount"},
		Kinds: []string{KindLabel, KindCount, KindCount, KindCount, KindCount, KindYuan}}
	for _, p := range recs.Applied {
		f, err := v.Read(ctx, Query{q.From, q.To, "policy", p.ID})
		if err != nil {
			return b, err
		}
		stock, err := v.Stock(ctx, "policy", p.ID)
		if err != nil {
			return b, err
		}
		n := f.Counts
		applied, granted, refused, fen := n["applications"], n["granted"], n["refused"], n["granted_fen"]
		if p.Kind == "loan" {
			applied, granted, refused, fen = n["loans_applied"], n["loans_approved"], n["loans_decided"]-n["loans_approved"], 100*n["loans_granted_yuan"]
		}
		if !p.Active && applied+granted+refused == 0 {
			continue
		}
		b.Rows = append(b.Rows, []Cell{labelCell(p.Name), countCell(stock["eligible"]), countCell(applied), countCell(granted),
			countCell(refused), yuanCell(fen)})
	}
	return b, nil
}
