// Package templates holds every text a person reads: the Italian mails mailbot sends, rendered
// from embedded templates as a plain-text and an HTML part that say the same.
package templates

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"sync"
	texttemplate "text/template"
)

//go:embed mail/*.txt mail/*.html
var mailFS embed.FS

// Mail is a rendered message body.
type Mail struct {
	Subject string // from the template's "subject" block, if it has one
	Text    string
	HTML    string
}

// parsed parses the templates at the first mail, not when the program starts: parsing takes
// ~30 ms, and every read worker (the same binary, which never renders a mail) paid it at its
// start. The daemon parses them before it answers anything (Parse).
var parsed = sync.OnceValues(func() (*texttemplate.Template, *htmltemplate.Template) {
	return texttemplate.Must(texttemplate.New("").Funcs(texttemplate.FuncMap(funcs)).ParseFS(mailFS, "mail/*.txt")),
		htmltemplate.Must(htmltemplate.New("").Funcs(htmltemplate.FuncMap(funcs)).ParseFS(mailFS, "mail/*.html"))
})

// Parse parses the templates now rather than at the first mail.
func Parse() { parsed() }

var funcs = map[string]any{
	"join":      strings.Join,
	"hasPrefix": strings.HasPrefix,
}

// Render renders the mail called name (mail/name.txt and mail/name.html) with data.
func Render(name string, data any) (Mail, error) {
	var m Mail
	var b bytes.Buffer
	textT, htmlT := parsed()
	if err := textT.ExecuteTemplate(&b, name+".txt", data); err != nil {
		return m, fmt.Errorf("render %s text: %w", name, err)
	}
	m.Text = strings.TrimSpace(b.String()) + "\n"
	b.Reset()
	if err := htmlT.ExecuteTemplate(&b, name+".html", data); err != nil {
		return m, fmt.Errorf("render %s html: %w", name, err)
	}
	m.HTML = b.String()
	b.Reset()
	if t := textT.Lookup(name + ".subject"); t != nil {
		if err := t.Execute(&b, data); err != nil {
			return m, fmt.Errorf("render %s subject: %w", name, err)
		}
		m.Subject = strings.TrimSpace(b.String())
	}
	return m, nil
}
