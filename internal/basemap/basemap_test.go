package basemap

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// tilePNG is a 256×256 tile of one colour.
func tilePNG(t testing.TB, c color.RGBA) []byte {
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

var (
	red  = color.RGBA{200, 0, 0, 255}
	blue = color.RGBA{0, 0, 200, 255}
)

// sample writes an MBTiles file with two tiles at zoom 1: red at the north-west (1/0/0), blue
// at the south-west (1/0/1).
func sample(t *testing.T, format string) string {
	path := filepath.Join(t.TempDir(), "base.mbtiles")
	err := WriteMBTiles(context.Background(), path, format, map[Coord][]byte{
		{Z: 1, X: 0, Y: 0}: tilePNG(t, red), {Z: 1, X: 0, Y: 1}: tilePNG(t, blue)})
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func TestParseCoord(t *testing.T) {
	for _, tc := range []struct {
		z, x, y string
		want    Coord
		ok      bool
	}{
		{"0", "0", "0", Coord{0, 0, 0}, true},
		{"1", "1", "1", Coord{1, 1, 1}, true},
		{"18", "215000", "110000", Coord{18, 215000, 110000}, true},
		{"1", "2", "0", Coord{}, false},  // x outside zoom 1
		{"1", "0", "2", Coord{}, false},  // y outside
		{"23", "0", "0", Coord{}, false}, // deeper than any source
		{"-1", "0", "0", Coord{}, false},
		{"1", "+0", "0", Coord{}, false},
		{"1", "0", "0.png", Coord{}, false},
		{"", "0", "0", Coord{}, false},
		{"1", "0x1", "0", Coord{}, false},
		{"1", "000000001", "0", Coord{}, false}, // too long
		{"1", "0", "\x00", Coord{}, false},
	} {
		got, ok := ParseCoord(tc.z, tc.x, tc.y)
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseCoord(%q, %q, %q) = %v, %v; want %v, %v", tc.z, tc.x, tc.y, got, ok, tc.want, tc.ok)
		}
	}
}

const key = "0123456789abcdef0123456789abcdef"

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string // part of the error; "" for none
	}{
		{"none", Config{Kind: None, MaxZoom: 18}, ""},
		{"tianditu", Config{Kind: Tianditu, Key: key, MaxZoom: 18}, ""},
		{"tianditu without key", Config{Kind: Tianditu, MaxZoom: 18}, "needs the district's key"},
		{"tianditu bad key", Config{Kind: Tianditu, Key: key + "&x=<", MaxZoom: 18}, "not a key"},
		{"xyz", Config{Kind: XYZ, URL: "https://{s}.tile.example.org/{z}/{x}/{y}.png", MaxZoom: 19}, ""},
		{"xyz tms", Config{Kind: XYZ, URL: "https://tiles.example.org/{z}/{x}/{-y}.png", MaxZoom: 19}, ""},
		{"xyz same origin", Config{Kind: XYZ, URL: "/osm/{z}/{x}/{y}.png", MaxZoom: 19}, ""},
		{"xyz no y", Config{Kind: XYZ, URL: "https://t.example.org/{z}/{x}.png", MaxZoom: 18}, "must hold {z}, {x} and {y}"},
		{"xyz no url", Config{Kind: XYZ, MaxZoom: 18}, "needs a URL template"},
		{"xyz ftp", Config{Kind: XYZ, URL: "ftp://t.example.org/{z}/{x}/{y}", MaxZoom: 18}, "must start with"},
		{"xyz protocol-relative", Config{Kind: XYZ, URL: "//t.example.org/{z}/{x}/{y}", MaxZoom: 18}, "must start with"},
		{"xyz javascript", Config{Kind: XYZ, URL: "javascript:alert(1)//{z}{x}{y}", MaxZoom: 18}, "must start with"},
		{"xyz quote", Config{Kind: XYZ, URL: `https://t.example.org/{z}/{x}/{y}"onerror`, MaxZoom: 18}, "characters"},
		{"xyz unknown placeholder", Config{Kind: XYZ, URL: "https://t.example.org/{z}/{x}/{y}?k={key}", MaxZoom: 18}, "{key}"},
		{"wmts names", Config{Kind: WMTS, URL: "https://w.example.org/wmts?TILEMATRIX={TileMatrix}&TILEROW={TileRow}&TILECOL={TileCol}", MaxZoom: 18}, ""},
		{"wmts names in xyz", Config{Kind: XYZ, URL: "https://w.example.org/wmts?TILEMATRIX={TileMatrix}&TILEROW={TileRow}&TILECOL={TileCol}", MaxZoom: 18}, "{TileMatrix}"},
		{"mbtiles no file", Config{Kind: MBTiles, MaxZoom: 18}, "needs a file"},
		{"zoom 0", Config{Kind: None, MaxZoom: 0}, "max zoom"},
		{"zoom 23", Config{Kind: None, MaxZoom: 23}, "max zoom"},
		{"unknown", Config{Kind: "amap", MaxZoom: 18}, "unknown kind"},
	} {
		err := tc.cfg.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want one with %q", tc.name, err, tc.want)
		case err != nil && strings.Contains(err.Error(), key):
			t.Errorf("%s: the error quotes the key: %v", tc.name, err)
		}
	}
	if _, err := ParseKind("gcj02"); err == nil {
		t.Error("ParseKind took an unknown kind")
	}
	if k, err := ParseKind(""); err != nil || k != None {
		t.Errorf("ParseKind(\"\") = %q, %v", k, err)
	}
}

func TestViewAndSources(t *testing.T) {
	ctx := context.Background()
	b, err := Open(ctx, Config{Kind: Tianditu, Key: key, MaxZoom: 20})
	if err != nil {
		t.Fatal(err)
	}
	v := b.View()
	if len(v.Layers) != 2 || !strings.Contains(v.Layers[0].URL, "/vec_w/wmts?") || !strings.Contains(v.Layers[1].URL, "/cva_w/wmts?") ||
		!strings.Contains(v.Layers[0].URL, "TILEMATRIXSET=w&") || !strings.HasSuffix(v.Layers[1].URL, "&tk="+key) ||
		v.Layers[0].Subdomains != "01234567" || v.MaxZoom != 18 || v.Attribution != TiandituAttribution {
		t.Errorf("tianditu view: %+v", v)
	}
	b, err = Open(ctx, Config{Kind: WMTS, URL: "https://w.example.org/wmts?TILEMATRIX={TileMatrix}&TILEROW={TileRow}&TILECOL={TileCol}", MaxZoom: 17, Attribution: "© 测绘院"})
	if err != nil {
		t.Fatal(err)
	}
	if v := b.View(); v.Layers[0].URL != "https://w.example.org/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}" || v.MaxZoom != 17 || v.Attribution != "© 测绘院" {
		t.Errorf("wmts view: %+v", v)
	}
	b, err = Open(ctx, Config{})
	if err != nil || b.View().Kind != None || len(b.View().Layers) != 0 {
		t.Errorf("zero config: %+v, %v", b, err)
	}
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Kind: Tianditu, Key: key}, "https://*.tianditu.gov.cn"},
		{Config{Kind: XYZ, URL: "https://{s}.tile.example.org/{z}/{x}/{y}.png"}, "https://*.tile.example.org"},
		{Config{Kind: XYZ, URL: "http://tiles.example.org:8080/{z}/{x}/{y}.png?s={s}"}, "http://tiles.example.org:8080"},
		{Config{Kind: XYZ, URL: "/osm/{z}/{x}/{y}.png"}, ""},
		{Config{Kind: XYZ, URL: "https://a;img-src*.example.org/{z}/{x}/{y}.png"}, ""},
		{Config{Kind: MBTiles, File: "x"}, ""},
	} {
		got := strings.Join(tc.cfg.ImageSources(), " ")
		if got != tc.want {
			t.Errorf("ImageSources(%+v) = %q, want %q", tc.cfg, got, tc.want)
		}
	}
}

// TestOpenRefuses: a file that is not what --tiles says stops the start with a clear error.
func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.mbtiles")
	os.WriteFile(text, []byte("this is not a database\n"), 0o600)
	empty := filepath.Join(dir, "empty.mbtiles")
	os.WriteFile(empty, nil, 0o600)
	vector := filepath.Join(dir, "vector.mbtiles")
	if err := WriteMBTiles(ctx, vector, "pbf", map[Coord][]byte{{0, 0, 0}: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "yiwang.db")
	writeSQLite(t, other, `CREATE TABLE cases (id TEXT)`)
	badPM := filepath.Join(dir, "bad.pmtiles")
	os.WriteFile(badPM, bytes.Repeat([]byte("x"), 200), 0o600)
	vectorPM := filepath.Join(dir, "vector.pmtiles")
	os.WriteFile(vectorPM, pmtilesHeader(1, 14), 0o600)
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Kind: MBTiles, File: text}, "not an MBTiles file (not an SQLite database)"},
		{Config{Kind: MBTiles, File: empty}, "not an MBTiles file"},
		{Config{Kind: MBTiles, File: filepath.Join(dir, "missing.mbtiles")}, "no such file"},
		{Config{Kind: MBTiles, File: dir}, "not a regular file"},
		{Config{Kind: MBTiles, File: vector}, "vector tiles"},
		{Config{Kind: MBTiles, File: other}, "no tiles table"},
		{Config{Kind: PMTiles, File: badPM}, "not a PMTiles archive"},
		{Config{Kind: PMTiles, File: text}, "not a PMTiles archive"},
		{Config{Kind: PMTiles, File: vectorPM}, "vector tiles"},
		{Config{Kind: MBTiles, File: badPM}, "not an MBTiles file"},
	} {
		_, err := Open(ctx, tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%s %s): %v, want an error with %q", tc.cfg.Kind, filepath.Base(tc.cfg.File), err, tc.want)
		}
	}
}

func writeSQLite(t *testing.T, path, stmt string) {
	t.Helper()
	m := &mbtiles{}
	var err error
	if m.db, err = openWritable(path); err != nil {
		t.Fatal(err)
	}
	defer m.db.Close()
	if _, err := m.db.Exec(stmt); err != nil {
		t.Fatal(err)
	}
}

// pmtilesHeader is a PMTiles v3 header (127 bytes) of the tile type, with the max zoom; the
// rest of the archive does not matter to the server, which serves bytes.
func pmtilesHeader(tileType, maxZoom byte) []byte {
	h := make([]byte, 127)
	copy(h, "PMTiles")
	h[7] = 3
	binary.LittleEndian.PutUint64(h[8:], 127)
	h[99], h[101] = tileType, maxZoom
	return h
}

// serve is the module's routes behind a fake sign-in: a request with the header X-Test-User is
// signed in.
func serve(t *testing.T, cfg Config) http.Handler {
	b, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	mux := httpx.NewMux()
	(&HTTP{Base: b, R: &httpx.Responder{Catalog: i18n.MustLoad(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}}).Register(mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Test-User") != "" {
			r = r.WithContext(access.WithPrincipal(r.Context(), &access.Principal{UserID: "u1", Username: "resident1",
				Grants: []access.Grant{{Role: access.Resident, OrgPath: "/350503/"}}}))
		}
		mux.ServeHTTP(w, r)
	})
}

func get(h http.Handler, path string, signedIn bool, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", path, nil)
	if signedIn {
		r.Header.Set("X-Test-User", "1")
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestMBTilesServing(t *testing.T) {
	h := serve(t, Config{Kind: MBTiles, File: sample(t, "png"), MaxZoom: 18})
	colour := func(body []byte) color.RGBA {
		img, err := png.Decode(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("tile is not a PNG: %v", err)
		}
		r, g, b, a := img.At(128, 128).RGBA()
		return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
	}
	// y counts from the north in the URL and from the south in the file.
	for _, tc := range []struct {
		path string
		want color.RGBA
	}{{"/tiles/1/0/0", red}, {"/tiles/1/0/1", blue}} {
		w := get(h, tc.path, true)
		if w.Code != 200 || w.Header().Get("Content-Type") != "image/png" || !strings.Contains(w.Header().Get("Cache-Control"), "max-age=") {
			t.Fatalf("%s: %d %v", tc.path, w.Code, w.Header())
		}
		if got := colour(w.Body.Bytes()); got != tc.want {
			t.Errorf("%s: colour %v, want %v (TMS row flip)", tc.path, got, tc.want)
		}
	}
	for _, tc := range []struct {
		path   string
		status int
		key    string
	}{
		{"/tiles/1/1/0", 404, "basemap.no_tile"},
		{"/tiles/0/0/0", 404, "basemap.no_tile"},
		{"/tiles/1/2/0", 400, "basemap.bad_tile"},
		{"/tiles/1/0/-1", 400, "basemap.bad_tile"},
		{"/tiles/a/0/0", 400, "basemap.bad_tile"},
		{"/tiles/99/0/0", 400, "basemap.bad_tile"},
		{"/tiles/1/0/0.png", 400, "basemap.bad_tile"},
		{"/tiles/base.pmtiles", 404, "basemap.no_file"},
	} {
		w := get(h, tc.path, true, "Accept-Language", "zh-CN")
		if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.key) {
			t.Errorf("%s: %d %s, want %d %s", tc.path, w.Code, w.Body.String(), tc.status, tc.key)
		}
	}
	if w := get(h, "/tiles/1/0/0", false); w.Code != 401 {
		t.Errorf("anonymous tile: %d", w.Code)
	}
	w := get(h, "/api/v1/map/config", true)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"kind":"mbtiles"`) || !strings.Contains(w.Body.String(), `"url":"/tiles/{z}/{x}/{y}"`) ||
		!strings.Contains(w.Body.String(), `"max_zoom":1`) {
		t.Errorf("config: %d %s", w.Code, w.Body.String())
	}
}

func TestMBTilesSniffsWithoutFormat(t *testing.T) {
	h := serve(t, Config{Kind: MBTiles, File: sample(t, ""), MaxZoom: 18})
	if w := get(h, "/tiles/1/0/0", true); w.Code != 200 || w.Header().Get("Content-Type") != "image/png" {
		t.Errorf("sniffed tile: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
}

func TestPMTilesServing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "base.pmtiles")
	archive := append(pmtilesHeader(2, 15), bytes.Repeat([]byte{7}, 1000)...)
	if err := os.WriteFile(path, archive, 0o600); err != nil {
		t.Fatal(err)
	}
	h := serve(t, Config{Kind: PMTiles, File: path, MaxZoom: 18})
	w := get(h, "/tiles/base.pmtiles", true, "Range", "bytes=0-126")
	if w.Code != http.StatusPartialContent || !bytes.Equal(w.Body.Bytes(), archive[:127]) || w.Header().Get("Content-Range") != "bytes 0-126/1127" {
		t.Errorf("range request: %d %v", w.Code, w.Header())
	}
	if w := get(h, "/tiles/base.pmtiles", true, "Range", "bytes=5000-6000"); w.Code != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("range past the end: %d", w.Code)
	}
	if w := get(h, "/tiles/base.pmtiles", false); w.Code != 401 {
		t.Errorf("anonymous archive: %d", w.Code)
	}
	if w := get(h, "/tiles/1/0/0", true); w.Code != 404 {
		t.Errorf("z/x/y of a pmtiles base: %d", w.Code)
	}
	w = get(h, "/api/v1/map/config", true)
	if !strings.Contains(w.Body.String(), `"pmtiles":"/tiles/base.pmtiles"`) || !strings.Contains(w.Body.String(), `"script":"/static/vendor/pmtiles/pmtiles.js"`) ||
		!strings.Contains(w.Body.String(), `"max_zoom":15`) {
		t.Errorf("config: %s", w.Body.String())
	}
}

func TestConfigWithoutTiles(t *testing.T) {
	h := serve(t, Config{})
	w := get(h, "/api/v1/map/config", true)
	if w.Code != 200 || w.Body.String() != `{"kind":"none","layers":[],"attribution":"","max_zoom":18}`+"\n" {
		t.Errorf("config: %d %q", w.Code, w.Body.String())
	}
	if w := get(h, "/tiles/1/0/0", true); w.Code != 404 || !strings.Contains(w.Body.String(), "basemap.no_file") {
		t.Errorf("tile without a file: %d %s", w.Code, w.Body.String())
	}
}

func FuzzParseCoord(f *testing.F) {
	f.Add("1", "0", "1")
	f.Add("22", "4194303", "0")
	f.Fuzz(func(t *testing.T, z, x, y string) {
		c, ok := ParseCoord(z, x, y)
		if ok && (c.Z < 0 || c.Z > MaxZoomLimit || c.X < 0 || c.Y < 0 || c.X >= 1<<c.Z || c.Y >= 1<<c.Z) {
			t.Fatalf("ParseCoord(%q, %q, %q) = %v", z, x, y, c)
		}
	})
}
