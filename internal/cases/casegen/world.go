package casegen

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"strconv"

	"github.com/yiwang-gov/yiwang/internal/calendar"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Actor is the member of staff (or resident) a synthetic step is taken by.
type Actor struct{ ID, Name, Role, OrgCode string }

// Grid is a unit grid cases are reported in, with the org units above it.
type Grid struct {
	Code, Community, Subdistrict, Zone, Path, CommunityName string
	Lat, Lng, DLat, DLng                                    float64
}

// Category is an event category of the catalogue.
type Category struct{ Class, Code, Name string }

// World is the district a synthetic history is drawn from: its grids, categories, departments
// and staff, its work calendar, and a seeded quality per unit so that units rank differently.
// It caches as it draws: one goroutine uses a World at a time.
type World struct {
	District    string
	Grids       []Grid
	Categories  []Category
	Departments []string
	// Calendar computes stage deadlines in working time, as the live desk's clock does.
	Calendar *calendar.Calendar
	// staff lists the members of each role at each org node (community, subdistrict, department).
	staff map[staffKey][]Actor
	names map[string]string // org node names, for synthetic staff
	seed  int64
	// qualities caches Quality (hashing is most of its cost, and each case asks for five).
	qualities map[qualityKey]float64
}

type qualityKey struct {
	code  string
	month int
}

type staffKey struct{ role, org string }

// add registers a member of staff of role at org.
func (w *World) add(a Actor) {
	k := staffKey{a.Role, a.OrgCode}
	w.staff[k] = append(w.staff[k], a)
}

// pick returns a member of role at the first of orgs that has one, else a synthetic member of
// the first org (the same one every time: ids are stable across runs and rebuilds).
func (w *World) pick(n uint64, role string, orgs ...string) Actor {
	for _, o := range orgs {
		if list := w.staff[staffKey{role, o}]; len(list) > 0 {
			return list[n%uint64(len(list))]
		}
	}
	a := Actor{ID: "syn-" + role + "-" + orgs[0], Name: w.names[orgs[0]] + roleNames[role] + "（模拟）", Role: role, OrgCode: orgs[0]}
	w.add(a)
	return a
}

// roleNames label synthetic staff (the glossary's 岗位 names).
var roleNames = map[string]string{"grid_worker": "网格员", "intake_operator": "受理员", "shift_lead": "值班长",
	"dispatcher": "派遣员", "department_staff": "工作人员", "leader": "领导"}

// LoadWorld reads the district of the database: grids, active event categories, departments,
// and the staff of each subdistrict and department (users with their role grants). Where a unit
// has nobody in a role, the generator acts as a synthetic member of it.
func LoadWorld(ctx context.Context, d *db.DB, seed int64) (*World, error) {
	cal, err := calendar.New(calendar.DemoYears()...)
	if err != nil {
		return nil, err
	}
	w := &World{Calendar: cal, staff: map[staffKey][]Actor{}, names: map[string]string{}, seed: seed}
	if err := d.Read.QueryRowContext(ctx, `SELECT code FROM org_nodes WHERE kind = 'district' LIMIT 1`).Scan(&w.District); err != nil {
		return nil, fmt.Errorf("generate: the database needs a district (load the demo first): %w", err)
	}
	if w.Grids, err = genGrids(ctx, d); err != nil {
		return nil, err
	}
	if w.Categories, err = genCategories(ctx, d); err != nil {
		return nil, err
	}
	rows, err := d.Read.QueryContext(ctx, `SELECT code, kind, name FROM org_nodes ORDER BY code`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var code, kind, name string
		if err := rows.Scan(&code, &kind, &name); err != nil {
			rows.Close()
			return nil, err
		}
		w.names[code] = name
		if kind == "department" {
			w.Departments = append(w.Departments, code)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = d.Read.QueryContext(ctx, `SELECT u.id, u.display_name, g.role, g.org_code FROM users u
		JOIN role_grants g ON g.user_id = u.id WHERE NOT u.disabled ORDER BY u.id, g.role, g.org_code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a Actor
		if err := rows.Scan(&a.ID, &a.Name, &a.Role, &a.OrgCode); err != nil {
			return nil, err
		}
		if _, staff := roleNames[a.Role]; staff {
			w.add(a)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(w.Grids) == 0 || len(w.Categories) == 0 || len(w.Departments) == 0 {
		return nil, fmt.Errorf("generate: the database needs grids, categories and departments (load the demo first)")
	}
	return w, nil
}

// SyntheticWorld builds a district in memory, for benchmarks that need no database of org
// units: subdistricts × communities × grids (each subdistrict one zone), departments, and staff
// (two grid workers per community, two of each desk role per subdistrict, four officers per
// department). Codes follow the demo's pattern (350599 + 3 + 3 digits, departments 350599Dnn).
func SyntheticWorld(seed int64, subdistricts, communities, grids, departments int) *World {
	cal, err := calendar.New(calendar.DemoYears()...)
	if err != nil {
		panic(err) // the shipped calendar is tested to build
	}
	w := &World{District: "350599", Calendar: cal, staff: map[staffKey][]Actor{}, names: map[string]string{}, seed: seed}
	w.names[w.District] = "模拟区"
	for s := 1; s <= subdistricts; s++ {
		sub := fmt.Sprintf("%s%03d", w.District, s)
		zone := sub + "Z01"
		w.names[sub] = fmt.Sprintf("第%d街道", s)
		for _, role := range []string{"intake_operator", "shift_lead", "dispatcher"} {
			for i := 1; i <= 2; i++ {
				w.add(Actor{ID: fmt.Sprintf("syn-%s-%s-%d", role, sub, i), Name: fmt.Sprintf("%s%s%d", w.names[sub], roleNames[role], i), Role: role, OrgCode: sub})
			}
		}
		for c := 1; c <= communities; c++ {
			com := fmt.Sprintf("%s%03d", sub, c)
			w.names[com] = fmt.Sprintf("%s第%d社区", w.names[sub], c)
			for i := 1; i <= 2; i++ {
				w.add(Actor{ID: fmt.Sprintf("syn-grid_worker-%s-%d", com, i), Name: fmt.Sprintf("%s网格员%d", w.names[com], i), Role: "grid_worker", OrgCode: com})
			}
			for g := 1; g <= grids; g++ {
				code := fmt.Sprintf("%s%03d", com, g)
				w.Grids = append(w.Grids, Grid{Code: code, Community: com, Subdistrict: sub, Zone: zone, CommunityName: w.names[com],
					Path: "/" + w.District + "/" + sub + "/" + com + "/" + code, Lat: 24.9, Lng: 118.6})
			}
		}
	}
	for i := 1; i <= departments; i++ {
		dept := fmt.Sprintf("%sD%02d", w.District, i)
		w.Departments = append(w.Departments, dept)
		w.names[dept] = fmt.Sprintf("模拟部门%d", i)
		for j := 1; j <= 4; j++ {
			w.add(Actor{ID: fmt.Sprintf("syn-department_staff-%s-%d", dept, j), Name: fmt.Sprintf("%s工作人员%d", w.names[dept], j), Role: "department_staff", OrgCode: dept})
		}
	}
	for _, c := range []string{"城市道路垃圾", "占道经营", "违规停车", "井盖缺失", "绿化带损坏", "噪声扰民"} {
		w.Categories = append(w.Categories, Category{Class: "event", Code: fmt.Sprintf("%05d", len(w.Categories)+1), Name: c})
	}
	return w
}

// unitHash is a stable pseudo-random number in [0, 1) for a unit (and a salt), from the seed.
func (w *World) unitHash(code string, salt int) float64 {
	h := fnv.New64a()
	var b [64]byte
	h.Write(strconv.AppendInt(b[:0], w.seed, 10))
	h.Write([]byte(code))
	h.Write(strconv.AppendInt(b[:0], int64(salt), 10))
	// FNV's high bits hardly move between codes that differ in the last digit: mix them
	// (MurmurHash3's fmix64 finaliser).
	x := h.Sum64()
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb3f97e3a85c3
	x ^= x >> 33
	return float64(x>>11) / (1 << 53)
}

// Quality is how well a unit works in a month (0…1; 1: every step on time, nothing reworked).
// Each unit has its own level, seeded, between 0.6 and 0.97, and drifts a little from month to
// month (a slow wave plus noise), so that rankings differ and change from one month to the next
// as a district's do.
func (w *World) Quality(code string, month int) float64 {
	if code == "" {
		return 0.85
	}
	k := qualityKey{code, month}
	if q, ok := w.qualities[k]; ok {
		return q
	}
	if w.qualities == nil {
		w.qualities = map[qualityKey]float64{}
	}
	base := 0.6 + 0.37*w.unitHash(code, 0)
	phase := 2 * math.Pi * w.unitHash(code, 1)
	drift := 0.06*math.Sin(2*math.Pi*float64(month)/7+phase) + 0.04*(w.unitHash(code, 1000+month)-0.5)
	q := min(0.99, max(0.3, base+drift))
	w.qualities[k] = q
	return q
}

// Name is the display name of an org node of the world ("" when unknown).
func (w *World) Name(code string) string { return w.names[code] }

// Staff lists the world's members of staff, synthetic ones included once drawn.
func (w *World) Staff() []Actor {
	var out []Actor
	for _, list := range w.staff {
		out = append(out, list...)
	}
	return out
}
