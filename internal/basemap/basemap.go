// Package basemap is the map under the grids: a configured tile layer (天地图 WMTS with the
// district's key, any XYZ/WMTS URL, or an offline PMTiles/MBTiles file served by the binary).
// With none configured, the grid polygons alone are the map.
//
// Every kind is web mercator (EPSG:3857) on WGS-84 coordinates, as the grids are: 天地图's _w
// layers are CGCS2000, which matches WGS-84 to centimetres. Tiles in GCJ-02 (AMap, Tencent)
// would misplace the polygons by hundreds of metres and are not offered.
package basemap

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Kind is the kind of tile source.
type Kind string

// The kinds of tile source.
const (
	None     Kind = "none"
	Tianditu Kind = "tianditu" // 天地图 WMTS: vec_w with the cva_w labels, the district's key
	XYZ      Kind = "xyz"      // a URL template with {z}, {x}, {y}
	WMTS     Kind = "wmts"     // a WMTS GetTile URL (KVP or REST) on the GoogleMapsCompatible matrix set
	PMTiles  Kind = "pmtiles"  // an offline raster .pmtiles file served with range requests
	MBTiles  Kind = "mbtiles"  // an offline raster .mbtiles file served tile by tile
)

// Kinds lists the kinds --tiles accepts.
var Kinds = []Kind{None, Tianditu, XYZ, WMTS, PMTiles, MBTiles}

// Config is the configured tile layer.
type Config struct {
	Kind Kind
	// URL is the template of an xyz or wmts source.
	URL string
	// Key is the district's 天地图 key (tk). It goes to the browsers that fetch the tiles (a
	// 天地图 browser key is bound to the site's domain) and never into a log or an error.
	Key string
	// File is the .pmtiles or .mbtiles file.
	File string
	// Attribution is shown in the corner of every map (天地图 asks for its name and 审图号).
	Attribution string
	// MaxZoom is the deepest zoom the source has tiles for; the map zooms on past it by
	// enlarging them. A file's own maximum zoom, when it records one, wins.
	MaxZoom int
}

// MaxZoomLimit is the deepest zoom a source may claim.
const MaxZoomLimit = 22

var (
	keyPattern   = regexp.MustCompile(`^[A-Za-z0-9]{8,64}$`)
	hostPattern  = regexp.MustCompile(`^(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$`)
	placeholders = regexp.MustCompile(`\{[^{}]*\}`)
	// wmtsNames are the WMTS template variables, as Leaflet names them.
	wmtsNames = map[string]string{"tilematrix": "{z}", "tilecol": "{x}", "tilerow": "{y}"}
)

// ParseKind reads a --tiles value; empty means none.
func ParseKind(s string) (Kind, error) {
	if s == "" {
		return None, nil
	}
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown kind %q: want tianditu, xyz, wmts, pmtiles, mbtiles or none", s)
}

// Validate checks the settings of the kind without opening any file. Its errors never quote the
// key.
func (c Config) Validate() error {
	if c.MaxZoom < 1 || c.MaxZoom > MaxZoomLimit {
		return fmt.Errorf("max zoom %d: want 1 to %d", c.MaxZoom, MaxZoomLimit)
	}
	switch c.Kind {
	case None, "":
		return nil
	case Tianditu:
		if c.Key == "" {
			return fmt.Errorf("tianditu needs the district's key (--tiles-key or YIWANG_TIANDITU_KEY)")
		}
		if !keyPattern.MatchString(c.Key) {
			return fmt.Errorf("the tianditu key is not a key: want 8 to 64 letters and digits")
		}
		return nil
	case XYZ, WMTS:
		_, err := c.template()
		return err
	case PMTiles, MBTiles:
		if c.File == "" {
			return fmt.Errorf("%s needs a file (--tiles-file)", c.Kind)
		}
		return nil
	}
	return fmt.Errorf("unknown kind %q", c.Kind)
}

// template is the Leaflet URL template of an xyz or wmts source: {z}, {x}, {y} (or {-y}, the TMS
// row), {s} for a subdomain; a WMTS URL may name them {TileMatrix}, {TileCol}, {TileRow}.
func (c Config) template() (string, error) {
	if c.URL == "" {
		return "", fmt.Errorf("%s needs a URL template (--tiles-url)", c.Kind)
	}
	if len(c.URL) > 2000 || strings.ContainsAny(c.URL, "\x00\r\n\t \"'<>\\`") {
		return "", fmt.Errorf("the tile URL has characters a URL may not have")
	}
	out := placeholders.ReplaceAllStringFunc(c.URL, func(p string) string {
		if c.Kind == WMTS {
			if v, ok := wmtsNames[strings.ToLower(strings.Trim(p, "{}"))]; ok {
				return v
			}
		}
		return p
	})
	seen := map[string]bool{}
	for _, p := range placeholders.FindAllString(out, -1) {
		switch p {
		case "{z}", "{x}", "{y}", "{-y}", "{s}":
			seen[p] = true
		default:
			return "", fmt.Errorf("the tile URL has %s: use {z}, {x}, {y} (or {-y}) and {s}", p)
		}
	}
	if !seen["{z}"] || !seen["{x}"] || !(seen["{y}"] || seen["{-y}"]) {
		return "", fmt.Errorf("the tile URL must hold {z}, {x} and {y}")
	}
	if strings.HasPrefix(out, "/") && !strings.HasPrefix(out, "//") {
		return out, nil // a tile server behind the same reverse proxy
	}
	u, err := url.Parse(strings.ReplaceAll(out, "{s}", "a"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("the tile URL must start with https://, http:// or /")
	}
	return out, nil
}

// ImageSources are the origins the browser fetches tiles from, for the page's
// Content-Security-Policy img-src ("https://*.tianditu.gov.cn"); none for the files the binary
// serves itself.
func (c Config) ImageSources() []string {
	switch c.Kind {
	case Tianditu:
		return []string{"https://*.tianditu.gov.cn"}
	case XYZ, WMTS:
		t, err := c.template()
		if err != nil || strings.HasPrefix(t, "/") {
			return nil
		}
		u, err := url.Parse(strings.ReplaceAll(t, "{s}", "a"))
		if err != nil {
			return nil
		}
		host := u.Host
		if at := strings.Index(t, "{s}"); at >= 0 && at < strings.Index(t, "://")+3+len(u.Host) {
			// {s} in the host: a wildcard for its first label (a.tile.example.org, b.tile…).
			_, rest, _ := strings.Cut(host, ".")
			host = "*." + rest
		}
		if !hostPattern.MatchString(host) {
			return nil // nothing a policy could not parse
		}
		return []string{u.Scheme + "://" + host}
	}
	return nil
}

// View is what a map page needs to draw the base layer (GET /api/v1/map/config).
type View struct {
	Kind Kind `json:"kind"`
	// Layers are tile URL templates, drawn in order (天地图: the roads, then the labels).
	Layers []Layer `json:"layers"`
	// PMTiles is the archive's URL, read with the pmtiles library loaded from Script.
	PMTiles     string `json:"pmtiles,omitempty"`
	Script      string `json:"script,omitempty"`
	Attribution string `json:"attribution"`
	// MaxZoom is the deepest zoom the source has tiles for (the map enlarges them past it).
	MaxZoom int `json:"max_zoom"`
}

// Layer is one tile layer of a View.
type Layer struct {
	URL        string `json:"url"`
	Subdomains string `json:"subdomains,omitempty"`
}

// TiandituAttribution is shown when the district sets none.
const TiandituAttribution = "天地图 · 国家地理信息公共服务平台"

// tiandituLayer is a 天地图 WMTS KVP GetTile URL of one _w (web mercator) layer.
func tiandituLayer(layer, key string) Layer {
	return Layer{URL: "https://t{s}.tianditu.gov.cn/" + layer + "_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=" + layer +
		"&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=" + url.QueryEscape(key),
		Subdomains: "01234567"}
}
