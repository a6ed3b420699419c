package bases

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/reference"
	"onestop/services/store"
)

// BasePatch is an administrator's edit of a listing (修改基地資料): the
// fields given change, the others stay as they are. Version is the
// version the edit started from (Base.Version): a save over a newer one —
// another administrator's or a manager's edit in between — is refused,
// and 0 skips that check (a script that just read the base).
type BasePatch struct {
	Name           *string   `json:"name"`
	Level          *string   `json:"level"`
	District       *string   `json:"district"`
	Address        *string   `json:"address"`
	Industries     *[]string `json:"industries"`
	Groups         *[]string `json:"target_groups"`
	Stages         *[]string `json:"stages"`
	Services       *[]string `json:"services"`
	Seats          *int      `json:"seats"`
	RentFreeMonths *int      `json:"rent_free_months"`
	IntakeOpen     *bool     `json:"intake_open"`
	Contact        *string   `json:"contact"`
	Version        int       `json:"version,omitempty"`
}

// PatchOf is the patch that sets every field of a listing as in holds it:
// the edit form, which shows them all.
func PatchOf(in BaseInput, version int) BasePatch {
	return BasePatch{Name: &in.Name, Level: &in.Level, District: &in.District, Address: &in.Address, Industries: &in.Industries,
		Groups: &in.Groups, Stages: &in.Stages, Services: &in.Services, Seats: &in.Seats, RentFreeMonths: &in.RentFreeMonths,
		IntakeOpen: &in.IntakeOpen, Contact: &in.Contact, Version: version}
}

// InputOf is a base's listing as its form holds it.
func InputOf(b *Base) BaseInput {
	return BaseInput{ExternalID: b.ExternalID, Name: b.Name, Level: b.Level, District: b.District, Address: b.Address,
		Industries: b.Industries, Groups: b.Groups, Stages: b.Stages, Services: b.Services, Seats: b.Seats,
		RentFreeMonths: b.RentFreeMonths, IntakeOpen: b.IntakeOpen, Contact: b.Contact}
}

// apply sets the fields the patch gives on in; it reports whether it gave
// any.
func (p BasePatch) apply(in *BaseInput) bool {
	given := false
	str := func(dst *string, v *string) {
		if v != nil {
			*dst, given = *v, true
		}
	}
	list := func(dst *[]string, v *[]string) {
		if v != nil {
			*dst, given = *v, true
		}
	}
	num := func(dst *int, v *int) {
		if v != nil {
			*dst, given = *v, true
		}
	}
	str(&in.Name, p.Name)
	str(&in.Level, p.Level)
	str(&in.District, p.District)
	str(&in.Address, p.Address)
	str(&in.Contact, p.Contact)
	list(&in.Industries, p.Industries)
	list(&in.Groups, p.Groups)
	list(&in.Stages, p.Stages)
	list(&in.Services, p.Services)
	num(&in.Seats, p.Seats)
	num(&in.RentFreeMonths, p.RentFreeMonths)
	if p.IntakeOpen != nil {
		in.IntakeOpen, given = *p.IntakeOpen, true
	}
	return given
}

// EditBase changes the details of a listing (administrators only; a
// base's managers replace their own listing through UpdateBase). It is
// checked as a new listing is, in one round, and saved in one guarded
// write: nothing changes when it is refused. The directory and the
// matching see the new details at once.
func (s *Service) EditBase(ctx context.Context, actor accounts.Principal, id string, p BasePatch, m accounts.Meta) (*Base, error) {
	if actor.Role != accounts.Admin {
		s.audit.Record(ctx, actor.Actor(m), "base.update", audit.Denied, id, "")
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	b, err := s.Base(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	in := InputOf(b)
	if !p.apply(&in) {
		return nil, core.Errorf(core.Invalid, "error.nothing")
	}
	if p.Version != 0 && p.Version != b.Version {
		return nil, store.ErrStale
	}
	if err := s.saveListing(ctx, b, in, true); err != nil {
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "base.update", audit.Success, id, strings.Join(changed(InputOf(b), in), ","))
	return s.Base(ctx, actor, id)
}

// saveListing validates in and writes it over b's listing in one guarded
// step: only while the seats are still b's, taking away no seat an offer
// or a tenant holds, and — with checkVersion — only while the listing is
// still at b's version. Every save moves the version on.
func (s *Service) saveListing(ctx context.Context, b *Base, in BaseInput, checkVersion bool) error {
	in.ExternalID = b.ExternalID
	// A retired district or industry the listing holds may stay.
	if err := in.validate(s.reference.Current(reference.District).Keeping(b.District),
		s.reference.Current(reference.Industry).Keeping(b.Industries...)); err != nil {
		return err
	}
	delta := in.Seats - b.Seats
	set := bson.D{{Key: "name", Value: in.Name}, {Key: "level", Value: in.Level}, {Key: "district", Value: in.District},
		{Key: "address", Value: in.Address}, {Key: "industries", Value: in.Industries}, {Key: "groups", Value: in.Groups},
		{Key: "stages", Value: in.Stages}, {Key: "services", Value: in.Services}, {Key: "seats", Value: in.Seats},
		{Key: "rent_free_months", Value: in.RentFreeMonths}, {Key: "intake_open", Value: in.IntakeOpen}, {Key: "contact", Value: in.Contact},
		{Key: "updated_at", Value: s.clock.Now()}}
	conds := []store.Cond{store.Eq("seats", b.Seats)}
	if checkVersion {
		conds = append(conds, versionIs(b.Version))
	}
	if delta < 0 {
		conds = append(conds, store.Gte("free_seats", -delta))
	}
	err := s.store.UpdateIf(ctx, "bases", b.ID, conds, bson.D{{Key: "$set", Value: set},
		{Key: "$inc", Value: bson.D{{Key: "free_seats", Value: delta}, {Key: "version", Value: 1}}}})
	if core.IsCode(err, core.Conflict) {
		return s.whyRefused(ctx, b, delta)
	}
	if err != nil {
		return err
	}
	s.invalidate()
	return nil
}

// versionIs expects the listing at version v; a base listed before
// versions were kept has none, which is version 0.
func versionIs(v int) store.Cond {
	if v == 0 {
		return store.Eq("version", nil)
	}
	return store.Eq("version", v)
}

// whyRefused tells a save refused by its guard: the listing was saved
// meanwhile (stale), or the seats it takes away are held.
func (s *Service) whyRefused(ctx context.Context, b *Base, delta int) error {
	var now Base
	if err := s.store.Get(ctx, "bases", b.ID, &now); err != nil {
		return err
	}
	if now.Version != b.Version || now.Seats != b.Seats || delta >= 0 {
		return store.ErrStale
	}
	return &core.Error{Code: core.Conflict, Message: "error.base.seats_taken", Fields: map[string]string{"seats": "error.base.seats_taken"}}
}

// changed names the fields (as the API does) in which two listings differ.
func changed(was, is BaseInput) []string {
	var out []string
	a, b, t := reflect.ValueOf(was), reflect.ValueOf(is), reflect.TypeOf(was)
	for i := range t.NumField() {
		// Printed, so that no list and an empty one are alike.
		if fmt.Sprint(a.Field(i).Interface()) != fmt.Sprint(b.Field(i).Interface()) {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			out = append(out, name)
		}
	}
	return out
}
