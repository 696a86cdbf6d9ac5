// Command gendemo writes the synthetic demo district: unit grids as GeoJSON
// and the organisation (subdistricts, communities, zones, departments,
// users) as JSON. The output is deterministic; it is committed under
// internal/demo/data and loaded by the ordinary import code.
//
//	go run ./internal/demo/gendemo -out internal/demo/data
//
// With -services-only it writes only the service directory, services.json (services.go).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
	"sort"
)

const (
	districtCode = "350503"
	note         = "合成演示数据 / synthetic demo data, not real boundaries"

	// The lattice: 20 × 9 cells of about 425 m × 420 m, row 0 in the north.
	cols, rows = 20, 9
	lonWest    = 118.572
	latNorth   = 24.927
	cellLon    = 0.0042
	cellLat    = 0.0038
)

// Subdistricts are blocks of columns in a northern band (rows 0–4) and a
// southern band (rows 5–8), west to east: the first four seeds in the
// north, the other four in the south.
var (
	northRows, southRows = [2]int{0, 5}, [2]int{5, 9}
	northCols            = []int{0, 6, 11, 16, 20}
	southCols            = []int{0, 4, 9, 14, 20}
)

type point [2]float64

type cell struct{ col, row int }

type grid struct {
	cell
	code, name, kind, communityCode, zoneCode string
	households                                int
}

func main() {
	out := flag.String("out", "internal/demo/data", "directory to write grids.geojson and district.json into")
	servicesOnly := flag.Bool("services-only", false, "write only services.json, from the district.json and grids.geojson in -out")
	flag.Parse()
	if !*servicesOnly {
		d, grids := build()
		if err := write(filepath.Join(*out, "district.json"), districtJSON(d)); err != nil {
			log.Fatal(err)
		}
		if err := write(filepath.Join(*out, "grids.geojson"), gridsGeoJSON(grids)); err != nil {
			log.Fatal(err)
		}
	}
	if err := writeServices(*out); err != nil {
		log.Fatal(err)
	}
}

func write(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// build lays out the organisation over the lattice.
func build() (districtFile, []grid) {
	d := districtFile{
		Synthetic: true,
		Note:      note + "；社区、部门、用户均为虚构 / communities, departments and users are fictitious",
		District:  district{Code: districtCode, Name: "丰泽区（演示）", NameEn: "Fengze District (demo)"},
	}
	var grids []grid
	for i, seed := range subdistrictSeeds {
		code := fmt.Sprintf("%s%03d", districtCode, i+1)
		d.Subdistricts = append(d.Subdistricts, subdistrict{Code: code, Name: seed.name, NameEn: seed.nameEn, Slug: seed.slug})
		zoneCode := code + "Z01"
		d.Zones = append(d.Zones, zone{Code: zoneCode, Name: seed.name + "示范片区",
			NameEn:          fmt.Sprintf("%s demonstration zone", seed.nameEn[:len(seed.nameEn)-len(" Subdistrict")]),
			SubdistrictCode: code, LeadOrganisation: seed.name + "党工委"})

		cells := serpentine(subdistrictBlock(i))
		dedicated := map[cell]string{}
		for k, name := range seed.dedicated {
			dedicated[cells[(2*k+1)*len(cells)/(2*len(seed.dedicated))]] = name
		}
		for ci, members := range chunks(cells, len(seed.communities)) {
			communityCode := fmt.Sprintf("%s%03d", code, ci+1)
			d.Communities = append(d.Communities, community{Code: communityCode, Name: seed.communities[ci], SubdistrictCode: code})
			sort.Slice(members, func(a, b int) bool { // north→south, west→east
				if members[a].row != members[b].row {
					return members[a].row < members[b].row
				}
				return members[a].col < members[b].col
			})
			basic := 0
			for n, c := range members {
				g := grid{cell: c, code: fmt.Sprintf("%s%03d", communityCode, n+1), communityCode: communityCode}
				if ci < seed.zoneCommunities {
					g.zoneCode = zoneCode
				}
				if name, ok := dedicated[c]; ok {
					g.kind, g.name, g.households = "dedicated", name, 20+int(hash(c.col, c.row, 7)*100)
				} else {
					basic++
					g.kind, g.name, g.households = "basic", fmt.Sprintf("%s第%d网格", seed.communities[ci], basic), 300+int(hash(c.col, c.row, 8)*201)
				}
				grids = append(grids, g)
			}
		}
	}
	d.Departments, d.Users = departmentsAndUsers(d)
	return d, grids
}

func subdistrictBlock(i int) (colRange, rowRange [2]int) {
	if i < 4 {
		return [2]int{northCols[i], northCols[i+1]}, northRows
	}
	return [2]int{southCols[i-4], southCols[i-3]}, southRows
}

// serpentine lists a block's cells row by row, turning at each row's end,
// so any run of consecutive cells is connected.
func serpentine(colRange, rowRange [2]int) []cell {
	var cells []cell
	for r := rowRange[0]; r < rowRange[1]; r++ {
		for k := colRange[0]; k < colRange[1]; k++ {
			c := k
			if (r-rowRange[0])%2 == 1 {
				c = colRange[1] - 1 - (k - colRange[0])
			}
			cells = append(cells, cell{c, r})
		}
	}
	return cells
}

// chunks cuts cells into n runs of nearly equal length.
func chunks(cells []cell, n int) [][]cell {
	var out [][]cell
	start := 0
	for i := range n {
		size := len(cells) / n
		if i < len(cells)%n {
			size++
		}
		out = append(out, append([]cell(nil), cells[start:start+size]...))
		start += size
	}
	return out
}

func departmentsAndUsers(d districtFile) ([]department, []user) {
	var departments []department
	var users []user
	add := func(username, display, roleName, org string) {
		users = append(users, user{Username: username, DisplayName: display, Roles: []role{{roleName, org}}})
	}
	for _, s := range d.Subdistricts {
		short := s.Name[:len(s.Name)-len("街道")]
		add(s.Slug+".grid_worker", short+"网格员", "grid_worker", s.Code+"001") // the first community
		add(s.Slug+".intake_operator", short+"受理员", "intake_operator", s.Code)
		add(s.Slug+".shift_lead", short+"值班长", "shift_lead", s.Code)
		add(s.Slug+".dispatcher", short+"派遣员", "dispatcher", s.Code)
		add(s.Slug+".leader", s.Name+"领导", "leader", s.Code)
		if s.Slug == "donghai" {
			// The roles of the coordination, participation and money modules, in one subdistrict:
			// enough to try each role and for the scope test to hold each to its reach.
			first := communityName(d, s.Code+"001")
			add(s.Slug+".community_staff", first+"工作人员", "community_staff", s.Code+"001")
			add(s.Slug+".volunteer", first+"志愿者", "volunteer", s.Code+"001")
			add(s.Slug+".mediator", short+"调解员", "mediator", s.Code)
			add(s.Slug+".directory_editor", short+"办事指南编辑", "directory_editor", s.Code)
			add(s.Slug+".finance_officer", short+"财务人员", "finance_officer", s.Code)
		}
	}
	for i, seed := range departmentSeeds {
		code := fmt.Sprintf("%sD%02d", districtCode, i+1)
		departments = append(departments, department{Code: code, Name: seed.name, NameEn: seed.nameEn, Level: "district", OrgCode: districtCode})
		add(fmt.Sprintf("dept%02d.staff", i+1), seed.name+"工作人员", "department_staff", code)
	}
	add("district.leader", "区领导", "leader", districtCode)
	add("district.dispatcher", "区派遣员", "dispatcher", districtCode)
	// The district's own directory editor: the second pair of eyes on every unit's entries
	// (一网速查's two-person review), and the one who sets the district's directory settings.
	add("district.directory_editor", "区办事指南编辑", "directory_editor", districtCode)
	// The district's seed fund (财政启动资金) needs two finance officers: one makes an entry, the
	// other approves it (maker and checker differ).
	add("district.finance_officer", "区财务人员", "finance_officer", districtCode)
	add("district.finance_checker", "区财务复核人员", "finance_officer", districtCode)
	add("sysadmin", "系统管理员", "sys_admin", districtCode)
	add("secadmin", "安全管理员", "sec_admin", districtCode)
	add("auditadmin", "审计管理员", "audit_admin", districtCode)
	for i, name := range []string{"居民张三", "居民李四", "居民王五"} {
		add(fmt.Sprintf("resident%d", i+1), name, "resident", districtCode)
		users[len(users)-1].Phone = fmt.Sprintf("1380000000%d", i+1)
	}
	return departments, users
}

func communityName(d districtFile, code string) string {
	for _, c := range d.Communities {
		if c.Code == code {
			return c.Name
		}
	}
	panic("gendemo: no community " + code) // the seeds give every subdistrict a first community
}

func districtJSON(d districtFile) []byte {
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		panic(err) // plain structs always marshal
	}
	return append(data, '\n')
}

// The lattice's vertices, each computed once so that neighbouring grids
// share them exactly. Inner corners are jittered and every edge carries a
// slightly bent midpoint, so grids look less blocky yet tile exactly.
func corner(c, r int) point {
	p := point{lonWest + float64(c)*cellLon, latNorth - float64(r)*cellLat}
	if c > 0 && c < cols && r > 0 && r < rows {
		p[0] += (hash(c, r, 1)*2 - 1) * 0.12 * cellLon
		p[1] += (hash(c, r, 2)*2 - 1) * 0.12 * cellLat
	}
	return round(p)
}

// midpoint of the edge from corner a to corner b, bent sideways unless the
// edge is on the district's outline.
func midpoint(a, b point, outline bool, key1, key2 int) point {
	m := point{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2}
	if !outline {
		bend := (hash(key1, key2, 3)*2 - 1) * 0.06
		m[0] += -(b[1] - a[1]) * bend
		m[1] += (b[0] - a[0]) * bend
	}
	return round(m)
}

func horizontalMid(c, r int) point {
	return midpoint(corner(c, r), corner(c+1, r), r == 0 || r == rows, 2*c, r)
}

func verticalMid(c, r int) point {
	return midpoint(corner(c, r), corner(c, r+1), c == 0 || c == cols, 2*c+1, r)
}

// ring is the cell's outline, counter-clockwise from its south-west corner.
func ring(c cell) []point {
	return []point{
		corner(c.col, c.row+1), horizontalMid(c.col, c.row+1),
		corner(c.col+1, c.row+1), verticalMid(c.col+1, c.row),
		corner(c.col+1, c.row), horizontalMid(c.col, c.row),
		corner(c.col, c.row), verticalMid(c.col, c.row),
		corner(c.col, c.row+1),
	}
}

func round(p point) point {
	return point{math.Round(p[0]*1e6) / 1e6, math.Round(p[1]*1e6) / 1e6}
}

// hash is a deterministic value in [0, 1) from integer keys.
func hash(a, b, c int) float64 {
	h := uint64(a)*0x9E3779B97F4A7C15 ^ uint64(b)*0xC2B2AE3D27D4EB4F ^ uint64(c)*0x165667B19E3779F9
	h ^= h >> 31
	h *= 0x94D049BB133111EB
	h ^= h >> 29
	return float64(h>>11) / float64(1<<53)
}

type featureProperties struct {
	Code          string `json:"code"`
	Name          string `json:"name"`
	Kind          string `json:"kind"`
	CommunityCode string `json:"community_code"`
	ZoneCode      string `json:"zone_code,omitempty"`
	Households    int    `json:"households"`
	Synthetic     bool   `json:"synthetic"`
}

type feature struct {
	Type       string            `json:"type"`
	Properties featureProperties `json:"properties"`
	Geometry   struct {
		Type        string    `json:"type"`
		Coordinates [][]point `json:"coordinates"`
	} `json:"geometry"`
}

// gridsGeoJSON writes one feature per line, sorted by code, so diffs stay readable.
func gridsGeoJSON(grids []grid) []byte {
	sort.Slice(grids, func(i, j int) bool { return grids[i].code < grids[j].code })
	head, err := json.Marshal(map[string]string{"name": "丰泽区（演示）单元网格", "note": note})
	if err != nil {
		panic(err)
	}
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection",`)
	b.Write(head[1 : len(head)-1])
	b.WriteString(",\"features\":[\n")
	for i, g := range grids {
		f := feature{Type: "Feature", Properties: featureProperties{Code: g.code, Name: g.name, Kind: g.kind,
			CommunityCode: g.communityCode, ZoneCode: g.zoneCode, Households: g.households, Synthetic: true}}
		f.Geometry.Type = "Polygon"
		f.Geometry.Coordinates = [][]point{ring(g.cell)}
		line, err := json.Marshal(f)
		if err != nil {
			panic(err)
		}
		b.Write(line)
		if i < len(grids)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("]}\n")
	return b.Bytes()
}
