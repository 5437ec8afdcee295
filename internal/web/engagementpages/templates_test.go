package engagementpages_test

import (
	"testing"
	"time"

	"github.com/engagehq/engage/internal/web/engagementpages"
	"github.com/engagehq/engage/internal/web/page"
)

// TestTemplates renders each of the area's templates with its view and
// checks every field the templates name.
func TestTemplates(t *testing.T) {
	var k page.Kit
	if err := k.Register(engagementpages.Templates); err != nil {
		t.Fatal(err)
	}
	if err := k.CheckTemplates(); err != nil {
		t.Fatal(err)
	}
}

func TestWaited(t *testing.T) {
	for d, want := range map[time.Duration]string{30 * time.Minute: "30 min", 6 * time.Hour: "6 h", 48 * time.Hour: "2 d", 51 * time.Hour: "2 d 3 h"} {
		if got := engagementpages.Waited(d); got != want {
			t.Errorf("Waited(%v) = %q, want %q", d, got, want)
		}
	}
}
