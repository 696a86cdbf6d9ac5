package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/grid"
	"github.com/yiwang-gov/yiwang/internal/org"
	"github.com/yiwang-gov/yiwang/internal/users"
)

// Account is one demo account as listed in district.json.
type Account struct {
	Username    string         `json:"username"`
	DisplayName string         `json:"display_name"`
	Phone       string         `json:"phone"`
	Roles       []users.RoleAt `json:"roles"`
}

// Accounts returns the demo accounts of district.json.
func Accounts() ([]Account, error) {
	var f struct {
		Users []Account `json:"users"`
	}
	if err := json.Unmarshal(DistrictJSON(), &f); err != nil {
		return nil, fmt.Errorf("demo accounts: %w", err)
	}
	return f.Users, nil
}

// Stats says what Load loaded.
type Stats struct {
	Subdistricts, Communities, Zones, Departments, Grids, Accounts int
}

// Load imports the demo district through the same code a real district uses: the organisation
// file, the grid GeoJSON and the accounts, every account with the given password.
func Load(ctx context.Context, o *org.Service, g *grid.Service, u *users.Service, password string, now time.Time) (Stats, error) {
	ctx = access.WithPrincipal(ctx, access.SystemPrincipal("demo-loader"))
	var st Stats
	f, err := org.ParseFile(bytes.NewReader(DistrictJSON()))
	if err != nil {
		return st, fmt.Errorf("demo district file: %w", err)
	}
	if err := o.Import(ctx, f, now); err != nil {
		return st, fmt.Errorf("demo district: %w", err)
	}
	st.Subdistricts, st.Communities, st.Zones, st.Departments = len(f.Subdistricts), len(f.Communities), len(f.Zones), len(f.Departments)
	rep, err := g.Import(ctx, bytes.NewReader(GridsGeoJSON()), nil)
	if err != nil {
		return st, fmt.Errorf("demo grids: %w (%d problems)", err, len(rep.Problems))
	}
	st.Grids = rep.Created + rep.Updated
	accounts, err := Accounts()
	if err != nil {
		return st, err
	}
	no := false
	for _, a := range accounts {
		_, err := u.Create(ctx, users.NewUser{Username: a.Username, DisplayName: a.DisplayName, Phone: a.Phone,
			Password: password, MustChangePassword: &no, Roles: a.Roles})
		if err != nil {
			return st, fmt.Errorf("demo account %s: %w", a.Username, err)
		}
		st.Accounts++
	}
	return st, nil
}
