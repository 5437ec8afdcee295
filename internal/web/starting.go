package web

import (
	"net/http"
	"strings"

	"github.com/engagehq/engage"
)

// startingRetryAfter is the Retry-After, in seconds, of answers given while
// Engage starts.
const startingRetryAfter = "5"

// Starting answers a request that arrives while Engage is still starting
// (migrating, loading demo data): 503 with Retry-After, as an RFC 9457
// problem for the API and a plain page, which reloads itself, for people.
func Starting(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", startingRetryAfter)
	w.Header().Set("Cache-Control", "no-store")
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeProblem(w, engage.Errorf(engage.EUNAVAILABLE, "Engage is starting. Try again in a few seconds."))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte(startingPage))
}

const startingPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="` + startingRetryAfter + `">
<title>Engage is starting</title>
</head>
<body>
<main>
<h1>Engage is starting</h1>
<p>It will be ready in a moment. This page reloads by itself; or reload it in a few seconds.</p>
</main>
</body>
</html>
`
