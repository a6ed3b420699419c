package reference

import (
	"context"
	"errors"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/store"
)

// Add appends an active entry to kind's list. Its code must be new to the
// list's space: a code once added is never removed, so it is never reused.
func (l *Lists) Add(ctx context.Context, actor accounts.Principal, kind Kind, e Entry, m accounts.Meta) error {
	e.Code, e.Retired, e.Order = strings.TrimSpace(e.Code), false, 0
	return l.change(ctx, actor, m, kind, "reference.add", e.Code, func(list *List, siblings []*List) error {
		if err := check(&e, list, siblings, true); err != nil {
			return err
		}
		list.Entries = append(list.Entries, e)
		return nil
	})
}

// Relabel replaces an entry's labels.
func (l *Lists) Relabel(ctx context.Context, actor accounts.Principal, kind Kind, code string, labels Labels, m accounts.Meta) error {
	return l.change(ctx, actor, m, kind, "reference.relabel", code, func(list *List, _ []*List) error {
		i := slices.IndexFunc(list.Entries, func(e Entry) bool { return e.Code == code })
		if i < 0 {
			return core.Errorf(core.NotFound, "error.not_found")
		}
		e := list.Entries[i]
		e.Labels = labels
		if err := check(&e, list, nil, false); err != nil {
			return err
		}
		list.Entries[i] = e
		return nil
	})
}

// Retire stops offering an entry; records that hold its code keep it.
// The last active entry of a list is not retired.
func (l *Lists) Retire(ctx context.Context, actor accounts.Principal, kind Kind, code string, m accounts.Meta) error {
	return l.setRetired(ctx, actor, kind, code, true, m)
}

// Reactivate offers a retired entry again.
func (l *Lists) Reactivate(ctx context.Context, actor accounts.Principal, kind Kind, code string, m accounts.Meta) error {
	return l.setRetired(ctx, actor, kind, code, false, m)
}

func (l *Lists) setRetired(ctx context.Context, actor accounts.Principal, kind Kind, code string, retired bool, m accounts.Meta) error {
	action := map[bool]string{true: "reference.retire", false: "reference.reactivate"}[retired]
	return l.change(ctx, actor, m, kind, action, code, func(list *List, _ []*List) error {
		i := slices.IndexFunc(list.Entries, func(e Entry) bool { return e.Code == code })
		if i < 0 {
			return core.Errorf(core.NotFound, "error.not_found")
		}
		if retired && !list.Entries[i].Retired {
			active := 0
			for _, e := range list.Entries {
				if !e.Retired {
					active++
				}
			}
			if active == 1 {
				return core.Errorf(core.Conflict, "error.reference.last_active")
			}
		}
		list.Entries[i].Retired = retired
		return nil
	})
}

// Reorder puts kind's entries in the order of codes, which must name every
// entry of the list (retired ones too) once.
func (l *Lists) Reorder(ctx context.Context, actor accounts.Principal, kind Kind, codes []string, m accounts.Meta) error {
	return l.change(ctx, actor, m, kind, "reference.reorder", "", func(list *List, _ []*List) error {
		bad := &core.Error{Code: core.Invalid, Message: "error.reference.order", Fields: map[string]string{"codes": "error.reference.order"}}
		if len(codes) != len(list.Entries) {
			return bad
		}
		out := make([]Entry, 0, len(codes))
		for _, c := range codes {
			i := slices.IndexFunc(list.Entries, func(e Entry) bool { return e.Code == c })
			if i < 0 || slices.ContainsFunc(out, func(e Entry) bool { return e.Code == c }) {
				return bad
			}
			out = append(out, list.Entries[i])
		}
		list.Entries = out
		return nil
	})
}

// Move shifts an entry by delta places (negative: earlier), within the
// list's bounds.
func (l *Lists) Move(ctx context.Context, actor accounts.Principal, kind Kind, code string, delta int, m accounts.Meta) error {
	return l.change(ctx, actor, m, kind, "reference.reorder", code, func(list *List, _ []*List) error {
		i := slices.IndexFunc(list.Entries, func(e Entry) bool { return e.Code == code })
		if i < 0 {
			return core.Errorf(core.NotFound, "error.not_found")
		}
		j := min(max(i+delta, 0), len(list.Entries)-1)
		e := list.Entries[i]
		list.Entries = slices.Insert(slices.Delete(list.Entries, i, i+1), j, e)
		return nil
	})
}

// change applies an administrator's edit to kind's list as one guarded
// write: it reads the list, lets edit change it, and writes it back only
// if nobody wrote it meanwhile (the version), trying again on a race.
func (l *Lists) change(ctx context.Context, actor accounts.Principal, m accounts.Meta, kind Kind, action, target string,
	edit func(list *List, siblings []*List) error) error {
	target = string(kind) + ":" + target
	if actor.Role != accounts.Admin {
		l.audit.Record(ctx, actor.Actor(m), action, audit.Denied, target, "")
		return core.Errorf(core.Forbidden, "error.forbidden")
	}
	if !slices.Contains(Kinds, kind) {
		return core.Errorf(core.NotFound, "error.not_found")
	}
	if l.store == nil {
		return core.Errorf(core.Unavailable, "error.unavailable")
	}
	for range 3 {
		list, err := l.read(ctx, kind)
		if err != nil {
			return err
		}
		var siblings []*List
		for _, k := range space(kind)[1:] {
			sib, err := l.read(ctx, k)
			if err != nil {
				return err
			}
			siblings = append(siblings, sib)
		}
		base := list.Version
		if err := edit(list, siblings); err != nil {
			return err
		}
		set := bson.D{{Key: "entries", Value: list.Entries}, {Key: "version", Value: base + 1},
			{Key: "updated_at", Value: l.clock.Now()}, {Key: "updated_by", Value: actor.ID}}
		err = l.store.UpdateIf(ctx, Collection.Name, string(kind), []store.Cond{store.Eq("version", base)}, bson.D{{Key: "$set", Value: set}})
		if errors.Is(err, store.ErrStale) {
			continue
		}
		if err != nil {
			return err
		}
		l.audit.Record(ctx, actor.Actor(m), action, audit.Success, target, "")
		return l.Refresh(ctx)
	}
	return store.ErrStale
}

// read returns kind's stored list; one not seeded yet is seeded first.
func (l *Lists) read(ctx context.Context, kind Kind) (*List, error) {
	var list List
	err := l.store.Get(ctx, Collection.Name, string(kind), &list)
	if core.IsCode(err, core.NotFound) {
		if err := l.Ensure(ctx); err != nil {
			return nil, err
		}
		err = l.store.Get(ctx, Collection.Name, string(kind), &list)
	}
	if err != nil {
		return nil, err
	}
	return &list, nil
}
