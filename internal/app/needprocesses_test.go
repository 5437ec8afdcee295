package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

// TestNeedFormOffersTheRegister: a requester types the processes a need
// affects in their own words; the form keeps the words and offers the
// register's processes that match them first, and what is ticked is linked.
func TestNeedFormOffersTheRegister(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		riley := e.SignIn(t, "requester@example.com")
		res, body := riley.Submit("/needs/new", "/needs", url.Values{"title": {"Sample labels"}, "processes": {"sample tracking"},
			"action": {"check"}})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("checking = %d", res.StatusCode)
		}
		form, ok := apptest.FormFor(body, "/needs")
		if !ok {
			t.Fatal("no need form")
		}
		var first, firstID string
		for _, f := range form.Fields {
			if f.Name == "process_ids" && firstID == "" {
				firstID = f.Value
			}
		}
		i := strings.Index(body, `name="process_ids" value="`+firstID+`"`)
		first = body[i : i+200]
		if !strings.Contains(first, "Manage samples") || !strings.Contains(first, "matches “sample tracking”") ||
			!strings.Contains(body, ">sample tracking</textarea>") {
			t.Fatalf("the first process offered: %s", first)
		}
		res, _ = riley.Post("/needs", url.Values{"title": {"Sample labels"}, "problem": {"Labels fall off."}, "outcome": {"Labels that stay."},
			"processes": {"sample tracking"}, "data_class": {"internal"}, "currency": {"EUR"}, "process_ids_shown": {"1"}, "process_ids": {firstID},
			"action": {"draft"}, "form_key": {"need-processes"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving = %d", res.StatusCode)
		}
		ref := strings.TrimPrefix(res.Header.Get("Location"), "/needs/")
		n, err := e.FrontDoor.Find(context.Background(), principalOf(t, e, "requester@example.com"), ref)
		if err != nil || n.Processes != "sample tracking" || len(n.ProcessIDs) != 1 {
			t.Fatalf("the need = %+v, %v", n, err)
		}
		// The draft's form shows the process ticked; unticking every box removes it.
		_, body = riley.Get("/needs/" + ref + "/edit")
		if !strings.Contains(body, `value="`+firstID+`" checked`) {
			t.Fatal("the draft's form does not show its process ticked")
		}
		res, _ = riley.Submit("/needs/"+ref+"/edit", "/needs/"+ref, url.Values{"process_ids": {}, "action": {"draft"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving without processes = %d", res.StatusCode)
		}
		if n, _ := e.FrontDoor.Find(context.Background(), principalOf(t, e, "requester@example.com"), ref); len(n.ProcessIDs) != 0 || n.Processes != "sample tracking" {
			t.Fatalf("after unticking: %+v", n)
		}
	})
}
