package web

import "testing"

// TestEveryTemplateWithItsView registers the templates of every area as
// the server does and checks each against its view (see
// page.Kit.CheckTemplates).
func TestEveryTemplateWithItsView(t *testing.T) {
	s := &Server{}
	if err := s.newKit(); err != nil {
		t.Fatal(err)
	}
	if err := s.kit.CheckTemplates(); err != nil {
		t.Fatal(err)
	}
}
