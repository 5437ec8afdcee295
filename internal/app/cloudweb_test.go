package app_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/apptest"
)

// TestCloudBillPages: finance uploads a FOCUS file through the form and
// through the page's script (the file as the body, the token in a
// header), a bad file is refused with nothing stored, rules are added
// through the form (a split that does not add up is refused naming the
// field, a stale version is a conflict), a month is reallocated and its
// unallocated spend read; a reader of the Biology Laboratory drills down
// from its statement to its cloud charges and not to Sales'.
func TestCloudBillPages(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		bio, sales := departmentByCode(t, e, "BIO"), departmentByCode(t, e, "SALES")
		sample, err := os.ReadFile("../focus/testdata/focus_sample.csv")
		if err != nil {
			t.Fatal(err)
		}
		imports := func() int {
			var n int
			if err := e.DB.QueryRow(ctx, "SELECT COUNT(*) FROM cloud_imports").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		finance := e.SignIn(t, "finance@example.com")
		if res, body := finance.Get("/billing/cloud"); res.StatusCode != 200 || !strings.Contains(body, `id="cloud-upload"`) ||
			!strings.Contains(body, "No cloud bill imported yet") {
			t.Fatalf("cloud bills page = %d", res.StatusCode)
		}
		if _, body := finance.Get("/billing"); !strings.Contains(body, `href="/billing/cloud"`) {
			t.Error("the billing page does not link to the cloud bills")
		}

		// Without JavaScript: a multipart form.
		res, _ := postFileWith(t, e, finance, "/billing/cloud/imports", "focus_sample.csv", string(sample), url.Values{"basis": {"effective"}})
		report := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(report, "/billing/cloud/imports/") {
			t.Fatalf("form upload = %d, to %q", res.StatusCode, report)
		}
		res, body := finance.Get(report)
		if res.StatusCode != 200 || text(body, "import-added") != "1,000" || text(body, "import-rejected") != "0" ||
			!strings.Contains(body, "Imported focus_sample.csv: 1,000 rows added") || !strings.Contains(body, `id="import-totals"`) {
			t.Fatalf("report = %d added %q: %s", res.StatusCode, text(body, "import-added"), body)
		}

		// With JavaScript: the file streamed as the body, gzip-compressed;
		// every row is already there.
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(sample)
		zw.Close()
		status, answer := streamUpload(t, e, finance, "again.csv.gz", gz.Bytes(), finance.CSRF())
		if status != http.StatusCreated || !strings.HasPrefix(fmt.Sprint(answer["report"]), "/billing/cloud/imports/") {
			t.Fatalf("streamed upload = %d %v", status, answer)
		}
		if _, body := finance.Get(fmt.Sprint(answer["report"])); text(body, "import-added") != "0" || text(body, "import-duplicates") != "1,000" {
			t.Errorf("streamed report: added %q, duplicates %q", text(body, "import-added"), text(body, "import-duplicates"))
		}
		// Without the header token, or with a wrong one, nothing is read.
		before := imports()
		if status, _ := streamUpload(t, e, finance, "x.csv", sample, ""); status != http.StatusForbidden {
			t.Errorf("streamed upload without a token = %d; want 403", status)
		}
		if status, _ := streamUpload(t, e, finance, "x.csv", sample, "forged"); status != http.StatusForbidden {
			t.Errorf("streamed upload with a wrong token = %d; want 403", status)
		}

		// A file that is not FOCUS: a clear error, nothing stored.
		bad := "BilledCost,Region\n1,x\n"
		res, body = postFileWith(t, e, finance, "/billing/cloud/imports", "bad.csv", bad, nil)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="file-error"`) ||
			!strings.Contains(body, "not a FOCUS file Engage can read; nothing was imported") {
			t.Errorf("bad file through the form = %d", res.StatusCode)
		}
		status, answer = streamUpload(t, e, finance, "bad.csv", []byte(bad), finance.CSRF())
		if errs, _ := answer["errors"].([]any); status != http.StatusUnprocessableEntity || len(errs) == 0 ||
			errs[0].(map[string]any)["field"] != "file" || !strings.Contains(fmt.Sprint(errs[0]), "Line 1") {
			t.Errorf("bad file streamed = %d %v", status, answer)
		}
		if n := imports(); n != before {
			t.Errorf("%d imports after refused files; want %d", n, before)
		}

		// A file with a row that cannot be read: refused, the row named,
		// unless the box to accept a partial file is ticked.
		rows := strings.SplitAfter(string(sample), "\n")
		partial := rows[0] + rows[1] + "not,a,whole,row\n" + rows[2]
		res, body = postFileWith(t, e, finance, "/billing/cloud/imports", "partial.csv", partial, nil)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "1 of 3 rows cannot be read; nothing was imported") ||
			!strings.Contains(body, "Line 3: has 4 fields") || !strings.Contains(body, `name="accept_partial"`) {
			t.Errorf("partial file through the form = %d\n%s", res.StatusCode, body)
		}
		if n := imports(); n != before {
			t.Errorf("%d imports after a refused partial file; want %d", n, before)
		}
		res, _ = postFileWith(t, e, finance, "/billing/cloud/imports", "partial.csv", partial, url.Values{"accept_partial": {"yes"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("partial file accepted = %d", res.StatusCode)
		}
		if _, body := finance.Get(res.Header.Get("Location")); text(body, "import-rejected") != "1" || text(body, "import-duplicates") != "2" {
			t.Errorf("partial report: rejected %q, duplicates %q", text(body, "import-rejected"), text(body, "import-duplicates"))
		}

		// Rules: a split of 90% is refused, naming the field.
		finance.Get("/billing/cloud/rules/new")
		res, body = finance.Post("/billing/cloud/rules", url.Values{"name": {"Half and half"}, "action": {"split"},
			fmt.Sprintf("pct-%d", bio.ID): {"50"}, fmt.Sprintf("pct-%d", sales.ID): {"40"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<p class="message" id="splits-error">`) ||
			!strings.Contains(body, "add up to 90") || !strings.Contains(body, `href="#splits"`) || !strings.Contains(body, `value="Half and half"`) {
			t.Errorf("split of 90 = %d", res.StatusCode)
		}
		res, _ = finance.Post("/billing/cloud/rules", url.Values{"name": {"PeoriaData"}, "action": {"assign"},
			"tag_key": {"Business_Unit"}, "tag_value": {"PeoriaData"}, "department_id": {strconv.FormatInt(bio.ID, 10)}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("adding a rule = %d", res.StatusCode)
		}
		var ruleID int64
		if err := e.DB.QueryRow(ctx, "SELECT id FROM cloud_allocation_rules WHERE name = 'PeoriaData'").Scan(&ruleID); err != nil {
			t.Fatal(err)
		}
		rulePath := fmt.Sprintf("/billing/cloud/rules/%d", ruleID)
		_, body = finance.Get("/billing/cloud/rules")
		if !strings.Contains(body, `Tag Business_Unit is &#34;PeoriaData&#34;`) || !strings.Contains(body, "All to Biology Laboratory") {
			t.Errorf("rules list does not put the rule in words: %s", body)
		}
		edit := url.Values{"name": {"PeoriaData"}, "action": {"assign"}, "tag_key": {"Business_Unit"}, "tag_value": {"PeoriaData"},
			"department_id": {strconv.FormatInt(bio.ID, 10)}, "version": {"1"}}
		if res, _ := finance.Post(rulePath, edit); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("editing the rule = %d", res.StatusCode)
		}
		// Someone else's edit came first: version 1 is stale now.
		edit.Set("name", "PeoriaData (mine)")
		res, body = finance.Post(rulePath, edit)
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Someone else changed this allocation rule") ||
			!strings.Contains(body, `value="PeoriaData (mine)"`) {
			t.Errorf("stale edit = %d", res.StatusCode)
		}

		// Reallocating September 2024 moves the PeoriaData charges to BIO.
		res, body = finance.Post("/billing/cloud/periods/2024-09/reallocate", url.Values{})
		if res.StatusCode != 200 || !strings.Contains(body, "Reallocated September 2024") || !strings.Contains(body, `id="moved"`) ||
			!strings.Contains(body, "<th scope=\"row\">Biology Laboratory</th>") {
			t.Errorf("reallocation = %d", res.StatusCode)
		}
		res, body = finance.Get("/billing/cloud/unallocated?period=2024-09")
		if res.StatusCode != 200 || !strings.Contains(body, `id="unallocated-spend"`) || !strings.Contains(body, "/costs/cloud?period=2024-09") {
			t.Errorf("unallocated = %d", res.StatusCode)
		}
		if res, body := finance.Get("/billing/cloud/unallocated?period=2024-09&format=csv"); res.StatusCode != 200 ||
			!strings.HasPrefix(body, "period,provider,service_name,currency,charges,amount\n2024-09,AWS,") {
			t.Errorf("unallocated CSV = %d: %.200s", res.StatusCode, body)
		}
		drill := regexp.MustCompile(`href="(/costs/cloud\?[^"]+)"`).FindStringSubmatch(body)
		if drill == nil {
			t.Fatal("no link to the unallocated charges")
		}
		if res, body := finance.Get(html.UnescapeString(drill[1])); res.StatusCode != 200 || !strings.Contains(body, "Unallocated cloud charges") ||
			!strings.Contains(body, "None matched") {
			t.Errorf("unallocated charges = %d", res.StatusCode)
		}

		// The statement's cloud line leads to the charges behind it.
		if _, err := e.Billing.Run(ctx, system, "2024-09"); err != nil && engage.ErrorCode(err) != engage.ECONFLICT {
			t.Fatal(err)
		}
		budget := e.SignIn(t, "budget@example.com") // heads Discovery Science, above BIO
		_, body = budget.Get(fmt.Sprintf("/costs?department=%d&period=2024-09", bio.ID))
		m := regexp.MustCompile(`<a class="no-print drill" href="(/costs/cloud\?[^"]+)">See the cloud charges</a>`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("BIO's statement has no link to its cloud charges")
		}
		res, body = budget.Get(html.UnescapeString(m[1]))
		if res.StatusCode != 200 || !strings.Contains(body, "Biology Laboratory: cloud charges") || !strings.Contains(body, "business_unit=PeoriaData") ||
			!strings.Contains(body, `<td data-label="Rule">PeoriaData</td>`) || !strings.Contains(body, "100%") {
			t.Errorf("BIO cloud charges = %d", res.StatusCode)
		}
		csvLink := regexp.MustCompile(`href="(/costs/cloud\?[^"]*format=csv[^"]*)"`).FindStringSubmatch(body)
		if csvLink == nil {
			t.Fatal("BIO's cloud charges have no CSV download")
		}
		res, body = budget.Get(html.UnescapeString(csvLink[1]))
		if lines := strings.Split(strings.TrimSpace(body), "\n"); res.StatusCode != 200 || len(lines) < 2 ||
			!strings.HasPrefix(lines[0], "period,provider,service_name") || !strings.Contains(body, "PeoriaData") {
			t.Errorf("CSV of BIO's cloud charges = %d: %.300s", res.StatusCode, body)
		}
		if res, _ := budget.Get(fmt.Sprintf("/costs/cloud?department=%d&period=2024-09&format=csv", sales.ID)); res.StatusCode != http.StatusForbidden {
			t.Errorf("CSV of Sales' cloud charges for BIO's budget holder = %d; want 403", res.StatusCode)
		}
		if res, _ := budget.Get(fmt.Sprintf("/costs/cloud?department=%d&period=2024-09", sales.ID)); res.StatusCode != http.StatusForbidden {
			t.Errorf("Sales' cloud charges for BIO's budget holder = %d; want 403", res.StatusCode)
		}
		requester := e.SignIn(t, "requester@example.com")
		for _, path := range []string{"/billing/cloud", report, "/billing/cloud/rules", "/billing/cloud/unallocated?period=2024-09",
			"/costs/cloud?period=2024-09", fmt.Sprintf("/costs/cloud?department=%d&period=2024-09", sales.ID)} {
			if res, _ := requester.Get(path); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s for a requester = %d; want 403", path, res.StatusCode)
			}
		}
		if status, _ := streamUpload(t, e, requester, "x.csv", sample, requester.CSRF()); status != http.StatusForbidden {
			t.Errorf("streamed upload by a requester = %d; want 403", status)
		}

		// Removing the rule asks first, then takes it out of the order.
		if _, body := finance.Get(rulePath + "/delete"); !strings.Contains(body, "Remove allocation rule PeoriaData?") {
			t.Error("no confirmation before removing a rule")
		}
		if res, _ := finance.Post(rulePath+"/delete", url.Values{"version": {"2"}}); res.StatusCode != http.StatusSeeOther {
			t.Errorf("removing the rule = %d", res.StatusCode)
		}
		if _, body := finance.Get("/billing/cloud/rules"); !strings.Contains(body, "No allocation rules yet") {
			t.Error("the removed rule is still listed")
		}
	})
}

// streamUpload sends a file the way the cloud bills page's script does: as
// the body, with the CSRF token in a header.
func streamUpload(t *testing.T, e *apptest.Engage, b *apptest.Browser, name string, content []byte, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/billing/cloud/upload?basis=effective&name="+url.QueryEscape(name), bytes.NewReader(content))
	req.Header.Set("Content-Type", "application/octet-stream")
	if token != "" {
		req.Header.Set("X-CSRF-Token", token)
	}
	res, err := b.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return res.StatusCode, out
}

// text returns the text of the element with the given id, tags removed.
func text(body, id string) string {
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `"[^>]*>(.*?)</`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], ""))
}
