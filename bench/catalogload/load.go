package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// endpoint is one kind of request the clients make.
type endpoint struct {
	key  string // as -only names it
	name string
	// path returns the path and query of a request, drawn with r.
	path func(r *rand.Rand) string
	api  bool // sent with the bearer token rather than the session cookie
}

// client is one simulated person: a session cookie (and a token for the
// API) and the latencies of the requests it made.
type client struct {
	cookie *http.Cookie
	token  string
	lat    [][]time.Duration // by endpoint
	errs   []int
	bytes  []int64
	sample []string // the first errors seen
}

// result is what one endpoint did over a run.
type result struct {
	name     string
	lat      []time.Duration // sorted
	errs     int
	bytes    int64
	elapsed  time.Duration
	examples []string
}

func (r result) quantile(q float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	// Nearest rank: the smallest latency at or above q of all requests.
	i := int(float64(len(r.lat))*q+0.999999) - 1
	return r.lat[max(0, min(i, len(r.lat)-1))]
}

// run lets every client loop over the endpoints, without pause, for d.
// Requests started before the end are waited for and counted.
func run(base string, hc *http.Client, clients []*client, eps []endpoint, d time.Duration, seed uint64) []result {
	for _, c := range clients {
		c.lat = make([][]time.Duration, len(eps))
		c.errs = make([]int, len(eps))
		c.bytes = make([]int64, len(eps))
		c.sample = nil
	}
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(seed, uint64(i)))
			for k := i; time.Now().Before(deadline); k++ {
				e := k % len(eps)
				took, n, err := c.do(hc, base, eps[e], r)
				c.lat[e] = append(c.lat[e], took)
				c.bytes[e] += n
				if err != nil {
					c.errs[e]++
					if len(c.sample) < 3 {
						c.sample = append(c.sample, eps[e].name+": "+err.Error())
					}
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	out := make([]result, len(eps))
	for e, ep := range eps {
		res := result{name: ep.name, elapsed: elapsed}
		for _, c := range clients {
			res.lat = append(res.lat, c.lat[e]...)
			res.errs += c.errs[e]
			res.bytes += c.bytes[e]
			for _, s := range c.sample {
				if strings.HasPrefix(s, ep.name+":") && len(res.examples) < 3 {
					res.examples = append(res.examples, s)
				}
			}
		}
		slices.Sort(res.lat)
		out[e] = res
	}
	return out
}

// do makes one request and reads the whole answer; the latency runs from
// sending the request to the last byte of the body.
func (c *client) do(hc *http.Client, base string, ep endpoint, r *rand.Rand) (time.Duration, int64, error) {
	path := ep.path(r)
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		return 0, 0, err
	}
	if ep.api {
		req.Header.Set("Authorization", "Bearer "+c.token)
		req.Header.Set("Accept", "application/json")
	} else {
		req.AddCookie(c.cookie)
		req.Header.Set("Accept", "text/html")
	}
	start := time.Now()
	res, err := hc.Do(req)
	if err != nil {
		return time.Since(start), 0, err
	}
	n, err := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	took := time.Since(start)
	if err != nil {
		return took, n, err
	}
	if res.StatusCode != http.StatusOK {
		return took, n, fmt.Errorf("GET %s: status %d", path, res.StatusCode)
	}
	return took, n, nil
}

// signIn signs in through the sign-in form as a browser does: it fetches
// the form for its CSRF token (and the cookie that goes with it), posts
// the e-mail address and password and keeps the session cookie.
func signIn(base, email, password string) (*http.Cookie, error) {
	jar := newJar()
	hc := &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Get(base + "/signin")
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	m := csrfField.FindSubmatch(body)
	if m == nil {
		return nil, fmt.Errorf("GET /signin: no csrf_token in the form (status %d)", res.StatusCode)
	}
	form := url.Values{"email": {email}, "password": {password}, "csrf_token": {string(m[1])}}
	res, err = hc.PostForm(base+"/signin", form)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("POST /signin as %s: status %d, want 303", email, res.StatusCode)
	}
	u, _ := url.Parse(base)
	for _, c := range jar.Cookies(u) {
		if c.Name == sessionCookie {
			return &http.Cookie{Name: c.Name, Value: c.Value}, nil
		}
	}
	return nil, fmt.Errorf("POST /signin as %s: no %s cookie", email, sessionCookie)
}

// warmUp runs the load for a while and throws the latencies away, so that
// connections are open, caches are warm and the heap has grown. It returns
// the requests made and how many failed, with examples.
func warmUp(base string, hc *http.Client, clients []*client, eps []endpoint, d time.Duration, seed uint64) (n, errs int, examples []string) {
	if d <= 0 {
		return 0, 0, nil
	}
	for _, res := range run(base, hc, clients, eps, d, seed^0x5eed) {
		n += len(res.lat)
		errs += res.errs
		examples = append(examples, res.examples...)
	}
	return n, errs, examples
}
