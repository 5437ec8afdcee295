package tmf_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/tmf"
)

// client calls the TMF APIs with a demo person's token; every answer is
// checked against the published TMF document of its operation.
type client struct {
	t     *testing.T
	e     *apptest.Engage
	token string
}

func clientOf(t *testing.T, e *apptest.Engage, email string) client {
	return client{t, e, e.Token(t, email)}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) list(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	if err := decode(a.body, &out); err != nil {
		t.Fatalf("not a list: %v %s", err, a.body)
	}
	return out
}

func (a answer) object(t *testing.T) map[string]any {
	t.Helper()
	var out map[string]any
	if err := decode(a.body, &out); err != nil {
		t.Fatalf("not an object: %v %s", err, a.body)
	}
	return out
}

// decode reads JSON keeping numbers as written: TMF amounts are exact.
func decode(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

func (c client) do(method, path, body string, header ...string) answer {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.e.URL+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	checkResponse(c.t, method, strings.SplitN(path, "?", 2)[0], res.StatusCode, b)
	return answer{res.StatusCode, res.Header, b}
}

// wantError checks an answer is a TMF Error with the status whose message
// mentions each of words.
func wantError(t *testing.T, a answer, status int, words ...string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d: %s", a.status, status, a.body)
	}
	e := a.object(t)
	if e["@type"] != "Error" || e["code"] == "" || e["reason"] == "" || e["status"] != fmt.Sprint(status) {
		t.Fatalf("not a TMF Error: %s", a.body)
	}
	for _, w := range words {
		if !strings.Contains(fmt.Sprint(e["message"]), w) {
			t.Errorf("error message %q does not mention %q", e["message"], w)
		}
	}
}

const cat = tmf.CatalogBase

// TMF620: every resource lists and reads by id, as the published document
// describes; fields, offset, limit and filters work; bad parameters are
// TMF errors.
func TestTMF620Catalog(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		c := clientOf(t, e, "requester@example.com")
		if a := (client{t: t, e: e}).do("GET", cat+"/productOffering", ""); a.status != 401 {
			t.Fatalf("no token = %d; want 401", a.status)
		}
		for _, kind := range []string{"catalog", "category", "productSpecification", "productOffering", "productOfferingPrice"} {
			a := c.do("GET", cat+"/"+kind, "")
			items := a.list(t)
			if a.status != 200 || len(items) == 0 || a.header.Get("X-Result-Count") != fmt.Sprint(len(items)) || a.header.Get("X-Total-Count") == "" {
				t.Fatalf("list %s = %d, %d items, headers %v", kind, a.status, len(items), a.header)
			}
			for _, it := range items[:min(3, len(items))] {
				one := c.do("GET", cat+"/"+kind+"/"+it["id"].(string), "")
				if one.status != 200 || one.object(t)["id"] != it["id"] || one.object(t)["href"] != it["href"] {
					t.Fatalf("get %s %s = %d %s", kind, it["id"], one.status, one.body)
				}
			}
			wantError(t, c.do("GET", cat+"/"+kind+"/999999999", ""), 404)
		}

		// fields keeps the attributes named, and id, href and @type.
		a := c.do("GET", cat+"/productOffering?fields=name,lifecycleStatus&limit=5&offset=2", "")
		items := a.list(t)
		if len(items) != 5 || a.header.Get("X-Result-Count") != "5" {
			t.Fatalf("limit 5 = %d items, headers %v", len(items), a.header)
		}
		for _, it := range items {
			if len(it) != 5 || it["name"] == nil || it["lifecycleStatus"] == nil || it["@type"] != "ProductOffering" || it["href"] == nil {
				t.Fatalf("fields=name,lifecycleStatus gave %v", it)
			}
		}
		all := c.do("GET", cat+"/productOffering?limit=1000", "").list(t)
		if items[0]["id"] != all[2]["id"] {
			t.Errorf("offset 2 starts at %v, want %v", items[0]["id"], all[2]["id"])
		}
		// A filter keeps what matches; the total counts every match.
		launched := c.do("GET", cat+"/productOffering?lifecycleStatus=Launched&limit=1000", "")
		n := 0
		for _, it := range all {
			if it["lifecycleStatus"] == "Launched" {
				n++
			}
		}
		if got := launched.list(t); len(got) != n || n == 0 || launched.header.Get("X-Total-Count") != fmt.Sprint(n) {
			t.Fatalf("lifecycleStatus=Launched: %d items, total %s; want %d", len(got), launched.header.Get("X-Total-Count"), n)
		}
		name := all[0]["name"].(string)
		if got := c.do("GET", cat+"/productOffering?name="+urlQuery(name), "").list(t); len(got) == 0 || got[0]["name"] != name {
			t.Fatalf("name=%s: %v", name, got)
		}
		// A rate plan with several charges is a bundle of its parts.
		prices := c.do("GET", cat+"/productOfferingPrice?isBundle=true&limit=1", "").list(t)
		if len(prices) == 1 {
			rel := prices[0]["bundledPopRelationship"].([]any)
			part := c.do("GET", cat+"/productOfferingPrice/"+rel[0].(map[string]any)["id"].(string), "")
			if part.status != 200 || part.object(t)["price"] == nil {
				t.Fatalf("a bundled price = %d %s", part.status, part.body)
			}
		}

		wantError(t, c.do("GET", cat+"/productOffering?limit=0", ""), 400, "limit")
		wantError(t, c.do("GET", cat+"/productOffering?limit=100000", ""), 400, "limit")
		wantError(t, c.do("GET", cat+"/productOffering?offset=-1", ""), 400, "offset")
		wantError(t, c.do("GET", cat+"/productOffering?colour=blue", ""), 400, "colour", "lifecycleStatus")
		// Read only: writing answers 405 naming the catalog file, as the
		// published document's Error.
		for _, m := range []struct{ method, path string }{{"DELETE", "/productOffering/1"}, {"PATCH", "/productOffering/1"},
			{"PATCH", "/productSpecification/1"}, {"DELETE", "/productOfferingPrice/1"}, {"PATCH", "/category/storage"},
			{"DELETE", "/catalog/engage"}, {"POST", "/productOffering"}, {"POST", "/category"}} {
			a := c.do(m.method, cat+m.path, `{"name":"x"}`)
			wantError(t, a, 405, "read only", "catalog file", "engage apply")
			if a.header.Get("Allow") != "GET" {
				t.Errorf("%s %s: Allow %q, want GET", m.method, m.path, a.header.Get("Allow"))
			}
			checkSchema(t, m.method+" "+m.path, definition(t, "Error"), a.body)
		}
	})
}

func urlQuery(s string) string {
	return strings.NewReplacer(" ", "%20", "&", "%26", "+", "%2B", "#", "%23").Replace(s)
}
