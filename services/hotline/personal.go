package hotline

import (
	"context"
	"slices"
	"time"

	"onestop/services/core"
	"onestop/services/privacy"
	"onestop/services/store"
)

// VentureErased is the status of a venture whose owner deleted their
// account: kept for the stability figures it was counted in, never asked
// about again.
const VentureErased = "erased"

// PersonalData is the hotline's part of the personal-data contract
// (services/privacy): the caller records linked to the account (linked by
// staff once the caller confirmed it is them: a number that merely matches
// is not proof, so an unlinked record is nobody's to erase), the calls,
// complaints, follow-up cases and consultations of those records and of
// the account, and the venture's stability follow-up. The call log,
// complaints and cases are the bureau's records: they are kept,
// pseudonymised, and whatever is still open is closed.
func (s *Service) PersonalData() PersonalData { return PersonalData{s} }

// PersonalData implements privacy.Area and privacy.Namer.
type PersonalData struct{ s *Service }

// Name implements privacy.Area.
func (PersonalData) Name() string { return "hotline" }

// Holds implements privacy.Area.
func (PersonalData) Holds() []string {
	return []string{"contacts", "calls", "complaints", "cases", "ventures"}
}

// contacts returns the caller records linked to the account.
func (p PersonalData) contacts(ctx context.Context, id string) ([]*Contact, error) {
	ids, err := privacy.Find(ctx, p.s.outbox.Engine(), ContactIndex.Name, "account_id", id)
	if err != nil {
		return nil, err
	}
	if cid, err := p.s.store.KeyOwner(ctx, "caccount:"+id); err == nil && !slices.Contains(ids, cid) {
		ids = append(ids, cid)
	}
	list, err := store.GetMany[Contact](ctx, p.s.store, "contacts", ids)
	return slices.DeleteFunc(list, func(c *Contact) bool { return c == nil || c.AccountID != id }), err
}

// records finds the ids of an index's records whose field is one of
// values, each once.
func (p PersonalData) records(ctx context.Context, index, field string, values ...string) ([]string, error) {
	var out []string
	for _, v := range values {
		ids, err := privacy.Find(ctx, p.s.outbox.Engine(), index, field, v)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out, nil
}

func contactIDs(cs []*Contact) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// Known implements privacy.Namer: the linked callers' names and numbers.
func (p PersonalData) Known(ctx context.Context, id string) (names, numbers []string, err error) {
	cs, err := p.contacts(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	for _, c := range cs {
		names = append(names, c.Name)
		phone, _ := p.s.vault.Open("phone", c.PhoneSealed)
		idno, _ := p.s.vault.Open("id_number", c.IDSealed)
		numbers = append(numbers, phone, idno)
	}
	return names, numbers, nil
}

type exportedContact struct {
	Name      string    `json:"name"`
	Phone     string    `json:"phone,omitempty"`
	IDNumber  string    `json:"id_number,omitempty"`
	District  string    `json:"district,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

type exportedCall struct {
	Type      string    `json:"type"`
	Topic     string    `json:"topic"`
	Outcome   string    `json:"outcome"`
	Minutes   float64   `json:"minutes"`
	NextStep  string    `json:"next_step,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

type exportedStep struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Action string    `json:"action"`
	Said   string    `json:"said,omitempty"`
}

type exportedComplaint struct {
	Ref         string         `json:"ref,omitempty"`
	Kind        string         `json:"kind"`
	Subject     string         `json:"subject"`
	Against     string         `json:"against"`
	AgainstName string         `json:"against_name,omitempty"`
	Details     string         `json:"details"`
	Desired     string         `json:"desired,omitempty"`
	Status      string         `json:"status"`
	Answer      string         `json:"answer,omitempty"`
	DueAt       time.Time      `json:"due_at"`
	AnsweredAt  time.Time      `json:"answered_at,omitzero"`
	ClosedAt    time.Time      `json:"closed_at,omitzero"`
	History     []exportedStep `json:"history"`
	CreatedAt   time.Time      `json:"created_at"`
}

type exportedCheckin struct {
	DueOn   core.Date `json:"due_on"`
	Done    bool      `json:"done"`
	DoneOn  core.Date `json:"done_on,omitzero"`
	Channel string    `json:"channel,omitempty"`
}

type exportedCase struct {
	Reasons   []string          `json:"reasons"`
	Situation string            `json:"situation"`
	Needs     []string          `json:"needs"`
	Plan      []PlanStep        `json:"plan"`
	Checkins  []exportedCheckin `json:"checkins"`
	Mentor    string            `json:"mentor,omitempty"`
	Status    string            `json:"status"`
	Outcome   string            `json:"outcome,omitempty"`
	OutcomeOn core.Date         `json:"outcome_on,omitzero"`
	History   []exportedStep    `json:"history"`
	CreatedAt time.Time         `json:"created_at"`
}

type exportedVenture struct {
	Name            string           `json:"name"`
	District        string           `json:"district,omitempty"`
	Industry        string           `json:"industry,omitempty"`
	FirstRegistered core.Date        `json:"first_registered"`
	Status          string           `json:"status"`
	Checks          []StabilityCheck `json:"checks"`
}

func steps(personID string, hist []Step) []exportedStep {
	out := []exportedStep{}
	for _, st := range hist {
		out = append(out, exportedStep{At: st.At, By: privacy.Shown(personID, st.ActorID), Action: st.Action, Said: st.Said})
	}
	return out
}

// Export implements privacy.Area. What the person sees is what the
// portal shows them of their records: staff's working notes and staff
// names stay with staff.
func (p PersonalData) Export(ctx context.Context, id string) (*privacy.Part, error) {
	cs, err := p.contacts(ctx, id)
	if err != nil {
		return nil, err
	}
	var part privacy.Part
	for _, c := range cs {
		phone, _ := p.s.vault.Open("phone", c.PhoneSealed)
		idno, _ := p.s.vault.Open("id_number", c.IDSealed)
		part.Add("contact", c.ID, c.CreatedAt, "", exportedContact{Name: c.Name, Phone: phone, IDNumber: idno, District: c.District, CreatedAt: c.CreatedAt})
	}
	cids := contactIDs(cs)
	for _, add := range []func(context.Context, string, []string, *privacy.Part) error{p.exportCalls, p.exportComplaints, p.exportCases, p.exportVenture} {
		if err := add(ctx, id, cids, &part); err != nil {
			return nil, err
		}
	}
	for _, cid := range cids {
		asked, err := p.s.mentors.PersonalData().ExportAsked(ctx, "contact_id", cid, id)
		if err != nil {
			return nil, err
		}
		part.Records = append(part.Records, asked.Records...)
	}
	return &part, nil
}

func (p PersonalData) exportCalls(ctx context.Context, _ string, cids []string, part *privacy.Part) error {
	ids, err := p.records(ctx, CallIndex.Name, "contact_id", cids...)
	if err != nil {
		return err
	}
	list, err := store.GetMany[Call](ctx, p.s.store, "calls", ids)
	for _, c := range list {
		if c != nil {
			part.Add("call", c.ID, c.CreatedAt, c.Outcome, exportedCall{Type: c.Type, Topic: c.Topic, Outcome: c.Outcome,
				Minutes: float64(c.Duration) / 60, NextStep: c.NextStep, CreatedAt: c.CreatedAt})
		}
	}
	return err
}

func (p PersonalData) exportComplaints(ctx context.Context, id string, cids []string, part *privacy.Part) error {
	ids, err := p.complaints(ctx, id, cids)
	if err != nil {
		return err
	}
	list, err := store.GetMany[Complaint](ctx, p.s.store, "complaints", ids)
	for _, c := range list {
		if c != nil {
			part.Add("complaint", c.ID, c.CreatedAt, c.Status, exportedComplaint{Ref: c.Ref, Kind: c.Kind, Subject: c.Subject, Against: c.Against,
				AgainstName: c.AgainstName, Details: c.Details, Desired: c.Desired, Status: c.Status, Answer: c.Answer, DueAt: c.DueAt,
				AnsweredAt: c.AnsweredAt, ClosedAt: c.ClosedAt, History: steps(id, publicSteps(c.History)), CreatedAt: c.CreatedAt})
		}
	}
	return err
}

func (p PersonalData) complaints(ctx context.Context, id string, cids []string) ([]string, error) {
	ids, err := p.records(ctx, ComplaintIndex.Name, "complainant_id", id)
	if err != nil {
		return nil, err
	}
	more, err := p.records(ctx, ComplaintIndex.Name, "contact_id", cids...)
	return mergeIDs(ids, more), err
}

func (p PersonalData) cases(ctx context.Context, id string, cids []string) ([]string, error) {
	ids, err := p.records(ctx, CaseIndex.Name, "person_id", id)
	if err != nil {
		return nil, err
	}
	more, err := p.records(ctx, CaseIndex.Name, "contact_id", cids...)
	return mergeIDs(ids, more), err
}

func mergeIDs(a, b []string) []string {
	for _, id := range b {
		if !slices.Contains(a, id) {
			a = append(a, id)
		}
	}
	return a
}

func (p PersonalData) exportCases(ctx context.Context, id string, cids []string, part *privacy.Part) error {
	ids, err := p.cases(ctx, id, cids)
	if err != nil {
		return err
	}
	list, err := store.GetMany[Case](ctx, p.s.store, "cases", ids)
	for _, c := range list {
		if c == nil {
			continue
		}
		ex := exportedCase{Reasons: c.Reasons, Situation: c.Situation, Needs: c.Needs, Plan: c.Plan, Checkins: []exportedCheckin{},
			Mentor: c.MentorName, Status: c.Status, Outcome: c.Outcome, OutcomeOn: c.OutcomeOn, History: steps(id, c.History), CreatedAt: c.CreatedAt}
		for _, k := range c.Checkins {
			ex.Checkins = append(ex.Checkins, exportedCheckin{DueOn: k.DueOn, Done: k.Done, DoneOn: k.DoneOn, Channel: k.Channel})
		}
		part.Add("case", c.ID, c.CreatedAt, c.Status, ex)
	}
	return err
}

func (p PersonalData) exportVenture(ctx context.Context, id string, _ []string, part *privacy.Part) error {
	var v Venture
	err := p.s.store.Get(ctx, "ventures", id, &v)
	if core.IsCode(err, core.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	checks := v.Checks
	if checks == nil {
		checks = []StabilityCheck{}
	}
	part.Add("venture", v.ID, v.UpdatedAt, v.Status, exportedVenture{Name: v.Name, District: v.District, Industry: v.Industry,
		FirstRegistered: v.FirstRegistered, Status: v.Status, Checks: checks})
	return nil
}

// Erase implements privacy.Area.
func (p PersonalData) Erase(ctx context.Context, subj privacy.Subject) error {
	cs, err := p.contacts(ctx, subj.ID)
	if err != nil {
		return err
	}
	cids := contactIDs(cs)
	for _, cid := range cids {
		if err := p.s.mentors.PersonalData().EraseAsked(ctx, "contact_id", cid, subj); err != nil {
			return err
		}
	}
	calls, err := p.records(ctx, CallIndex.Name, "contact_id", cids...)
	if err != nil {
		return err
	}
	complaints, err := p.complaints(ctx, subj.ID, cids)
	if err != nil {
		return err
	}
	cases, err := p.cases(ctx, subj.ID, cids)
	if err != nil {
		return err
	}
	mentored, err := p.records(ctx, CaseIndex.Name, "mentor_id", subj.ID)
	if err != nil {
		return err
	}
	for _, step := range []struct {
		ids []string
		fn  func(context.Context, string, privacy.Subject) error
	}{{calls, p.eraseCall}, {complaints, p.eraseComplaint}, {mergeIDs(cases, mentored), func(ctx context.Context, id string, subj privacy.Subject) error {
		return p.eraseCase(ctx, id, subj, cids)
	}}, {cids, p.eraseContact}, {[]string{subj.ID}, p.eraseVenture}} {
		for _, id := range step.ids {
			if err := privacy.Retry(func() error { return step.fn(ctx, id, subj) }); err != nil && !core.IsCode(err, core.NotFound) {
				return err
			}
		}
	}
	return nil
}

// eraseContact keeps the caller record (calls and cases point at it)
// under the pseudonym, without its numbers, and frees their keys and the
// account's, so the numbers can be recorded again for whoever they are.
func (p PersonalData) eraseContact(ctx context.Context, id string, subj privacy.Subject) error {
	var c Contact
	if err := p.s.store.Get(ctx, "contacts", id, &c); err != nil {
		return err
	}
	err := p.s.change(ctx, "contacts", ContactIndex.Name, c.ID, c.Version, set("name", subj.Pseudonym, "phone_sealed", "", "phone_masked", "",
		"phone_index", "", "id_sealed", "", "id_masked", "", "id_index", "", "updated_at", p.s.clock.Now()))
	if err != nil {
		return err
	}
	subj.Erased(c.ID)
	keys := []string{"caccount:" + c.AccountID}
	for _, f := range []struct{ sealed, index, field, prefix string }{
		{c.PhoneSealed, c.PhoneIndex, "phone", phoneKey}, {c.IDSealed, c.IDIndex, "id_number", idnoKey},
	} {
		if f.index != "" {
			keys = append(keys, f.prefix+f.index)
		}
		if v, err := p.s.vault.Open(f.field, f.sealed); err == nil && v != "" {
			keys = append(keys, p.s.vault.IndexKeys(f.prefix, f.field, v)...)
		}
	}
	for _, k := range keys {
		_ = p.s.store.ReleaseKey(ctx, k, c.ID)
	}
	return nil
}

func (p PersonalData) eraseCall(ctx context.Context, id string, subj privacy.Subject) error {
	var c Call
	if err := p.s.store.Get(ctx, "calls", id, &c); err != nil {
		return err
	}
	err := p.s.change(ctx, "calls", CallIndex.Name, c.ID, c.Version, set("contact_name", subj.Pseudonym, "notes", subj.Scrub(c.Notes),
		"next_step", subj.Scrub(c.NextStep)))
	if err == nil {
		subj.Erased(c.ID)
	}
	return err
}

// scrubSteps pseudonymises the subject's steps of a timeline, known by
// their id (a staff member of the same name keeps theirs), and takes
// their name and numbers out of the notes: every note of the person's own
// record (own), their own notes only of anyone else's, whose other notes
// lose the person's numbers only (a name there may be anybody's).
func scrubSteps(hist []Step, subj privacy.Subject, own bool) []Step {
	out := slices.Clone(hist)
	for i := range out {
		mine := out[i].ActorID == subj.ID
		if mine {
			out[i].ActorName = subj.Pseudonym
		}
		if own || mine {
			out[i].Note, out[i].Said = subj.Scrub(out[i].Note), subj.Scrub(out[i].Said)
		} else {
			out[i].Note, out[i].Said = subj.ScrubNumbers(out[i].Note), subj.ScrubNumbers(out[i].Said)
		}
	}
	return out
}

// eraseComplaint keeps the complaint file (a public body keeps them)
// pseudonymised, and closes it if open: nobody can answer a deleted
// account.
func (p PersonalData) eraseComplaint(ctx context.Context, id string, subj privacy.Subject) error {
	var c Complaint
	if err := p.s.store.Get(ctx, "complaints", id, &c); err != nil {
		return err
	}
	now := p.s.clock.Now()
	hist := scrubSteps(c.History, subj, true)
	kv := []any{"contact_name", subj.Pseudonym, "subject", subj.Scrub(c.Subject), "details", subj.Scrub(c.Details),
		"desired", subj.Scrub(c.Desired), "answer", subj.Scrub(c.Answer), "updated_at", now}
	if c.Status != Closed {
		hist = append(hist, Step{At: now, ActorID: subj.ID, ActorName: subj.Pseudonym, Action: "close", Note: "account deleted"})
		kv = append(kv, "status", Closed, "closed_at", now)
	}
	if err := p.s.change(ctx, "complaints", ComplaintIndex.Name, c.ID, c.Version, set(append(kv, "history", hist)...)); err != nil {
		return err
	}
	subj.Erased(c.ID)
	return nil
}

// eraseCase keeps a follow-up case pseudonymised and closes it if open;
// a case the subject mentored loses their name only. The case is the
// person's by its account or caller record (cids), never by the name on
// it: a mentor may bear the name of the person they follow.
func (p PersonalData) eraseCase(ctx context.Context, id string, subj privacy.Subject, cids []string) error {
	var c Case
	if err := p.s.store.Get(ctx, "cases", id, &c); err != nil {
		return err
	}
	now := p.s.clock.Now()
	theirs := c.PersonID == subj.ID || slices.Contains(cids, c.ContactID)
	kv := []any{"history", scrubSteps(c.History, subj, theirs), "updated_at", now}
	if c.MentorID == subj.ID {
		kv = append(kv, "mentor_name", subj.Pseudonym)
	}
	if theirs {
		plan := slices.Clone(c.Plan)
		for i := range plan {
			plan[i].Text = subj.Scrub(plan[i].Text)
		}
		checkins := slices.Clone(c.Checkins)
		for i := range checkins {
			checkins[i].Note = subj.Scrub(checkins[i].Note)
		}
		kv = append(kv, "person_name", subj.Pseudonym, "situation", subj.Scrub(c.Situation), "plan", plan, "checkins", checkins)
		if c.Status == CaseOpen {
			kv = append(kv, "status", CaseClosed, "outcome", "closed", "outcome_on", core.DateOf(now), "next_due", core.Date{})
		}
	}
	if err := p.s.change(ctx, "cases", CaseIndex.Name, c.ID, c.Version, set(kv...)); err != nil {
		return err
	}
	if theirs {
		subj.Erased(c.ID) // the staff's notifications quote the person's name
	}
	return nil
}

// eraseVenture keeps the venture's check-ins for the figures they were
// counted in, under the pseudonym, and stops its follow-up.
func (p PersonalData) eraseVenture(ctx context.Context, id string, subj privacy.Subject) error {
	var v Venture
	if err := p.s.store.Get(ctx, "ventures", id, &v); err != nil {
		return err
	}
	return p.s.change(ctx, "ventures", VentureIndex.Name, v.ID, v.Version, set("name", subj.Pseudonym, "status", VentureErased,
		"next_due", core.Date{}, "updated_at", p.s.clock.Now()))
}
