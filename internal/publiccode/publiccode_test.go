// Package publiccode checks the repository's publiccode.yml against the rules of the Developers
// Italia standard (https://yml.publiccode.tools, version 0.4) that no validator from the package
// registries is available to check: required keys, allowed values, text lengths.
package publiccode

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

type description struct {
	ShortDescription string   `yaml:"shortDescription"`
	LongDescription  string   `yaml:"longDescription"`
	Features         []string `yaml:"features"`
}

type file struct {
	Version           string                 `yaml:"publiccodeYmlVersion"`
	Name              string                 `yaml:"name"`
	URL               string                 `yaml:"url"`
	ReleaseDate       string                 `yaml:"releaseDate"`
	Platforms         []string               `yaml:"platforms"`
	Categories        []string               `yaml:"categories"`
	DevelopmentStatus string                 `yaml:"developmentStatus"`
	SoftwareType      string                 `yaml:"softwareType"`
	Description       map[string]description `yaml:"description"`
	Legal             struct {
		License string `yaml:"license"`
	} `yaml:"legal"`
	Maintenance struct {
		Type     string `yaml:"type"`
		Contacts []struct {
			Name  string `yaml:"name"`
			Email string `yaml:"email"`
		} `yaml:"contacts"`
	} `yaml:"maintenance"`
	Localisation struct {
		Ready     *bool    `yaml:"localisationReady"`
		Languages []string `yaml:"availableLanguages"`
	} `yaml:"localisation"`
	IT struct {
		Piattaforme map[string]bool `yaml:"piattaforme"`
	} `yaml:"it"`
}

func TestPubliccodeYML(t *testing.T) {
	raw, err := os.ReadFile("../../publiccode.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f file
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("publiccode.yml: %v", err)
	}
	check := func(ok bool, format string, args ...any) {
		t.Helper()
		if !ok {
			t.Errorf(format, args...)
		}
	}
	check(f.Version == "0.4", "publiccodeYmlVersion %q, want \"0.4\"", f.Version)
	check(f.Name != "", "name is required")
	check(strings.HasPrefix(f.URL, "https://"), "url %q must be an https URL", f.URL)
	_, err = time.Parse("2006-01-02", f.ReleaseDate)
	check(err == nil, "releaseDate %q is not YYYY-MM-DD", f.ReleaseDate)
	check(len(f.Platforms) > 0, "platforms is required")
	check(len(f.Categories) > 0, "categories is required")
	for _, c := range f.Categories {
		check(regexp.MustCompile(`^[a-z]+(-[a-z]+)*$`).MatchString(c), "category %q is not a standard category key", c)
	}
	check(slices.Contains([]string{"concept", "development", "beta", "stable", "obsolete"}, f.DevelopmentStatus),
		"developmentStatus %q", f.DevelopmentStatus)
	check(slices.Contains([]string{"standalone/mobile", "standalone/iot", "standalone/desktop", "standalone/web",
		"standalone/backend", "standalone/other", "addon", "library", "configurationFiles"}, f.SoftwareType),
		"softwareType %q", f.SoftwareType)
	for _, lang := range []string{"it", "en"} {
		d, ok := f.Description[lang]
		check(ok, "description in %q is missing", lang)
		n := utf8.RuneCountInString(strings.TrimSpace(d.ShortDescription))
		check(n > 0 && n <= 150, "description.%s.shortDescription has %d characters (1..150)", lang, n)
		n = utf8.RuneCountInString(strings.TrimSpace(d.LongDescription))
		check(n >= 150 && n <= 10000, "description.%s.longDescription has %d characters (150..10000)", lang, n)
		check(len(d.Features) > 0, "description.%s.features is required", lang)
		for _, ft := range d.Features {
			check(utf8.RuneCountInString(ft) <= 100, "feature %q is over 100 characters", ft)
		}
	}
	check(f.Legal.License == "EUPL-1.2", "legal.license %q, want EUPL-1.2", f.Legal.License)
	lic, err := os.ReadFile("../../LICENSE")
	check(err == nil && strings.HasPrefix(string(lic), "EUROPEAN UNION PUBLIC LICENCE v. 1.2"), "LICENSE is not the EUPL-1.2 text")
	check(slices.Contains([]string{"internal", "contract", "community", "none"}, f.Maintenance.Type), "maintenance.type %q", f.Maintenance.Type)
	check(len(f.Maintenance.Contacts) > 0, "maintenance.contacts is required for internal maintenance")
	for _, c := range f.Maintenance.Contacts {
		check(c.Name != "" && strings.Contains(c.Email, "@"), "contact %+v needs a name and an email", c)
	}
	check(f.Localisation.Ready != nil, "localisation.localisationReady is required")
	check(len(f.Localisation.Languages) > 0, "localisation.availableLanguages is required")
	check(f.IT.Piattaforme["pagopa"], "it.piattaforme.pagopa must be true: mailbot integrates PagoPA")
}
