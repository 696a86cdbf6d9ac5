package grid

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/paulmach/orb"
)

func TestLocate(t *testing.T) {
	const donut, enclave, left, right = "350503002001001", "350503002002001", "350503002003001", "350503002003002"
	lattice := base()
	grids := append(slices.Clone(lattice),
		box(donut, square(0, 0, 3), reversedRing(square(1, 1, 1))),
		box(enclave, square(1, 1, 1)),
		// given in reverse code order: the edge rule must not depend on input order
		box(right, square(11, 0, 1)),
		box(left, square(10, 0, 1)),
	)
	ix := NewIndex(grids)
	if ix.Len() != len(grids) {
		t.Errorf("Len = %d, want %d", ix.Len(), len(grids))
	}
	at := func(x, y float64) (float64, float64) { return lon0 + 0.1 + x*unit, lat0 + y*unit }
	tests := []struct {
		name     string
		lng, lat float64
		want     string // "" = not found
	}{
		{name: "west of everything", lng: lon0 - 0.01, lat: lat0},
		{name: "between the lattice and the boxes", lng: lon0 + 0.05, lat: lat0 + 0.001},
		{name: "donut body", want: donut},
		{name: "donut hole filled by the enclave", want: enclave},
		{name: "shared edge goes to the lowest code", want: left},
		{name: "corner shared by four lattice grids", want: lattice[4].Code},
	}
	tests[2].lng, tests[2].lat = at(0.5, 0.5)
	tests[3].lng, tests[3].lat = at(1.5, 1.5)
	tests[4].lng, tests[4].lat = at(11, 0.5)
	// lattice[4] is cell (0,2), the lowest code of the four cells around its
	// south-east corner, which is its ring's third position (one point per edge).
	corner := lattice[4].Geometry[0][2]
	tests[5].lng, tests[5].lat = corner[0], corner[1]
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ix.Locate(tt.lng, tt.lat)
			if ok != (tt.want != "") || got.Code != tt.want {
				t.Errorf("Locate = %+v, %v; want %q", got, ok, tt.want)
			}
		})
	}
	t.Run("every lattice grid at an inner point", func(t *testing.T) {
		for _, g := range lattice {
			p, _ := interiorPoint(g.Geometry)
			got, ok := ix.Locate(p[0], p[1])
			if !ok || got != (Located{Code: g.Code, CommunityCode: g.CommunityCode}) {
				t.Errorf("Locate(%v) = %+v, want %s", p, got, g.Code)
			}
		}
	})
	t.Run("hole left empty", func(t *testing.T) {
		ix := NewIndex([]Grid{box(donut, square(0, 0, 3), reversedRing(square(1, 1, 1)))})
		if got, ok := ix.Locate(at(1.5, 1.5)); ok {
			t.Errorf("point in an empty hole located in %s", got.Code)
		}
	})
}

func TestLocateSkipsGridsWithoutGeometry(t *testing.T) {
	ix := NewIndex([]Grid{{Code: "350503001001001"}, box("350503002001001", square(0, 0, 1))})
	if ix.Len() != 1 {
		t.Errorf("Len = %d, want 1", ix.Len())
	}
	if got, ok := NewIndex(nil).Locate(lon0, lat0); ok {
		t.Errorf("empty index located %v", got)
	}
}

func TestLocateConcurrently(t *testing.T) {
	grids := base()
	ix := NewIndex(grids)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 200 {
				g := grids[(w*31+i)%len(grids)]
				p, _ := interiorPoint(g.Geometry)
				if got, ok := ix.Locate(p[0], p[1]); !ok || got.Code != g.Code {
					t.Errorf("Locate = %v, want %s", got.Code, g.Code)
					return
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkLocate20k locates random points in a district of 20 000 grids
// of about 150 m, 16 vertices each.
func BenchmarkLocate20k(b *testing.B) {
	const cols, rows = 200, 100
	ix := NewIndex(lattice(cols, rows, 3, 10, lon0, lat0, cell))
	rng := rand.New(rand.NewPCG(1, 2))
	points := make([]orb.Point, 4096)
	for i := range points {
		points[i] = orb.Point{lon0 + rng.Float64()*cols*cell, lat0 + rng.Float64()*rows*cell}
	}
	found := 0
	b.ResetTimer()
	i := 0
	for b.Loop() {
		p := points[i%len(points)]
		if _, ok := ix.Locate(p[0], p[1]); ok {
			found++
		}
		i++
	}
	if found != i {
		b.Fatalf("located %d of %d points inside the extent", found, i)
	}
}
