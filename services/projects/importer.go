package projects

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"onestop/search"
	"onestop/services/core"
	"onestop/services/outbox"
	"onestop/services/reference"
)

// Row is one imported project: the input and the status the bureau gives.
type Row struct {
	Input
	Status string `json:"status"`
}

// Rejection says why a line was not imported: what is wrong, field by
// field, as message keys for the report to translate.
type Rejection struct {
	Line   int
	Faults []core.Fault
}

// ImportReport sums up an import.
type ImportReport struct {
	Lines, Created, Updated int
	Rejected                []Rejection
}

// importBatch is how many rows are written and indexed together.
const importBatch = 1000

// Import reads projects as JSON lines ("jsonl") or CSV with a header row
// ("csv"; lists separated by "|") and upserts them by external id, so the
// same file imported twice changes nothing. A bad row is reported and
// skipped; it never stops the good ones. progress is told how many lines
// were read so far.
func (s *Service) Import(ctx context.Context, r io.Reader, format string, progress func(lines int)) (*ImportReport, error) {
	rep := &ImportReport{}
	// The database and the search index work in a pipeline: while one batch
	// is indexed, the next is written, so the two cores both work.
	ix := make(chan indexJob, 1)
	ixErr := make(chan error, 1)
	go func() {
		var first error
		for job := range ix {
			if first == nil {
				first = s.indexBatch(ctx, job)
			}
		}
		ixErr <- first
	}()
	var batch []Row
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		job, err := s.writeBatch(ctx, batch, rep)
		batch = nil
		if err != nil {
			return err
		}
		ix <- job
		return nil
	}
	add := func(line int, row Row, parseErr error) error {
		rep.Lines++
		if parseErr == nil {
			parseErr = row.check(s.reference)
		}
		if parseErr != nil {
			rep.Rejected = append(rep.Rejected, Rejection{Line: line, Faults: core.Faults(parseErr)})
		} else if i := slices.IndexFunc(batch, func(b Row) bool { return b.ExternalID == row.ExternalID }); i >= 0 {
			batch[i] = row // a later line for the same id wins
		} else {
			batch = append(batch, row)
		}
		if progress != nil && rep.Lines%100 == 0 {
			progress(rep.Lines)
		}
		if len(batch) >= importBatch {
			return flush()
		}
		return nil
	}
	var err error
	switch format {
	case "jsonl", "json":
		err = readJSONL(r, add)
	case "csv":
		err = readCSV(r, add)
	default:
		err = fmt.Errorf("import: unknown format %q (jsonl or csv)", format)
	}
	if err == nil {
		err = flush()
	}
	close(ix)
	if ierr := <-ixErr; err == nil {
		err = ierr
	}
	if progress != nil {
		progress(rep.Lines)
	}
	return rep, err
}

// check validates an imported row. An import is new data: it may name an
// active industry and district, by code or by label in either script.
func (row *Row) check(lists *reference.Lists) error {
	var v core.Validation
	if row.Status == "" {
		row.Status = Submitted
	}
	v.Check(slices.Contains(Statuses, row.Status), "status", "error.enum")
	v.Check(row.ExternalID != "", "external_id", "error.external_id")
	if err := row.Input.validate(lists.Current(reference.Industry), lists.Current(reference.District)); err != nil {
		var ce *core.Error
		if errors.As(err, &ce) {
			for f, k := range ce.Fields {
				v.Add(f, k)
			}
		}
	}
	return v.Err()
}

func readJSONL(r io.Reader, add func(int, Row, error) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var row Row
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		err := dec.Decode(&row)
		if err != nil {
			err = &core.Error{Code: core.Invalid, Message: core.JSONProblem(b, err)}
		}
		if err := add(line, row, err); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("import: line %d: %w", line+1, err)
	}
	return nil
}

var csvFields = []string{"external_id", "title", "summary", "description", "industry", "district", "investment_yuan", "risk",
	"expected_jobs", "target_groups", "tags", "source", "contact", "status"}

func readCSV(r io.Reader, add func(int, Row, error) error) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("import: CSV header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if !slices.Contains(csvFields, h) {
			return fmt.Errorf("import: unknown CSV column %q (columns: %s)", h, strings.Join(csvFields, ","))
		}
		col[h] = i
	}
	line := 1
	for {
		rec, err := cr.Read()
		line++
		if err == io.EOF {
			return nil
		}
		var row Row
		if err == nil {
			err = row.fromCSV(rec, col)
		} else if pe := (*csv.ParseError)(nil); errors.As(err, &pe) {
			// Its column counts bytes, not the characters of Chinese text.
			err = &core.Error{Code: core.Invalid, Message: "error.csv.syntax"}
		}
		if err := add(line, row, err); err != nil {
			return err
		}
	}
}

func (row *Row) fromCSV(rec []string, col map[string]int) error {
	get := func(name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	list := func(name string) []string {
		var out []string
		for _, s := range strings.Split(get(name), "|") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	num := func(name string) (int64, error) {
		s := get(name)
		if s == "" {
			return 0, nil
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{name: "error.number"}}
		}
		return n, nil
	}
	inv, err := num("investment_yuan")
	if err != nil {
		return err
	}
	jobs, err := num("expected_jobs")
	if err != nil {
		return err
	}
	*row = Row{Status: get("status"), Input: Input{ExternalID: get("external_id"), Title: get("title"), Summary: get("summary"),
		Description: get("description"), Industry: get("industry"), District: get("district"), InvestmentYuan: inv, Risk: get("risk"),
		ExpectedJobs: int(jobs), TargetGroups: list("target_groups"), Tags: list("tags"), Source: get("source"), Contact: get("contact")}}
	return nil
}

// writeBatch upserts a batch by computed id: outbox notes first, then the
// records, then the index in one batch, then the notes go. New records go
// in with one InsertMany; the ones it reports as duplicates exist already
// and are updated one by one by `_id` (an upsert through the embedded
// store is far slower than either).
func (s *Service) writeBatch(ctx context.Context, rows []Row, rep *ImportReport) (indexJob, error) {
	now := s.clock.Now()
	ids := make([]string, len(rows))
	notes := make([]any, len(rows))
	fresh := make([]any, len(rows))
	for i, row := range rows {
		ids[i] = ImportID(row.ExternalID)
		notes[i] = bson.D{{Key: "_id", Value: Index.Name + "/" + ids[i]}, {Key: "index", Value: Index.Name}, {Key: "rec", Value: ids[i]}, {Key: "at", Value: now}}
		p := &Project{ID: ids[i], Status: row.Status, CreatedAt: now, UpdatedAt: now, Reviewers: []Person{}, Reviews: []Review{},
			History: []Step{{At: now, ActorName: "import", Action: "import", To: row.Status}}}
		fill(p, row.Input)
		fresh[i] = p
	}
	oc := s.store.C(outbox.Collection.Name)
	if _, err := oc.InsertMany(ctx, notes, options.InsertMany().SetOrdered(false)); err != nil && !onlyDuplicates(err) {
		return indexJob{}, core.Wrap(err, "import notes")
	}
	existing := map[int]bool{}
	if _, err := s.store.C(Collection.Name).InsertMany(ctx, fresh, options.InsertMany().SetOrdered(false)); err != nil {
		var bwe mongo.BulkWriteException
		if !onlyDuplicates(err) || !errors.As(err, &bwe) {
			return indexJob{}, core.Wrap(err, "import write")
		}
		for _, we := range bwe.WriteErrors {
			existing[we.Index] = true
		}
	}
	docs := make([]search.Doc, 0, len(rows))
	for i, row := range rows {
		if !existing[i] {
			rep.Created++
			docs = append(docs, *toDoc(fresh[i].(*Project)))
			continue
		}
		rep.Updated++
		in := row.Input
		set := bson.D{{Key: "title", Value: in.Title}, {Key: "summary", Value: in.Summary},
			{Key: "description", Value: in.Description}, {Key: "industry", Value: in.Industry}, {Key: "district", Value: in.District},
			{Key: "investment_yuan", Value: in.InvestmentYuan}, {Key: "risk", Value: in.Risk}, {Key: "expected_jobs", Value: in.ExpectedJobs},
			{Key: "target_groups", Value: in.TargetGroups}, {Key: "tags", Value: in.Tags}, {Key: "source", Value: in.Source},
			{Key: "contact", Value: in.Contact}, {Key: "status", Value: row.Status}, {Key: "updated_at", Value: now}}
		if _, err := s.store.C(Collection.Name).UpdateOne(ctx, bson.D{{Key: "_id", Value: ids[i]}}, bson.D{{Key: "$set", Value: set}}); err != nil {
			return indexJob{}, core.Wrap(err, "import update")
		}
		var p Project // index what is stored (reviews, dates)
		if err := s.store.Get(ctx, Collection.Name, ids[i], &p); err != nil {
			return indexJob{}, err
		}
		docs = append(docs, *toDoc(&p))
	}
	return indexJob{docs: docs, ids: ids}, nil
}

// indexJob is a written batch waiting for the search index.
type indexJob struct {
	docs []search.Doc
	ids  []string
}

// indexBatch indexes a written batch and removes its outbox notes. When the
// engine fails the notes stay, and the outbox worker indexes them later.
func (s *Service) indexBatch(ctx context.Context, job indexJob) error {
	if err := s.outbox.Engine().Upsert(ctx, Index.Name, job.docs...); err != nil {
		return nil
	}
	noteIDs := make([]string, len(job.ids))
	for i, id := range job.ids {
		noteIDs[i] = Index.Name + "/" + id
	}
	_, err := s.store.C(outbox.Collection.Name).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: noteIDs}}}})
	return core.Wrap(err, "import notes")
}

func onlyDuplicates(err error) bool {
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		return false
	}
	for _, we := range bwe.WriteErrors {
		if we.Code != 11000 {
			return false
		}
	}
	return true
}
