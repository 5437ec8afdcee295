package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/org"
)

// TestProcessPerformerAndJourneyForms: on a process's page an architect
// says which functions perform it, where, and which customer journeys it is
// part of; an unknown function or a journey for a process customers do not
// touch is refused on its field with what was sent kept; a requester sees
// no form and is refused.
func TestProcessPerformerAndJourneyForms(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		p := principalOf(t, e, "architect@example.com")
		m, err := e.Processes.ProcessMap(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]int64{}
		for _, entry := range m.Entries {
			ids[entry.Ref] = entry.ID
		}
		journeys, err := e.Processes.ListJourneys(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		jids := map[string]int64{}
		for _, j := range journeys {
			jids[j.Ref] = j.ID
		}
		functions, _, err := e.Org.ListFunctions(ctx, p, org.ListFilter{Limit: 2})
		if err != nil || len(functions) < 2 {
			t.Fatalf("functions = %v, %v", functions, err)
		}
		locations, _, err := e.Org.ListLocations(ctx, p, org.ListFilter{Limit: 1})
		if err != nil || len(locations) < 1 {
			t.Fatalf("locations = %v, %v", locations, err)
		}
		quote := ids["give-a-quote"]
		path := fmt.Sprintf("/portfolio/processes/%d", quote)
		id := func(n int64) string { return strconv.FormatInt(n, 10) }

		riley := e.SignIn(t, "requester@example.com")
		if _, body := riley.Get(path); strings.Contains(body, path+"/performers") || strings.Contains(body, path+"/journeys") {
			t.Fatal("a requester sees the performers' or journeys' form")
		}
		if res, _ := riley.Post(path+"/performers", url.Values{"function_ids": {id(functions[0].ID)}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a requester sets performers = %d", res.StatusCode)
		}

		architect := e.SignIn(t, "architect@example.com")
		if _, body := architect.Get(path); !strings.Contains(body, `action="`+path+`/performers"`) || !strings.Contains(body, `name="journey_ids" value="`+id(jids["buy-our-products"])+`" checked`) {
			t.Fatal("the architect's process page lacks the forms, or the journey it is on unchecked")
		}
		res, body := architect.Post(path+"/performers", url.Values{"function_ids_sent": {"1"}, "location_ids_sent": {"1"},
			"function_ids": {id(functions[0].ID), "999999"}, "location_ids": {id(locations[0].ID)}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="function_ids-error"`) || !strings.Contains(body, "999999") ||
			!strings.Contains(body, `name="function_ids" value="`+id(functions[0].ID)+`" checked`) {
			t.Fatalf("an unknown function = %d", res.StatusCode)
		}
		if d, _ := e.Processes.Describe(ctx, p, quote); len(d.Functions) != 1 || d.Functions[0].Code != "SAM" {
			t.Fatalf("a refused form changed the functions: %+v", d.Functions)
		}
		form := url.Values{"function_ids_sent": {"1"}, "location_ids_sent": {"1"}, "function_ids": {id(functions[0].ID), id(functions[1].ID)},
			"location_ids": {id(locations[0].ID)}}
		for range 2 {
			if res, _ := architect.Post(path+"/performers", form); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("performers = %d", res.StatusCode)
			}
		}
		d, err := e.Processes.Describe(ctx, p, quote)
		if err != nil || len(d.Functions) != 2 || len(d.Locations) != 1 || d.Locations[0].ID != locations[0].ID {
			t.Fatalf("performers after the form = %+v %+v, %v", d.Functions, d.Locations, err)
		}

		// Journeys: joining one puts it last; leaving one closes the gap.
		res, _ = architect.Post(path+"/journeys", url.Values{"journey_ids_sent": {"1"}, "journey_ids": {id(jids["make-a-complaint"])}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("journeys = %d", res.StatusCode)
		}
		complaint, _ := e.Processes.GetJourney(ctx, p, jids["make-a-complaint"])
		buy, _ := e.Processes.GetJourney(ctx, p, jids["buy-our-products"])
		if last := complaint.Processes[len(complaint.Processes)-1]; last.ID != quote || len(complaint.Processes) != 3 || len(buy.Processes) != 5 {
			t.Fatalf("after the journeys form: complaint %+v, buy %+v", complaint.Processes, buy.Processes)
		}
		for _, r := range buy.Processes {
			if r.ID == quote {
				t.Fatalf("still on the journey it left: %+v", buy.Processes)
			}
		}
		internal := ids["check-credit"]
		res, body = architect.Post(fmt.Sprintf("/portfolio/processes/%d/journeys", internal), url.Values{"journey_ids_sent": {"1"},
			"journey_ids": {id(jids["make-a-complaint"])}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="journey_ids-error"`) || !strings.Contains(body, "External customers do not touch") {
			t.Fatalf("a journey for an internal process = %d", res.StatusCode)
		}
		if j, _ := e.Processes.GetJourney(ctx, p, jids["make-a-complaint"]); len(j.Processes) != 3 {
			t.Fatalf("a refused journey form changed it: %+v", j.Processes)
		}
	})
}
