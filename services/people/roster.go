package people

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"onestop/services/core"
	"onestop/services/pii"
	"onestop/services/policy"
	"onestop/services/store"
)

// Rosters are the lists the bureau imports (核驗 by roster, #17 §2), each
// establishing one checked fact of the people on it: the village
// committees' rosters of land-expropriated farmers (花名冊), the land
// bureau's list of people left with under 0.1 mu of farmland a head (with
// the figure), and its list of people relocated by law (拆村建居).
// A roster may also list the people for whom a yes-or-no fact an
// administrator defined holds: its kind is fact:<name> (rosterKinds).
var Rosters = map[string]string{"farmers": "on_farmer_roster", "farmland": "farmland_per_capita_mu", "relocated": "relocated_by_law"}

// definedRoster is the prefix of a roster kind naming a defined fact.
const definedRoster = "fact:"

// rosterFactOf is the fact a kind of roster establishes.
func rosterFactOf(kind string) string {
	if name, ok := strings.CutPrefix(kind, definedRoster); ok {
		return name
	}
	return Rosters[kind]
}

// rosterKinds are the kinds of roster there are: the built-in ones, and
// one for each yes-or-no fact an administrator defined.
func (s *Service) rosterKinds(ctx context.Context) ([]string, error) {
	kinds := slices.Sorted(maps.Keys(Rosters))
	defs, err := s.policies.Defined(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range defs {
		if d.Kind == policy.KindBool {
			kinds = append(kinds, definedRoster+d.Name)
		}
	}
	return kinds, nil
}

// RosterCollection keeps every imported line under the kind of roster and
// the ID number's blind index — never the number — so a person who gives
// their ID number after the import finds the fact checked.
var RosterCollection = store.Collection{Name: "roster_lines"}

type rosterLine struct {
	ID     string    `bson:"_id"` // kind + ":" + the blind index of the ID number
	Kind   string    `bson:"kind"`
	Roster string    `bson:"roster"` // the roster's name as staff read it
	Value  string    `bson:"value"`
	At     time.Time `bson:"at"`
}

// RosterRow is one line of a roster file: a JSON object, or a CSV row
// under a header with the same names.
type RosterRow struct {
	IDNumber string `json:"id_number"`
	// FarmlandMu is the land left a head, on the farmland list only.
	FarmlandMu *float64 `json:"farmland_per_capita_mu,omitempty"`
}

// RosterReport says what an import did: lines read, people matched (their
// fact established or already so), lines kept for people not registered
// yet, and the lines refused with why (never quoting an ID number).
type RosterReport struct {
	Lines, Matched, Waiting int
	Rejected                []RosterRejection
}

// RosterRejection is a refused line.
type RosterRejection struct {
	Line   int
	Faults []core.Fault
}

// ImportRoster reads a roster of kind (Rosters) named roster, as JSON lines
// ("jsonl") or CSV with a header. Each line's ID number must be valid (GB
// 11643); it is matched through the blind index, and the line is kept
// under that index alone. Run again with the same file it changes
// nothing. A bad line never stops the good ones.
func (s *Service) ImportRoster(ctx context.Context, kind, roster string, r io.Reader, format string, progress func(lines int)) (*RosterReport, error) {
	kinds, err := s.rosterKinds(ctx)
	if err != nil {
		return nil, err
	}
	fact := rosterFactOf(kind)
	var v core.Validation
	v.Check(slices.Contains(kinds, kind), "kind", "error.enum")
	roster = v.Line("roster", roster, 1, 100)
	if format != "jsonl" && format != "json" && format != "csv" {
		v.Add("format", "error.enum")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	rep := &RosterReport{}
	next := rosterRows(r, format)
	first := 1
	if format == "csv" {
		first = 2 // the header is the file's first line
	}
	for line := first; ; line++ {
		row, fault, err := next()
		if errors.Is(err, io.EOF) {
			return rep, nil
		}
		if err != nil {
			return rep, err
		}
		if row == nil && fault == nil {
			continue // a blank line
		}
		rep.Lines++
		if progress != nil {
			progress(rep.Lines)
		}
		if fault == nil {
			var f []core.Fault
			f, err = s.rosterLine(ctx, kind, fact, roster, row, rep)
			if err != nil {
				return rep, err
			}
			if len(f) > 0 {
				fault = f
			}
		}
		if fault != nil {
			rep.Rejected = append(rep.Rejected, RosterRejection{Line: line, Faults: fault})
		}
	}
}

// rosterLine keeps one line and establishes the fact of the person it
// names, when they have a profile; it returns the line's faults.
func (s *Service) rosterLine(ctx context.Context, kind, fact, roster string, row *RosterRow, rep *RosterReport) ([]core.Fault, error) {
	number := strings.ToUpper(strings.TrimSpace(row.IDNumber))
	if number == "" {
		return []core.Fault{{Field: "id_number", Msg: "error.required"}}, nil
	}
	if _, problem := pii.ParseID(number, s.clock.Now()); problem != "" {
		return []core.Fault{{Field: "id_number", Msg: string(problem)}}, nil // (what is wrong, never the number)
	}
	value := "true"
	if kind == "farmland" {
		if row.FarmlandMu == nil || *row.FarmlandMu < 0 || *row.FarmlandMu > 100 {
			return []core.Fault{{Field: "farmland_per_capita_mu", Msg: "error.number.range"}}, nil
		}
		value = strconv.FormatFloat(*row.FarmlandMu, 'f', -1, 64)
	}
	indexes := s.vault.BlindIndexes("id_number", number)
	l := rosterLine{ID: kind + ":" + indexes[0], Kind: kind, Roster: roster, Value: value, At: s.clock.Now()}
	if _, err := s.store.C(RosterCollection.Name).ReplaceOne(ctx, bson.D{{Key: "_id", Value: l.ID}}, l, options.Replace().SetUpsert(true)); err != nil {
		return nil, core.Wrap(err, "roster line")
	}
	person, err := s.store.KeyOwnerAny(ctx, s.vault.IndexKeys("idno:", "id_number", number)...)
	if core.IsCode(err, core.NotFound) {
		rep.Waiting++
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if _, err := s.FromRoster(ctx, person, RosterEntry{Roster: roster, Fact: fact, Value: value}); err != nil {
		if core.IsCode(err, core.Invalid) || core.IsCode(err, core.NotFound) {
			return core.Faults(err), nil // (their profile refuses the value: said, not fatal)
		}
		return nil, err
	}
	rep.Matched++
	return nil, nil
}

// applyRosters establishes the facts the imported rosters hold for an ID
// number a person has just given (Save): every index of the number is
// tried, so a line kept under a previous data key is found too.
func (s *Service) applyRosters(ctx context.Context, personID, number string) error {
	kinds, err := s.rosterKinds(ctx)
	if err != nil {
		return err
	}
	for _, kind := range kinds {
		fact := rosterFactOf(kind)
		for _, ix := range s.vault.BlindIndexes("id_number", number) {
			var l rosterLine
			err := s.store.Get(ctx, RosterCollection.Name, kind+":"+ix, &l)
			if core.IsCode(err, core.NotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if _, err := s.FromRoster(ctx, personID, RosterEntry{Roster: l.Roster, Fact: fact, Value: l.Value}); err != nil && !core.IsCode(err, core.Invalid) {
				return err
			}
			break
		}
	}
	return nil
}

// rosterLines are the lines kept for an ID number (export, erasure).
func (s *Service) rosterLines(ctx context.Context, number string) ([]rosterLine, error) {
	kinds, err := s.rosterKinds(ctx)
	if err != nil {
		return nil, err
	}
	var out []rosterLine
	for _, kind := range kinds {
		for _, ix := range s.vault.BlindIndexes("id_number", number) {
			var l rosterLine
			err := s.store.Get(ctx, RosterCollection.Name, kind+":"+ix, &l)
			if core.IsCode(err, core.NotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, l)
		}
	}
	return out, nil
}

// rosterRows returns the rows of a file one at a time: a row, or the
// faults of a line that could not be read, or io.EOF.
func rosterRows(r io.Reader, format string) func() (*RosterRow, []core.Fault, error) {
	if format == "csv" {
		cr := csv.NewReader(r)
		cr.FieldsPerRecord = -1
		var header []string
		return func() (*RosterRow, []core.Fault, error) {
			rec, err := cr.Read()
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					return nil, []core.Fault{{Msg: "error.invalid"}}, nil
				}
				return nil, nil, err
			}
			if header == nil {
				header = rec
				rec, err = cr.Read()
				if err != nil {
					return nil, nil, err
				}
			}
			row := &RosterRow{}
			for i, name := range header {
				if i >= len(rec) {
					break
				}
				switch strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")) {
				case "id_number":
					row.IDNumber = rec[i]
				case "farmland_per_capita_mu":
					if strings.TrimSpace(rec[i]) == "" {
						continue
					}
					f, err := strconv.ParseFloat(strings.TrimSpace(rec[i]), 64)
					if err != nil {
						return nil, []core.Fault{{Field: name, Msg: "error.number"}}, nil
					}
					row.FarmlandMu = &f
				}
			}
			return row, nil, nil
		}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	return func() (*RosterRow, []core.Fault, error) {
		if !sc.Scan() {
			if err := sc.Err(); err != nil {
				return nil, nil, err
			}
			return nil, nil, io.EOF
		}
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			return nil, nil, nil
		}
		var row RosterRow
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&row); err != nil {
			return nil, []core.Fault{{Msg: core.JSONProblem(raw, err)}}, nil
		}
		return &row, nil, nil
	}
}

// OnRoster reports whether the person with an ID number is on the
// land-expropriated farmers' roster: an imported line, or a registered
// person whose roster entry is checked. The number is matched through the
// blind index only (a reward claim's lines).
func (s *Service) OnRoster(ctx context.Context, number string) (bool, error) {
	for _, ix := range s.vault.BlindIndexes("id_number", number) {
		var l rosterLine
		err := s.store.Get(ctx, RosterCollection.Name, "farmers:"+ix, &l)
		if err == nil {
			return l.Value == "true", nil
		}
		if !core.IsCode(err, core.NotFound) {
			return false, err
		}
	}
	person, err := s.store.KeyOwnerAny(ctx, s.vault.IndexKeys("idno:", "id_number", number)...)
	if core.IsCode(err, core.NotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var p Profile
	if err := s.store.Get(ctx, Collection.Name, person, &p); err != nil {
		return false, err
	}
	return p.Verified("on_farmer_roster") && p.Facts.OnFarmerRoster != nil && *p.Facts.OnFarmerRoster, nil
}
