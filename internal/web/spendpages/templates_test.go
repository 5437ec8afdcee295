package spendpages_test

import (
	"testing"

	"github.com/engagehq/engage/internal/web/page"
	"github.com/engagehq/engage/internal/web/spendpages"
)

// TestTemplates renders each of the area's templates with its view and
// checks every field the templates name.
func TestTemplates(t *testing.T) {
	var k page.Kit
	if err := k.Register(spendpages.Templates); err != nil {
		t.Fatal(err)
	}
	if err := k.CheckTemplates(); err != nil {
		t.Fatal(err)
	}
}
