package hotline

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"onestop/services/accounts"
	"onestop/services/core"
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
