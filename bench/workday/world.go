package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/engagehq/engage/bench/benchkit"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/app"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/web"
)

const stepWidth = 48

// person is one simulated person: a browser session for pages and an API
// token for the operations a program or a page's script would call.
type person struct {
	id       int64
	email    string
	dept     int64
	roles    []access.Role
	cookie   string
	token    string
	rng      *rand.Rand
	isHeadOf bool
	services []string // the service URL names this person's catalog lists
}

func (p *person) has(r access.Role) bool { return slices.Contains(p.roles, r) }

// world is everything the day's actors share.
type world struct {
	a      *app.App
	o      options
	base   string
	hc     *http.Client
	stats  *stats
	ledger *ledger

	people    []*person // everyone acting, special roles included
	offerings []orderable
	words     []string // catalog searches
	meterSlug string
	meterID   int64
	deptCodes map[string]int64 // cost-centre code → department id
	codes     []string
	period    string // YYYY-MM of the day
}

// orderable is an offering people quote and order, with a sensible
// quantity range.
type orderable struct {
	id       int64
	slug     string
	min, max int
}

// meterCatalog is the one metered offering the day's meters send usage
// for; the day prices it independently to check the statements.
const meterCatalog = `apiVersion: engage/v1
kind: Catalog
services:
- slug: workday-meter
  name: Workday metered compute
  summary: Compute measured by the hour, priced in graduated tiers.
  description: Compute measured by the hour.
  kind: technical
  family: compute
  owner: owner@example.com
  sourcing: built
  lifecycle: live
  delivery_model: cloud
  data_ceiling: internal
  arch_status: standard
  sla:
    availability: '99.9'
    support_hours: business
    lead_time_days: 0
  audience: all
  offerings:
  - slug: workday-meter-hours
    name: Workday compute hours
    description: Per hour, cheaper in volume.
    lifecycle: live
    lead_time_days: 0
    prices:
    - from: '2020-01-01'
      currency: EUR
      unit: unit-hour
      tier_mode: graduated
      tiers:
      - up_to: '1000'
        unit_price: '0.0525'
      - up_to: '5000'
        unit_price: '0.041'
      - unit_price: '0.0275'
`

// setUp loads the metered offering and picks the day's people, each with a
// session and a token.
func setUp(ctx context.Context, a *app.App, o options) (*world, error) {
	w := &world{a: a, o: o, stats: newStats(), ledger: newLedger(), deptCodes: map[string]int64{}, period: time.Now().UTC().Format("2006-01")}
	sys := access.System("workday")

	t := time.Now()
	f, err := catalog.ParseFile("workday.yaml", strings.NewReader(meterCatalog))
	if err != nil {
		return nil, err
	}
	if _, err := a.Catalog.Apply(ctx, sys, f, false); err != nil {
		return nil, fmt.Errorf("adding the metered offering: %w", err)
	}
	w.meterSlug = "workday-meter-hours"

	depts, _, err := a.Org.ListDepartments(ctx, sys, org.ListFilter{Limit: 500})
	if err != nil {
		return nil, err
	}
	heads := map[int64]bool{}
	for _, d := range depts {
		w.deptCodes[d.Code] = d.ID
		w.codes = append(w.codes, d.Code)
		if d.HeadID != 0 {
			heads[d.HeadID] = true
		}
	}
	slices.Sort(w.codes)

	var all []org.Person
	for cursor := ""; ; {
		page, next, err := a.Org.ListPeople(ctx, sys, org.ListFilter{Limit: 500, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	rng := rand.New(rand.NewPCG(o.seed, 7))
	var special, plain []org.Person
	for _, p := range all {
		if !p.Active || p.DepartmentID == 0 {
			continue
		}
		if heads[p.ID] || slices.ContainsFunc(p.Roles, func(r access.Role) bool { return r != access.Requester }) {
			special = append(special, p)
		} else {
			plain = append(plain, p)
		}
	}
	rng.Shuffle(len(plain), func(i, j int) { plain[i], plain[j] = plain[j], plain[i] })
	chosen := append(special, plain[:max(0, min(len(plain), o.people-len(special)))]...)
	for i, p := range chosen {
		sess, err := a.Auth.StartSession(ctx, p.ID)
		if err != nil {
			return nil, fmt.Errorf("a session for %s: %w", p.Email, err)
		}
		secret, _, err := a.Auth.CreateToken(ctx, sys, p.ID, "workday", nil)
		if err != nil {
			return nil, fmt.Errorf("a token for %s: %w", p.Email, err)
		}
		w.people = append(w.people, &person{id: p.ID, email: p.Email, dept: p.DepartmentID, roles: p.Roles,
			cookie: sess.Token, token: secret, isHeadOf: heads[p.ID], rng: rand.New(rand.NewPCG(o.seed, uint64(i)+100))})
	}
	benchkit.Step(stepWidth, fmt.Sprintf("%d people signed in (%d with a role beyond requester)", len(w.people), len(special)), t)

	w.hc = &http.Client{Timeout: 2 * time.Minute,
		Transport:     &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: 2 * time.Minute},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return w, nil
}

// discover reads, through the API as any program would, the services to
// browse and the offerings to order.
func (w *world) discover(ctx context.Context) error {
	admin := w.find("admin@example.com")
	if admin == nil {
		return fmt.Errorf("the demo administrator is not among the day's people")
	}
	wanted := map[string][2]int{"cloud-vm-small": {1, 6}, "cloud-vm-medium": {1, 3}, "laptop-standard": {1, 4},
		"vpn-user": {1, 20}, "wifi-guest": {1, 3}, "object-storage-standard": {50, 2000}, "web-site": {1, 2}, "db-small": {1, 2}}
	for _, s := range []string{"cloud-vm", "laptops", "remote-access", "wifi", "object-storage", "web-hosting", "database-service"} {
		var svc struct {
			Offerings []struct {
				ID   int64  `json:"id"`
				Slug string `json:"slug"`
			} `json:"offerings"`
		}
		if _, err := w.call(admin, "", http.MethodGet, "/api/v1/services/"+s, nil, nil, &svc); err != nil {
			return fmt.Errorf("reading service %s: %w", s, err)
		}
		for _, off := range svc.Offerings {
			if q, ok := wanted[off.Slug]; ok {
				w.offerings = append(w.offerings, orderable{id: off.ID, slug: off.Slug, min: q[0], max: q[1]})
			}
		}
	}
	var meter struct {
		Offerings []struct {
			ID int64 `json:"id"`
		} `json:"offerings"`
	}
	if _, err := w.call(admin, "", http.MethodGet, "/api/v1/services/workday-meter", nil, nil, &meter); err != nil || len(meter.Offerings) != 1 {
		return fmt.Errorf("reading the metered offering: %v", err)
	}
	w.meterID = meter.Offerings[0].ID
	if len(w.offerings) < 4 {
		return fmt.Errorf("the demo catalog offers too little to order (%d offerings)", len(w.offerings))
	}
	w.words = []string{"server", "laptop", "storage", "vpn", "backup", "database", "wifi", "virtual machine", "collaboration",
		"email", "gpu", "container", "network", "web site", "archive", "phone", "lapto", "storag", "hosting", "secure"}
	return nil
}

func (w *world) find(email string) *person {
	for _, p := range w.people {
		if p.email == email {
			return p
		}
	}
	return nil
}

func (w *world) withRole(r access.Role) []*person {
	var out []*person
	for _, p := range w.people {
		if p.has(r) {
			out = append(out, p)
		}
	}
	return out
}

// errStatus is an answer the actor did not expect.
type errStatus struct {
	status int
	body   string
}

func (e *errStatus) Error() string { return fmt.Sprintf("HTTP %d: %s", e.status, e.body) }

// call makes one API call as p with its token and decodes the JSON answer
// into out; name, when not empty, is the operation it is measured as.
// Answers other than 2xx are errors.
func (w *world) call(p *person, name, method, path string, body any, hdr map[string]string, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, w.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+p.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return w.send(req, name, out)
}

// page loads a page as p with its session cookie. Pages answer 200.
func (w *world) page(p *person, name, path string) error {
	req, err := http.NewRequest(http.MethodGet, w.base+path, nil)
	if err != nil {
		return err
	}
	req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: p.cookie})
	_, err = w.send(req, name, nil)
	return err
}

func (w *world) send(req *http.Request, name string, out any) (int, error) {
	start := time.Now()
	resp, err := w.hc.Do(req)
	if err != nil {
		w.stats.record(name, time.Since(start), err)
		return 0, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if err == nil && (resp.StatusCode < 200 || resp.StatusCode > 299) {
		err = &errStatus{status: resp.StatusCode, body: strings.TrimSpace(string(b[:min(len(b), 300)]))}
	}
	if err == nil && out != nil {
		if e := json.Unmarshal(b, out); e != nil {
			err = fmt.Errorf("decoding the answer of %s %s: %w", req.Method, req.URL.Path, e)
		}
	}
	switch {
	case strings.HasPrefix(name, racy):
		// Another person acted on the same thing first: the product says
		// so with 409, which is counted apart, not as an error.
		name = strings.TrimPrefix(name, racy)
		if resp.StatusCode == http.StatusConflict {
			w.stats.recordRace(name, d)
			return resp.StatusCode, err
		}
		w.stats.record(name, d, err)
	case name != "":
		w.stats.record(name, d, err)
	}
	return resp.StatusCode, err
}

// stats collects latencies and errors per operation.
type stats struct {
	mu       sync.Mutex
	lat      map[string][]time.Duration
	errs     map[string]int
	races    map[string]int
	examples []string
}

func newStats() *stats {
	return &stats{lat: map[string][]time.Duration{}, errs: map[string]int{}, races: map[string]int{}}
}

func (s *stats) record(name string, d time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lat[name] = append(s.lat[name], d)
	if err != nil {
		s.errs[name]++
		if len(s.examples) < 20 {
			s.examples = append(s.examples, name+": "+err.Error())
		}
	}
}

// racy marks an operation two people may race for (deciding one request,
// moving one need): its 409 answers are counted apart.
const racy = "race:"

// recordRace records an answer 409 to an operation another person did
// first: its time is kept, and it is counted apart, not as an error.
func (s *stats) recordRace(name string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lat[name] = append(s.lat[name], d)
	s.races[name]++
}

// catalogOf lists the services p's catalog shows them (a service's
// audience may be a department, a location or a function), read once.
func (w *world) catalogOf(p *person) []string {
	if p.services != nil {
		return p.services
	}
	var page struct {
		Cards []struct {
			Slug string `json:"slug"`
		} `json:"items"`
	}
	if _, err := w.call(p, "GET /api/v1/services", http.MethodGet, "/api/v1/services?limit=200", nil, nil, &page); err != nil {
		return nil
	}
	p.services = []string{}
	for _, c := range page.Cards {
		p.services = append(p.services, c.Slug)
	}
	return p.services
}
