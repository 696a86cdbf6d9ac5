package web_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/basemap"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// tileColour is the colour of every test tile: no map page draws it otherwise.
var tileColour = color.RGBA{R: 250, G: 170, B: 20, A: 255}

// solidPNG is a 256×256 tile of one colour.
func solidPNG(t *testing.T, c color.RGBA) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// districtBox is the demo district's extent (west, south, east, north), read from its grids.
func districtBox(t *testing.T) [4]float64 {
	s := apptest.Start(t, db.SQLite)
	var collection any
	if st := s.Login(t, "district.leader").Do("GET", "/api/v1/grids?format=geojson", nil, &collection); st != 200 {
		t.Fatalf("grids: %d", st)
	}
	box := [4]float64{180, 90, -180, -90}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		case []any:
			if len(v) == 2 {
				lng, ok1 := v[0].(float64)
				lat, ok2 := v[1].(float64)
				if ok1 && ok2 {
					box = [4]float64{min(box[0], lng), min(box[1], lat), max(box[2], lng), max(box[3], lat)}
					return
				}
			}
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(collection)
	if box[0] >= box[2] || box[1] >= box[3] {
		t.Fatalf("no grid coordinates in %.200v", collection)
	}
	return box
}

// tileXY is the web mercator tile holding a point.
func tileXY(z int, lng, lat float64) (int, int) {
	n := math.Exp2(float64(z))
	r := lat * math.Pi / 180
	return int((lng + 180) / 360 * n), int((1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * n)
}

// mapTiles checks that the page's map draws the base layer from the server: tiles requested
// from /tiles/, loaded into Leaflet's tile pane under the grid polygons, in the test colour.
func mapTiles(t *testing.T, v *tab, id, kind, request string) {
	t.Helper()
	v.waitFor(`document.getElementById('` + id + `').dataset.base === '` + kind + `'`)
	v.waitFor(`document.querySelectorAll('#` + id + ` .leaflet-tile-pane .base-tiles img.leaflet-tile-loaded').length > 0`)
	v.waitFor(`document.querySelectorAll('#` + id + ` .leaflet-overlay-pane svg path').length > 0`)
	if n := eval[int](v, `performance.getEntriesByType('resource').filter(e => e.name.includes('`+request+`')).length`); n == 0 {
		t.Errorf("%s: the page requested nothing from %s", kind, request)
	}
	// The pixel at the centre of a loaded tile is the tile's colour (same-origin or blob: images
	// do not taint the canvas).
	got := eval[[]int](v, `(() => {
		const img = document.querySelector('#`+id+` .base-tiles img.leaflet-tile-loaded');
		const c = document.createElement('canvas');
		c.width = c.height = 1;
		const g = c.getContext('2d');
		g.drawImage(img, img.naturalWidth / 2, img.naturalHeight / 2, 1, 1, 0, 0, 1, 1);
		return [...g.getImageData(0, 0, 1, 1).data];
	})()`)
	if len(got) != 4 || got[0] != int(tileColour.R) || got[1] != int(tileColour.G) || got[2] != int(tileColour.B) {
		t.Errorf("%s: a loaded tile's colour is %v, want %v", kind, got, tileColour)
	}
}

// TestBrowserBasemapMBTiles: with an MBTiles base map, the resident's report page (on a phone)
// and the leaders' dashboard show its tiles, served by the binary at /tiles/{z}/{x}/{y}, under
// the grid polygons.
func TestBrowserBasemapMBTiles(t *testing.T) {
	box := districtBox(t)
	tile := solidPNG(t, tileColour)
	tiles := map[basemap.Coord][]byte{}
	for z := 10; z <= 14; z++ {
		west, north := tileXY(z, box[0], box[3])
		east, south := tileXY(z, box[2], box[1])
		for x := west - 1; x <= east+1; x++ {
			for y := north - 1; y <= south+1; y++ {
				tiles[basemap.Coord{Z: z, X: x, Y: y}] = tile
			}
		}
	}
	file := filepath.Join(t.TempDir(), "district.mbtiles")
	if err := basemap.WriteMBTiles(context.Background(), file, "png", tiles); err != nil {
		t.Fatal(err)
	}
	s := apptest.StartWith(t, db.SQLite, func(c *app.Config) {
		c.Tiles = basemap.Config{Kind: basemap.MBTiles, File: file, Attribution: "测试底图 <b>", MaxZoom: 18}
	})
	b := startBrowser(t, s.URL)

	v := b.tab(t, 390, 844)
	v.login("resident1", apptest.DemoPassword)
	v.open("/report", "#map")
	mapTiles(t, v, "map", "mbtiles", "/tiles/1")
	if got := v.text("#map .leaflet-control-attribution"); got != "测试底图 <b>" {
		t.Errorf("attribution %q: want the configured text, as text", got)
	}
	v.shot("basemap-mbtiles-report")

	d := b.tab(t, 1366, 900)
	d.login("district.leader", apptest.DemoPassword)
	d.open("/dashboard", "#dash-map")
	mapTiles(t, d, "dash-map", "mbtiles", "/tiles/1")
	d.shot("basemap-mbtiles-dashboard")
}

// pmtilesArchive is a PMTiles v3 archive (spec: github.com/protomaps/PMTiles/blob/main/spec/v3)
// whose every tile from zoom 0 to maxZoom is one PNG: one root directory entry a zoom level, each
// a run of 4^z tile IDs (a level's IDs are contiguous) pointing at the same bytes.
func pmtilesArchive(tile []byte, maxZoom int) []byte {
	var dir []byte
	varint := func(v uint64) { dir = binary.AppendUvarint(dir, v) }
	varint(uint64(maxZoom + 1))
	last := uint64(0)
	for z := 0; z <= maxZoom; z++ {
		id := (uint64(1)<<(2*z) - 1) / 3 // the tiles of the levels above
		varint(id - last)
		last = id
	}
	for z := 0; z <= maxZoom; z++ {
		varint(uint64(1) << (2 * z)) // run lengths
	}
	for z := 0; z <= maxZoom; z++ {
		varint(uint64(len(tile))) // lengths
	}
	for z := 0; z <= maxZoom; z++ {
		varint(1) // offsets: 0 + 1 (an explicit offset, not "right after the previous")
	}
	const headerLen = 127
	h := make([]byte, headerLen)
	copy(h, "PMTiles")
	h[7] = 3
	le := binary.LittleEndian
	le.PutUint64(h[8:], headerLen)                                            // root directory
	le.PutUint64(h[16:], uint64(len(dir)))                                    //
	le.PutUint64(h[24:], headerLen+uint64(len(dir)))                          // metadata: {}
	le.PutUint64(h[32:], 2)                                                   //
	le.PutUint64(h[40:], headerLen+uint64(len(dir))+2)                        // no leaf directories
	le.PutUint64(h[56:], headerLen+uint64(len(dir))+2)                        // tile data
	le.PutUint64(h[64:], uint64(len(tile)))                                   //
	le.PutUint64(h[72:], (uint64(1)<<(2*(maxZoom+1))-1)/3)                    // addressed tiles
	le.PutUint64(h[80:], uint64(maxZoom+1))                                   // entries
	le.PutUint64(h[88:], 1)                                                   // contents
	h[96], h[97], h[98], h[99], h[100], h[101] = 1, 1, 1, 2, 0, byte(maxZoom) // clustered, no compression, PNG
	putE7 := func(at int, deg float64) { le.PutUint32(h[at:], uint32(int32(deg*1e7))) }
	putE7(102, -180)
	putE7(106, -85)
	putE7(110, 180)
	putE7(114, 85)
	out := append(h, dir...)
	out = append(out, '{', '}')
	return append(out, tile...)
}

// TestBrowserBasemapPMTiles: with a PMTiles base map, the map page loads the pmtiles library
// from the binary, reads the archive at /tiles/base.pmtiles with range requests and shows its
// tiles under the grids.
func TestBrowserBasemapPMTiles(t *testing.T) {
	file := filepath.Join(t.TempDir(), "district.pmtiles")
	if err := os.WriteFile(file, pmtilesArchive(solidPNG(t, tileColour), 14), 0o600); err != nil {
		t.Fatal(err)
	}
	s := apptest.StartWith(t, db.SQLite, func(c *app.Config) {
		c.Tiles = basemap.Config{Kind: basemap.PMTiles, File: file, MaxZoom: 18}
	})
	b := startBrowser(t, s.URL)
	v := b.tab(t, 390, 844)
	v.login("resident1", apptest.DemoPassword)
	v.open("/report", "#map")
	mapTiles(t, v, "map", "pmtiles", "/tiles/base.pmtiles")
	if n := eval[int](v, `performance.getEntriesByType('resource').filter(e => e.name.includes('/static/vendor/pmtiles/pmtiles.js')).length`); n != 1 {
		t.Errorf("the pmtiles library was loaded %d times, want once", n)
	}
	v.shot("basemap-pmtiles-report")
}

// TestBrowserBasemapNone: without --tiles the map is the grid polygons alone, and the page asks
// for no tiles.
func TestBrowserBasemapNone(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	b := startBrowser(t, s.URL)
	v := b.tab(t, 390, 844)
	v.login("resident1", apptest.DemoPassword)
	v.open("/report", "#map")
	v.waitFor(`document.querySelectorAll('#map .leaflet-overlay-pane svg path').length > 0`)
	v.waitFor(`performance.getEntriesByType('resource').some(e => e.name.includes('/api/v1/map/config'))`)
	if got := eval[string](v, `[document.getElementById('map').dataset.base || '', document.querySelectorAll('#map .leaflet-tile-pane img').length,
		performance.getEntriesByType('resource').filter(e => /\/tiles\/|pmtiles/.test(e.name)).length].join(',')`); got != ",0,0" {
		t.Errorf("a map without a base map: data-base, tile images, tile requests = %s; want none", got)
	}
	if strings.Contains(v.text("#map"), "©") {
		t.Error("an attribution on a map without tiles")
	}
}
