package app

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/basemap"
)

// The base map's flags: a kind and what it needs; a file that is not what --tiles says stops the
// start, and no error quotes the 天地图 key.
func TestTilesFlags(t *testing.T) {
	for _, env := range []string{"YIWANG_TILES", "YIWANG_TILES_URL", "YIWANG_TIANDITU_KEY", "YIWANG_TILES_FILE",
		"YIWANG_TILES_ATTRIBUTION", "YIWANG_TILES_MAX_ZOOM"} {
		t.Setenv(env, "") // restored afterwards
		os.Unsetenv(env)
	}
	parse := func(args ...string) (Config, error) {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		get := Flags(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return get()
	}
	cfg, err := parse()
	if err != nil || cfg.Tiles.Kind != basemap.None || cfg.Tiles.MaxZoom != 18 {
		t.Errorf("default: %+v %v", cfg.Tiles, err)
	}
	const key = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
	t.Setenv("YIWANG_TIANDITU_KEY", key)
	cfg, err = parse("--tiles=tianditu", "--tiles-attribution=天地图 审图号：GS(2024)0000号")
	if err != nil || cfg.Tiles.Kind != basemap.Tianditu || cfg.Tiles.Key != key || !strings.Contains(cfg.Tiles.Attribution, "审图号") {
		t.Errorf("tianditu from the environment: %+v %v", cfg.Tiles.Kind, err)
	}
	os.Unsetenv("YIWANG_TIANDITU_KEY")
	dir := t.TempDir()
	text := filepath.Join(dir, "map.mbtiles")
	if err := os.WriteFile(text, []byte("not a map"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.mbtiles")
	if err := basemap.WriteMBTiles(t.Context(), good, "png", map[basemap.Coord][]byte{{Z: 0, X: 0, Y: 0}: []byte("\x89PNG")}); err != nil {
		t.Fatal(err)
	}
	if cfg, err := parse("--tiles=mbtiles", "--tiles-file="+good); err != nil || cfg.Tiles.File != good {
		t.Errorf("a good MBTiles file: %v", err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--tiles=amap"}, "-tiles: unknown kind"},
		{[]string{"--tiles=tianditu"}, "needs the district's key"},
		{[]string{"--tiles=tianditu", "--tiles-key=" + key + "'"}, "not a key"},
		{[]string{"--tiles=xyz", "--tiles-url=https://t.example.org/{z}/{x}.png"}, "{z}, {x} and {y}"},
		{[]string{"--tiles=mbtiles", "--tiles-file=" + text}, "not an MBTiles file"},
		{[]string{"--tiles=pmtiles", "--tiles-file=" + text}, "not a PMTiles archive"},
		{[]string{"--tiles=mbtiles", "--tiles-file=" + filepath.Join(dir, "none.mbtiles")}, "no such file"},
		{[]string{"--tiles-max-zoom=many"}, "-tiles-max-zoom"},
		{[]string{"--tiles-max-zoom=30"}, "max zoom 30"},
	} {
		_, err := parse(c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error with %q", c.args, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), key) {
			t.Errorf("%v: the error quotes the key: %v", c.args, err)
		}
	}
}
