package bureau

import (
	"onestop/services/accounts"
	"onestop/services/privacy"
	"onestop/services/privacy/rights"
	"onestop/services/store"
)

// impersonal are the collections that hold nothing about a person, each
// with the reason; every other collection must be held by an area of the
// personal-data contract, or the services are not built (privacy).
var impersonal = map[string]string{
	store.Keys.Name:      "unique keys: blind indexes and record ids only; each area releases the keys of what it erases",
	"outbox":             "search index notes: index names and record ids",
	store.Leases.Name:    "worker leases: process names",
	store.Sequences.Name: "counters of numbered series (a year's complaint reference numbers): series names and numbers",
	"policies":           "the policy catalogue", "policy_versions": "the policy catalogue's history",
	"fact_defs": "the facts administrators defined (names, kinds, labels) and the account id of their last editor",
	"bases":     "incubation bases (organisations) and their managers' account ids", "intakes": "application rounds",
	"providers": "training providers (organisations)", "courses": "training courses",
	"banks":     "partner banks and their officers' account ids",
	"reference": "the bureau's reference lists (districts, industries) and the account id of their last editor",
	"workdays":  "the bureau's working-day calendar (holidays by year) and the account id of its last editor",
	"rollups":   "aggregate figures", "figure_events": "ids of counted events", "figure_meta": "the figures' version",
	"figure_journals":    "each process's last batch of counts (event ids, days, dimension values such as district or industry), replaced by the next",
	rights.Jobs.Name:     "the index compaction owed after an erasure, and each erasure under way: the names and numbers sealed, deleted when it completes",
	"registrations":      "pending sign-ups, before any account exists: the login sealed, deleted on confirmation or after 15 minutes",
	"entitlement_sweeps": "the progress of the re-check of everyone: counts and times",
	"orgs": "organisation accounts (employers, labour agencies, farmer-founded entities): the organisation's registration and the contact it " +
		"gives the bureau, its users' account ids (their names are read from their accounts, so an erased one shows its pseudonym)",
	"org_registrations": "an organisation's details while its first user's registration code is awaited, or which invitation a newcomer " +
		"takes up: no login, deleted on confirmation or, unconfirmed, once expired (orgs.Purge)",
	"org_invitations": "open invitations to an organisation: the invited login sealed and masked and the name the manager gave, deleted " +
		"when taken up or withdrawn, or once expired (orgs.Purge)",
}

// privacy registers every area of the personal-data contract and refuses
// a collection that is neither held by one nor declared impersonal above.
// Areas are erased in the order given: the records first; then the
// profile, the account (its login freed, its sessions ended) and last the
// audit log, so that the events of the erasure itself carry the pseudonym
// too.
func (b *Bureau) privacy(c Config) error {
	reg := &privacy.Registry{}
	err := reg.Register(b.Bases.PersonalData(), b.Mentors.PersonalData(), b.Hotline.PersonalData(), b.Onestop.PersonalData(),
		b.Projects.PersonalData(), b.Training.PersonalData(), b.Loans.PersonalData(), b.Grants.PersonalData(), b.Policies.PersonalData(), b.Notify.PersonalData(),
		b.Replays.PersonalData(), b.People.PersonalData(), b.Accounts.PersonalData(), b.Audit.PersonalData(), b.Entitlements.PersonalData())
	if err != nil {
		return err
	}
	if err := checkHeld(reg, b.Collections()); err != nil {
		return err
	}
	b.Privacy = reg
	b.Rights, err = rights.New(rights.Deps{Registry: reg, Store: c.Store, Vault: c.Vault, Outbox: b.Outbox, Audit: b.Audit, Compactor: c.Compactor,
		Pseudonym: accounts.Pseudonym, Clock: c.Clock, Log: c.Log})
	return err
}

// checkHeld refuses a collection no area holds and none declared
// impersonal: a new area cannot forget to take part.
func checkHeld(reg *privacy.Registry, colls []store.Collection) error {
	names := make([]string, len(colls))
	for i, c := range colls {
		names[i] = c.Name
	}
	return reg.Check(names, impersonal)
}
