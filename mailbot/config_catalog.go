package mailbot

// CatalogConfig sets where the published catalogs are served.
type CatalogConfig struct{}

func (c *Config) completeCatalog() error { return nil }
