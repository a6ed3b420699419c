package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"

	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself uses
)

// indexIDs adds, to every collection table of the embedded database, an index
// on the exact SQL expression FerretDB's `_id` lookups use. FerretDB builds
// its own `_id` index on a different expression (`->"_id"` instead of
// `->'$._id'`), so without this even a read by `_id` scans the table:
// measured 24 ms → 0.35 ms at 20,000 documents.
func (e *embedded) indexIDs(ctx context.Context, dbName string) error {
	path := filepath.Join(e.dir, dbName+".sqlite")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("store: open sqlite: %w", err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT table_name FROM _ferretdb_collections`)
	if err != nil {
		return fmt.Errorf("store: list sqlite tables: %w", err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, t+"__id_lookup", t)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: _id index on %s: %w", t, err)
		}
	}
	return nil
}
