package hotline

import (
	"context"
	"log/slog"

	"onestop/search"
	"onestop/services/core"
)

// attachToAccount gives the records the hotline kept for a caller's
// contact record to the account the caller turned out to hold, so the
// person finds them in their own lists: complaints and follow-up cases
// here, service requests and mentor consultations in their areas. Each
// record is read and written by _id (the lists come from the search
// index); one that cannot be attached is logged and the rest go on — a
// record keeps its contact either way, so staff still find it.
func (s *Service) attachToAccount(ctx context.Context, contactID, accountID string) {
	ctx = context.WithoutCancel(ctx)
	for _, r := range []struct {
		coll, index, field string
		owner              func(id string) (string, int, error)
	}{
		{"complaints", ComplaintIndex.Name, "complainant_id", func(id string) (string, int, error) {
			var c Complaint
			err := s.store.Get(ctx, "complaints", id, &c)
			return c.ComplainantID, c.Version, err
		}},
		{"cases", CaseIndex.Name, "person_id", func(id string) (string, int, error) {
			var c Case
			err := s.store.Get(ctx, "cases", id, &c)
			return c.PersonID, c.Version, err
		}},
	} {
		ids, err := s.byContact(ctx, r.index, contactID)
		for _, id := range ids {
			owner, version, gerr := r.owner(id)
			if gerr == nil && owner == "" {
				gerr = s.change(ctx, r.coll, r.index, id, version, set(r.field, accountID))
			}
			if gerr != nil {
				slog.Warn("attach to account", "record", r.coll, "id", id, "err", gerr)
			}
		}
		if err != nil {
			slog.Warn("attach to account", "records", r.coll, "err", err)
		}
	}
	if err := s.onestop.AttachOwner(ctx, contactID, accountID); err != nil {
		slog.Warn("attach to account", "records", "service_requests", "err", err)
	}
	if err := s.mentors.AttachAsker(ctx, contactID, accountID); err != nil {
		slog.Warn("attach to account", "records", "consultations", "err", err)
	}
}

// byContact lists the ids of an index's records of a contact, every page.
func (s *Service) byContact(ctx context.Context, index, contactID string) ([]string, error) {
	if !core.ValidID(contactID) {
		return nil, nil
	}
	return search.AllIDs(ctx, s.outbox.Engine(), index, search.Filter{Field: "contact_id", Values: []string{contactID}})
}
