package catalog

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// startServer serves set on a loopback port for the test's duration.
func startServer(t *testing.T, set *Set) (*Server, string) {
	t.Helper()
	srv := NewServer(nil)
	if set != nil {
		if err := srv.Publish(set); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return srv, "http://" + ln.Addr().String()
}

func do(t *testing.T, method, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestServerCaching(t *testing.T) {
	s, _ := fixtureStore(t)
	set := build(t, s)
	_, base := startServer(t, set)

	resp, body := do(t, "GET", base+"/prodotti.json", nil)
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || !strings.Contains(body, `"TributiWeb"`) || etag == "" ||
		resp.Header.Get("Cache-Control") != "public, max-age=300" ||
		resp.Header.Get("Last-Modified") != "Mon, 20 Apr 2026 07:30:00 GMT" ||
		resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("GET: %d %v\n%s", resp.StatusCode, resp.Header, body)
	}
	// The same content, the same ETag; a match is answered 304 without a body.
	resp, body = do(t, "GET", base+"/prodotti.json", map[string]string{"If-None-Match": etag})
	if resp.StatusCode != http.StatusNotModified || body != "" || resp.Header.Get("ETag") != etag {
		t.Errorf("If-None-Match: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	resp, _ = do(t, "GET", base+"/prodotti.json", map[string]string{"If-None-Match": `"other"`})
	if resp.StatusCode != 200 {
		t.Errorf("another ETag: %d", resp.StatusCode)
	}
	// HEAD: the headers of GET, no body.
	resp, body = do(t, "HEAD", base+"/enti.csv", nil)
	if resp.StatusCode != 200 || body != "" || resp.Header.Get("ETag") == "" || resp.ContentLength != int64(len(set.Get(Enti).CSV())) ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Errorf("HEAD: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	// Read-only.
	resp, _ = do(t, "POST", base+"/prodotti.json", nil)
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = do(t, "GET", base+"/../../etc/passwd", nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("outside path: %d", resp.StatusCode)
	}
	for _, p := range []string{"/", "/enti", "/processi.html", "/assets/bootstrap-italia.min.css", "/assets/fonts/titillium-web-v10-latin-ext_latin-regular.woff2"} {
		resp, _ := do(t, "GET", base+p, nil)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("GET %s: %d %v", p, resp.StatusCode, resp.Header)
		}
	}
}

func TestServerETagFollowsContent(t *testing.T) {
	s, _ := fixtureStore(t)
	srv, base := startServer(t, nil)
	if resp, _ := do(t, "GET", base+"/", nil); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("before publishing: %d", resp.StatusCode)
	}
	set := build(t, s)
	srv.Publish(set)
	first, _ := do(t, "GET", base+"/enti.json", nil)
	set.Get(Enti).Entries = set.Get(Enti).Entries[:1]
	set.GeneratedAt = set.GeneratedAt.Add(time.Minute)
	srv.Publish(set)
	resp, body := do(t, "GET", base+"/enti.json", map[string]string{"If-None-Match": first.Header.Get("ETag")})
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == first.Header.Get("ETag") || strings.Count(body, `"ente"`) != 1 {
		t.Errorf("after a change: %d %v\n%s", resp.StatusCode, resp.Header, body)
	}
}

// TestServerRanges: one range is served as asked; many ranges of a small page get the whole
// page once, never a multipart answer larger than the page.
func TestServerRanges(t *testing.T) {
	s, _ := fixtureStore(t)
	_, base := startServer(t, build(t, s))
	_, full := do(t, "GET", base+"/enti.html", nil)
	resp, body := do(t, "GET", base+"/enti.html", map[string]string{"Range": "bytes=0-9"})
	if resp.StatusCode != http.StatusPartialContent || body != full[:10] {
		t.Errorf("single range: %d, %q", resp.StatusCode, body)
	}
	var many []string
	for i := 0; i < 2001; i++ {
		many = append(many, fmt.Sprintf("%d-%d", i, i))
	}
	resp, body = do(t, "GET", base+"/enti.html", map[string]string{"Range": "bytes=" + strings.Join(many, ",")})
	if resp.StatusCode != http.StatusOK || len(body) != len(full) {
		t.Errorf("2,001 ranges: status %d, %d bytes for a %d-byte page", resp.StatusCode, len(body), len(full))
	}
}
