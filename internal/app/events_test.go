package app_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

// The demo catalog's meters (internal/demo/catalog.yaml).
const (
	hpcEvent  = "org.example.hpc.job.finished"  // sum of $.core_hours
	funcEvent = "org.example.functions.invoked" // count
	dwhEvent  = "org.example.dwh.reservation"   // max of $.reserved_hours
)

const (
	ceOne   = "application/cloudevents+json"
	ceBatch = "application/cloudevents-batch+json"
)

// cloudEvent writes a CloudEvent for the CHEM department in March 2026.
func cloudEvent(id, typ, data string) string {
	return fmt.Sprintf(`{"specversion":"1.0","id":%q,"source":"//meters.example.org/test","type":%q,"subject":"department/CHEM",`+
		`"time":"2026-03-10T08:00:00Z","datacontenttype":"application/json","data":%s}`, id, typ, data)
}

// usageLines runs March and returns CHEM's usage quantities by offering
// slug.
func usageLines(t *testing.T, e *apptest.Engage, finance apiClient) map[string]string {
	t.Helper()
	if status, rep := finance.json("POST", "/billing/periods/2026-03/run", ""); status != 200 {
		t.Fatalf("run = %d %v", status, rep)
	}
	slugs := map[float64]string{}
	rows, err := e.DB.Query(context.Background(), "SELECT id, slug FROM offerings")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var slug string
		if err := rows.Scan(&id, &slug); err != nil {
			t.Fatal(err)
		}
		slugs[float64(id)] = slug
	}
	rows.Close()
	chem := departmentByCode(t, e, "CHEM")
	status, list := finance.json("GET", fmt.Sprintf("/statements?period=2026-03&department_id=%d", chem.ID), "")
	items, _ := list["items"].([]any)
	if status != 200 || len(items) != 1 {
		t.Fatalf("statements = %d %v", status, list)
	}
	id := items[0].(map[string]any)["id"].(float64)
	status, st := finance.json("GET", fmt.Sprintf("/statements/%d", int64(id)), "")
	if status != 200 {
		t.Fatalf("statement = %d %v", status, st)
	}
	out := map[string]string{}
	lines, _ := st["lines"].([]any)
	for _, x := range lines {
		l := x.(map[string]any)
		if l["kind"] == "usage" {
			out[slugs[l["offering_id"].(float64)]] = fmt.Sprint(l["quantity"])
		}
	}
	return out
}

// TestCloudEventsMeters sends usage as CloudEvents, one and in a batch:
// the meters of the catalog file turn them into usage (sum, count, max),
// an event sent again is counted once, and the statement shows the result.
func TestCloudEventsMeters(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		finance := clientOf(t, e, "finance@example.com")
		one := cloudEvent("job-1", hpcEvent, `{"core_hours": 10.5, "job": "md-run"}`)
		for i, want := range []string{"map[accepted:1 duplicates:0 received:1]", "map[accepted:0 duplicates:1 received:1]"} {
			status, rep := finance.do("POST", "/events", ceOne+"; charset=utf-8", one)
			if got := fmt.Sprint(rep); status != 200 || got != want {
				t.Fatalf("event, time %d = %d %s; want %s", i+1, status, got, want)
			}
		}
		batch := "[" + strings.Join([]string{
			cloudEvent("job-2", hpcEvent, `{"core_hours": 4}`),
			cloudEvent("job-3", hpcEvent, `{"core_hours": "2.5"}`),
			cloudEvent("call-1", funcEvent, `{}`),
			cloudEvent("call-2", funcEvent, `null`),
			// An extension attribute is accepted and ignored.
			strings.Replace(cloudEvent("call-3", funcEvent, `{"ms": 12}`), `{"specversion"`, `{"traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01","specversion"`, 1),
			cloudEvent("res-1", dwhEvent, `{"reserved_hours": 5}`),
			cloudEvent("res-2", dwhEvent, `{"reserved_hours": 12}`),
			cloudEvent("res-3", dwhEvent, `{"reserved_hours": 7}`),
			one, // again, in a batch
		}, ",") + "]"
		status, rep := finance.do("POST", "/events", ceBatch, batch)
		if got := fmt.Sprint(rep); status != 200 || got != "map[accepted:8 duplicates:1 received:9]" {
			t.Fatalf("batch = %d %s", status, got)
		}
		// The same id from another source is another event.
		other := strings.Replace(cloudEvent("call-1", funcEvent, `{}`), "/test", "/other", 1)
		if status, rep := finance.do("POST", "/events", ceOne, other); status != 200 || rep["accepted"] != 1.0 {
			t.Fatalf("another source = %d %v", status, rep)
		}
		got := usageLines(t, e, finance)
		want := map[string]string{"hpc-core-hours": "17", "functions-requests": "4", "dwh-compute": "12"}
		for slug, q := range want {
			if got[slug] != q {
				t.Errorf("%s quantity = %q; want %s (lines %v)", slug, got[slug], q, got)
			}
		}
		// The largest reservation stays the period's quantity; a larger
		// one replaces it.
		finance.do("POST", "/events", ceOne, cloudEvent("res-4", dwhEvent, `{"reserved_hours": 9}`))
		if got := usageLines(t, e, finance)["dwh-compute"]; got != "12" {
			t.Fatalf("max after a smaller value = %s", got)
		}
		finance.do("POST", "/events", ceOne, cloudEvent("res-5", dwhEvent, `{"reserved_hours": 20.25}`))
		if got := usageLines(t, e, finance)["dwh-compute"]; got != "20.25" {
			t.Fatalf("max after a larger value = %s", got)
		}
	})
}

// TestCloudEventsBadInput: each refusal names the event and the attribute;
// a batch with a refused event stores nothing of it.
func TestCloudEventsBadInput(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		finance := clientOf(t, e, "finance@example.com")
		for _, c := range []struct {
			name, event, where string
		}{
			{"no id", strings.Replace(cloudEvent("x", hpcEvent, `{"core_hours":1}`), `"id":"x",`, "", 1), "body.id"},
			{"no source", strings.Replace(cloudEvent("x", hpcEvent, `{"core_hours":1}`), `"source":"//meters.example.org/test",`, "", 1), "body.source"},
			{"unknown type", cloudEvent("x", "org.example.nothing", `{}`), "body.type"},
			{"not a number", cloudEvent("x", hpcEvent, `{"core_hours":"lots"}`), "body.data"},
			{"no value", cloudEvent("x", hpcEvent, `{"hours":1}`), "body.data"},
			{"negative", cloudEvent("x", hpcEvent, `{"core_hours":-1}`), "body.data"},
			{"far future", strings.Replace(cloudEvent("x", hpcEvent, `{"core_hours":1}`), "2026-03-10", "2026-04-10", 1), "body.time"},
			{"bad time", strings.Replace(cloudEvent("x", hpcEvent, `{"core_hours":1}`), "2026-03-10T08:00:00Z", "yesterday", 1), "body.time"},
			{"nobody", strings.Replace(cloudEvent("x", hpcEvent, `{"core_hours":1}`), "department/CHEM", "CHEM", 1), "body.subject"},
			{"no department", strings.Replace(cloudEvent("x", hpcEvent, `{"core_hours":1}`), "department/CHEM", "department/NOPE", 1), "body.subject"},
			{"spec version", strings.Replace(cloudEvent("x", hpcEvent, `{"core_hours":1}`), `"1.0"`, `"0.3"`, 1), "body.specversion"},
		} {
			status, problem := finance.do("POST", "/events", ceOne, c.event)
			if status != 422 || !slices.Equal(locations(problem), []string{c.where}) {
				t.Errorf("%s = %d %v; want 422 at %s", c.name, status, problem, c.where)
			}
		}
		// A batch: the refused events are named by index; nothing stored.
		batch := "[" + cloudEvent("ok-1", funcEvent, `{}`) + "," + cloudEvent("bad-1", hpcEvent, `{"core_hours":"x"}`) + "," +
			cloudEvent("ok-2", funcEvent, `{}`) + "," + cloudEvent("bad-2", "nope", `{}`) + "]"
		status, problem := finance.do("POST", "/events", ceBatch, batch)
		if status != 422 || !slices.Equal(locations(problem), []string{"body[1].data", "body[3].type"}) ||
			!strings.Contains(fmt.Sprint(problem["detail"]), "2 of 4 events") {
			t.Fatalf("batch = %d %v", status, problem)
		}
		if status, rep := finance.do("POST", "/events", ceBatch, "["+cloudEvent("ok-1", funcEvent, `{}`)+"]"); status != 200 || rep["accepted"] != 1.0 {
			t.Fatalf("ok-1 alone = %d %v; the refused batch stored it", status, rep)
		}
		// Not events, too many, too large, the wrong type, the wrong role.
		for _, c := range []struct {
			name, ct, body string
			status         int
			where          string
		}{
			{"not JSON", ceOne, "{", 422, "body"},
			{"not an array", ceBatch, cloudEvent("y", funcEvent, `{}`), 422, "body"},
			{"an element not an object", ceBatch, "[" + cloudEvent("y", funcEvent, `{}`) + ",42]", 422, "body[1]"},
			{"empty batch", ceBatch, "[]", 422, "body"},
			{"too many", ceBatch, "[" + strings.TrimSuffix(strings.Repeat(`{},`, 10001), ",") + "]", 413, "body"},
			{"too large", ceOne, `{"data":"` + strings.Repeat("x", 4<<20) + `"}`, 413, "body"},
			{"plain JSON", "application/json", cloudEvent("y", funcEvent, `{}`), 415, "header.Content-Type"},
		} {
			status, problem := finance.do("POST", "/events", c.ct, c.body)
			if status != c.status || !slices.Equal(locations(problem), []string{c.where}) {
				t.Errorf("%s = %d %.300v; want %d at %s", c.name, status, problem, c.status, c.where)
			}
		}
		requester := clientOf(t, e, "requester@example.com")
		if status, _ := requester.do("POST", "/events", ceOne, cloudEvent("z", funcEvent, `{}`)); status != 403 {
			t.Fatalf("requester = %d; want 403", status)
		}
		if got := usageLines(t, e, finance)["functions-requests"]; got != "1" {
			t.Fatalf("functions-requests = %q; want 1 (ok-1 only)", got)
		}
	})
}

// TestCloudEventsGroupCommit: many clients sending single events at once
// are stored in fewer transactions than requests; every acknowledged event
// is counted once (resent ones too), and a refused request fails no other.
func TestCloudEventsGroupCommit(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		finance := clientOf(t, e, "finance@example.com")
		const clients, each = 24, 25
		groups0, commits0 := e.Billing.GroupStats()
		var wg sync.WaitGroup
		errs := make(chan string, clients*each*2)
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					ev := cloudEvent(fmt.Sprintf("c%d-%d", c, i), funcEvent, `{}`)
					if status, rep := finance.do("POST", "/events", ceOne, ev); status != 200 || rep["received"] != 1.0 {
						errs <- fmt.Sprintf("client %d event %d = %d %v", c, i, status, rep)
					}
					if i%5 == 0 { // sent again: acknowledged, not counted
						if status, rep := finance.do("POST", "/events", ceOne, ev); status != 200 || rep["duplicates"] != 1.0 {
							errs <- fmt.Sprintf("client %d event %d again = %d %v", c, i, status, rep)
						}
					}
					if i%7 == 3 { // a refused neighbour
						bad := strings.Replace(ev, "department/CHEM", "department/NOPE", 1)
						if status, _ := finance.do("POST", "/events", ceOne, bad); status != 422 {
							errs <- fmt.Sprintf("client %d bad event = %d", c, status)
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for msg := range errs {
			t.Error(msg)
		}
		groups, commits := e.Billing.GroupStats()
		requests := int64(clients * (each + each/5))
		t.Logf("%d stored requests in %d groups, %d transactions", requests, groups-groups0, commits-commits0)
		if commits-commits0 >= requests {
			t.Errorf("%d transactions for %d requests: nothing was grouped", commits-commits0, requests)
		}
		if got := usageLines(t, e, finance)["functions-requests"]; got != fmt.Sprint(clients*each) {
			t.Fatalf("functions-requests = %q; want %d", got, clients*each)
		}
	})
}
