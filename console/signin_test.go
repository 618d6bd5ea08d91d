package console

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"mailbot/internal/wait"
	"mailbot/mailbot"
	"mailbot/ticketing"
)

func TestClientAddr(t *testing.T) {
	cfg := &mailbot.Config{Console: mailbot.ConsoleConfig{PublicURL: "https://a.example.it",
		Proxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}}}
	s := New(cfg, nil, nil, nil, time.Now)
	for _, c := range []struct {
		peer, xff, fwd, want string
	}{
		{"203.0.113.9:5000", "", "", "203.0.113.9"},
		// Not from a trusted proxy: the headers are the client's own words.
		{"203.0.113.9:5000", "198.51.100.1", "", "203.0.113.9"},
		{"10.1.1.1:5000", "198.51.100.1", "", "198.51.100.1"},
		// A client that writes its own X-Forwarded-For gets the address the proxy saw.
		{"10.1.1.1:5000", "1.2.3.4, 198.51.100.1", "", "198.51.100.1"},
		// Two trusted proxies in a row.
		{"10.1.1.1:5000", "1.2.3.4, 198.51.100.1, 10.2.2.2", "", "198.51.100.1"},
		{"10.1.1.1:5000", "", `for=198.51.100.7;proto=https, for="10.3.3.3:81"`, "198.51.100.7"},
		{"[::1]:5000", "", `For="[2001:db8::1]:4711"`, "2001:db8::1"},
		// X-Forwarded-For wins over a Forwarded the client may have written.
		{"10.1.1.1:5000", "198.51.100.1", "for=1.2.3.4", "198.51.100.1"},
		// Garbage or nothing from the proxy: the proxy is the client.
		{"10.1.1.1:5000", "unknown", "", "10.1.1.1"},
		{"10.1.1.1:5000", "", "", "10.1.1.1"},
		{"[::ffff:10.1.1.1]:5000", "::ffff:198.51.100.1", "", "198.51.100.1"},
	} {
		r := httptest.NewRequest("POST", "/accesso", nil)
		r.RemoteAddr = c.peer
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if c.fwd != "" {
			r.Header.Set("Forwarded", c.fwd)
		}
		if got := s.clientAddr(r); got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q, Forwarded %q: client %s, want %s", c.peer, c.xff, c.fwd, got, c.want)
		}
	}
}

// FuzzForwardedFor: any header gives valid addresses and never panics.
func FuzzForwardedFor(f *testing.F) {
	f.Add("1.2.3.4, 10.0.0.1", `for="[2001:db8::1]:4711";by=x, for=_hidden`)
	f.Add("", `for=unknown`)
	f.Fuzz(func(t *testing.T, xff, fwd string) {
		h := http.Header{}
		if xff != "" {
			h.Set("X-Forwarded-For", xff)
		}
		h.Set("Forwarded", fwd)
		for _, a := range forwardedFor(h) {
			if !a.IsValid() || a.Is4In6() {
				t.Fatalf("%v from %q %q", a, xff, fwd)
			}
		}
	})
}

// TestSignInFlood: outsiders behind the Region's proxy flood the sign-in form from many
// addresses, many of them with a staff address; the staff member gets at most one link a minute
// (never a mailbox full), asks from their own address without being refused, and signs in.
func TestSignInFlood(t *testing.T) {
	e := start(t)
	e.cfg.Console.Proxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	post := func(from, email string) int {
		req, _ := http.NewRequest("POST", e.url+"/accesso", strings.NewReader(url.Values{"email": {email}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", from)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	refused := 0
	for i := range 400 {
		email := operator
		if i%2 == 1 {
			email = fmt.Sprintf("chiunque%d@example.com", i)
		}
		// 200 addresses, each asking twice; one of them far over its limit.
		from := fmt.Sprintf("198.51.%d.%d", i%200/250, i%200+1)
		if i >= 300 {
			from = "203.0.113.66"
		}
		if post(from, email) == http.StatusTooManyRequests {
			refused++
		}
	}
	if refused != 100-signInPerClient {
		t.Errorf("%d requests refused, want only the %d over the single address's limit", refused, 100-signInPerClient)
	}
	// The staff member asks too, from the office: answered as ever, and no second mail.
	if code := post("192.0.2.10", operator); code != 200 {
		t.Fatalf("the staff member's own request: %d", code)
	}
	e.srv.pending.Wait()
	wait.For(e.t, "the sign-in mail", func() bool { return len(e.l.DeliveredTo(operator)) > 0 })
	time.Sleep(200 * time.Millisecond)
	if n := len(e.l.DeliveredTo(operator)); n != 1 {
		t.Errorf("%d sign-in mails to the staff member within a minute, want 1", n)
	}
	link := linkRE.FindString(strings.NewReplacer("=\r\n", "", "=3D", "=").Replace(string(e.l.DeliveredTo(operator)[0].Raw)))
	if code, body := e.client().signIn(link); code != 200 || !strings.Contains(body, "Pratiche aperte") {
		t.Errorf("the staff member could not sign in: %d", code)
	}
	// A minute later they get a fresh link again, whoever asked in between.
	e.offset.Add(int64(linkEvery))
	post("198.51.0.1", operator)
	e.srv.pending.Wait()
	wait.For(e.t, "a second sign-in mail", func() bool { return len(e.l.DeliveredTo(operator)) == 2 })
}

// TestSignInSamePath: a staff address and any other get the same answer, and neither writes
// anything before the answer is sent: the link is recorded and queued afterwards (the mail
// itself is followed in TestSignInFlood).
func TestSignInSamePath(t *testing.T) {
	s, store := bare(t)
	var later []func()
	s.later = func(f func()) { later = append(later, f) }
	h := s.Handler()
	answer := func(email string) (string, int64) {
		before := store.Writes()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, form("/accesso", url.Values{"email": {email}}))
		return w.Body.String(), store.Writes() - before
	}
	staffPage, staffWrites := answer(operator)
	otherPage, otherWrites := answer("intruso@example.com")
	if staffPage != otherPage {
		t.Error("the answer differs for a staff address")
	}
	if staffWrites != 0 || otherWrites != 0 {
		t.Errorf("writes before the answer: staff %d, other %d", staffWrites, otherWrites)
	}
	if len(later) != 1 {
		t.Fatalf("%d mails left for after the answer, want 1 (the staff member's)", len(later))
	}
}

// bare is a console over a store of its own, with no daemon writing beside it.
func bare(t *testing.T) (*Server, *ticketing.Store) {
	store, err := ticketing.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := &mailbot.Config{Staff: mailbot.StaffConfig{Addresses: []string{operator}},
		Console: mailbot.ConsoleConfig{PublicURL: "http://127.0.0.1:1"}}
	return New(cfg, store, nil, slog.New(slog.DiscardHandler), time.Now), store
}

// TestAnonymousFloodNoWrites: requests without a live session, however made (no cookie,
// garbage, a well-formed unknown token, made-up links, non-staff sign-in requests, oversized
// forms), never open a write transaction on the daemon's single writer.
func TestAnonymousFloodNoWrites(t *testing.T) {
	s, store := bare(t)
	h := s.Handler()
	unknown, _ := token()
	before := store.Writes()
	codes := map[int]int{}
	for i := range 500 {
		var r *http.Request
		switch i % 6 {
		case 0:
			r = httptest.NewRequest("GET", "/", nil)
			r.AddCookie(&http.Cookie{Name: cookieName, Value: strings.Repeat("x", i%80)})
		case 1:
			r = httptest.NewRequest("GET", "/pratiche/INT-2026-00001", nil)
			r.AddCookie(&http.Cookie{Name: cookieName, Value: unknown})
		case 2:
			r = form("/accesso/entra", url.Values{"t": {fmt.Sprintf("garbage-%d", i)}})
		case 3:
			tok, _ := token()
			r = form("/accesso/entra", url.Values{"t": {tok}})
		case 4:
			r = form("/accesso", url.Values{"email": {fmt.Sprintf("a%d@example.com", i)}})
		case 5:
			r = form("/pratiche/INT-2026-00001", url.Values{"azione": {"nota"}, "testo": {strings.Repeat("x", maxForm)}})
			r.AddCookie(&http.Cookie{Name: cookieName, Value: unknown})
		}
		r.RemoteAddr = fmt.Sprintf("198.51.100.%d:4000", i%250)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		codes[w.Code]++
	}
	s.pending.Wait()
	if n := store.Writes() - before; n != 0 {
		t.Errorf("%d write transactions opened by anonymous requests, want 0 (answers %v)", n, codes)
	}
	if codes[http.StatusRequestEntityTooLarge] == 0 {
		t.Errorf("no oversized form refused: %v", codes)
	}
}

func form(path string, v url.Values) *http.Request {
	r := httptest.NewRequest("POST", path, strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// TestSessionEnds: a session ends after session_max however busy, and at once when its owner
// leaves the staff list; it does not come back if they return.
func TestSessionEnds(t *testing.T) {
	e := start(t)
	c := e.client()
	if code, _ := c.signIn(c.mailedLink(operator)); code != 200 {
		t.Fatal("sign in")
	}
	for h := time.Duration(0); h < 12*time.Hour; h += 2 * time.Hour {
		e.offset.Store(int64(h))
		if _, body := c.do("GET", "/", nil); !strings.Contains(body, "Pratiche aperte") {
			t.Fatalf("session ended after %v of use", h)
		}
	}
	e.offset.Store(int64(12*time.Hour + time.Minute))
	if _, body := c.do("GET", "/", nil); !strings.Contains(body, "Accesso alla console") {
		t.Error("session still open past session_max")
	}
}
