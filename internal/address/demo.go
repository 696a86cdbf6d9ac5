package address

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
)

// The demo gazetteer: synthetic door plates and places inside the demo grids, written for this
// project and generated deterministically from the grids' bounding boxes (every point is checked
// to fall inside its grid). Street names are plausible for a southern Fujian district, not a
// survey of real ones.
var demoStreets = []string{"丰海路", "东海大街", "泉秀路", "刺桐路", "丰泽街", "田安路", "湖心街", "通港街",
	"云山路", "北峰街", "少林路", "宝洲街", "津淮街", "华大街", "清源路", "城东路", "海星街", "东滨路",
	"棋盘巷", "榕树巷", "桂香巷", "新埔巷", "后坂巷", "涂山街"}

var demoEstates = []string{"海景花园", "丰泽新村", "东湖苑", "刺桐雅居", "泉秀小区", "滨江华府", "榕城佳园",
	"桂花苑", "云山居", "湖畔名城", "和美家园", "锦绣小区"}

// demoGrid is a grid as the demo generator sees it.
type demoGrid struct {
	Code, Name, CommunityCode, Kind string
	Community                       string // the community's name
	MinLat, MinLng, MaxLat, MaxLng  float64
}

// LoadDemo writes the demo gazetteer (a few thousand entries) for the grids in the database, in
// one transaction. It returns how many addresses it wrote.
func (s *Service) LoadDemo(ctx context.Context) (int, error) {
	scope, err := s.needWrite(ctx)
	if err != nil {
		return 0, err
	}
	rows, err := s.DB.Query(ctx, `SELECT g.code, g.name, g.community_code, c.name, g.kind, g.min_lat, g.min_lng,
		g.max_lat, g.max_lng FROM grids g JOIN org_nodes c ON c.code = g.community_code ORDER BY g.code`)
	if err != nil {
		return 0, fmt.Errorf("demo addresses: %w", err)
	}
	var grids []demoGrid
	for rows.Next() {
		var g demoGrid
		if err := rows.Scan(&g.Code, &g.Name, &g.CommunityCode, &g.Community, &g.Kind, &g.MinLat, &g.MinLng, &g.MaxLat, &g.MaxLng); err != nil {
			rows.Close()
			return 0, fmt.Errorf("demo addresses: %w", err)
		}
		grids = append(grids, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("demo addresses: %w", err)
	}
	placed, err := s.demoRows(ctx, grids)
	if err != nil {
		return 0, err
	}
	if err := s.write(ctx, scope, placed, "address.demo", Report{Rows: len(placed), Created: len(placed)}); err != nil {
		return 0, fmt.Errorf("demo addresses: %w", err)
	}
	return len(placed), nil
}

// unit is a deterministic number in [0, 1) from a seed text.
func unit(seed string) float64 {
	h := fnv.New64a()
	h.Write([]byte(seed))
	return float64(h.Sum64()>>11) / (1 << 53)
}

func (s *Service) demoRows(ctx context.Context, grids []demoGrid) ([]placedRow, error) {
	var out []placedRow
	next := map[string]int{} // the next door number of each street
	line := 0
	// point finds a point of grid g near the fraction (fx, fy) of its box, else a deterministic
	// random one inside it.
	point := func(g demoGrid, fx, fy float64, seed string) (float64, float64, bool, error) {
		for try := 0; try < 12; try++ {
			if try > 0 {
				fx, fy = 0.1+0.8*unit(fmt.Sprint(seed, try, "x")), 0.1+0.8*unit(fmt.Sprint(seed, try, "y"))
			}
			lat, lng := g.MinLat+fy*(g.MaxLat-g.MinLat), g.MinLng+fx*(g.MaxLng-g.MinLng)
			loc, err := s.Grids.Locate(ctx, lat, lng)
			if err != nil {
				return 0, 0, false, err
			}
			if loc.Inside && loc.Grid != nil && loc.Grid.Code == g.Code {
				return round6(lat), round6(lng), true, nil
			}
		}
		return 0, 0, false, nil
	}
	add := func(g demoGrid, address, name string, kind Kind, lat, lng float64) {
		line++
		out = append(out, placedRow{Row: Row{Line: line, Address: address, Name: name, Kind: kind, Lat: lat, Lng: lng},
			GridCode: g.Code, CommunityCode: g.CommunityCode})
	}
	door := func(street string) int {
		if next[street] == 0 {
			next[street] = 2
		}
		n := next[street]
		next[street] += 2
		return n
	}
	for i, g := range grids {
		community := g.Community
		streets := []string{demoStreets[i%len(demoStreets)], demoStreets[(i*7+3)%len(demoStreets)]}
		for si, street := range streets {
			for j := 0; j < 8; j++ {
				n := door(street)
				lat, lng, ok, err := point(g, (float64(j)+0.5)/8, 0.3+0.4*float64(si), fmt.Sprint(g.Code, street, n))
				if err != nil {
					return nil, err
				}
				if ok {
					add(g, fmt.Sprintf("%s%d号", street, n), "", Door, lat, lng)
				}
			}
		}
		// A residential compound with its buildings.
		estate := demoEstates[i%len(demoEstates)]
		if i >= len(demoEstates) {
			estate = fmt.Sprintf("%s%s", strings.TrimSuffix(community, "社区"), estate)
		}
		n := door(streets[0])
		base := fmt.Sprintf("%s%d号", streets[0], n)
		if lat, lng, ok, err := point(g, 0.5, 0.5, g.Code+estate); err != nil {
			return nil, err
		} else if ok {
			add(g, base, estate, POI, lat, lng)
			for b := 1; b <= 4; b++ {
				if lat, lng, ok, err := point(g, 0.3+0.1*float64(b), 0.55, fmt.Sprint(g.Code, estate, b)); err != nil {
					return nil, err
				} else if ok {
					add(g, fmt.Sprintf("%s%s%d号楼", base, estate, b), fmt.Sprintf("%s%d号楼", estate, b), Door, lat, lng)
				}
			}
		}
		// Places every neighbourhood has, by the grid's number and kind.
		var places []string
		switch {
		case g.Kind == "dedicated":
			// A dedicated grid is one place (a school, a market, a park …): named after it.
			places = []string{strings.TrimSuffix(strings.TrimSuffix(g.Name, "网格"), "专属"), community + "便民服务点"}
		case strings.HasSuffix(g.Code, "001"):
			places = []string{community + "居委会", community + "卫生服务站"}
		case i%5 == 1:
			places = []string{fmt.Sprintf("丰泽区第%d实验小学", i/5+1), community + "农贸市场"}
		case i%5 == 2:
			places = []string{community + "文化广场", community + "便民超市"}
		case i%5 == 3:
			places = []string{fmt.Sprintf("丰泽区第%d幼儿园", i/5+1), community + "公交站"}
		default:
			places = []string{community + "党群服务中心", community + "停车场"}
		}
		for k, name := range places {
			street := streets[k%2]
			n := door(street)
			if lat, lng, ok, err := point(g, 0.2+0.6*float64(k), 0.8, g.Code+name); err != nil {
				return nil, err
			} else if ok {
				add(g, fmt.Sprintf("%s%d号", street, n), name, POI, lat, lng)
			}
		}
	}
	return out, nil
}

func round6(f float64) float64 {
	const m = 1e6
	if f < 0 {
		return -float64(int64(-f*m+0.5)) / m
	}
	return float64(int64(f*m+0.5)) / m
}
