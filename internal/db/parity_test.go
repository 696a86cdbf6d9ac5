package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// Both engines are migrated from their own folder of migrations (migrations/sqlite and
// migrations/postgres); the code runs the same SQL on both, so the two folders must build the same
// schema. This test migrates a fresh database of each engine and compares what they hold: tables,
// columns (coarse type, nullability), primary keys, unique constraints, indexes (name, columns,
// uniqueness, partial or not) and foreign keys. A column or index added to one folder only fails
// it; a difference the engines need goes into parityAllowed with the reason.
func TestSchemaParity(t *testing.T) {
	if dbtest.PostgresURL(t) == "" { // fails instead under CI=true
		t.Skip("needs PostgreSQL (YIWANG_TEST_PG) to compare with; CI provides it")
	}
	ctx := context.Background()
	lite, err := sqliteSchema(ctx, dbtest.Open(t, db.SQLite))
	if err != nil {
		t.Fatalf("read SQLite schema: %v", err)
	}
	pg, err := postgresSchema(ctx, dbtest.Open(t, db.Postgres))
	if err != nil {
		t.Fatalf("read PostgreSQL schema: %v", err)
	}
	for _, problem := range compareSchemas(lite, pg) {
		t.Error(problem)
	}
}

// Both folders have the same versions under the same names, so a database of either engine at
// version N has the same schema (the gap at 00005 is in both: see migrate.go).
func TestMigrationVersionsMatch(t *testing.T) {
	names := func(engine db.Engine) []string {
		entries, err := os.ReadDir(filepath.Join("migrations", string(engine)))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
	lite, pg := names(db.SQLite), names(db.Postgres)
	if !slices.Equal(lite, pg) {
		t.Fatalf("migration files differ:\nsqlite:   %v\npostgres: %v", lite, pg)
	}
}

// parityAllowed lists, per engine, the schema facts only that engine has on purpose, with the
// reason. Facts are written as sqliteSchema and postgresSchema render them (a failure message shows
// the form).
var parityAllowed = map[db.Engine]map[string]string{
	db.SQLite: {
		// Keyword search (docs/architecture.md §7): an FTS5 table on SQLite, a table with a
		// tsvector on PostgreSQL. FTS5 columns carry no type and no constraints.
		"virtual table case_search":                           "FTS5 keyword index; PostgreSQL has a plain table with a tsvector",
		"column case_search.case_id fts5 null":                "FTS5 column (UNINDEXED): no type, no constraint",
		"column case_search.tokens fts5 null":                 "FTS5 column: the bigram tokens, matched by FTS5",
		"shadow table case_search_config":                     "FTS5's own storage of case_search",
		"shadow table case_search_content":                    "FTS5's own storage of case_search",
		"shadow table case_search_data":                       "FTS5's own storage of case_search",
		"shadow table case_search_docsize":                    "FTS5's own storage of case_search",
		"shadow table case_search_idx":                        "FTS5's own storage of case_search",
		"column goose_db_version.is_applied integer not null": "goose's bookkeeping table, created by goose per dialect (boolean on PostgreSQL)",
		"column goose_db_version.tstamp time null":            "goose's bookkeeping table, created by goose per dialect",
	},
	db.Postgres: {
		"table case_search":                                                       "keyword index: a plain table with a tsvector where SQLite has FTS5",
		"column case_search.case_id text not null":                                "keyword index row per case (SQLite: FTS5 column)",
		"column case_search.tokens tsvector not null":                             "keyword index tokens (SQLite: FTS5 column)",
		"column case_search.reported_at time not null":                            "report time beside the tokens for newest-first walks (00010); SQLite keys FTS5 rows by report time instead (00008)",
		"primary key case_search(case_id)":                                        "one keyword row per case; FTS5 has no keys",
		"foreign key case_search(case_id) -> cases(id)":                           "FTS5 tables cannot reference other tables",
		"index case_search_tokens on case_search(tokens)":                         "GIN index of the tsvector; FTS5 is its own index",
		"index case_search_newest on case_search(reported_at desc, case_id desc)": "newest-first walk over matches (00010); FTS5's rowid order does this on SQLite",
		"column goose_db_version.is_applied boolean not null":                     "goose's bookkeeping table, created by goose per dialect (integer on SQLite)",
		"column goose_db_version.tstamp time not null":                            "goose's bookkeeping table, created by goose per dialect",
	},
}

// compareSchemas reports every fact one engine has and the other has not, unless allowed, and
// every allowed fact that no longer occurs (so the list cannot go stale).
func compareSchemas(lite, pg []string) []string {
	var problems []string
	diff := func(engine db.Engine, have, other []string) {
		for _, fact := range have {
			if slices.Contains(other, fact) {
				continue
			}
			if _, ok := parityAllowed[engine][fact]; !ok {
				problems = append(problems, fmt.Sprintf("only on %s: %q (add it to the other engine's migrations with a new migration, or to parityAllowed with the reason)", engine, fact))
			}
		}
		for fact := range parityAllowed[engine] {
			if !slices.Contains(have, fact) || slices.Contains(other, fact) {
				problems = append(problems, fmt.Sprintf("parityAllowed[%s] lists %q, which is no longer a difference: remove it", engine, fact))
			}
		}
	}
	diff(db.SQLite, lite, pg)
	diff(db.Postgres, pg, lite)
	slices.Sort(problems)
	return problems
}

// typeFamily maps a declared column type to what the code relies on: both engines hand the same
// Go values for the same family (DATETIME and TIMESTAMPTZ both scan into time.Time, and so on).
func typeFamily(declared string) string {
	switch t := strings.ToLower(declared); t {
	case "text", "character varying":
		return "text"
	case "integer", "bigint", "smallint":
		return "integer"
	case "real", "double precision":
		return "real"
	case "boolean":
		return "boolean"
	case "datetime", "timestamp", "timestamp with time zone", "timestamp without time zone":
		return "time"
	case "blob", "bytea":
		return "bytes"
	default:
		return t // unknown types compare as written, so a new one shows up here
	}
}

// An index column: its name, "(expression)" for an expression, and " desc" when descending.
func indexColumn(name string, expression, desc bool) string {
	if expression {
		name = "(expression)"
	}
	if desc {
		name += " desc"
	}
	return name
}

func indexFact(name, table string, columns []string, unique, partial bool) string {
	fact := "index " + name + " on " + table + "(" + strings.Join(columns, ", ") + ")"
	if unique {
		fact = "unique " + fact
	}
	if partial {
		fact += " where …"
	}
	return fact
}

func columnFact(table, column, family string, notNull bool) string {
	null := "null"
	if notNull {
		null = "not null"
	}
	return "column " + table + "." + column + " " + family + " " + null
}

// sqliteSchema lists the facts of a SQLite database.
func sqliteSchema(ctx context.Context, d *db.DB) ([]string, error) {
	type table struct{ name, kind string }
	var tables []table
	err := queryEach(ctx, d.Read, `SELECT name, type FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%'`,
		func(rows *sql.Rows) error {
			var tb table
			if err := rows.Scan(&tb.name, &tb.kind); err != nil {
				return err
			}
			tables = append(tables, tb)
			return nil
		})
	if err != nil {
		return nil, err
	}
	var facts []string
	for _, tb := range tables {
		switch tb.kind {
		case "shadow":
			// A virtual table's storage: its columns are the module's business.
			facts = append(facts, "shadow table "+tb.name)
			continue
		case "virtual":
			facts = append(facts, "virtual table "+tb.name)
		default:
			facts = append(facts, "table "+tb.name)
		}
		var primaryKey []string
		pkColumns := map[string]bool{}
		err := queryEach(ctx, d.Read, `SELECT name, type, "notnull", pk FROM pragma_table_info($1) ORDER BY cid`, func(rows *sql.Rows) error {
			var name, declared string
			var notNull bool
			var pk int
			if err := rows.Scan(&name, &declared, &notNull, &pk); err != nil {
				return err
			}
			if pk > 0 {
				primaryKey = append(primaryKey, fmt.Sprintf("%03d%s", pk, name))
				pkColumns[name] = true
			}
			family := typeFamily(declared)
			if tb.kind == "virtual" {
				family = "fts5"
			}
			// SQLite lets a PRIMARY KEY column other than INTEGER hold NULL (a historical quirk);
			// PostgreSQL makes it NOT NULL. No yiwang key is ever NULL, so both read as not null.
			facts = append(facts, columnFact(tb.name, name, family, notNull || pk > 0))
			return nil
		}, tb.name)
		if err != nil {
			return nil, fmt.Errorf("columns of %s: %w", tb.name, err)
		}
		if len(primaryKey) > 0 {
			slices.Sort(primaryKey) // by position in the key
			for i := range primaryKey {
				primaryKey[i] = primaryKey[i][3:]
			}
			facts = append(facts, "primary key "+tb.name+"("+strings.Join(primaryKey, ", ")+")")
		}
		if tb.kind == "virtual" {
			continue
		}
		indexFacts, err := sqliteIndexes(ctx, d, tb.name)
		if err != nil {
			return nil, fmt.Errorf("indexes of %s: %w", tb.name, err)
		}
		facts = append(facts, indexFacts...)
		err = queryEach(ctx, d.Read, `SELECT id, "table", group_concat("from", ', '), group_concat("to", ', ')
			FROM (SELECT * FROM pragma_foreign_key_list($1) ORDER BY id, seq) GROUP BY id, "table"`, func(rows *sql.Rows) error {
			var id int
			var parent, from, to string
			if err := rows.Scan(&id, &parent, &from, &to); err != nil {
				return err
			}
			facts = append(facts, "foreign key "+tb.name+"("+from+") -> "+parent+"("+to+")")
			return nil
		}, tb.name)
		if err != nil {
			return nil, fmt.Errorf("foreign keys of %s: %w", tb.name, err)
		}
	}
	slices.Sort(facts)
	return facts, nil
}

func sqliteIndexes(ctx context.Context, d *db.DB, table string) ([]string, error) {
	type index struct {
		name, origin    string
		unique, partial bool
	}
	var indexes []index
	err := queryEach(ctx, d.Read, `SELECT name, origin, "unique", partial FROM pragma_index_list($1)`, func(rows *sql.Rows) error {
		var ix index
		if err := rows.Scan(&ix.name, &ix.origin, &ix.unique, &ix.partial); err != nil {
			return err
		}
		indexes = append(indexes, ix)
		return nil
	}, table)
	if err != nil {
		return nil, err
	}
	var facts []string
	for _, ix := range indexes {
		var columns []string
		err := queryEach(ctx, d.Read, `SELECT cid, coalesce(name, ''), "desc" FROM pragma_index_xinfo($1) WHERE key ORDER BY seqno`, func(rows *sql.Rows) error {
			var cid int
			var name string
			var desc bool
			if err := rows.Scan(&cid, &name, &desc); err != nil {
				return err
			}
			columns = append(columns, indexColumn(name, cid == -2, desc))
			return nil
		}, ix.name)
		if err != nil {
			return nil, err
		}
		switch ix.origin {
		case "pk": // the primary key, listed from the columns
		case "u": // UNIQUE in CREATE TABLE: SQLite names it sqlite_autoindex_…, PostgreSQL <table>_<columns>_key
			facts = append(facts, "unique "+table+"("+strings.Join(columns, ", ")+")")
		default:
			facts = append(facts, indexFact(ix.name, table, columns, ix.unique, ix.partial))
		}
	}
	return facts, nil
}

// postgresSchema lists the facts of a PostgreSQL database's public schema in the same form.
func postgresSchema(ctx context.Context, d *db.DB) ([]string, error) {
	var facts []string
	add := func(rows *sql.Rows) error {
		var fact string
		if err := rows.Scan(&fact); err != nil {
			return err
		}
		facts = append(facts, fact)
		return nil
	}
	if err := queryEach(ctx, d.Read, `SELECT 'table ' || table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`, add); err != nil {
		return nil, fmt.Errorf("tables: %w", err)
	}
	err := queryEach(ctx, d.Read, `SELECT table_name, column_name, data_type, is_nullable = 'NO' FROM information_schema.columns
		WHERE table_schema = 'public'`, func(rows *sql.Rows) error {
		var table, column, declared string
		var notNull bool
		if err := rows.Scan(&table, &column, &declared, &notNull); err != nil {
			return err
		}
		facts = append(facts, columnFact(table, column, typeFamily(declared), notNull))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("columns: %w", err)
	}
	// Constraints: primary keys, unique constraints (named per engine, so compared by columns)
	// and foreign keys, columns in key order.
	err = queryEach(ctx, d.Read, `SELECT CASE c.contype WHEN 'p' THEN 'primary key ' WHEN 'u' THEN 'unique ' ELSE 'foreign key ' END
			|| t.relname || '(' || (SELECT string_agg(a.attname, ', ' ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
				JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) || ')'
			|| CASE c.contype WHEN 'f' THEN ' -> ' || r.relname || '(' || (SELECT string_agg(a.attname, ', ' ORDER BY k.n)
				FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) || ')' ELSE '' END
		FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace s ON s.oid = t.relnamespace
		LEFT JOIN pg_class r ON r.oid = c.confrelid
		WHERE s.nspname = 'public' AND c.contype IN ('p', 'u', 'f')`, add)
	if err != nil {
		return nil, fmt.Errorf("constraints: %w", err)
	}
	// Indexes other than those behind a constraint above.
	err = queryEach(ctx, d.Read, `SELECT ic.relname, t.relname, i.indisunique, i.indpred IS NOT NULL,
			(SELECT string_agg(CASE WHEN i.indkey[k - 1] = 0 THEN '(expression)' ELSE pg_get_indexdef(i.indexrelid, k, true) END
				|| CASE WHEN i.indoption[k - 1] & 1 = 1 THEN ' desc' ELSE '' END, ', ' ORDER BY k)
			 FROM generate_series(1, i.indnkeyatts) k)
		FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
		JOIN pg_namespace s ON s.oid = t.relnamespace
		WHERE s.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u'))`,
		func(rows *sql.Rows) error {
			var name, table, columns string
			var unique, partial bool
			if err := rows.Scan(&name, &table, &unique, &partial, &columns); err != nil {
				return err
			}
			facts = append(facts, indexFact(name, table, strings.Split(columns, ", "), unique, partial))
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("indexes: %w", err)
	}
	slices.Sort(facts)
	return facts, nil
}

func queryEach(ctx context.Context, q *sql.DB, query string, each func(*sql.Rows) error, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
