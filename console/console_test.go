package console

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mailbot/internal/demo"
	"mailbot/internal/localmail"
	"mailbot/internal/wait"
	"mailbot/mailbot"
	"mailbot/ticketing"
)

const (
	operator = "operatore@regione.veneto.it"
	referent = "referente@comune.venezia.it"
)

// env is a daemon against an in-process mail system, with the console in front of it.
type env struct {
	t      *testing.T
	l      *localmail.LocalMail
	d      *mailbot.Daemon
	cfg    *mailbot.Config
	url    string
	offset *atomic.Int64 // the fake clock's advance
	srv    *Server
}

func start(t *testing.T, emls ...string) *env {
	t.Helper()
	l, err := localmail.Start(demo.CallCenter, demo.Cluster, referent, operator, "intruso@example.com")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	cfg := demo.Config(l, t.TempDir())
	cfg.Staff.Addresses = []string{operator, "collega@regione.veneto.it"}
	srv := httptest.NewUnstartedServer(nil)
	cfg.Console = mailbot.ConsoleConfig{Listen: srv.Listener.Addr().String(), PublicURL: "http://" + srv.Listener.Addr().String()}
	offset := new(atomic.Int64)
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := mailbot.NewDaemon(cfg, log, now)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; d.Close() })
	cs := New(cfg, d.Store, d.Intake, log, now)
	srv.Config.Handler = cs.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	e := &env{t: t, l: l, d: d, cfg: cfg, url: cfg.Console.PublicURL, offset: offset, srv: cs}
	for _, name := range emls {
		raw, err := os.ReadFile("../internal/demo/testdata/demo/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Deliver(l, raw); err != nil {
			t.Fatal(err)
		}
	}
	if len(emls) > 0 {
		wait.For(e.t, "the tickets", func() bool {
			list, err := d.Store.Tickets(context.Background())
			// Quiet too: a reply recorded as sent after the test reads a case would change it.
			_, pending, perr := d.Store.NextDue(context.Background())
			return err == nil && len(list) > 0 && len(l.DeliveredTo(referent)) > 0 && perr == nil && !pending
		})
	}
	return e
}

// client is a browser without JavaScript: cookies, redirects followed.
type client struct {
	e *env
	c *http.Client
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, c: &http.Client{Jar: jar}}
}

func (c *client) do(method, path string, form url.Values) (int, string) {
	c.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.e.url+path, body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var linkRE = regexp.MustCompile(`http://[^\s"<>]+/accesso/entra\?t=[A-Za-z0-9_%-]+`)

// mailedLink asks for a sign-in link for addr and returns the one that arrives in its mailbox.
func (c *client) mailedLink(addr string) string {
	c.e.t.Helper()
	before := len(c.e.l.DeliveredTo(addr))
	if code, body := c.do("POST", "/accesso", url.Values{"email": {addr}}); code != 200 || !strings.Contains(body, "Controlli la posta") {
		c.e.t.Fatalf("sign-in request: %d %s", code, body)
	}
	var link string
	wait.For(c.e.t, "the sign-in mail", func() bool {
		// Other mail (a notice of a new case) may reach the address meanwhile: look at each.
		for _, m := range c.e.l.DeliveredTo(addr)[before:] {
			if link = linkRE.FindString(strings.NewReplacer("=\r\n", "", "=3D", "=").Replace(string(m.Raw))); link != "" {
				return true
			}
		}
		return false
	})
	if link == "" {
		c.e.t.Fatal("no link in the sign-in mail")
	}
	return link
}

// signIn opens a mailed link and presses the button, as a person would.
func (c *client) signIn(link string) (int, string) {
	c.e.t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		c.e.t.Fatal(err)
	}
	code, body := c.do("GET", "/accesso/entra?"+u.RawQuery, nil)
	if code != 200 || !strings.Contains(body, "Entra") {
		c.e.t.Fatalf("confirmation page: %d %s", code, body)
	}
	return c.do("POST", "/accesso/entra", url.Values{"t": {u.Query().Get("t")}})
}

var (
	csrfRE    = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)
	versionRE = regexp.MustCompile(`name="versione" value="([^"]+)"`)
)

func field(re *regexp.Regexp, body string) string {
	m := re.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestSignInAndActions(t *testing.T) {
	e := start(t, "01-richiesta-venezia.eml")
	list, _ := e.d.Store.Tickets(context.Background())
	id := list[0].ID

	anon := e.client()
	if code, body := anon.do("GET", "/", nil); code != 200 || !strings.Contains(body, "Accesso alla console") {
		t.Fatalf("unsigned queue: %d, want the sign-in page", code)
	}
	// Not on the staff list: the same page, and no mail.
	if code, body := anon.do("POST", "/accesso", url.Values{"email": {"intruso@example.com"}}); code != 200 || !strings.Contains(body, "Controlli la posta") {
		t.Fatalf("non-staff request: %d", code)
	}

	c := e.client()
	link := c.mailedLink(operator)
	if code, body := c.signIn(link); code != 200 || !strings.Contains(body, id) {
		t.Fatalf("signed in: %d, queue without %s:\n%s", code, id, body)
	}
	if n := len(e.l.DeliveredTo("intruso@example.com")); n != 0 {
		t.Errorf("non-staff address got %d mails", n)
	}
	// The link works once.
	if code, body := e.client().signIn(link); code != 403 || !strings.Contains(body, "già usato o scaduto") {
		t.Errorf("reused link: %d", code)
	}
	// The outbox keeps the sign-in mail with the link masked.
	var raw string
	for _, d := range e.l.DeliveredTo(operator) {
		raw += string(d.Raw)
	}
	if !strings.Contains(raw, "accesso/entra") {
		t.Fatal("sign-in mail without link")
	}

	// Filters and search.
	for _, q := range []struct {
		query string
		in    bool
	}{{"q=venezia", true}, {"q=" + strings.ToLower(id), true}, {"q=padova", false}, {"assegnatario=none", true}, {"assegnatario=mine", false}, {"turno=regione", false}} {
		_, body := c.do("GET", "/?"+q.query, nil)
		if strings.Contains(body, `href="/pratiche/`+id+`"`) != q.in {
			t.Errorf("queue ?%s: %s listed = %v", q.query, id, !q.in)
		}
	}

	_, page := c.do("GET", "/pratiche/"+id, nil)
	csrf, ver := field(csrfRE, page), field(versionRE, page)
	if csrf == "" || ver == "" {
		t.Fatalf("case page without csrf or version:\n%s", page)
	}
	events := func() int {
		ev, err := e.d.Store.Events(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return len(ev)
	}
	n := events()
	// A POST without the CSRF token changes nothing.
	if code, _ := c.do("POST", "/pratiche/"+id, url.Values{"azione": {"nota"}, "testo": {"senza token"}, "versione": {ver}}); code != 403 {
		t.Errorf("POST without CSRF: %d", code)
	}
	if code, _ := c.do("POST", "/pratiche/"+id, url.Values{"azione": {"nota"}, "testo": {"token sbagliato"}, "versione": {ver}, "csrf": {strings.Repeat("0", 32)}}); code != 403 {
		t.Errorf("POST with a wrong CSRF: %d", code)
	}
	if events() != n {
		t.Fatal("a refused POST changed the case")
	}
	// Assign to me: through Intake.Apply, recorded as by the staff member via the console.
	code, body := c.do("POST", "/pratiche/"+id, url.Values{"azione": {"assegna"}, "a": {"me"}, "versione": {ver}, "csrf": {csrf}})
	if code != 200 || !strings.Contains(body, "pratica assegnata a "+operator) {
		t.Fatalf("assign: %d\n%s", code, body)
	}
	tk, _ := e.d.Store.Ticket(context.Background(), id)
	if tk.Assignee != operator {
		t.Errorf("assignee %q", tk.Assignee)
	}
	// The page the action was decided on is now stale.
	code, body = c.do("POST", "/pratiche/"+id, url.Values{"azione": {"nota"}, "testo": {"vecchia pagina"}, "versione": {ver}, "csrf": {csrf}})
	if code != 409 || !strings.Contains(body, "La pratica è cambiata, ricaricare") {
		t.Errorf("stale action: %d", code)
	}
	if _, body := c.do("GET", "/?assegnatario=mine", nil); !strings.Contains(body, `href="/pratiche/`+id+`"`) {
		t.Error("mine: case not listed")
	}
	// Mark the case, find it among the marked ones, take the mark off.
	_, page = c.do("GET", "/pratiche/"+id, nil)
	code, body = c.do("POST", "/pratiche/"+id, url.Values{"azione": {"segnala"}, "testo": {"richiamare il referente"}, "versione": {field(versionRE, page)}, "csrf": {csrf}})
	if code != 200 || !strings.Contains(body, "pratica segnalata") {
		t.Errorf("mark: %d", code)
	}
	// The queue says why it waits by the flag's kind, not its text.
	if _, list := c.do("GET", "/?segnalata=si", nil); !strings.Contains(list, `href="/pratiche/`+id+`"`) || !strings.Contains(list, ticketing.FlagStaff.Label()) {
		t.Error("the marked case is not among the marked ones, or without its reason")
	}
	_, page = c.do("GET", "/pratiche/"+id, nil)
	code, body = c.do("POST", "/pratiche/"+id, url.Values{"azione": {"segnala"}, "testo": {""}, "versione": {field(versionRE, page)}, "csrf": {csrf}})
	if tk, _ := e.d.Store.Ticket(context.Background(), id); code != 200 || tk.Flag != "" {
		t.Errorf("unmark: %d, flag %q", code, tk.Flag)
	}
	// A hostile note is shown as text.
	ver = field(versionRE, body)
	_, page = c.do("GET", "/pratiche/"+id, nil)
	ver = field(versionRE, page)
	code, body = c.do("POST", "/pratiche/"+id, url.Values{"azione": {"nota"}, "testo": {`<script>alert(1)</script>`}, "versione": {ver}, "csrf": {csrf}})
	if code != 200 || strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("hostile note: %d", code)
	}
	// A transition the state table refuses changes nothing.
	ver = field(versionRE, body)
	code, body = c.do("POST", "/pratiche/"+id, url.Values{"azione": {"stato"}, "stato": {"nonesiste"}, "motivo": {"prova"}, "versione": {ver}, "csrf": {csrf}})
	if code != 200 || !strings.Contains(body, "Non eseguito") {
		t.Errorf("bad transition: %d", code)
	}

	// Write to the referent: the text arrives in the referent's mailbox, in the case's thread.
	before := len(e.l.DeliveredTo(referent))
	_, page = c.do("GET", "/pratiche/"+id, nil)
	code, body = c.do("POST", "/pratiche/"+id, url.Values{"azione": {"scrivi"}, "testo": {"Gentile referente,\nmanca la firma sul modulo."}, "versione": {field(versionRE, page)}, "csrf": {csrf}})
	if code != 200 || !strings.Contains(body, "messaggio inviato a "+referent) {
		t.Errorf("write to the referent: %d", code)
	}
	wait.For(e.t, "the written answer, recorded as sent", func() bool {
		// Quiet too: the outbox recording the answer as sent after the next read would make
		// the page's version stale.
		_, pending, err := e.d.Store.NextDue(context.Background())
		return len(e.l.DeliveredTo(referent)) > before && err == nil && !pending
	})
	if got := string(e.l.DeliveredTo(referent)[before].Raw); !strings.Contains(got, "manca la firma sul modulo.") || !strings.Contains(got, "["+id+"]") {
		t.Errorf("the referent's mail:\n%s", got)
	}

	// Credentials: the state moved with a reason, then the values sent; the password reaches the
	// referent and is found nowhere afterwards (database, pages).
	_, page = c.do("GET", "/pratiche/"+id, nil)
	code, body = c.do("POST", "/pratiche/"+id, url.Values{"azione": {"stato"}, "stato": {ticketing.StateTestSetup}, "motivo": {"documenti verificati a mano"}, "versione": {field(versionRE, page)}, "csrf": {csrf}})
	if code != 200 || !strings.Contains(body, "stato "+ticketing.StateTestSetup) || !strings.Contains(body, "documenti verificati a mano") {
		t.Fatalf("state change: %d\n%s", code, body)
	}
	const password = "Segreta-Console-987"
	before = len(e.l.DeliveredTo(referent))
	code, body = c.do("POST", "/pratiche/"+id, url.Values{"azione": {"credenziali"}, "ambiente": {"collaudo"}, "codice_ipa": {"c_l736"},
		"password_mypay": {password}, "versione": {field(versionRE, body)}, "csrf": {csrf}})
	if code != 200 || !strings.Contains(body, "credenziali inviate") || strings.Contains(body, password) {
		t.Fatalf("credentials: %d\n%s", code, body)
	}
	wait.For(e.t, "the credentials", func() bool {
		for _, d := range e.l.DeliveredTo(referent)[before:] {
			if strings.Contains(string(d.Raw), password) {
				return true
			}
		}
		return false
	})
	wait.For(e.t, "the outbox to mark it sent", func() bool {
		st, err := e.d.Store.Stats(context.Background())
		return err == nil && st.OldestQueued.IsZero()
	})
	if _, page = c.do("GET", "/pratiche/"+id, nil); strings.Contains(page, password) {
		t.Error("the case page shows the password")
	}
	// The outbox replaces the sent mail with its redacted copy and scrubs the files.
	var where string
	wait.For(e.t, "the password to be gone from the data directory", func() bool {
		where = ""
		filepath.WalkDir(e.cfg.DataDir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if b, _ := os.ReadFile(path); bytes.Contains(b, []byte(password)) {
					where = path
				}
			}
			return nil
		})
		return where == ""
	})

	// Catalog entries: hidden (recorded), a field that does not exist refused.
	_, page = c.do("GET", "/pratiche/"+id, nil)
	code, body = c.do("POST", "/pratiche/"+id, url.Values{"azione": {"catalogo"}, "visibilita": {"nascondi"}, "versione": {field(versionRE, page)}, "csrf": {csrf}})
	if code != 200 || !strings.Contains(body, "#catalogo nascondi: correzione registrata nei cataloghi") {
		t.Errorf("catalog hide: %d\n%s", code, body)
	}
	code, body = c.do("POST", "/pratiche/"+id, url.Values{"azione": {"catalogo"}, "campo": {"nonesiste"}, "valore": {"x"}, "versione": {field(versionRE, body)}, "csrf": {csrf}})
	if code != 200 || !strings.Contains(body, "Non eseguito") {
		t.Errorf("catalog bad field: %d", code)
	}
	// Decided on a page that is no longer current: refused in the transaction, nothing recorded.
	code, _ = c.do("POST", "/pratiche/"+id, url.Values{"azione": {"catalogo"}, "visibilita": {"mostra"}, "versione": {field(versionRE, page)}, "csrf": {csrf}})
	if code != http.StatusConflict {
		t.Errorf("catalog correction on a stale page: %d", code)
	}

	// Sign out: the session is gone.
	if code, body := c.do("POST", "/esci", url.Values{"csrf": {csrf}}); code != 200 || !strings.Contains(body, "uscito") {
		t.Errorf("sign out: %d", code)
	}
	if _, body := c.do("GET", "/", nil); !strings.Contains(body, "Accesso alla console") {
		t.Error("queue shown after sign-out")
	}
}

// hostileMail is a request whose subject, body and attachment name are markup.
func hostileMail() []byte {
	b := "From: Attacco <attacco@example.com>\r\nTo: " + demo.CallCenter + "\r\n" +
		"Subject: Richiesta integrazione <script>window.__xss=3</script>\r\nMessage-ID: <hostile-1@example.com>\r\n" +
		"Date: Mon, 23 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n" +
		"--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBuongiorno <img src=x onerror=\"window.__xss=4\"> vorremmo aderire.\r\n" +
		"--XX\r\nContent-Type: text/html; name=\"<img src=x onerror=alert(5)>.html\"\r\nContent-Disposition: attachment; filename=\"<img src=x onerror=alert(5)>.html\"\r\n\r\n" +
		"<script>window.__xss=6</script>\r\n--XX--\r\n"
	return []byte(b)
}

// TestHostileMessageAsText: the thread shows a hostile message's subject, body and file name as
// text, and its attachment only as a download.
func TestHostileMessageAsText(t *testing.T) {
	e := start(t)
	if _, err := demo.Deliver(e.l, hostileMail()); err != nil {
		t.Fatal(err)
	}
	var id string
	wait.For(e.t, "the hostile case", func() bool {
		list, _ := e.d.Store.Tickets(context.Background())
		if len(list) > 0 {
			id = list[0].ID
		}
		return id != ""
	})
	c := e.client()
	if code, _ := c.signIn(c.mailedLink(operator)); code != 200 {
		t.Fatal("sign in")
	}
	_, page := c.do("GET", "/pratiche/"+id, nil)
	for _, want := range []string{"Buongiorno &lt;img src=x onerror=&#34;window.__xss=4&#34;&gt; vorremmo aderire.", "&lt;script&gt;window.__xss=3&lt;/script&gt;", "&lt;img src=x onerror=alert(5)&gt;.html</a>"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	link := regexp.MustCompile(`href="(/pratiche/[^"]+/allegati/0)"`).FindStringSubmatch(page)
	if link == nil {
		t.Fatal("no attachment link")
	}
	resp, err := c.c.Get(e.url + link[1])
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if ct, cd := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"); ct != "application/octet-stream" || !strings.HasPrefix(cd, "attachment") ||
		!strings.Contains(string(body), "window.__xss=6") {
		t.Errorf("attachment served as %q, %q: %q", ct, cd, body)
	}
	if code, _ := c.do("GET", "/pratiche/"+id+"/messaggi/999/allegati/0", nil); code != 404 {
		t.Errorf("another message's attachment: %d", code)
	}
}

// TestSentMailShown: mailbot's own answer is in the thread with its text and its attachments
// (the blank forms), downloadable like a received one.
func TestSentMailShown(t *testing.T) {
	e := start(t, "01-richiesta-venezia.eml")
	list, _ := e.d.Store.Tickets(context.Background())
	c := e.client()
	if code, _ := c.signIn(c.mailedLink(operator)); code != 200 {
		t.Fatal("sign in")
	}
	_, page := c.do("GET", "/pratiche/"+list[0].ID, nil)
	if !strings.Contains(page, "abbiamo aperto la pratica "+list[0].ID) {
		t.Fatalf("the acknowledgement's text is not in the thread:\n%s", page)
	}
	links := regexp.MustCompile(`href="(/pratiche/[^"]+/allegati/\d+)"[^>]*>([^<]+\.pdf)<`).FindAllStringSubmatch(page, -1)
	if len(links) == 0 {
		t.Fatal("no blank form listed with the acknowledgement")
	}
	resp, err := c.c.Get(e.url + links[0][1])
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.HasPrefix(body, []byte("%PDF-")) {
		t.Errorf("blank form %s: %d, %q", links[0][2], resp.StatusCode, body[:min(len(body), 20)])
	}
}

// TestTwoStaffOnePage: two actions decided on the same view of a case: the first acts, the
// second is refused in its own transaction and changes nothing.
func TestTwoStaffOnePage(t *testing.T) {
	e := start(t, "01-richiesta-venezia.eml")
	list, _ := e.d.Store.Tickets(context.Background())
	tk := list[0]
	if _, err := e.d.Intake.ApplyUnchanged(context.Background(), tk.ID, "assegna", operator, nil, "a", tk.UpdatedAt); err != nil {
		t.Fatal(err)
	}
	if _, err := e.d.Intake.ApplyUnchanged(context.Background(), tk.ID, "assegna", "collega@regione.veneto.it", nil, "b", tk.UpdatedAt); !errors.Is(err, mailbot.ErrStale) {
		t.Errorf("second action on the same view: %v", err)
	}
	if now, _ := e.d.Store.Ticket(context.Background(), tk.ID); now.Assignee != operator {
		t.Errorf("assignee %q", now.Assignee)
	}
}

func TestExpiredLink(t *testing.T) {
	e := start(t)
	var link string
	err := e.d.Store.Update(context.Background(), func(tx *ticketing.Tx) error {
		var err error
		link, _, err = IssueLink(tx, e.cfg, operator, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.offset.Store(int64(LinkValid + time.Minute))
	if code, _ := e.client().signIn(link); code != 403 {
		t.Errorf("expired link: %d", code)
	}
	if err := e.d.Store.Update(context.Background(), func(tx *ticketing.Tx) error {
		_, _, err := IssueLink(tx, e.cfg, "intruso@example.com", time.Now())
		return err
	}); err == nil {
		t.Error("link issued for an address not on the staff list")
	}
}

// TestCookieAndOrigin: the session cookie is HttpOnly and SameSite=Strict (Secure under an
// https public_url); a form posted from another site is refused before anything happens.
func TestCookieAndOrigin(t *testing.T) {
	e := start(t)
	c := e.client()
	link := c.mailedLink(operator)
	u, _ := url.Parse(link)
	req, _ := http.NewRequest("POST", e.url+"/accesso/entra", strings.NewReader(url.Values{"t": {u.Query().Get("t")}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("cross-site POST: %d", resp.StatusCode)
	}
	// The refused request did not spend the link.
	req, _ = http.NewRequest("POST", e.url+"/accesso/entra", strings.NewReader(url.Values{"t": {u.Query().Get("t")}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ck := resp.Header.Get("Set-Cookie")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(ck, "HttpOnly") || !strings.Contains(ck, "SameSite=Strict") || strings.Contains(ck, "Secure") {
		t.Errorf("sign in: %d, cookie %q", resp.StatusCode, ck)
	}
	s := New(&mailbot.Config{Console: mailbot.ConsoleConfig{PublicURL: "https://a.example.it/console"}}, nil, nil, nil, time.Now)
	if !s.secure || s.base != "/console" {
		t.Errorf("https public_url: secure %v, base %q", s.secure, s.base)
	}
}

// TestSessionIdle: a session unused for 8 hours ends; used within them, it lasts.
func TestSessionIdle(t *testing.T) {
	e := start(t)
	e.srv.sessionMax = 7 * 24 * time.Hour // the absolute lifetime has its own test
	c := e.client()
	if code, body := c.signIn(c.mailedLink(operator)); code != 200 || !strings.Contains(body, "Pratiche aperte") {
		t.Fatalf("sign in: %d", code)
	}
	e.offset.Store(int64(SessionIdle - time.Minute))
	if _, body := c.do("GET", "/", nil); !strings.Contains(body, "Pratiche aperte") {
		t.Error("session ended before the idle timeout")
	}
	e.offset.Store(int64(2*SessionIdle - 2*time.Minute)) // 8 h after the last use, less a minute
	if _, body := c.do("GET", "/", nil); !strings.Contains(body, "Pratiche aperte") {
		t.Error("session ended although used within the idle timeout")
	}
	e.offset.Store(int64(3*SessionIdle + time.Minute))
	if _, body := c.do("GET", "/", nil); !strings.Contains(body, "Accesso alla console") {
		t.Error("idle session still open")
	}
}

func TestSignInRateLimit(t *testing.T) {
	e := start(t)
	c := e.client()
	var last int
	for range signInPerClient + 1 {
		last, _ = c.do("POST", "/accesso", url.Values{"email": {"nessuno@example.com"}})
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("request over the limit: %d", last)
	}
}

// TestQuarantine: a message kept outside any case is listed; attached to a case, or a case
// opened for it, or dismissed, each recorded; it then leaves the list.
func TestQuarantine(t *testing.T) {
	e := start(t, "01-richiesta-venezia.eml")
	list, _ := e.d.Store.Tickets(context.Background())
	venezia := list[0].ID
	var kept []ticketing.Message
	for i, from := range []string{"sconosciuto1@example.com", "sconosciuto2@example.com", "sconosciuto3@example.com"} {
		raw := "From: " + from + "\r\nTo: " + demo.CallCenter + "\r\nAuto-Submitted: auto-replied\r\nSubject: Buongiorno " + strconv.Itoa(i) + "\r\nMessage-ID: <q" + strconv.Itoa(i) +
			"@example.com>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\nContent-Type: text/plain\r\n\r\nSalve.\r\n"
		if _, err := demo.Deliver(e.l, []byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	wait.For(e.t, "the quarantine", func() bool {
		kept, _ = e.d.Store.QuarantineQueue(context.Background())
		return len(kept) >= 3
	})
	c := e.client()
	c.signIn(c.mailedLink(operator))
	_, page := c.do("GET", "/trattenuti", nil)
	csrf := field(csrfRE, page)
	for _, m := range kept {
		if !strings.Contains(page, m.Subject) {
			t.Errorf("quarantine page lacks %q", m.Subject)
		}
	}
	post := func(m ticketing.Message, v url.Values) string {
		v.Set("csrf", csrf)
		_, body := c.do("POST", "/trattenuti/"+strconv.FormatInt(m.ID, 10), v)
		return body
	}
	if body := post(kept[0], url.Values{"azione": {"allega"}, "pratica": {strings.ToLower(venezia)}}); !strings.Contains(body, "aggiunto alla pratica "+venezia) {
		t.Errorf("attach:\n%s", body)
	}
	if body := post(kept[1], url.Values{"azione": {"apri"}, "tipo": {"integration"}}); !strings.Contains(body, "Aperta la pratica") {
		t.Errorf("open:\n%s", body)
	}
	if body := post(kept[2], url.Values{"azione": {"scarta"}}); !strings.Contains(body, "Messaggio scartato.") {
		t.Errorf("dismiss:\n%s", body)
	}
	if body := post(kept[2], url.Values{"azione": {"scarta"}}); !strings.Contains(body, "già trattato") {
		t.Errorf("dismissed twice:\n%s", body)
	}
	if left, _ := e.d.Store.QuarantineQueue(context.Background()); len(left) != len(kept)-3 {
		t.Errorf("still kept: %d", len(left))
	}
	msgs, _ := e.d.Store.Messages(context.Background(), venezia)
	ev, _ := e.d.Store.Events(context.Background(), venezia)
	if !slices.ContainsFunc(msgs, func(m ticketing.Message) bool { return m.ID == kept[0].ID }) ||
		!slices.ContainsFunc(ev, func(v ticketing.Event) bool {
			return strings.HasPrefix(v.By, operator) && strings.Contains(v.Text, "messaggio trattenuto")
		}) {
		t.Error("attached message not in the case, or not recorded")
	}
}

// TestConfirmFromTheCasePage: a value read with doubt has its button on the case page; the
// button confirms the value as read, recorded as by the staff member, and the row is no longer
// in doubt.
func TestConfirmFromTheCasePage(t *testing.T) {
	e := start(t, "01-richiesta-venezia.eml")
	ctx := context.Background()
	list, _ := e.d.Store.Tickets(ctx)
	id := list[0].ID
	const form = "qualificazione_ente_prodotto"
	if err := e.d.Store.Update(ctx, func(tx *ticketing.Tx) error {
		return tx.AddForm(id, ticketing.Form{MessageID: "m", Type: form, Source: "ente-prodotto.pdf",
			Fields: map[string]any{"ente.codice_ipa": "c_l736"},
			Provenance: map[string]ticketing.Provenance{"ente.codice_ipa": {Document: "ente-prodotto.pdf", Where: "pagina 1",
				How: "table", Doubt: "etichetta simile"}},
			ReceivedAt: time.Now()})
	}); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	c.signIn(c.mailedLink(operator))
	_, page := c.do("GET", "/pratiche/"+id, nil)
	if !strings.Contains(page, `name="azione" value="conferma"><input type="hidden" name="chiave" value="`+form+`.ente.codice_ipa">`) {
		t.Fatalf("no confirm button for the doubtful value:\n%s", page)
	}
	code, body := c.do("POST", "/pratiche/"+id, url.Values{"azione": {"conferma"}, "chiave": {form + ".ente.codice_ipa"},
		"versione": {field(versionRE, page)}, "csrf": {field(csrfRE, page)}})
	if code != 200 || !strings.Contains(body, "valore confermato come letto") {
		t.Fatalf("confirm: %d\n%s", code, body)
	}
	forms, _ := e.d.Store.Forms(ctx, id)
	cf := mailbot.CaseFile(ticketing.KindIntegration, forms, nil)
	if p := cf.Forms[form].Provenance["ente.codice_ipa"]; !p.Sure || p.How != ticketing.HowStaff || !strings.Contains(p.Document, operator) {
		t.Errorf("provenance after the confirm %+v", p)
	}
	if strings.Contains(body, `name="chiave" value="`+form+`.ente.codice_ipa"`) {
		t.Errorf("the confirmed value still has its button")
	}
}
