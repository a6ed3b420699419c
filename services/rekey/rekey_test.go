package rekey_test

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/documents"
	"onestop/services/hotline"
	"onestop/services/mentors"
	"onestop/services/onestop"
	"onestop/services/people"
	"onestop/services/pii"
	"onestop/services/rekey"
	"onestop/services/servicetest"
	"onestop/services/store"
)

const password = "Long-enough-9"

var (
	oldKey = bytes.Repeat([]byte{9}, 32) // servicetest's vault key
	newKey = bytes.Repeat([]byte{4}, 32)
)

// services are the areas that seal values, on one vault.
type services struct {
	vault    *pii.Vault
	accounts *accounts.Service
	people   *people.Service
	hotline  *hotline.Service
}

// world is a database seeded under the old key, and what was put in it.
type world struct {
	x      *servicetest.Env
	staff  accounts.Principal
	phones map[string]string // account id → login phone
	ids    map[string]string // profile id → ID number
	pphone map[string]string // profile id → phone
	caller *hotline.Contact  // a caller with phone and ID number, no account
	linked *hotline.Contact  // a contact made from an account: indexes only
}

func (w *world) on(t *testing.T, current []byte, previous ...[]byte) *services {
	t.Helper()
	v, err := pii.NewVault(current, previous...)
	if err != nil {
		t.Fatal(err)
	}
	x := w.x
	acc := servicetest.Must(accounts.New(accounts.Deps{Store: x.Store, Outbox: x.Outbox, Audit: x.Audit, Vault: v, Clock: x.Clock,
		Argon2: accounts.Argon2{MemoryKiB: 64, Time: 1, Threads: 1}, Log: x.Log, Notify: x.Notify}))
	ppl := servicetest.Must(people.New(people.Deps{Store: x.Store, Outbox: x.Outbox, Audit: x.Audit, Vault: v, Clock: x.Clock, Policies: x.Policies, Reference: x.Reference, Notify: x.Notify}))
	ms := servicetest.Must(mentors.New(mentors.Deps{Store: x.Store, Outbox: x.Outbox, Audit: x.Audit, Notify: x.Notify, Clock: x.Clock,
		Figures: x.Figures, AnswerWithin: 48 * time.Hour, Reference: x.Reference}))
	os := servicetest.Must(onestop.New(onestop.Deps{Store: x.Store, Outbox: x.Outbox, Audit: x.Audit, Clock: x.Clock, Figures: x.Figures, People: ppl,
		Calendar: x.Workdays}))
	hl := servicetest.Must(hotline.New(hotline.Deps{Store: x.Store, Outbox: x.Outbox, Audit: x.Audit, Notify: x.Notify, Vault: v, Clock: x.Clock,
		People: ppl, Mentors: ms, Onestop: os, Accounts: acc, Figures: x.Figures, ProviderName: servicetest.NoProvider, Reference: x.Reference,
		Calendar: x.Workdays}))
	return &services{vault: v, accounts: acc, people: ppl, hotline: hl}
}

func idNumber(d17 string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(d17[i]-'0') * w
	}
	return d17 + string("10X98765432"[sum%11])
}

func meta(i int) accounts.Meta { return accounts.Meta{IP: fmt.Sprintf("192.0.2.%d", i%250+1)} }

// seed lays down n entrepreneurs registered by phone, each with a profile
// (ID number and another phone), a caller known only to the hotline and
// a contact made from the first entrepreneur's account, all under the
// old key.
func seed(t *testing.T, n int) *world {
	t.Helper()
	x := servicetest.New(t, time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC),
		slices.Concat([]store.Collection{onestop.Collection}, mentors.Collections, hotline.Collections)...)
	w := &world{x: x, phones: map[string]string{}, ids: map[string]string{}, pphone: map[string]string{}}
	old := w.on(t, oldKey)
	x.Ready(t)
	ctx := context.Background()
	w.staff = x.Users(t, map[string]accounts.Role{"staff": accounts.Hotline})["staff"]
	for i := range n {
		phone := fmt.Sprintf("139%08d", i)
		u, err := old.accounts.Create(ctx, x.Admin, accounts.NewAccount{Phone: phone, Password: password, Name: fmt.Sprintf("創業者%d", i), Role: accounts.Entrepreneur}, meta(i))
		if err != nil {
			t.Fatal(err)
		}
		w.phones[u.ID] = phone
		me := accounts.Principal{ID: u.ID, Role: accounts.Entrepreneur, Name: u.Name}
		id, pp := idNumber(fmt.Sprintf("11010519880512%03d", i)), fmt.Sprintf("137%08d", i)
		if _, err := old.people.Save(ctx, me, people.Input{RealName: u.Name, IDNumber: id, Phone: pp, ConsentVersion: people.NoticeVersion}, "api", meta(i)); err != nil {
			t.Fatal(err)
		}
		w.ids[u.ID], w.pphone[u.ID] = id, pp
	}
	var err error
	if w.caller, err = old.hotline.CreateContact(ctx, w.staff, hotline.NewContact{Name: "來電者", Phone: "13600136000", IDNumber: idNumber("44030119900101123")}, meta(0)); err != nil {
		t.Fatal(err)
	}
	first := slices.Sorted(func(yield func(string) bool) {
		for id := range w.ids {
			if !yield(id) {
				return
			}
		}
	})[0]
	if w.linked, err = old.hotline.ContactForAccount(ctx, w.staff, first, meta(0)); err != nil || w.linked.PhoneIndex == "" {
		t.Fatalf("contact for account: %+v %v", w.linked, err)
	}
	return w
}

// works checks, through the services on s, what must hold at every stage
// of a rotation: sign-in by phone, staff look-up by ID number and phone,
// reveal, and no second holder of a phone or ID number.
func (w *world) works(t *testing.T, s *services, stage string) {
	t.Helper()
	ctx := context.Background()
	i := 0
	for uid, phone := range w.phones {
		i++
		if _, err := s.accounts.Login(ctx, phone, password, meta(i)); err != nil {
			t.Errorf("%s: sign-in by phone %s: %v", stage, phone, err)
		}
		for _, q := range []string{w.ids[uid], w.pphone[uid]} {
			if got, ok := s.people.FindBySensitive(ctx, w.staff, q); !ok || got != uid {
				t.Errorf("%s: staff look-up of %s found %q", stage, q, got)
			}
		}
		r, err := s.people.Reveal(ctx, w.staff, uid, meta(i))
		if err != nil || r.IDNumber != w.ids[uid] || r.Phone != w.pphone[uid] {
			t.Errorf("%s: reveal %s = %+v, %v", stage, uid, r, err)
		}
		if i > 3 {
			break // the rest are alike
		}
	}
	for _, q := range []string{"13600136000", w.caller.IDMasked[:0] + idNumber("44030119900101123")} {
		found, err := s.hotline.Find(ctx, w.staff, q)
		if err != nil || len(found) != 1 || found[0].ContactID != w.caller.ID {
			t.Errorf("%s: hotline find %s = %+v, %v", stage, q, found, err)
		}
	}
	if found, err := s.hotline.Find(ctx, w.staff, w.pphone[w.linked.AccountID]); err != nil || len(found) != 1 || found[0].ContactID != w.linked.ID {
		t.Errorf("%s: hotline find of a linked contact's phone = %+v, %v", stage, found, err)
	}
	if phone, idno, err := s.hotline.Reveal(ctx, w.staff, w.caller.ID, meta(0)); err != nil || phone != "13600136000" || idno != idNumber("44030119900101123") {
		t.Errorf("%s: reveal caller = %s %s %v", stage, phone, idno, err)
	}
	w.duplicatesRefused(t, s, stage)
}

func (w *world) duplicatesRefused(t *testing.T, s *services, stage string) {
	t.Helper()
	ctx := context.Background()
	var someone string
	for uid := range w.phones {
		someone = uid
		break
	}
	tries := []struct {
		what string
		do   func() error
	}{
		{"open an account with a taken phone", func() error {
			_, err := s.accounts.Create(ctx, w.x.Admin, accounts.NewAccount{Phone: w.phones[someone], Password: password, Name: "冒名", Role: accounts.Entrepreneur}, accounts.Meta{IP: "198.51.100.9"})
			return err
		}},
		{"save a profile with a taken ID number", func() error {
			u, err := s.accounts.Create(ctx, w.x.Admin, accounts.NewAccount{Email: fmt.Sprintf("dup%d@test.cn", time.Now().UnixNano()), Password: password, Name: "冒名", Role: accounts.Entrepreneur}, meta(0))
			if err != nil {
				return err
			}
			// The save is accepted (its answer must not tell a taken number
			// from a free one); the number stays its holder's, disputed.
			if _, err = s.people.Save(ctx, accounts.Principal{ID: u.ID, Role: accounts.Entrepreneur}, people.Input{RealName: "冒名", IDNumber: w.ids[someone], ConsentVersion: people.NoticeVersion}, "api", meta(0)); err != nil {
				return err
			}
			if holder, ok := s.people.FindBySensitive(ctx, w.staff, w.ids[someone]); !ok || holder != someone {
				return fmt.Errorf("the number is found on %q, want its holder", holder)
			}
			return core.Errorf(core.Conflict, "disputed")
		}},
		{"record a caller with a taken phone", func() error {
			_, err := s.hotline.CreateContact(ctx, w.staff, hotline.NewContact{Name: "又一個", Phone: "13600136000"}, meta(0))
			return err
		}},
	}
	for _, tt := range tries {
		if err := tt.do(); !core.IsCode(err, core.Conflict) {
			t.Errorf("%s: %s: err = %v, want a conflict", stage, tt.what, err)
		}
	}
}

// sealedFields lists every sealed value and stored index in the database.
type stored struct {
	coll, id, field, sealed, index, prefix string
	pending                                bool // kept, disputed: its key is another record's
}

var layout = []struct {
	coll string
	vals [][4]string // field, sealed, index, key prefix
}{
	{"users", [][4]string{{"phone", "phone_sealed", "", "phone:"}}},
	{"profiles", [][4]string{{"id_number", "id_sealed", "id_index", "idno:"}, {"phone", "phone_sealed", "phone_index", "pphone:"}}},
	{"contacts", [][4]string{{"phone", "phone_sealed", "phone_index", "cphone:"}, {"id_number", "id_sealed", "id_index", "cidno:"}}},
}

func storedValues(t *testing.T, s *store.Store) []stored {
	t.Helper()
	var out []stored
	for _, l := range layout {
		err := store.Each(context.Background(), s, l.coll, func(doc *bson.M) error {
			for _, v := range l.vals {
				sv, _ := (*doc)[v[1]].(string)
				ix, _ := (*doc)[v[2]].(string)
				if sv != "" || ix != "" {
					pending, _ := (*doc)["pending"].(bson.A)
					out = append(out, stored{l.coll, (*doc)["_id"].(string), v[0], sv, ix, v[3], slices.Contains(pending, any(v[0]))})
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// keyDocs is every key document of a sealed value: key → owner.
func keyDocs(t *testing.T, s *store.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := store.Each(context.Background(), s, store.Keys.Name, func(k *struct {
		ID    string `bson:"_id"`
		Owner string `bson:"owner"`
	}) error {
		for _, l := range layout {
			for _, v := range l.vals {
				if strings.HasPrefix(k.ID, v[3]) {
					out[k.ID] = k.Owner
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// rotated checks the database holds everything under the new key only:
// every ciphertext tagged with it and opening with it alone, every stored
// index and key document the new key's, and no other key document left.
func (w *world) rotated(t *testing.T) {
	t.Helper()
	done, _ := pii.NewVault(newKey)
	old, _ := pii.NewVault(oldKey)
	want := map[string]string{}
	for _, v := range storedValues(t, w.x.Store) {
		plain, err := done.Open(v.field, v.sealed)
		if err != nil || (v.sealed != "" && !strings.HasPrefix(v.sealed, done.KeyID()+":")) {
			t.Errorf("%s/%s %s: %q not under the new key (%v)", v.coll, v.id, v.field, v.sealed, err)
			continue
		}
		if plain == "" { // a contact made from a profile: indexed by the profile's value
			plain, _ = done.Open(v.field, profileValue(t, w.x.Store, w.linked.AccountID, v.field))
		}
		idx := done.BlindIndex(v.field, plain)
		if v.index != "" && v.index != idx {
			t.Errorf("%s/%s %s: index %s, want the new key's %s", v.coll, v.id, v.field, v.index, idx)
		}
		if !v.pending {
			want[v.prefix+idx] = v.id
		}
		if v.index == old.BlindIndex(v.field, plain) {
			t.Errorf("%s/%s %s: still indexed under the old key", v.coll, v.id, v.field)
		}
	}
	if got := keyDocs(t, w.x.Store); !mapsEqual(got, want) {
		t.Errorf("key documents:\n got %v\nwant %v", got, want)
	}
}

func profileValue(t *testing.T, s *store.Store, id, field string) string {
	var p people.Profile
	if err := s.Get(context.Background(), people.Collection.Name, id, &p); err != nil {
		t.Fatal(err)
	}
	if field == "phone" {
		return p.PhoneSealed
	}
	return p.IDSealed
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func run(t *testing.T, w *world, opt rekey.Options) *rekey.Report {
	t.Helper()
	v, _ := pii.NewVault(newKey, oldKey)
	rep, err := rekey.New(w.x.Store, v).Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	return rep
}

func counts(rep *rekey.Report) map[string]int {
	out := map[string]int{}
	for _, c := range rep.Counts {
		out[c.Collection] = c.Rekeyed
	}
	return out
}

func TestRotateThroughAHalfFinishedRotation(t *testing.T) {
	w := seed(t, 6)
	w.works(t, w.on(t, oldKey), "before")
	rotating := w.on(t, newKey, oldKey)
	w.works(t, rotating, "new key rolled out, nothing re-keyed")

	if rep := run(t, w, rekey.Options{Limit: 4, PageSize: 2}); !rep.Stopped || rep.Rekeyed() != 4 {
		t.Fatalf("limited run: %+v", rep)
	}
	w.works(t, rotating, "interrupted after 4 records")

	rep := run(t, w, rekey.Options{PageSize: 2})
	// 7 users with the staff member (no phone): 6 re-keyed; 6 profiles and
	// the one saved with a taken ID number before the new key (kept,
	// disputed: re-sealed and re-indexed, its key left to its holder); 2
	// contacts. The limited run did 4 users.
	if got := counts(rep); got["users"] != 2 || got["profiles"] != 7 || got["contacts"] != 2 {
		t.Errorf("re-keyed %v", got)
	}
	w.rotated(t)
	w.works(t, rotating, "rotated, old key still given")
	w.works(t, w.on(t, newKey), "rotated, old key removed")

	if rep := run(t, w, rekey.Options{}); rep.Rekeyed() != 0 {
		t.Errorf("a second run re-keyed %v", counts(rep))
	}

	// A dispute raised before the rotation is settled after it: the number
	// (re-indexed under the new key) goes to the claimant.
	ctx := context.Background()
	after := w.on(t, newKey)
	rows, _, _, err := after.people.Disputes(ctx, w.staff, people.DisputeQuery{})
	if err != nil || len(rows) == 0 {
		t.Fatalf("no open dispute after the rotation: %v", err)
	}
	d := rows[len(rows)-1] // the oldest: raised under the old key
	if _, err := after.people.Resolve(ctx, w.staff, d.ID, people.ToClaimant, "核驗身分證", meta(0)); err != nil {
		t.Fatalf("settle after the rotation: %v", err)
	}
	if got, ok := after.people.FindBySensitive(ctx, w.staff, w.ids[d.HolderID]); !ok || got != d.ClaimantID {
		t.Errorf("after settling, the number finds %q, want the claimant %s", got, d.ClaimantID)
	}
}

// TestRotateResumesAfterACrash leaves a record as a crash at each point of
// its step would, and checks the next run finishes it.
func TestRotateResumesAfterACrash(t *testing.T) {
	old, _ := pii.NewVault(oldKey)
	done, _ := pii.NewVault(newKey)
	tests := []struct {
		name  string
		crash func(t *testing.T, w *world, uid string) // leaves the state a crash would
	}{
		{"after claiming the new key", func(t *testing.T, w *world, uid string) {
			for _, k := range []string{"phone:" + done.BlindIndex("phone", w.phones[uid]), "idno:" + done.BlindIndex("id_number", w.ids[uid])} {
				if err := w.x.Store.ClaimKey(context.Background(), k, uid, "x"); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"after rewriting the record, before releasing the old key", func(t *testing.T, w *world, uid string) {
			run(t, w, rekey.Options{})
			for _, k := range []string{"phone:" + old.BlindIndex("phone", w.phones[uid]), "idno:" + old.BlindIndex("id_number", w.ids[uid])} {
				if err := w.x.Store.ClaimKey(context.Background(), k, uid, "x"); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"record by record, half the records", func(t *testing.T, w *world, uid string) {
			v, _ := pii.NewVault(newKey, oldKey)
			r := rekey.New(w.x.Store, v)
			for id := range w.ids {
				for _, coll := range []string{"users", "profiles"} {
					if _, err := r.Step(context.Background(), coll, id); err != nil {
						t.Fatal(err)
					}
				}
				if id == uid {
					break
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := seed(t, 3)
			var uid string
			for id := range w.ids {
				uid = id
				break
			}
			tt.crash(t, w, uid)
			rotating := w.on(t, newKey, oldKey)
			w.works(t, rotating, "after the crash")
			run(t, w, rekey.Options{})
			w.rotated(t)
			w.works(t, w.on(t, newKey), "after the next run")
		})
	}
}

// TestRotateWhileServing saves profiles (changing phones, or keeping
// them) and records callers while the rotation runs; afterwards everything
// is under the new key with exactly the key documents the records carry.
func TestRotateWhileServing(t *testing.T) {
	w := seed(t, 8)
	rotating := w.on(t, newKey, oldKey)
	ctx := context.Background()
	stop := make(chan struct{})
	errs := make(chan error, 1)
	uids := slices.Sorted(maps.Keys(w.ids))
	go func() {
		defer close(errs)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			for n, uid := range uids {
				in := people.Input{RealName: "改過", ConsentVersion: people.NoticeVersion}
				// The linked contact copied its account's phone index once;
				// a new phone there leaves it an index no record holds
				// (TestRotateKeepsAnIndexNoRecordHolds), so that phone stays.
				if i%2 == 0 && uid != w.linked.AccountID {
					in.Phone = fmt.Sprintf("135%04d%04d", i%10000, n)
				}
				_, err := rotating.people.Save(ctx, accounts.Principal{ID: uid, Role: accounts.Entrepreneur}, in, "api", meta(i))
				if err != nil && !core.IsCode(err, core.Conflict) {
					errs <- err
					return
				}
				if err == nil && in.Phone != "" {
					w.pphone[uid] = in.Phone // only this goroutine writes it until stop
				}
			}
		}
	}()
	rep := run(t, w, rekey.Options{PageSize: 3})
	close(stop)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	if rep.Rekeyed() == 0 {
		t.Fatal("nothing re-keyed")
	}
	// A save that read a record before the rotation and lost the race had
	// nothing to write back; one that won wrote under the new key. Either
	// way one more run has nothing left but what it finds.
	run(t, w, rekey.Options{})
	w.rotated(t)
	w.works(t, w.on(t, newKey), "after rotating under load")
}

// TestRotateKeepsAnIndexNoRecordHolds: a contact made from an account
// whose profile has a new phone since holds an index of a value nobody
// holds any more. Nothing can recompute it, so the run counts it and leaves
// it, and a second run does the same without failing.
func TestRotateKeepsAnIndexNoRecordHolds(t *testing.T) {
	w := seed(t, 2)
	ctx := context.Background()
	uid := w.linked.AccountID
	in := people.Input{RealName: "改過", Phone: "13512345678", ConsentVersion: people.NoticeVersion}
	if _, err := w.on(t, oldKey).people.Save(ctx, accounts.Principal{ID: uid, Role: accounts.Entrepreneur}, in, "api", meta(0)); err != nil {
		t.Fatal(err)
	}
	for pass := range 2 {
		rep := run(t, w, rekey.Options{})
		for _, c := range rep.Counts {
			if c.Collection == "contacts" && c.Unknown != 1 {
				t.Errorf("pass %d: contacts %+v, want one unknown index", pass, c)
			}
		}
		var c hotline.Contact
		if err := w.x.Store.Get(ctx, "contacts", w.linked.ID, &c); err != nil {
			t.Fatal(err)
		}
		if c.PhoneIndex != w.linked.PhoneIndex {
			t.Errorf("pass %d: phone index %s, want it left as %s", pass, c.PhoneIndex, w.linked.PhoneIndex)
		}
	}
}

func TestRotateFailsOnAValueUnderAnUnknownKey(t *testing.T) {
	w := seed(t, 2)
	stranger, _ := pii.NewVault(bytes.Repeat([]byte{3}, 32))
	var uid string
	for id := range w.phones {
		uid = id
	}
	if _, err := w.x.Store.C("users").UpdateOne(context.Background(), bson.D{{Key: "_id", Value: uid}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "phone_sealed", Value: stranger.Seal("phone", w.phones[uid])}}}}); err != nil {
		t.Fatal(err)
	}
	v, _ := pii.NewVault(newKey, oldKey)
	rep, err := rekey.New(w.x.Store, v).Run(context.Background(), rekey.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Err() == nil || !strings.Contains(rep.Err().Error(), "users/"+uid+" phone") {
		t.Fatalf("err = %v, want the record named", rep.Err())
	}
	if c := counts(rep); c["profiles"] != 2 {
		t.Errorf("the others were not re-keyed: %v", c)
	}
}

// TestRotateSealsFiles: the files people uploaded are re-sealed under the
// new key — those sealed under the old one and those kept in clear before
// files were sealed — and open once the old key is gone; a second run
// changes nothing.
func TestRotateSealsFiles(t *testing.T) {
	ctx := context.Background()
	x := servicetest.New(t, time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), store.Collection{Name: "loan_blobs"}, store.Collection{Name: "grant_blobs"})
	old, _ := pii.NewVault(oldKey)
	scan := []byte("%PDF-1.4 身分證影本")
	if err := documents.New(x.Store, old, "fact_evidence").Put(ctx, "e1", "p1", scan); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Store.C("loan_blobs").InsertOne(ctx, bson.D{{Key: "_id", Value: "a1"}, {Key: "loan_id", Value: "l1"}, {Key: "data", Value: scan}}); err != nil {
		t.Fatal(err)
	}
	both, _ := pii.NewVault(newKey, oldKey)
	rep, err := rekey.New(x.Store, both).Run(ctx, rekey.Options{})
	if err != nil || rep.Err() != nil {
		t.Fatal(err, rep.Err())
	}
	if got := counts(rep); got["fact_evidence"] != 1 || got["loan_blobs"] != 1 {
		t.Errorf("re-sealed %v", got)
	}
	only, _ := pii.NewVault(newKey)
	for _, f := range []struct{ coll, id, owner string }{{"fact_evidence", "e1", "p1"}, {"loan_blobs", "a1", "l1"}} {
		got, err := documents.New(x.Store, only, f.coll).Get(ctx, f.id, f.owner)
		if err != nil || !bytes.Equal(got, scan) {
			t.Errorf("%s under the new key alone: %q %v", f.coll, got, err)
		}
		var raw bson.Raw
		if err := x.Store.Get(ctx, f.coll, f.id, &raw); err != nil || bytes.Contains(raw, []byte("%PDF")) {
			t.Errorf("%s still holds the file in clear (%v)", f.coll, err)
		}
	}
	if rep, err := rekey.New(x.Store, both).Run(ctx, rekey.Options{}); err != nil || rep.Rekeyed() != 0 {
		t.Errorf("a second run re-keyed %v (%v)", counts(rep), err)
	}
}
