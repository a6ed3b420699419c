package portal

import (
	"bytes"
	"context"

	"github.com/gofiber/fiber/v2"
	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/pii"
	"onestop/services/privacy"
	"onestop/services/privacy/rights"
	"onestop/services/store"
)

// impersonal are the collections that hold nothing about a person, each
// with the reason; every other collection must be held by an area of the
// personal-data contract, or the portal does not start (buildPrivacy).
var impersonal = map[string]string{
	store.Keys.Name:   "unique keys: blind indexes and record ids only; each area releases the keys of what it erases",
	"outbox":          "search index notes: index names and record ids",
	store.Leases.Name: "worker leases: process names",
	"policies":        "the policy catalogue", "policy_versions": "the policy catalogue's history",
	"bases": "incubation bases (organisations) and their managers' account ids", "intakes": "application rounds",
	"providers": "training providers (organisations)", "courses": "training courses",
	"banks":   "partner banks and their officers' account ids",
	"rollups": "aggregate figures", "figure_events": "ids of counted events", "figure_meta": "the figures' version",
	rights.Jobs.Name: "the index compaction owed after an erasure, and each erasure under way: the names and numbers sealed, deleted when it completes",
	"registrations":  "pending sign-ups, before any account exists: the login sealed, deleted on confirmation or after 15 minutes",
}

// buildPrivacy registers every area of the personal-data contract and
// refuses to start when a collection is neither held by one nor declared
// impersonal above. Areas are erased in the order given: the records
// first; then the profile, the account (its login freed, its sessions
// ended) and last the audit log, so that the events of the erasure itself
// carry the pseudonym too.
func (a *App) buildPrivacy(colls []store.Collection, vault *pii.Vault) error {
	reg := &privacy.Registry{}
	err := reg.Register(a.bases.PersonalData(), a.mentors.PersonalData(), a.hotline.PersonalData(), a.onestop.PersonalData(),
		a.projects.PersonalData(), a.training.PersonalData(), a.loans.PersonalData(), a.policies.PersonalData(), a.notify.PersonalData(),
		replays{a.store}, a.people.PersonalData(), a.accounts.PersonalData(), a.audit.PersonalData())
	if err != nil {
		return err
	}
	names := make([]string, len(colls))
	for i, c := range colls {
		names[i] = c.Name
	}
	if err := reg.Check(names, impersonal); err != nil {
		return err
	}
	a.rights, err = rights.New(rights.Config{Registry: reg, Store: a.store, Vault: vault, Outbox: a.outbox, Audit: a.audit, Compactor: a.compactor,
		Pseudonym: accounts.Pseudonym, Clock: a.clock, Log: a.log})
	if err != nil {
		return err
	}
	// A mentor whose account is disabled leaves the directory and the
	// routing at once.
	a.accounts.OnChange(a.mentors.AccountChanged)
	return nil
}

// replays is the idempotency store's part of the contract: the answers
// kept for a retry (a created complaint, with the name in it) are the
// caller's, kept a day at most; on erasure the person's go at once.
type replays struct{ store *store.Store }

func (replays) Name() string    { return "replays" }
func (replays) Holds() []string { return []string{Idempotency.Name} }

// Export returns nothing: the answers kept are copies of answers the
// person already had, and of records the other areas export.
func (replays) Export(context.Context, string) (*privacy.Part, error) { return &privacy.Part{}, nil }

// Erase deletes the person's kept answers (a small collection: a day's).
func (r replays) Erase(ctx context.Context, s privacy.Subject) error {
	_, err := r.store.C(Idempotency.Name).DeleteMany(ctx, bson.D{{Key: "owner", Value: s.ID}})
	return core.Wrap(err, "erase replays")
}

// sendExport answers the caller's data as a ZIP (rights.Export): one JSON
// file per area, the documents they gave, and a summary in their language.
func (a *App) sendExport(c *fiber.Ctx) error {
	ex, err := a.rights.Export(c.UserContext(), principal(c).Actor(meta(c)))
	if err != nil {
		return err
	}
	l := lang(c)
	var buf bytes.Buffer
	if err := ex.WriteZIP(&buf, l, func(key string, args ...any) string { return a.i18n.T(l, key, args...) }); err != nil {
		return core.Wrap(err, "write export")
	}
	c.Set(fiber.HeaderContentType, "application/zip")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="my-data.zip"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

// zipArchive marks an API answer that is a ZIP archive (openapi.go).
type zipArchive struct{}
