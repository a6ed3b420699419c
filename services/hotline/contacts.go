package hotline

import (
	"cmp"
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/people"
	"onestop/services/pii"
	"onestop/services/reference"
)

// ContactIndex finds callers by name; phone and ID number are found through
// the blind index, never searched in clear.
var ContactIndex = search.Index{
	Name:     "contacts",
	Text:     []string{"name"},
	Keywords: []string{"district", "account_id", "phone_masked", "id_masked"},
	Times:    []string{"created_at"},
}

// Contact is a caller of the hotline. A caller need not have an account;
// AccountID links the record to one once it is known. Phone and ID number
// are kept sealed, with a blind index for look-up and a masked form for
// display, as in profiles.
type Contact struct {
	ID          string    `bson:"_id"`
	Name        string    `bson:"name"`
	PhoneSealed string    `bson:"phone_sealed,omitempty"`
	PhoneMasked string    `bson:"phone_masked,omitempty"`
	PhoneIndex  string    `bson:"phone_index,omitempty"`
	IDSealed    string    `bson:"id_sealed,omitempty"`
	IDMasked    string    `bson:"id_masked,omitempty"`
	IDIndex     string    `bson:"id_index,omitempty"`
	District    string    `bson:"district,omitempty"`
	AccountID   string    `bson:"account_id,omitempty"`
	CreatedBy   string    `bson:"created_by"`
	CreatedAt   time.Time `bson:"created_at"`
	UpdatedAt   time.Time `bson:"updated_at"`
	Version     int       `bson:"version"`
}

func contactDoc(c *Contact) *search.Doc {
	return &search.Doc{ID: c.ID, Fields: map[string]any{"name": c.Name, "district": c.District, "account_id": c.AccountID,
		"phone_masked": c.PhoneMasked, "id_masked": c.IDMasked, "created_at": c.CreatedAt}}
}

// Key collection prefixes: a phone or ID number belongs to one contact.
const (
	phoneKey = "cphone:"
	idnoKey  = "cidno:"
)

// NewContact is a caller as staff type them in during a call.
type NewContact struct {
	Name     string `json:"name"`
	Phone    string `json:"phone,omitempty"`
	IDNumber string `json:"id_number,omitempty"`
	District string `json:"district,omitempty"`
}

// CreateContact records a caller. Phone and ID number are optional but
// unique: when either is already on a contact, the answer is a conflict
// naming the field, so staff open that record instead. A caller is never
// linked to an account here: a profile's phone and ID number are what its
// owner typed, so the link waits for staff to confirm it is the same
// person (Link).
func (s *Service) CreateContact(ctx context.Context, actor accounts.Principal, in NewContact, m accounts.Meta) (*Contact, error) {
	if err := staffOnly(actor); err != nil {
		return nil, err
	}
	var v core.Validation
	now := s.clock.Now()
	c := &Contact{ID: core.NewID(), CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now}
	c.Name = v.Line("name", in.Name, 1, 50)
	s.reference.Current(reference.District).Check(&v, "district", &in.District)
	c.District = in.District
	var phone, idno string
	if p := strings.TrimSpace(in.Phone); p != "" {
		// Callers ring from fixed lines too; no SMS goes to a contact.
		phone = pii.NormalizeCallerPhone(p)
		v.Check(phone != "", "phone", "error.phone.caller")
	}
	if id := strings.ToUpper(strings.TrimSpace(in.IDNumber)); id != "" {
		if _, problem := pii.ParseID(id, now); problem != "" {
			v.Add("id_number", string(problem))
		}
		idno = id
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var claimed []string
	undo := func() {
		for _, k := range claimed {
			_ = s.store.ReleaseKey(context.WithoutCancel(ctx), k, c.ID)
		}
	}
	if phone != "" {
		c.PhoneIndex = s.vault.BlindIndex("phone", phone)
		if _, err := s.store.ClaimKeys(ctx, s.vault.IndexKeys(phoneKey, "phone", phone), c.ID, "error.contact.phone_taken"); err != nil {
			return nil, fieldConflict(err, "phone")
		}
		claimed = append(claimed, phoneKey+c.PhoneIndex)
		c.PhoneSealed, c.PhoneMasked = s.vault.Seal("phone", phone), pii.MaskPhone(phone)
	}
	if idno != "" {
		c.IDIndex = s.vault.BlindIndex("id_number", idno)
		if _, err := s.store.ClaimKeys(ctx, s.vault.IndexKeys(idnoKey, "id_number", idno), c.ID, "error.contact.id_taken"); err != nil {
			undo()
			return nil, fieldConflict(err, "id_number")
		}
		claimed = append(claimed, idnoKey+c.IDIndex)
		c.IDSealed, c.IDMasked = s.vault.Seal("id_number", idno), pii.MaskIDNumber(idno)
	}
	if err := s.insert(ctx, "contacts", ContactIndex.Name, c.ID, c); err != nil {
		undo()
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "contact.create", audit.Success, c.ID, "")
	return c, nil
}

// accountFor finds the entrepreneur whose profile carries the contact's
// phone or ID number (the same blind index keys the profile holds).
func (s *Service) accountFor(ctx context.Context, actor accounts.Principal, c *Contact) string {
	var keys []string
	for _, f := range []struct{ sealed, index, field, prefix string }{
		{c.IDSealed, c.IDIndex, "id_number", "idno:"}, {c.PhoneSealed, c.PhoneIndex, "phone", "pphone:"},
	} {
		// From the value when the contact holds it: during a data-key
		// rotation the profile may be indexed under another key than the
		// contact.
		if v, err := s.vault.Open(f.field, f.sealed); err == nil && v != "" {
			keys = append(keys, s.vault.IndexKeys(f.prefix, f.field, v)...)
		} else if f.index != "" {
			keys = append(keys, f.prefix+f.index)
		}
	}
	if id, err := s.store.KeyOwnerAny(ctx, keys...); err == nil {
		return id
	}
	return ""
}

func fieldConflict(err error, field string) error {
	if !core.IsCode(err, core.Conflict) {
		return err
	}
	e := err.(*core.Error)
	return &core.Error{Code: core.Conflict, Message: e.Message, Fields: map[string]string{field: e.Message}}
}

// Contact reads a contact (staff only).
func (s *Service) Contact(ctx context.Context, actor accounts.Principal, id string) (*Contact, error) {
	if err := staffOnly(actor); err != nil {
		return nil, err
	}
	if !core.ValidID(id) {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	var c Contact
	if err := s.store.Get(ctx, "contacts", id, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// Found is a search result of the console: a contact record, or an
// entrepreneur with an account and no contact record yet.
type Found struct {
	ContactID   string `json:"contact_id,omitempty"`
	AccountID   string `json:"account_id,omitempty"`
	Name        string `json:"name"`
	PhoneMasked string `json:"phone_masked,omitempty"`
	IDMasked    string `json:"id_masked,omitempty"`
	District    string `json:"district,omitempty"`
}

// Find looks a caller up as staff type: a phone or ID number goes through
// the blind index (contacts first, then entrepreneurs' profiles); anything
// else is a name searched among contacts and profiles.
func (s *Service) Find(ctx context.Context, actor accounts.Principal, q string) ([]Found, error) {
	if err := staffOnly(actor); err != nil {
		return nil, err
	}
	q = strings.TrimSpace(q)
	if q == "" {
		return []Found{}, nil
	}
	if utf8.RuneCountInString(q) > 100 || !utf8.ValidString(q) {
		return nil, &core.Error{Code: core.Invalid, Message: "error.query.long", Fields: map[string]string{"q": "error.query.long"}}
	}
	if key, ok := s.sensitiveKey(q); ok {
		var out []Found
		if id, err := s.store.KeyOwnerAny(ctx, key.contact...); err == nil {
			if c, err := s.Contact(ctx, actor, id); err == nil {
				out = append(out, foundOf(c))
			}
		}
		if len(out) == 0 {
			if id, err := s.store.KeyOwnerAny(ctx, key.profile...); err == nil {
				if f, ok := s.profileFound(ctx, actor, id); ok {
					out = append(out, f)
				}
			}
		}
		return append([]Found{}, out...), nil
	}
	out := []Found{}
	r, err := s.outbox.Engine().Search(ctx, ContactIndex.Name, search.Query{Text: q, Limit: 20})
	if err != nil {
		return nil, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
	}
	linked := map[string]bool{}
	for _, h := range r.Hits {
		out = append(out, Found{ContactID: h.ID, AccountID: h.String("account_id"), Name: h.String("name"),
			PhoneMasked: h.String("phone_masked"), IDMasked: h.String("id_masked"), District: h.String("district")})
		linked[h.String("account_id")] = true
	}
	rows, _, _, err := s.people.List(ctx, actor, people.ListQuery{Text: q, Page: core.Page{Size: 10}})
	if err != nil {
		return nil, err
	}
	for _, p := range rows {
		if !linked[p.ID] {
			out = append(out, Found{AccountID: p.ID, Name: p.Name, PhoneMasked: p.PhoneMasked, IDMasked: p.IDMasked, District: p.District})
		}
	}
	return out, nil
}

// sensitiveKeys are a value's keys among contacts and among profiles, one
// per data key during a rotation.
type sensitiveKeys struct{ contact, profile []string }

func (s *Service) sensitiveKey(q string) (sensitiveKeys, bool) {
	v := strings.ToUpper(q)
	if _, problem := pii.ParseID(v, s.clock.Now()); problem == "" {
		return sensitiveKeys{s.vault.IndexKeys(idnoKey, "id_number", v), s.vault.IndexKeys("idno:", "id_number", v)}, true
	}
	if ph := pii.NormalizeCallerPhone(q); ph != "" {
		return sensitiveKeys{s.vault.IndexKeys(phoneKey, "phone", ph), s.vault.IndexKeys("pphone:", "phone", ph)}, true
	}
	return sensitiveKeys{}, false
}

func (s *Service) profileFound(ctx context.Context, actor accounts.Principal, id string) (Found, bool) {
	p, err := s.people.Get(ctx, actor, id)
	if err != nil || p.RealName == "" {
		return Found{}, false
	}
	id, phone := p.Masked()
	return Found{AccountID: p.ID, Name: p.RealName, PhoneMasked: phone, IDMasked: id, District: p.District}, true
}

func foundOf(c *Contact) Found {
	return Found{ContactID: c.ID, AccountID: c.AccountID, Name: c.Name, PhoneMasked: c.PhoneMasked, IDMasked: c.IDMasked, District: c.District}
}

// AccountContact is the id of the hotline contact record linked to an
// account, if there is one (a read of the account's key; nothing made).
func (s *Service) AccountContact(ctx context.Context, accountID string) (string, bool) {
	id, err := s.store.KeyOwner(ctx, "caccount:"+accountID)
	return id, err == nil && id != ""
}

// ContactForAccount returns the contact record of an entrepreneur, creating
// it from their profile when there is none yet (a caller found among
// accounts). The account's contact is found through a key, so two staff
// doing this at once make one record.
func (s *Service) ContactForAccount(ctx context.Context, actor accounts.Principal, accountID string, m accounts.Meta) (*Contact, error) {
	if err := staffOnly(actor); err != nil {
		return nil, err
	}
	if id, err := s.store.KeyOwner(ctx, "caccount:"+accountID); err == nil {
		return s.Contact(ctx, actor, id)
	}
	p, err := s.people.Get(ctx, actor, accountID)
	if err != nil {
		return nil, err
	}
	if p.RealName == "" {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	now := s.clock.Now()
	c := &Contact{ID: core.NewID(), Name: p.RealName, District: p.District, AccountID: p.ID, CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now}
	c.IDMasked, c.PhoneMasked = p.Masked()
	if err := s.store.ClaimKey(ctx, "caccount:"+p.ID, c.ID, "error.stale"); err != nil {
		if id, err := s.store.KeyOwner(ctx, "caccount:"+accountID); err == nil {
			return s.Contact(ctx, actor, id)
		}
		return nil, err
	}
	claimed := []string{"caccount:" + p.ID}
	// The profile's values index the contact too (same derivation), so a
	// later look-up by phone finds this record; the values stay sealed in the
	// profile only. They are indexed afresh rather than copied: during a
	// data-key rotation the profile may still carry a previous key's index,
	// and the claim must see a contact holding the value under any key.
	for _, f := range []struct {
		sealed, field, prefix, taken string
		index                        *string
	}{
		{p.PhoneSealed, "phone", phoneKey, "error.contact.phone_taken", &c.PhoneIndex},
		{p.IDSealed, "id_number", idnoKey, "error.contact.id_taken", &c.IDIndex},
	} {
		if !p.Settled(f.field) {
			continue // a disputed number is not this caller's to be found by
		}
		v, err := s.vault.Open(f.field, f.sealed)
		if err != nil || v == "" {
			continue
		}
		keys := s.vault.IndexKeys(f.prefix, f.field, v)
		if _, err := s.store.ClaimKeys(ctx, keys, c.ID, f.taken); err == nil {
			*f.index = strings.TrimPrefix(keys[0], f.prefix)
			claimed = append(claimed, keys[0])
		}
	}
	if err := s.insert(ctx, "contacts", ContactIndex.Name, c.ID, c); err != nil {
		for _, k := range claimed {
			_ = s.store.ReleaseKey(context.WithoutCancel(ctx), k, c.ID)
		}
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "contact.create", audit.Success, c.ID, "account")
	return c, nil
}

// LinkCandidate is the account whose profile carries the contact's phone or
// ID number, if there is one and the contact is not linked yet.
func (s *Service) LinkCandidate(ctx context.Context, actor accounts.Principal, c *Contact) (Found, bool) {
	if c.AccountID != "" {
		return Found{}, false
	}
	id := s.accountFor(ctx, actor, c)
	if id == "" {
		return Found{}, false
	}
	return s.profileFound(ctx, actor, id)
}

// Link ties a contact to the entrepreneur account whose profile carries the
// same phone or ID number, once staff have confirmed with the caller that
// it is them (the numbers on a profile are its owner's word, so a match
// alone is not proof). Staff cannot link a caller to any other account.
func (s *Service) Link(ctx context.Context, actor accounts.Principal, contactID string, m accounts.Meta) (*Contact, error) {
	c, err := s.Contact(ctx, actor, contactID)
	if err != nil {
		return nil, err
	}
	cand, ok := s.LinkCandidate(ctx, actor, c)
	if !ok {
		return nil, core.Errorf(core.Conflict, "error.contact.no_match")
	}
	if err := s.store.ClaimKey(ctx, "caccount:"+cand.AccountID, c.ID, "error.contact.account_linked"); err != nil {
		return nil, err
	}
	err = s.change(ctx, "contacts", ContactIndex.Name, c.ID, c.Version, set("account_id", cand.AccountID, "updated_at", s.clock.Now()))
	if err != nil {
		_ = s.store.ReleaseKey(context.WithoutCancel(ctx), "caccount:"+cand.AccountID, c.ID)
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "contact.link", audit.Success, c.ID, cand.AccountID)
	s.attachToAccount(ctx, c.ID, cand.AccountID)
	return s.Contact(ctx, actor, c.ID)
}

// Reveal opens a contact's phone and ID number for staff; audited.
func (s *Service) Reveal(ctx context.Context, actor accounts.Principal, id string, m accounts.Meta) (phone, idno string, err error) {
	c, err := s.Contact(ctx, actor, id)
	if err != nil {
		s.audit.Record(ctx, actor.Actor(m), "pii.reveal", audit.Denied, id, "contact")
		return "", "", err
	}
	if c.PhoneSealed != "" {
		if phone, err = s.vault.Open("phone", c.PhoneSealed); err != nil {
			return "", "", core.Wrap(err, "open phone")
		}
	}
	if c.IDSealed != "" {
		if idno, err = s.vault.Open("id_number", c.IDSealed); err != nil {
			return "", "", core.Wrap(err, "open id number")
		}
	}
	if phone != "" || idno != "" {
		s.audit.Record(ctx, actor.Actor(m), "pii.reveal", audit.Success, id, "contact")
	}
	// A caller linked to an account holds no numbers of their own: they
	// stay sealed in the profile, which reveals (and audits) them itself.
	if c.AccountID != "" && (phone == "" || idno == "") {
		r, err := s.people.Reveal(ctx, actor, c.AccountID, m)
		if err != nil && !core.IsCode(err, core.NotFound) {
			return "", "", err
		}
		if r != nil {
			phone, idno = cmp.Or(phone, r.Phone), cmp.Or(idno, r.IDNumber)
		}
	}
	if phone == "" && idno == "" {
		return "", "", core.Errorf(core.Conflict, "error.reveal.nothing")
	}
	return phone, idno, nil
}
