package db_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// One way to run SQL. Outside this package, code reads with DB.Query / DB.QueryRow (prepared on
// the read pool), writes one statement with DB.Exec, and inside a transaction (DB.Tx or a group
// commit) runs statements with DB.TxExec / DB.TxQuery / DB.TxQueryRow, which reuse a batch's
// prepared statements. Nothing else touches the pools or a *sql.Tx directly; the few places that
// must are listed here with their reason.
func TestOneWayToRunSQL(t *testing.T) {
	other := regexp.MustCompile(`\.(Read|Write)\.[A-Z]\w*\(|\btx\.(Exec|Query|QueryRow|Prepare)Context\(`)
	allowed := map[string]string{
		// The synthetic history generator writes millions of rows through statements it prepares
		// once per batch, and tunes SQLite's page cache while it runs: a benchmark tool, not a path
		// of the product.
		"internal/cases/casegen/casegen.go": "bulk generator",
		"internal/cases/casegen/world.go":   "bulk generator",
		// A job's lease is a PostgreSQL session advisory lock, held on one connection of the pool.
		"internal/jobs/jobs.go": "session lock",
		// Tests' fresh databases are created and dropped on the server's admin connection.
		"internal/dbtest/dbtest.go": "test databases",
	}
	root := filepath.Join("..", "..")
	var found []string
	for _, dir := range []string{"internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			rel = filepath.ToSlash(rel)
			if e.IsDir() || !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") ||
				strings.HasPrefix(rel, "internal/db/") || allowed[rel] != "" {
				return nil
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for i, line := range strings.Split(string(src), "\n") {
				if other.MatchString(line) {
					found = append(found, fmt.Sprintf("%s:%d: %s", rel, i+1, strings.TrimSpace(line)))
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range found {
		t.Errorf("SQL run another way (use DB.Query/QueryRow/Exec, or DB.TxExec/TxQuery/TxQueryRow in a transaction): %s", f)
	}
}
