package main

// services.json is the demo's service directory (一网速查): the places where services are given
// (区行政服务中心 and the departments' halls, each 街道便民服务中心 and 社区卫生服务中心, each
// community's 党群服务中心, 卫生服务站 and 15-minute life-circle points) and the services, with
// the synonym groups of the search. The texts are in servicetexts.go.
//
// It is built from the district.json and grids.geojson in the output directory, as they stand:
// district.json has been edited since it was generated (the subdistricts' handling units), so
// the directory alone is regenerated with
//
//	go run ./internal/demo/gendemo -out internal/demo/data -services-only
//
// Places lie near a grid's centroid in the community or subdistrict they belong to; every value
// comes from the seeds and a hash of codes, so the output is deterministic.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/directory/hours"
)

// onlineBase is where the demo's online services point: a reserved domain (RFC 2606), so that
// no link of the demo leads to a real portal.
const onlineBase = "https://mzt.demo.example/fengze/"

// staleShare is the share of entries last reviewed more than a year ago, so that the directory's
// stale flag shows.
const staleShare = 0.08

type (
	servicesFile struct {
		Places   []servicePlace `json:"places"`
		Services []serviceEntry `json:"services"`
		Synonyms [][]string     `json:"synonyms"`
	}
	servicePlace struct {
		Code     string      `json:"code"`
		Name     string      `json:"name"`
		Kind     string      `json:"kind"`
		UnitCode string      `json:"unit_code"`
		Address  string      `json:"address"`
		Lat      float64     `json:"lat"`
		Lng      float64     `json:"lng"`
		Phone    string      `json:"phone"`
		Hours    hours.Hours `json:"hours"`
		Serves   []string    `json:"serves"`
	}
	serviceEntry struct {
		Name            string   `json:"name"`
		Aliases         []string `json:"aliases"`
		Category        string   `json:"category"`
		Description     string   `json:"description"`
		Materials       []string `json:"materials"`
		Fees            string   `json:"fees"`
		ProcessingTime  string   `json:"processing_time"`
		LegalBasis      string   `json:"legal_basis"`
		Online          bool     `json:"online"`
		OnlineURL       string   `json:"online_url"`
		UnitCode        string   `json:"unit_code"`
		Places          []string `json:"places"`
		ReviewedDaysAgo int      `json:"reviewed_days_ago"`
	}
)

// writeServices writes services.json from the district.json and grids.geojson in dir.
func writeServices(dir string) error {
	data, err := servicesFrom(dir)
	if err != nil {
		return err
	}
	return write(filepath.Join(dir, "services.json"), data)
}

// servicesFrom builds services.json from the district.json and grids.geojson in dir.
func servicesFrom(dir string) ([]byte, error) {
	var d districtFile
	raw, err := os.ReadFile(filepath.Join(dir, "district.json"))
	if err != nil {
		return nil, fmt.Errorf("services: %w", err)
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("services: district.json: %w", err)
	}
	geo, err := readGeography(filepath.Join(dir, "grids.geojson"))
	if err != nil {
		return nil, err
	}
	f, err := buildDirectory(d, geo)
	if err != nil {
		return nil, err
	}
	return servicesJSON(f), nil
}

// geography holds the grid centroids: per community in grid code order, and per subdistrict
// from its middle outwards.
type geography struct {
	community   map[string][]point
	subdistrict map[string][]point
	communityAt map[point]string
}

func readGeography(path string) (geography, error) {
	var fc struct {
		Features []struct {
			Properties struct {
				Code          string `json:"code"`
				CommunityCode string `json:"community_code"`
			} `json:"properties"`
			Geometry struct {
				Coordinates [][]point `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return geography{}, fmt.Errorf("services: %w", err)
	}
	if err := json.Unmarshal(raw, &fc); err != nil {
		return geography{}, fmt.Errorf("services: %s: %w", path, err)
	}
	sort.Slice(fc.Features, func(i, j int) bool { return fc.Features[i].Properties.Code < fc.Features[j].Properties.Code })
	g := geography{community: map[string][]point{}, subdistrict: map[string][]point{}, communityAt: map[point]string{}}
	for _, f := range fc.Features {
		if len(f.Geometry.Coordinates) == 0 || len(f.Geometry.Coordinates[0]) < 4 {
			return geography{}, fmt.Errorf("services: grid %s has no ring", f.Properties.Code)
		}
		c := centroid(f.Geometry.Coordinates[0])
		community := f.Properties.CommunityCode
		g.community[community] = append(g.community[community], c)
		g.subdistrict[community[:9]] = append(g.subdistrict[community[:9]], c)
		g.communityAt[c] = community
	}
	for _, cs := range g.subdistrict {
		middle := mean(cs)
		sort.SliceStable(cs, func(i, j int) bool { return distance(cs[i], middle) < distance(cs[j], middle) })
	}
	return g, nil
}

// centroid is the mean of a closed ring's vertices (the last repeats the first): inside the
// demo's near-rectangular cells.
func centroid(ring []point) point { return mean(ring[:len(ring)-1]) }

func mean(ps []point) point {
	var c point
	for _, p := range ps {
		c[0] += p[0] / float64(len(ps))
		c[1] += p[1] / float64(len(ps))
	}
	return c
}

func distance(a, b point) float64 { return math.Hypot(a[0]-b[0], a[1]-b[1]) }

// directoryBuilder gathers the places and services, keeping the first error.
type directoryBuilder struct {
	d            districtFile
	geo          geography
	f            servicesFile
	names        map[string]bool // unit + "/" + service name
	districtName string          // without the demo mark: 丰泽区
	err          error
}

func buildDirectory(d districtFile, geo geography) (servicesFile, error) {
	b := &directoryBuilder{d: d, geo: geo, names: map[string]bool{},
		districtName: strings.TrimSuffix(d.District.Name, "（演示）")}
	b.f.Synonyms = synonyms
	b.districtLevel()
	for i, s := range d.Subdistricts {
		b.subdistrictLevel(i, s)
	}
	for i, c := range d.Communities {
		b.communityLevel(i, c)
	}
	return b.f, b.err
}

// districtLevel: the district's places, spread over the subdistricts (丰泽街道 first), away from
// their own centres.
func (b *directoryBuilder) districtLevel() {
	hosts := []int{5, 0, 1, 2, 3, 4, 6, 7}
	for i, seed := range districtPlaces {
		unit := districtCode + seed.unit
		host := b.d.Subdistricts[hosts[i%len(hosts)]].Code
		at := b.geo.subdistrict[host][2+i/len(hosts)]
		code := b.place("P-"+unit+"-"+seed.suffix, seed.name, seed.kind, unit, seed.hours, at, []string{districtCode})
		for _, t := range seed.services {
			b.service(t, unit, code)
		}
	}
}

// subdistrictLevel: the 便民服务中心 with its services and extras, and the 社区卫生服务中心.
func (b *directoryBuilder) subdistrictLevel(i int, s subdistrict) {
	sites := b.geo.subdistrict[s.Code]
	centreHours := []string{
		"工作日 周一至周五 08:30-12:00,14:30-17:30; 周六 09:00-12:00 | 周六上午提供延时服务",
		"工作日 周一至周五 08:30-17:30 | 午间不休息，错时延时服务",
		"工作日 周一至周五 08:30-12:00,14:30-17:30",
	}[i%3]
	centre := b.place("P-"+s.Code+"-BMFW", s.Name+"便民服务中心", "centre", s.Code, centreHours, sites[0], []string{s.Code})
	for _, t := range subdistrictServices {
		b.service(t, s.Code, centre)
	}
	for k := range 2 {
		b.service(subdistrictExtras[(2*i+k)%len(subdistrictExtras)], s.Code, centre)
	}
	clinic := b.place("P-"+s.Code+"-WSFW", s.Name+"社区卫生服务中心", "clinic", s.Code,
		"节假日休息 周一至周五 08:00-12:00,14:30-17:30; 周六、周日 08:00-12:00 | 周末上午仅开放全科门诊和预防接种",
		sites[1], []string{s.Code})
	for _, t := range healthCentreServices {
		b.service(t, s.Code, clinic)
	}
}

// communityLevel: the 党群服务中心 with three or four services, two life-circle points, and a
// 卫生服务站 in every third community.
func (b *directoryBuilder) communityLevel(i int, c community) {
	sites := b.geo.community[c.Code]
	site := func(k int) point { return sites[k%len(sites)] }
	stationHours := "工作日 周一至周五 08:30-12:00,14:30-17:30"
	if i%4 == 1 {
		stationHours = "节假日休息 周一至周五 08:30-12:00,14:30-17:30; 周六 08:30-12:00 | 周六上午有社区工作者值班"
	}
	station := b.place("P-"+c.Code+"-DQFW", c.Name+"党群服务中心", "station", c.Code, stationHours, site(0), []string{c.Code})
	for k := range 3 + i%2 {
		b.service(communityServices[(3*i+k)%len(communityServices)], c.Code, station)
	}
	for k := range 2 {
		lc := lifeCircle[(2*i+k)%len(lifeCircle)]
		if lc.service.time == "" {
			lc.service.time = "随到随办"
		}
		code := b.place("P-"+c.Code+"-"+lc.suffix, c.Name+lc.place, "life_circle", c.Code, lc.hours, site(1+k), []string{c.Code})
		b.service(lc.service, c.Code, code)
	}
	if i%3 == 0 {
		code := b.place("P-"+c.Code+"-WSZ", c.Name+"卫生服务站", "clinic", c.Code,
			"节假日休息 周一至周六 08:00-12:00,14:30-17:30", site(3), []string{c.Code})
		b.service(healthStation, c.Code, code)
	}
}

// place adds a place near site and returns its code.
func (b *directoryBuilder) place(code, name, kind, unit, hoursText string, site point, serves []string) string {
	h, err := hours.Parse(hoursText)
	if err != nil && b.err == nil {
		b.err = fmt.Errorf("services: hours of %s %q: %w", code, hoursText, err)
	}
	if h.Periods == nil {
		h.Periods = []hours.Period{}
	}
	at := round(point{site[0] + (hashOf(code, 1)*2-1)*0.0006, site[1] + (hashOf(code, 2)*2-1)*0.0005})
	b.f.Places = append(b.f.Places, servicePlace{Code: code, Name: name, Kind: kind, UnitCode: unit,
		Address: b.address(code, kind, b.geo.communityAt[site]), Lat: at[1], Lng: at[0],
		Phone: fmt.Sprintf("0595-2%07d", 1000000+int(hashOf(code, 3)*8999999)), Hours: h, Serves: serves})
	return code
}

// address makes up a street address in the community of the place's grid.
func (b *directoryBuilder) address(code, kind, communityCode string) string {
	var subdistrictName, road string
	for _, c := range b.d.Communities {
		if c.Code == communityCode {
			road = strings.TrimSuffix(c.Name, "社区")
		}
	}
	for _, s := range b.d.Subdistricts {
		if s.Code == communityCode[:min(9, len(communityCode))] {
			subdistrictName = s.Name
		}
	}
	road += []string{"路", "街", "路", "巷"}[int(hashOf(code, 4)*4)]
	detail := map[string]string{"centre": "一楼大厅", "office": "", "station": "", "life_circle": "", "clinic": ""}[kind]
	return fmt.Sprintf("%s%s%s%d号%s", b.districtName, subdistrictName, road, 1+int(hashOf(code, 5)*198), detail)
}

// service adds a service of unit given at places.
func (b *directoryBuilder) service(t serviceText, unit string, places ...string) {
	key := unit + "/" + t.name
	if b.names[key] && b.err == nil {
		b.err = fmt.Errorf("services: %s twice in unit %s", t.name, unit)
	}
	b.names[key] = true
	e := serviceEntry{Name: t.name, Aliases: nonNil(t.aliases), Category: t.category, Description: t.desc,
		Materials: nonNil(t.materials), Fees: t.fees, ProcessingTime: t.time, LegalBasis: t.legal, Online: t.online,
		UnitCode: unit, Places: nonNil(places)}
	if e.Fees == "" {
		e.Fees = "免费"
	}
	if e.ProcessingTime == "" {
		e.ProcessingTime = "即时办结"
	}
	if t.online {
		e.OnlineURL = fmt.Sprintf("%s%s/%08x", onlineBase, unit, uint32(hashOf(key, 6)*(1<<32)))
	}
	if h := hashOf(key, 7); h < staleShare {
		e.ReviewedDaysAgo = 400 + int(h/staleShare*400)
	} else {
		e.ReviewedDaysAgo = 3 + int(hashOf(key, 8)*330)
	}
	b.f.Services = append(b.f.Services, e)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// hashOf is a deterministic value in [0, 1) from a text and a salt.
func hashOf(s string, salt int) float64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return hash(int(h.Sum64()>>1), salt, 11)
}

// servicesJSON writes one place, service or synonym group per line, so diffs stay readable.
func servicesJSON(f servicesFile) []byte {
	var b bytes.Buffer
	section := func(name string, n int, item func(i int) any, last bool) {
		fmt.Fprintf(&b, "%q: [\n", name)
		for i := range n {
			var line bytes.Buffer
			enc := json.NewEncoder(&line)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(item(i)); err != nil {
				panic(err) // plain structs always marshal
			}
			b.Write(bytes.TrimSuffix(line.Bytes(), []byte("\n")))
			if i < n-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString("]")
		if !last {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("{\n")
	section("places", len(f.Places), func(i int) any { return f.Places[i] }, false)
	section("services", len(f.Services), func(i int) any { return f.Services[i] }, false)
	section("synonyms", len(f.Synonyms), func(i int) any { return f.Synonyms[i] }, true)
	b.WriteString("}\n")
	return b.Bytes()
}
