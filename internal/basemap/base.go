package basemap

import (
	"context"
	"fmt"
	"strconv"
)

// Base is an opened base map: the configuration and, for an offline kind, its file.
type Base struct {
	cfg     Config
	view    View
	mbtiles *mbtiles
	pmtiles *pmtilesFile
}

// DefaultMaxZoom is the deepest zoom assumed of a source that does not say (--tiles-max-zoom).
const DefaultMaxZoom = 18

// Paths of the tiles the binary serves and of the pmtiles library.
const (
	TilePath    = "/tiles/{z}/{x}/{y}"
	ArchivePath = "/tiles/base.pmtiles"
	ScriptPath  = "/static/vendor/pmtiles/pmtiles.js"
)

// Open checks the configuration and opens the file of an offline kind: a file that is not what
// the kind says is refused here, at start, with what is wrong with it.
func Open(ctx context.Context, cfg Config) (*Base, error) {
	if cfg.Kind == "" {
		cfg.Kind = None
	}
	if cfg.MaxZoom == 0 {
		cfg.MaxZoom = DefaultMaxZoom
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("base map (--tiles %s): %w", cfg.Kind, err)
	}
	b := &Base{cfg: cfg}
	v := View{Kind: cfg.Kind, Layers: []Layer{}, Attribution: cfg.Attribution, MaxZoom: cfg.MaxZoom}
	switch cfg.Kind {
	case Tianditu:
		v.Layers = []Layer{tiandituLayer("vec", cfg.Key), tiandituLayer("cva", cfg.Key)}
		if v.Attribution == "" {
			v.Attribution = TiandituAttribution
		}
		v.MaxZoom = min(cfg.MaxZoom, 18) // 天地图 vec_w/cva_w go to level 18
	case XYZ, WMTS:
		t, _ := cfg.template()
		v.Layers = []Layer{{URL: t}}
	case MBTiles:
		m, err := openMBTiles(ctx, cfg.File)
		if err != nil {
			return nil, fmt.Errorf("base map: %w", err)
		}
		b.mbtiles = m
		v.Layers = []Layer{{URL: TilePath}}
		if m.maxZoom > 0 {
			v.MaxZoom = m.maxZoom
		}
	case PMTiles:
		p, err := openPMTiles(cfg.File)
		if err != nil {
			return nil, fmt.Errorf("base map: %w", err)
		}
		b.pmtiles = p
		v.PMTiles, v.Script = ArchivePath, ScriptPath
		if p.maxZoom > 0 {
			v.MaxZoom = p.maxZoom
		}
	}
	b.view = v
	return b, nil
}

// View is what map pages are told.
func (b *Base) View() View { return b.view }

// Kind is the configured kind.
func (b *Base) Kind() Kind { return b.cfg.Kind }

// Close closes an MBTiles file.
func (b *Base) Close() error {
	if b.mbtiles != nil {
		return b.mbtiles.db.Close()
	}
	return nil
}

// Coord is a tile's place in the XYZ scheme (y from the north).
type Coord struct{ Z, X, Y int }

// ParseCoord reads z, x and y from a tile path; ok is false unless each is a plain decimal number
// and x and y lie inside the zoom level.
func ParseCoord(z, x, y string) (Coord, bool) {
	num := func(s string) (int, bool) {
		if s == "" || len(s) > 8 {
			return 0, false
		}
		for _, r := range s {
			if r < '0' || r > '9' {
				return 0, false
			}
		}
		n, err := strconv.Atoi(s)
		return n, err == nil
	}
	var c Coord
	var ok1, ok2, ok3 bool
	c.Z, ok1 = num(z)
	c.X, ok2 = num(x)
	c.Y, ok3 = num(y)
	if !ok1 || !ok2 || !ok3 || c.Z > MaxZoomLimit || c.X >= 1<<c.Z || c.Y >= 1<<c.Z {
		return Coord{}, false
	}
	return c, true
}
