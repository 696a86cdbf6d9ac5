package users

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/password"
	"github.com/yiwang-gov/yiwang/internal/pii"
)

// BulkUser is one account of a bulk import (onboarding a district) with the roles it holds.
// There is no password: each new account gets a generated one it must change at first sign-in.
type BulkUser struct {
	Username    string
	DisplayName string
	Phone       string
	Roles       []RoleAt
	// Password is given only by the demo loader (every demo account shares the demo's): a new
	// account with it need not change it. Empty (an import) generates a first password, to be
	// changed at first sign-in.
	Password string
}

// BulkProblem is what is wrong with one account of a bulk import: its index, the field, and
// the error (a message key with its arguments).
type BulkProblem struct {
	Index int
	Field string
	Role  int // the role's index in the account's Roles when Field is "role", else -1
	Err   *apperr.Error
}

// BulkPlan counts what a bulk import does: accounts created, existing accounts given roles they
// did not hold, and accounts left as they were.
type BulkPlan struct {
	Create    int `json:"create"`
	Update    int `json:"update"`
	Unchanged int `json:"unchanged"`
	Grants    int `json:"grants"` // role grants added
}

// Initial is a created account's first password, answered once for the security administrator
// to hand out; it is never logged nor stored in clear.
type Initial struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// BulkResult is the answer of a bulk import.
type BulkResult struct {
	Plan      BulkPlan
	Problems  []BulkProblem
	Passwords []Initial
}

// ErrBulkProblems is returned (with the problems in the result) when any account is refused:
// then nothing was written.
var ErrBulkProblems = errors.New("bulk import refused: see the problems")

// bulkAccount is a checked account with what the import does to it.
type bulkAccount struct {
	in          BulkUser
	id          string // existing account, or the new one's
	exists      bool
	add         []access.Grant
	phoneHash   any
	phoneEnc    string
	phoneMasked string
	password    string
	hash        string
}

// CreateMany creates accounts and grants roles in one transaction, all or nothing, with the
// checks of Create and Grant: names, phone, each role at a node of a kind it fits and inside the
// caller's scope, the separated administrator duties (等保 2.0 三权分立) over old and new roles
// together. A username that exists is not a duplicate but the same account: the roles it lacks
// are granted, its name, phone and password are left alone, so importing a file twice changes
// nothing. A username or phone given twice in the list is a problem. With dryRun nothing is
// written and no password made; the plan and the problems are answered all the same.
func (s *Service) CreateMany(ctx context.Context, in []BulkUser, dryRun bool) (BulkResult, error) {
	var res BulkResult
	scope, err := access.Need(ctx, access.UserWrite)
	if err != nil {
		return res, err
	}
	accounts, problems, err := s.checkMany(ctx, scope, in)
	if err != nil {
		return res, err
	}
	res.Problems = problems
	for _, a := range accounts {
		switch {
		case !a.exists:
			res.Plan.Create++
		case len(a.add) > 0:
			res.Plan.Update++
		default:
			res.Plan.Unchanged++
		}
		res.Plan.Grants += len(a.add)
	}
	if len(problems) > 0 {
		return res, ErrBulkProblems
	}
	if dryRun || res.Plan.Create+res.Plan.Update == 0 {
		return res, nil
	}
	if err := s.hashMany(ctx, accounts); err != nil {
		return res, err
	}
	if err := s.writeMany(ctx, scope, accounts); err != nil {
		var e *apperr.Error
		if errors.As(err, &e) && e.Code != apperr.Internal {
			// A race with another writer (the same username created meanwhile): refused as a whole.
			res.Problems = []BulkProblem{{Index: -1, Field: "username", Role: -1, Err: e}}
			return res, ErrBulkProblems
		}
		return res, err
	}
	for _, a := range accounts {
		if !a.exists && a.in.Password == "" {
			res.Passwords = append(res.Passwords, Initial{Username: a.in.Username, Password: a.password})
		}
		s.changed(a.id)
	}
	return res, nil
}

// checkMany checks every account against the rules and the database, collecting every problem.
func (s *Service) checkMany(ctx context.Context, scope access.Scope, in []BulkUser) ([]*bulkAccount, []BulkProblem, error) {
	var problems []BulkProblem
	badRole := func(i int, field string, role int, err error) error {
		var e *apperr.Error
		if !errors.As(err, &e) || e.Code == apperr.Internal {
			return err // not the row's fault: a database outage
		}
		problems = append(problems, BulkProblem{Index: i, Field: field, Role: role, Err: e})
		return nil
	}
	bad := func(i int, field string, err error) error { return badRole(i, field, -1, err) }
	// The grants of a file repeat a few (role, node) pairs many times: check each pair once.
	checked := map[RoleAt]struct {
		g   access.Grant
		err error
	}{}
	caller, _ := access.From(ctx)
	usernames := map[string]int{}
	phones := map[string]int{}
	var accounts []*bulkAccount
	for i, u := range in {
		a := &bulkAccount{in: u, id: db.NewID()}
		if !usernamePattern.MatchString(u.Username) {
			if err := bad(i, "username", apperr.New(apperr.Invalid, "user.bad_username")); err != nil {
				return nil, nil, err
			}
			continue
		}
		key := strings.ToLower(u.Username)
		if first, twice := usernames[key]; twice {
			if err := bad(i, "username", apperr.New(apperr.Invalid, "user.bulk_duplicate", u.Username, first+1)); err != nil {
				return nil, nil, err
			}
			continue
		}
		usernames[key] = i
		existing, found, err := s.existingAccount(ctx, u.Username)
		if err != nil {
			return nil, nil, err
		}
		if found {
			a.id, a.exists = existing.ID, true
			visible := false
			for _, g := range existing.Roles {
				visible = visible || scope.Covers(g.OrgPath)
			}
			switch {
			case !visible:
				err = apperr.New(apperr.Conflict, "user.username_taken", u.Username)
			case caller != nil && caller.UserID == existing.ID:
				err = apperr.New(apperr.Forbidden, "user.not_self")
			}
			if err != nil {
				if err := bad(i, "username", err); err != nil {
					return nil, nil, err
				}
				continue
			}
		}
		if !found {
			// A new account needs its name; an existing one keeps its own.
			if err := checkNames(u.Username, u.DisplayName); err != nil {
				if err := bad(i, "display_name", err); err != nil {
					return nil, nil, err
				}
			}
		}
		if u.Phone != "" && !found {
			p, ok := pii.NormalizePhone(u.Phone)
			if !ok {
				if err := bad(i, "phone", apperr.New(apperr.Invalid, "auth.bad_phone")); err != nil {
					return nil, nil, err
				}
			} else {
				a.phoneHash, a.phoneEnc, a.phoneMasked = s.Vault.Hash(p), s.Vault.For(pii.Users).Seal(p), pii.MaskPhone(p)
				var taken int
				if err := s.DB.QueryRow(ctx, `SELECT count(*) FROM users WHERE phone_hash = $1`, a.phoneHash).Scan(&taken); err != nil {
					return nil, nil, fmt.Errorf("check phone: %w", err)
				}
				if _, twice := phones[p]; twice || taken > 0 {
					if err := bad(i, "phone", apperr.New(apperr.Conflict, "auth.phone_taken")); err != nil {
						return nil, nil, err
					}
				}
				phones[p] = i
			}
		}
		all := existing.Roles
		for j, r := range u.Roles {
			c, ok := checked[r]
			if !ok {
				c.g, c.err = s.checkGrant(ctx, scope, r)
				checked[r] = c
			}
			if c.err != nil {
				if err := badRole(i, "role", j, c.err); err != nil {
					return nil, nil, err
				}
				continue
			}
			if hasGrant(all, c.g) {
				continue // held already, or given twice in the file: the same grant
			}
			all = append(all, c.g)
			a.add = append(a.add, c.g)
		}
		if err := separateDuties(all); err != nil {
			if err := bad(i, "role", err); err != nil {
				return nil, nil, err
			}
		}
		accounts = append(accounts, a)
	}
	return accounts, problems, nil
}

func hasGrant(grants []access.Grant, g access.Grant) bool {
	for _, have := range grants {
		if have.Role == g.Role && have.OrgCode == g.OrgCode {
			return true
		}
	}
	return false
}

// existingAccount finds an account by username (any case) with its grants, without scope.
func (s *Service) existingAccount(ctx context.Context, username string) (User, bool, error) {
	var u User
	err := s.DB.QueryRow(ctx, `SELECT id FROM users WHERE lower(username) = lower($1)`, username).Scan(&u.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return u, false, nil
	}
	if err != nil {
		return u, false, fmt.Errorf("find user %s: %w", username, err)
	}
	u.Roles, err = s.Grants(ctx, u.ID)
	return u, err == nil, err
}

// hashMany makes and hashes the first passwords of the new accounts, as many at once as the
// hasher allows (each argon2id hash takes tens of milliseconds: 50 000 accounts take minutes).
func (s *Service) hashMany(ctx context.Context, accounts []*bulkAccount) error {
	work := make(chan *bulkAccount)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range work {
				a.password = a.in.Password
				if a.password == "" {
					a.password = password.Generate()
				}
				hash, err := s.Hasher.Hash(ctx, a.password)
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
				a.hash = hash
			}
		}()
	}
	for _, a := range accounts {
		if !a.exists {
			work <- a
		}
	}
	close(work)
	wg.Wait()
	return first
}

// writeMany writes the checked accounts and grants in one transaction, with one audit entry per
// account as Create and Grant record them.
func (s *Service) writeMany(ctx context.Context, scope access.Scope, accounts []*bulkAccount) error {
	now := s.Now().UTC()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, a := range accounts {
			if len(a.add) == 0 && a.exists {
				continue
			}
			action := "user.grant"
			if !a.exists {
				action = "user.create"
				var taken int
				if err := s.DB.TxQueryRow(ctx, tx, `SELECT count(*) FROM users WHERE lower(username) = lower($1)`, a.in.Username).Scan(&taken); err != nil {
					return err
				}
				if taken > 0 {
					return apperr.New(apperr.Conflict, "user.username_taken", a.in.Username)
				}
				if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO users (id, username, display_name, phone_enc, phone_hash, phone_masked,
					password_hash, must_change_password, password_changed_at, created_at, updated_at)
					VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9,$9)`,
					a.id, a.in.Username, strings.TrimSpace(a.in.DisplayName), a.phoneEnc, a.phoneHash, a.phoneMasked, a.hash, a.in.Password == "", now); err != nil {
					return fmt.Errorf("create user %s: %w", a.in.Username, err)
				}
			}
			for _, g := range a.add {
				if a.exists {
					if err := s.checkGrantInTx(ctx, tx, a.id, g); err != nil {
						return err
					}
				}
				if err := s.insertGrant(ctx, tx, a.id, g, now); err != nil {
					return err
				}
			}
			e := s.auditEntry(ctx, scope, a.add, action, a.id)
			e.After = audit.Summary(map[string]any{"username": a.in.Username, "roles": summarize(a.add), "phone": a.phoneMasked, "import": true})
			if _, err := audit.Append(ctx, s.DB, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
}
