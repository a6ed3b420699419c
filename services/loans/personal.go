package loans

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/core"
	"onestop/services/privacy"
	"onestop/services/store"
)

// PersonalData is the loan files' part of the personal-data contract
// (services/privacy): the files and the bytes of their documents. Banks
// are organisations' records.
func (s *Service) PersonalData() PersonalData { return PersonalData{s} }

// PersonalData implements privacy.Area.
type PersonalData struct{ s *Service }

// Name implements privacy.Area.
func (PersonalData) Name() string { return "loans" }

// Holds implements privacy.Area.
func (PersonalData) Holds() []string { return []string{"loans", blobCollection.Name} }

// Why a file is kept after its applicant deleted their account (the note
// of the timeline step the erasure adds).
const (
	// keptDisbursed: a loan paid out, and the interest subsidy paid on it,
	// are financial records the bureau must keep for the period the law
	// sets (accounting archives, the guarantee fund's claims); the file is
	// kept pseudonymised, the identity documents' bytes are not.
	keptDisbursed = "erased: applicant deleted the account; kept pseudonymised as the record of a disbursed loan and its interest subsidy, which the law requires; documents deleted, their list and checksums kept"
	// keptClosed: a file that never became a loan is kept, pseudonymised,
	// only as the record of the bureau's and the bank's decisions.
	keptClosed = "erased: applicant deleted the account; file closed and kept pseudonymised as the record of its decisions; documents deleted"
)

// open statuses are withdrawn on erasure: nobody lends to a deleted
// account.
var open = []string{Submitted, Returned, Forwarded, Approved}

type exportedLoan struct {
	Policy           string       `json:"policy_id"`
	AmountYuan       int64        `json:"amount_yuan"`
	TermMonths       int          `json:"term_months"`
	Purpose          string       `json:"purpose"`
	Plan             string       `json:"plan"`
	Guarantee        string       `json:"guarantee"`
	GuaranteeDetails string       `json:"guarantee_details"`
	Documents        []string     `json:"documents"`
	Attachments      []Attachment `json:"attachments"`
	Bank             string       `json:"bank"`
	Status           string       `json:"status"`
	Applicant        Applicant    `json:"applicant"`
	SubsidyPct       float64      `json:"subsidy_pct"`
	GrantedYuan      int64        `json:"granted_yuan,omitempty"`
	RatePct          float64      `json:"rate_pct,omitempty"`
	DisbursedOn      core.Date    `json:"disbursed_on,omitzero"`
	Repayments       []Repayment  `json:"repayments"`
	Timeline         []exportStep `json:"timeline"`
	CreatedAt        time.Time    `json:"created_at"`
}

type exportStep struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"` // you, bureau, bank
	Action string    `json:"action"`
	Note   string    `json:"note,omitempty"`
}

func (p PersonalData) files(ctx context.Context, id string) ([]string, []*Loan, error) {
	ids, err := privacy.Find(ctx, p.s.outbox.Engine(), LoanIndex.Name, "person_id", id)
	if err != nil {
		return nil, nil, err
	}
	list, err := store.GetMany[Loan](ctx, p.s.store, "loans", ids)
	return ids, slices.DeleteFunc(list, func(l *Loan) bool { return l == nil || l.PersonID != id }), err
}

// Export implements privacy.Area: every file with its timeline (each
// step by its side, never by a staff member's name) and the documents'
// bytes.
func (p PersonalData) Export(ctx context.Context, id string) (*privacy.Part, error) {
	_, list, err := p.files(ctx, id)
	if err != nil {
		return nil, err
	}
	var part privacy.Part
	for _, l := range list {
		ex := exportedLoan{Policy: l.PolicyID, AmountYuan: l.AmountYuan, TermMonths: l.TermMonths, Purpose: l.Purpose, Plan: l.Plan,
			Guarantee: l.Guarantee, GuaranteeDetails: l.GuaranteeDetails, Documents: l.Documents, Attachments: l.Attachments, Bank: l.BankName,
			Status: l.Status, Applicant: l.Applicant, SubsidyPct: l.SubsidyPct, GrantedYuan: l.GrantedYuan, RatePct: l.RatePct,
			DisbursedOn: l.DisbursedOn, Repayments: l.Repayments, Timeline: []exportStep{}, CreatedAt: l.CreatedAt}
		for _, st := range l.Timeline {
			by := st.Side
			if by == "applicant" {
				by = privacy.You
			}
			ex.Timeline = append(ex.Timeline, exportStep{At: st.At, By: by, Action: st.Action, Note: st.Note})
		}
		part.Add("loan", l.ID, l.CreatedAt, l.Status, ex)
		for _, a := range l.Attachments {
			data, err := p.s.files.Get(ctx, a.ID, l.ID)
			if err != nil {
				continue // deleted with an erasure or a failed upload: listed, no bytes
			}
			part.Files = append(part.Files, privacy.File{Path: privacy.FilePath("loans", l.ID, a.ID+"-"+a.Name), Type: a.Type, Size: int64(len(data)), Data: data})
		}
	}
	return &part, nil
}

// Erase implements privacy.Area: an open file is withdrawn and its
// open-file key freed; every file is kept pseudonymised with the reason in
// its timeline; the documents' bytes are deleted.
func (p PersonalData) Erase(ctx context.Context, subj privacy.Subject) error {
	ids, _, err := p.files(ctx, subj.ID)
	if err != nil {
		return err
	}
	return privacy.EachRetried(ids, func(id string) error { return p.eraseOne(ctx, id, subj) })
}

func (p PersonalData) eraseOne(ctx context.Context, id string, subj privacy.Subject) error {
	var l Loan
	if err := p.s.store.Get(ctx, "loans", id, &l); err != nil {
		return err
	}
	if l.PersonID != subj.ID {
		return nil
	}
	now := p.s.clock.Now()
	timeline := slices.Clone(l.Timeline)
	for i := range timeline {
		// A step records its side, not its actor's id: the applicant's
		// steps are theirs; a bank officer or staff member of the same
		// name keeps it.
		if timeline[i].Side == "applicant" {
			timeline[i].ActorName = subj.Pseudonym
		}
		timeline[i].Note = subj.Scrub(timeline[i].Note) // the person's own file
	}
	atts := slices.Clone(l.Attachments)
	for i := range atts {
		atts[i].Name = subj.Scrub(atts[i].Name)
	}
	status := l.Status
	erased := slices.ContainsFunc(timeline, func(st Step) bool { return st.Action == "erased" })
	if !erased {
		note := keptClosed
		if slices.Contains(open, l.Status) {
			status = Withdrawn
			timeline = append(timeline, Step{At: now, ActorName: subj.Pseudonym, Side: "applicant", Action: "withdraw", Note: "account deleted"})
		}
		if l.Status == Disbursed || l.Status == Repaid {
			note = keptDisbursed
		}
		timeline = append(timeline, Step{At: now, ActorName: "system", Side: "bureau", Action: "erased", Note: note})
	}
	a := l.Applicant
	a.IDMasked, a.PhoneMasked = "", ""
	set := bson.D{{Key: "person_name", Value: subj.Pseudonym}, {Key: "purpose", Value: subj.Scrub(l.Purpose)}, {Key: "plan", Value: subj.Scrub(l.Plan)},
		{Key: "guarantee_details", Value: subj.Scrub(l.GuaranteeDetails)}, {Key: "attachments", Value: atts}, {Key: "applicant", Value: a},
		{Key: "timeline", Value: timeline}, {Key: "status", Value: status}}
	if status != l.Status {
		set = append(set, bson.E{Key: "due_at", Value: time.Time{}})
	}
	if err := p.s.update(ctx, &l, bson.D{{Key: "$set", Value: set}}); err != nil {
		return err
	}
	subj.Erased(l.ID) // the bank's and staff's notifications quote the person's name
	if status == Withdrawn {
		_ = p.s.store.ReleaseKey(ctx, openKey(&l), l.ID)
	}
	for _, att := range l.Attachments {
		if err := p.s.files.Delete(ctx, att.ID); err != nil {
			return err
		}
	}
	return nil
}
