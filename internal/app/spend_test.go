package app_test

import (
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
