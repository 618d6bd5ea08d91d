package ops

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"
)

// TestAlertRulesNameRealMetrics: every mailbot_ metric the example alerting rules use is one
// mailbot exports (a renamed metric would silently disable an alert).
func TestAlertRulesNameRealMetrics(t *testing.T) {
	raw, err := os.ReadFile("../docs/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert, Expr string
			}
		}
	}
	if err := yaml.Unmarshal(raw, &rules); err != nil {
		t.Fatal(err)
	}
	ch := make(chan *prometheus.Desc, 64)
	collector{}.Describe(ch)
	close(ch)
	exported := map[string]bool{}
	for d := range ch {
		m := regexp.MustCompile(`fqName: "([a-z_]+)"`).FindStringSubmatch(d.String())
		exported[m[1]] = true
		exported[m[1]+"_count"], exported[m[1]+"_sum"], exported[m[1]+"_bucket"] = true, true, true
	}
	n := 0
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			n++
			for _, name := range regexp.MustCompile(`mailbot_[a-z_]+`).FindAllString(r.Expr, -1) {
				if !exported[name] {
					t.Errorf("alert %s uses %s, which mailbot does not export", r.Alert, name)
				}
			}
			if strings.TrimSpace(r.Expr) == "" {
				t.Errorf("alert %s has no expression", r.Alert)
			}
		}
	}
	if n < 3 {
		t.Errorf("%d rules, want at least outbox stuck, watcher down and quarantine spike", n)
	}
}
