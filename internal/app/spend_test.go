package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

// Finance imports card spend through the API; the same file again adds
// nothing; a bad file names its line and stores nothing; others may not
// import.
func TestSpendImportAPI(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		// The demo holds a year of card lines: the sample's, but those in
		// Canadian dollars, which the demo organisation does not use.
		var demoLines, software int
		if err := e.DB.QueryRow(context.Background(), "SELECT COUNT(*), SUM(CASE WHEN software THEN 1 ELSE 0 END) FROM spend_lines").Scan(&demoLines, &software); err != nil || demoLines != 1065 || software < 590 {
			t.Fatalf("demo card lines = %d (%d software), %v", demoLines, software, err)
		}
		finance := clientOf(t, e, "finance@example.com")
		file := "date,merchant,amount,currency,department,employee_email,mcc,memo\n" +
			"2026-03-02,ZOOM.US 888-799-9666,14.99,GBP,SALES,head.sales@example.com,4816,monthly plan\n" +
			"2026-03-03,STARBUCKS #12345,4.20,GBP,SALES,head.sales@example.com,5814,\n"
		status, out := finance.do("POST", "/spend-imports?name=march.csv", "text/csv", file)
		if status != http.StatusCreated || out["added"] != float64(2) || out["software"] != float64(1) || out["kind"] != "card" {
			t.Fatalf("import = %d %v", status, out)
		}
		if status, out = finance.do("POST", "/spend-imports", "text/csv", file); status != http.StatusCreated || out["added"] != float64(0) || out["unchanged"] != float64(2) {
			t.Fatalf("again = %d %v", status, out)
		}
		bad := file + "2026-03-04,FS *MIRO,1.00,GBP,NOWHERE,,,\n" + "2026-03-05,=HYPERLINK(\"\"),x,GBP,SALES,,,\n"
		status, out = finance.do("POST", "/spend-imports", "text/csv", bad)
		if status != http.StatusUnprocessableEntity || !strings.Contains(strings.Join(locations(out), ","), "line 4: department") {
			t.Fatalf("bad = %d %v", status, out)
		}
		for _, who := range []string{"requester@example.com", "brm@example.com", "budget@example.com"} {
			if status, _ := clientOf(t, e, who).do("POST", "/spend-imports", "text/csv", file); status != http.StatusForbidden {
				t.Errorf("%s imports spend = %d; want 403", who, status)
			}
		}
	})
}

// A BRM lists the department's lines waiting for a person and corrects
// one; the requester who paid sees only their own lines; finance extends
// the dictionary.
func TestSpendLearningAPI(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		finance := clientOf(t, e, "finance@example.com")
		file := "date,merchant,amount,currency,department,employee_email,mcc,memo\n" +
			"2026-03-02,SQ *KW DATA TOOLS,30.00,GBP,RND,requester@example.com,,\n" +
			"2026-03-03,ZOOM.US 888-799-9666,14.99,GBP,RND,head.rnd@example.com,4816,\n"
		if status, out := finance.do("POST", "/spend-imports", "text/csv", file); status != http.StatusCreated || out["waiting"] != float64(1) {
			t.Fatalf("import = %d %v", status, out)
		}
		var rnd int64
		if err := e.DB.QueryRow(context.Background(), "SELECT id FROM departments WHERE code = 'RND'").Scan(&rnd); err != nil {
			t.Fatal(err)
		}
		brm := clientOf(t, e, "brm@example.com")
		status, out := brm.do("GET", fmt.Sprintf("/spend-lines?department_id=%d&waiting=true", rnd), "", "")
		items, _ := out["items"].([]any)
		if status != 200 || len(items) != 1 {
			t.Fatalf("waiting lines = %d %v", status, out)
		}
		id := int64(items[0].(map[string]any)["id"].(float64))
		status, out = brm.do("POST", fmt.Sprintf("/spend-lines/%d/match", id), "application/json", `{"vendor":"Kiwi Data","software":true}`)
		if status != 200 || out["vendor"] != "Kiwi Data" || out["confidence"] != float64(1) {
			t.Fatalf("correct = %d %v", status, out)
		}
		// The requester sees their own line and not the colleague's.
		req := clientOf(t, e, "requester@example.com")
		status, out = req.do("GET", fmt.Sprintf("/spend-lines?department_id=%d", rnd), "", "")
		items, _ = out["items"].([]any)
		if status != 200 || len(items) != 1 || items[0].(map[string]any)["vendor"] != "Kiwi Data" {
			t.Fatalf("requester's lines = %d %v", status, out)
		}
		if status, _ := req.do("POST", fmt.Sprintf("/spend-lines/%d/match", id), "application/json", `{"vendor":"X","software":false}`); status != http.StatusNotFound {
			t.Fatalf("requester corrects = %d; want 404", status)
		}
		if status, _ := req.do("POST", "/spend-vendors", "application/json", `{"name":"Quillstack","category":"notes","software":true,"aliases":[],"domains":["quillstack.io"]}`); status != http.StatusForbidden {
			t.Fatalf("requester extends the dictionary = %d", status)
		}
		if status, out := finance.do("POST", "/spend-vendors", "application/json", `{"name":"Quillstack","category":"notes","software":true,"aliases":[],"domains":["quillstack.io"]}`); status != 200 || out["name"] != "Quillstack" {
			t.Fatalf("finance extends the dictionary = %d %v", status, out)
		}
		if status, _ := req.do("GET", "/spend-vendors", "", ""); status != http.StatusForbidden {
			t.Fatalf("requester reads the dictionary = %d", status)
		}
		status, out = brm.do("GET", "/spend-vendors", "", "")
		if status != 200 || !strings.Contains(fmt.Sprint(out["items"]), "Quillstack") || !strings.Contains(fmt.Sprint(out["items"]), "Kiwi Data") {
			t.Fatalf("dictionary = %d", status)
		}
	})
}
