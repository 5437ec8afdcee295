package tmf

import "testing"

// TestCatalogReadOnly: TMF620's resources answer other methods by naming
// the catalog file; its hub, and the other APIs, do not.
func TestCatalogReadOnly(t *testing.T) {
	for path, want := range map[string]bool{
		CatalogBase + "/productOffering":      true,
		CatalogBase + "/productOffering/{id}": true,
		CatalogBase + "/catalog/{id}":         true,
		CatalogBase + "/hub":                  false,
		CatalogBase + "/hub/{id}":             false,
		QuoteBase + "/quote/{id}":             false,
		OrderBase + "/productOrder":           false,
	} {
		if got := catalogReadOnly(path); got != want {
			t.Errorf("catalogReadOnly(%s) = %v, want %v", path, got, want)
		}
	}
}
