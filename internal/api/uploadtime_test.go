package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/product"
	"github.com/engagehq/engage/internal/rating"
)

// TestCloudImportUploadTime: someone who may import cloud bills is given
// the time to send one beyond the server's limit on a request: a slow
// upload is received whole and answered, not cut off as a server error.
func TestCloudImportUploadTime(t *testing.T) {
	currencies, err := rating.NewCurrencies([]string{"EUR"})
	if err != nil {
		t.Fatal(err)
	}
	a := &API{Services: product.Services{CloudBill: &cloudbill.Service{Currencies: currencies}}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test"}
	mux := http.NewServeMux()
	a.Register(mux)
	srv := httptest.NewUnstartedServer(signedIn(t, mux, &access.Principal{PersonID: 1, Name: "Finance", Roles: []access.Role{access.Finance}}))
	srv.Config.ReadTimeout = 300 * time.Millisecond
	srv.Start()
	defer srv.Close()

	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < 8; i++ { // 8 chunks 100 ms apart: longer than the server's limit
			if _, err := pw.Write([]byte(strings.Repeat("x", 1<<10))); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		pw.Close()
	}()
	// A currency the organisation does not use: refused once the file is in,
	// before anything is stored.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+Prefix+"/cloud-imports?currency=XYZ", pr)
	req.Header.Set("Content-Type", "text/csv")
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), "query.currency") {
		t.Errorf("a slow upload = %d %s; want 422 on the currency, the file received whole", res.StatusCode, body)
	}
}
