package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// staticServer serves the embedded static files. Embedded files carry no modification time,
// so each gets an ETag from its content: browsers revalidate (Cache-Control: no-cache) and get
// 304 Not Modified until a new build changes the file.
type staticServer struct {
	files map[string]staticFile // "/css/app.css" → file
}

type staticFile struct {
	body        []byte
	etag        string
	contentType string
}

// contentTypes fixes the types the pages rely on, whatever the system's mime.types says
// (module scripts are refused by browsers unless served as JavaScript).
var contentTypes = map[string]string{
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".png":  "image/png",
	".svg":  "image/svg+xml",
	".txt":  "text/plain; charset=utf-8",
	".json": "application/json",
}

func newStaticServer(root fs.FS) (*staticServer, error) {
	s := &staticServer{files: map[string]staticFile{}}
	err := fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(root, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		ct, ok := contentTypes[ext]
		if !ok {
			if ct = mime.TypeByExtension(ext); ct == "" {
				ct = "application/octet-stream"
			}
		}
		s.files["/"+name] = staticFile{body: body, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, contentType: ct}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: index static files: %w", err)
	}
	return s, nil
}

func (s *staticServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := s.files[r.URL.Path]
	if !ok || strings.HasSuffix(r.URL.Path, "/") {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("ETag", f.etag)
	h.Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}

// has reports whether the static file name ("/vendor/leaflet/leaflet.js") is embedded.
func (s *staticServer) has(name string) bool {
	_, ok := s.files[name]
	return ok
}
