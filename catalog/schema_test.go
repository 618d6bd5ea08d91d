package catalog

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// TestSchemaMatchesLayouts keeps docs/catalog.schema.json and the catalogs' columns in step:
// the same fields in the same order, lists as arrays, and every JSON file valid against it as
// far as fields and types go.
func TestSchemaMatchesLayouts(t *testing.T) {
	b, err := os.ReadFile("../docs/catalog.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Defs map[string]struct {
			Required   []string `json:"required"`
			Properties map[string]struct {
				Type string `json:"type"`
				Ref  string `json:"$ref"`
			} `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	item := map[string]string{Prodotti: "prodotto", Processi: "processo", Enti: "ente"}
	for _, name := range Names {
		def, ok := schema.Defs[item[name]]
		if !ok {
			t.Fatalf("schema has no $defs/%s", item[name])
		}
		var fields []string
		for _, c := range layouts[name].Columns {
			fields = append(fields, c.Field)
			p := def.Properties[c.Field]
			isList := p.Ref == "#/$defs/list" || p.Type == "array"
			if isList != (c.Kind == List) {
				t.Errorf("%s.%s: schema %+v, column kind %s", name, c.Field, p, c.Kind)
			}
		}
		if !slices.Equal(def.Required, fields) || len(def.Properties) != len(fields) {
			t.Errorf("%s: schema fields %v, columns %v", name, def.Required, fields)
		}
		if _, ok := schema.Defs[name]; !ok {
			t.Errorf("schema has no $defs/%s document", name)
		}
	}
}
