package category

import (
	"bytes"
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/audit"
)

// The shipped catalogue and time limits (see the package comment for their sources).
var (
	//go:embed data/catalogue.csv
	catalogueCSV []byte
	//go:embed data/limits.csv
	limitsCSV []byte
)

// DefaultCatalogue returns the shipped catalogue file.
func DefaultCatalogue() []byte { return bytes.Clone(catalogueCSV) }

// DefaultLimitsFile returns the shipped limits file.
func DefaultLimitsFile() []byte { return bytes.Clone(limitsCSV) }

// LoadDefaults loads the shipped catalogue and time limits into an empty store (it does nothing
// when any category exists), in one audited transaction. The caller acts as a district-level
// sys_admin or as the system (access.SystemPrincipal) at first start and in the demo loader.
func (s *Service) LoadDefaults(ctx context.Context) error {
	scope, err := NeedWrite(ctx)
	if err != nil {
		return err
	}
	cats, lines, problems := parseCSV(bytes.NewReader(catalogueCSV))
	if len(problems) > 0 {
		return fmt.Errorf("shipped catalogue: %w", refuse(problems))
	}
	limits, problems := ParseLimitsCSV(bytes.NewReader(limitsCSV))
	if len(problems) > 0 {
		return fmt.Errorf("shipped limits: %w", refuse(problems))
	}
	now := s.Now().UTC()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := s.DB.TxQueryRow(ctx, tx, `SELECT count(*) FROM categories`).Scan(&n); err != nil {
			return fmt.Errorf("load default categories: %w", err)
		}
		if n > 0 {
			return nil
		}
		if err := s.writeMajors(ctx, tx, cats, lines); err != nil {
			return fmt.Errorf("shipped catalogue: %w", err)
		}
		for _, c := range cats {
			if err := s.writeCategory(ctx, tx, c, now); err != nil {
				return err
			}
		}
		for _, k := range sortedLimitKeys(limits) {
			if err := s.writeLimits(ctx, tx, k, limits[k], now); err != nil {
				return err
			}
		}
		e := audit.For(access.ActorOf(ctx, scope.Primary()), now, "category.load_defaults", "categories", fmt.Sprintf("%d categories", len(cats)))
		e.After = fmt.Sprintf(`{"categories":%d,"limit_sets":%d}`, len(cats), len(limits))
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
}

func sortedLimitKeys(m map[Key]LimitSet) []Key {
	keys := make([]Key, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b Key) int { return strings.Compare(a.String(), b.String()) })
	return keys
}
