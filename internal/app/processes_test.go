package app_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/process"
)

// TestNeedsAndTheProcessRegisterThroughTheAPI: everyone signed in reads the
// process register; a need links processes of it by id (an unknown id is
// refused on its field) and shows them; a need created on someone's behalf
// shows where it came from.
func TestNeedsAndTheProcessRegisterThroughTheAPI(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		architect := principalOf(t, e, "architect@example.com")
		o2c, err := e.Processes.Create(ctx, architect, process.Input{Kind: process.ValueStream, Ref: "quote-to-order", Name: "Quote to order", Criticality: "high"})
		if err != nil {
			t.Fatal(err)
		}
		riley := clientOf(t, e, "requester@example.com")
		status, list := riley.json(http.MethodGet, "/processes?kind=value_stream", "")
		items, _ := list["items"].([]any)
		// The demo's six value streams, and the one made here.
		if status != http.StatusOK || len(items) != 7 || items[6].(map[string]any)["ref"] != "quote-to-order" {
			t.Fatalf("GET /processes = %d %v", status, list)
		}
		status, one := riley.json(http.MethodGet, fmt.Sprintf("/processes/%d", o2c.ID), "")
		if status != http.StatusOK || one["name"] != "Quote to order" || one["criticality"] != "high" {
			t.Fatalf("GET /processes/%d = %d %v", o2c.ID, status, one)
		}
		if status, _ := riley.json(http.MethodGet, "/processes/999999", ""); status != http.StatusNotFound {
			t.Fatalf("GET an unknown process = %d", status)
		}

		status, problem := riley.json(http.MethodPost, "/needs", `{"title":"Quotes in minutes","problem":"p","outcome":"o","users":5,"data_class":"internal","process_ids":[999999]}`)
		if status != http.StatusUnprocessableEntity || !slices.Contains(locations(problem), "body.process_ids[0]") {
			t.Fatalf("a need with an unknown process = %d %v", status, problem)
		}
		status, need := riley.json(http.MethodPost, "/needs", fmt.Sprintf(
			`{"title":"Quotes in minutes","problem":"p","outcome":"o","users":5,"data_class":"internal","processes":"quoting","process_ids":[%d]}`, o2c.ID))
		if status != http.StatusCreated || fmt.Sprint(need["process_ids"]) != fmt.Sprintf("[%d]", o2c.ID) || need["processes"] != "quoting" || need["origin"] != nil {
			t.Fatalf("create need = %d %v", status, need)
		}
		status, detail := riley.json(http.MethodGet, "/needs/"+need["reference"].(string), "")
		linked, _ := detail["linked_processes"].([]any)
		if status != http.StatusOK || len(linked) != 1 || linked[0].(map[string]any)["name"] != "Quote to order" {
			t.Fatalf("need detail = %d %v", status, detail["linked_processes"])
		}

		// A need another area created for Riley says where it came from.
		var made frontdoor.Need
		if err := e.DB.Transact(ctx, func(tx *db.Tx) error {
			made, err = e.FrontDoor.CreateFor(ctx, tx, principalOf(t, e, "brm@example.com"), person(t, e, "requester@example.com").ID,
				frontdoor.Origin{Kind: "idea", Ref: "7"}, frontdoor.NeedInput{Title: "Lab notebooks", Users: 20, DataClass: "internal"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		status, detail = riley.json(http.MethodGet, "/needs/"+made.Reference, "")
		origin, _ := detail["need"].(map[string]any)["origin"].(map[string]any)
		if status != http.StatusOK || origin["kind"] != "idea" || origin["ref"] != "7" {
			t.Fatalf("need from an idea = %d %v", status, detail["need"])
		}
	})
}
