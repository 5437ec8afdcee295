package benchkit

import (
	"fmt"
	"io"
	"net/http"
	"time"
)

// GetPage loads url with the session cookie and reads the whole answer,
// returning the time from sending the request to its last byte; an answer
// other than 200 is an error.
func GetPage(hc *http.Client, url string, cookie *http.Cookie) (time.Duration, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.AddCookie(cookie)
	return Timed(hc, req)
}

// Timed sends req and reads the whole answer, returning the time from
// sending it to the answer's last byte; an answer other than 200 is an
// error.
func Timed(hc *http.Client, req *http.Request) (time.Duration, error) {
	start := time.Now()
	res, err := hc.Do(req)
	if err != nil {
		return time.Since(start), err
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	took := time.Since(start)
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s %s: status %d", req.Method, req.URL.Path, res.StatusCode)
	}
	return took, err
}
