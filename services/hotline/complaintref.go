package hotline

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/store"
)

// A complaint's reference number (受理編號) is what a complainant quotes on
// the hotline: TS (投訴) and the year it came in, bureau time, and its
// number in that year — TS-2026-000123. Numbers come from a counter per
// year (store.Next: one atomic step, so never the same number twice) and
// each is also claimed as a key naming its complaint, which makes a look-up
// by number an `_id` read and refuses a number a restored counter would
// hand out again.

const (
	complaintRefPrefix = "TS"
	complaintRefKey    = "ref:complaint:"
)

// complaintRef issues the next reference number of now's year to the
// complaint id.
func (s *Service) complaintRef(ctx context.Context, id string, now time.Time) (string, error) {
	year := now.In(core.CST).Year()
	for range 5 {
		n, err := s.store.Next(ctx, fmt.Sprintf("complaints:%d", year))
		if err != nil {
			return "", err
		}
		ref := formatComplaintRef(year, n)
		err = s.store.ClaimKey(ctx, complaintRefKey+ref, id, "error.stale")
		if err == nil {
			return ref, nil
		}
		if !core.IsCode(err, core.Conflict) {
			return "", err
		}
		// Taken already (a counter restored from an older backup): the
		// next number.
	}
	return "", core.Errorf(core.Internal, "error.internal")
}

// halfWidth maps a full-width letter, digit or sign (typed with a Chinese
// input method) to its ASCII form, and the ideographic space to a space.
func halfWidth(r rune) rune {
	switch {
	case r >= '！' && r <= '～':
		return r - 0xFEE0
	case r == '\u3000':
		return ' '
	}
	return r
}

func formatComplaintRef(year int, n int64) string {
	return fmt.Sprintf("%s-%d-%06d", complaintRefPrefix, year, n)
}

var complaintRefPattern = regexp.MustCompile(`^TS[-\s]?(\d{4})[-\s]?(\d{1,9})$`)

// ParseComplaintRef reads a reference number as people type or say it
// (ts-2026-123, TS2026000123, full-width ＴＳ－２０２６－０００１２３) and
// returns it in its written form; ok is false for anything else.
func ParseComplaintRef(s string) (ref string, ok bool) {
	s = strings.ToUpper(strings.TrimSpace(strings.Map(halfWidth, s)))
	m := complaintRefPattern.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	year, _ := strconv.Atoi(m[1])
	n, _ := strconv.ParseInt(m[2], 10, 64)
	if n == 0 {
		return "", false
	}
	return formatComplaintRef(year, n), true
}

// ComplaintByRef finds the complaint of a reference number, for those who
// may read it (staff, and the complainant); anyone else, and a number
// never issued, is NotFound.
func (s *Service) ComplaintByRef(ctx context.Context, actor accounts.Principal, ref string) (*Complaint, error) {
	ref, ok := ParseComplaintRef(ref)
	if !ok || actor.Guest() {
		return nil, core.Errorf(core.NotFound, "error.complaint.ref")
	}
	id, err := s.store.KeyOwner(ctx, complaintRefKey+ref)
	if core.IsCode(err, core.NotFound) {
		return nil, core.Errorf(core.NotFound, "error.complaint.ref")
	}
	if err != nil {
		return nil, err
	}
	c, err := s.Complaint(ctx, actor, id)
	if core.IsCode(err, core.NotFound) {
		return nil, core.Errorf(core.NotFound, "error.complaint.ref")
	}
	return c, err
}

// StepBy says who took a step of the complaint, so its history reads as
// what happened: "complainant" (filed it, closed or reopened it),
// "system" (the escalation of an overdue complaint) or "bureau" (staff:
// received, assigned, answered).
func (c *Complaint) StepBy(st Step) string {
	switch {
	case st.ActorID == "" && st.ActorName == "system":
		return "system"
	case c.ComplainantID != "" && st.ActorID == c.ComplainantID:
		return "complainant"
	}
	return "bureau"
}

// numberedMark is the key that records that every complaint filed before
// reference numbers existed has one, so later starts skip the scan.
const numberedMark = "migration:complaint-refs"

// NumberOldComplaints gives a reference number to each complaint that has
// none (filed before numbers existed), in the year it came in, and returns
// how many it numbered. It runs at start-up: the first run reads the
// complaints once; the mark it leaves when done makes every later run one
// `_id` read. A run cut short leaves no mark and numbers the rest next time.
func (s *Service) NumberOldComplaints(ctx context.Context) (int, error) {
	if _, err := s.store.KeyOwner(ctx, numberedMark); err == nil || !core.IsCode(err, core.NotFound) {
		return 0, err
	}
	var old []*Complaint
	if err := store.Each(ctx, s.store, "complaints", func(c *Complaint) error {
		if c.Ref == "" {
			old = append(old, c)
		}
		return nil
	}); err != nil {
		return 0, err
	}
	slices.SortFunc(old, func(a, b *Complaint) int { return a.CreatedAt.Compare(b.CreatedAt) })
	numbered := 0
	for _, c := range old {
		ref, err := s.complaintRef(ctx, c.ID, c.CreatedAt)
		if err != nil {
			return numbered, err
		}
		err = s.change(ctx, "complaints", ComplaintIndex.Name, c.ID, c.Version, set("ref", ref))
		if core.IsCode(err, core.Conflict) {
			// Changed by someone meanwhile: its number is given back (a
			// gap) and it is numbered on the next start.
			_ = s.store.ReleaseKey(context.WithoutCancel(ctx), complaintRefKey+ref, c.ID)
			continue
		}
		if err != nil {
			return numbered, err
		}
		numbered++
	}
	if numbered < len(old) {
		return numbered, nil
	}
	return numbered, s.store.ClaimKey(ctx, numberedMark, "done", "error.stale")
}
