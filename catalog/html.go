package catalog

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"time"
)

//go:embed assets/*.css assets/*.txt assets/fonts
var assetFS embed.FS

//go:embed page.html.tmpl
var pageTmpl string

// Assets returns the files the pages link to, keyed by path ("assets/...").
func Assets() map[string][]byte {
	out := map[string][]byte{}
	fs.WalkDir(assetFS, "assets", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := assetFS.ReadFile(path)
		out[path] = b
		return err
	})
	return out
}

// pageScript sorts and filters the table in the page: no server round trip, nothing external.
// It is the only script and the Content-Security-Policy allows exactly it, by its hash.
const pageScript = `(function () {
  var table = document.getElementById('tabella');
  if (!table) return;
  var body = table.tBodies[0];
  var input = document.getElementById('filtro');
  var status = document.getElementById('conteggio');
  var none = document.getElementById('nessuna');
  var rows = Array.prototype.slice.call(body.rows);
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var collator = new Intl.Collator('it', {numeric: true, sensitivity: 'base'});
  function norm(s) { return s.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, ''); }
  function count() {
    var n = rows.filter(function (r) { return !r.hidden; }).length;
    status.textContent = (n === 1 ? '1 voce' : n + ' voci') + (input.value.trim() ? ' su ' + rows.length : '');
    none.hidden = n > 0 || rows.length === 0;
  }
  input.addEventListener('input', function () {
    var words = norm(input.value).split(/\s+/).filter(Boolean);
    rows.forEach(function (r) {
      var text = norm(r.textContent);
      r.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
    });
    count();
  });
  heads.forEach(function (th, i) {
    th.querySelector('button').addEventListener('click', function () {
      var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
      heads.forEach(function (h) { h.setAttribute('aria-sort', 'none'); });
      th.setAttribute('aria-sort', dir);
      function key(r) { var c = r.cells[i]; return c.getAttribute('data-sort') || c.textContent.trim(); }
      rows.sort(function (a, b) { var x = collator.compare(key(a), key(b)); return dir === 'ascending' ? x : -x; });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  count();
})();`

// CSP is the Content-Security-Policy of the pages, sent by the server and repeated in each page
// (for copies served by another web server or opened from disk): their own style sheet and
// fonts, the data: images and font Bootstrap Italia's CSS embeds, and the one inline script.
func CSP() string {
	sum := sha256.Sum256([]byte(pageScript))
	return "default-src 'none'; style-src 'self'; font-src 'self' data:; img-src 'self' data:; script-src 'sha256-" +
		base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; form-action 'none'"
}

var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"cell": func(e Entry, col Column) string {
		if col.Kind == Date {
			if t, err := time.Parse("2006-01-02", e.Text(col.Field)); err == nil {
				return t.Format("02/01/2006")
			}
		}
		return e.Text(col.Field)
	},
}).Parse(pageTmpl))

type pageData struct {
	Set       *Set
	Cat       *Catalog // nil for the index
	Columns   []Column // shown: every column but the ticket
	Downloads bool
	Updated   string
	Script    template.JS
	CSP       string
}

func (s *Set) pageData(c *Catalog, downloads bool) pageData {
	d := pageData{Set: s, Cat: c, Downloads: downloads, Script: template.JS(pageScript), CSP: CSP()}
	loc := s.Loc
	if loc == nil {
		loc = time.UTC
	}
	d.Updated = s.GeneratedAt.In(loc).Format("02/01/2006 alle 15:04")
	if c != nil {
		for _, col := range c.Columns {
			if col.Field != idColumn.Field {
				d.Columns = append(d.Columns, col)
			}
		}
	}
	return d
}

// Page renders one catalog as an accessible Italian HTML page (Bootstrap Italia look, a table
// with caption and header scopes, a skip link, a filter box and sortable columns). downloads
// adds links to the catalog's CSV and JSON files, which must sit beside it.
func (s *Set) Page(name string, downloads bool) ([]byte, error) {
	c := s.Get(name)
	if c == nil {
		return nil, fmt.Errorf("no catalog %q", name)
	}
	var b bytes.Buffer
	if err := page.Execute(&b, s.pageData(c, downloads)); err != nil {
		return nil, fmt.Errorf("render %s.html: %w", name, err)
	}
	return b.Bytes(), nil
}

// Index renders the page that lists the three catalogs.
func (s *Set) Index() ([]byte, error) {
	var b bytes.Buffer
	if err := page.Execute(&b, s.pageData(nil, false)); err != nil {
		return nil, fmt.Errorf("render index.html: %w", err)
	}
	return b.Bytes(), nil
}
