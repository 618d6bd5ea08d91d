package console

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
	"path"
	"strings"
	"time"

	"mailbot/catalog"
	"mailbot/templates/say"
	"mailbot/ticketing"
)

//go:embed pages.html.tmpl
var pagesTmpl string

//go:embed console.css
var consoleCSS []byte

// page is what every page's template sees.
type page struct {
	Title      string
	Base       string
	Me         staff
	Error      string
	Token      string // of a sign-in link, on the confirmation page
	OIDC       string // the identity provider's name, when staff may sign in through it
	Queue      *Queue
	Case       *Case
	Quarantine *Quarantine
	Held       *Held
	loc        *time.Location
}

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"label": ticketing.StateLabel,
	"turn": func(w string) string {
		switch w {
		case ticketing.WaitingEnte:
			return "ente"
		case ticketing.WaitingRegione:
			return "Regione"
		}
		return "nessuno"
	},
	"kind": func(k string) string {
		if k == ticketing.KindQualification {
			return "qualificazione"
		}
		return "integrazione"
	},
	"join":     strings.Join,
	"distinct": distinctReadings,
	"envs":     sortedEnvs,
	"value":    formValue,
	"sorted": func(m map[string]any) []string {
		return sortedKeys(m)
	},
}).Parse(pagesTmpl))

// render writes a page; every value reaches the HTML through html/template, so a subject, a body
// or a form value is text, whatever it holds.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.Base = s.base
	p.loc = s.cfg.Location()
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, name, p); err != nil {
		s.log.Error("console: render", "page", name, "err", err)
		http.Error(w, say.Text("console.render_error"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// fail shows an error page with a message in Italian.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, "error", page{Title: "Errore", Error: msg, Me: who(r)})
}

// When formats a time for people, in the configured zone.
func (p page) When(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(p.loc).Format("02/01/2006 15:04")
}

// asset serves the style sheets and fonts the catalogs embed, and the console's own sheet.
func (s *Server) asset(w http.ResponseWriter, r *http.Request) {
	p := path.Clean(strings.TrimPrefix(r.URL.Path, "/"))
	var body []byte
	ctype := "text/css; charset=utf-8"
	if p == "assets/console.css" {
		body = consoleCSS
	} else if b, ok := catalog.Assets()[p]; ok && !strings.HasSuffix(p, ".txt") {
		body = b
		if strings.HasSuffix(p, ".woff2") {
			ctype = "font/woff2"
		}
	} else {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "private, max-age=3600")
	http.ServeContent(w, r, p, time.Time{}, bytes.NewReader(body))
}
