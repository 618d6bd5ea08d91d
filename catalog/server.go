package catalog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"path"
	"strings"
	"sync/atomic"
	"time"

	"mailbot/internal/httpserve"
	"mailbot/templates/say"
)

// Server serves the catalogs last published, read-only: GET and HEAD, an ETag from each file's
// content, Last-Modified from the catalogs' generation time, five minutes of public caching.
type Server struct {
	snap atomic.Pointer[snapshot]
	log  *slog.Logger
}

type snapshot struct {
	files   map[string]servedFile
	modTime time.Time
}

type servedFile struct {
	body  []byte
	etag  string
	ctype string
}

// NewServer returns a server with nothing published yet (it answers 503 until Publish).
func NewServer(log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{log: log}
}

// Publish replaces what is served with set, in every format, atomically.
func (s *Server) Publish(set *Set) error {
	files, err := set.Files(Formats)
	if err != nil {
		return err
	}
	snap := &snapshot{files: map[string]servedFile{}, modTime: set.GeneratedAt}
	for name, body := range files {
		sum := sha256.Sum256(body)
		snap.files["/"+name] = servedFile{body: body, etag: `"` + hex.EncodeToString(sum[:16]) + `"`, ctype: contentType(name)}
	}
	s.snap.Store(snap)
	return nil
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".json":
		return "application/json; charset=utf-8"
	case ".csv":
		return "text/csv; charset=utf-8; header=present"
	case ".css":
		return "text/css; charset=utf-8"
	case ".woff2":
		return "font/woff2"
	}
	return "text/plain; charset=utf-8"
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", CSP())
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, say.Text("catalog.method_not_allowed"), http.StatusMethodNotAllowed)
		return
	}
	snap := s.snap.Load()
	if snap == nil {
		h.Set("Retry-After", "5")
		http.Error(w, say.Text("catalog.preparing"), http.StatusServiceUnavailable)
		return
	}
	p := path.Clean("/" + r.URL.Path)
	if p == "/" {
		p = "/index.html"
	} else if !strings.Contains(path.Base(p), ".") {
		p += ".html" // /prodotti serves prodotti.html
	}
	f, ok := snap.files[p]
	if !ok {
		http.Error(w, say.Text("catalog.not_found"), http.StatusNotFound)
		return
	}
	h.Set("Content-Type", f.ctype)
	h.Set("ETag", f.etag)
	h.Set("Cache-Control", "public, max-age=300")
	if strings.Contains(r.Header.Get("Range"), ",") {
		// Many ranges of one small file cost more to answer than the file (multipart bodies,
		// overlapping ranges): serve the whole file instead.
		r.Header.Del("Range")
	}
	// ServeContent answers If-None-Match (304), If-Modified-Since, HEAD and a single range.
	http.ServeContent(w, r, p, snap.modTime, bytes.NewReader(f.body))
}

// Serve answers on ln until ctx ends, then shuts down, giving requests in flight five seconds.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	return httpserve.Serve(ctx, "catalog server", srv, ln)
}
