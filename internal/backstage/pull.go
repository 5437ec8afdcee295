package backstage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/notify"
)

// Pull is a catalog imported from a URL on an interval: the file at URL
// and the files its Locations name beside it (below the same directory of
// the same server), with the limits of every import and a time limit on
// each request. Requests go to public addresses only unless AllowPrivate
// (loopback, private, link-local… are refused at every connection,
// redirects included, as webhooks are); a redirect must stay on the same
// server, scheme and directory; environment proxies are not used; and the
// URL's query (a token) and password never appear in an error or a log.
type Pull struct {
	URL      string
	Interval time.Duration
	// Timeout bounds each request; 0 means 30 seconds.
	Timeout time.Duration
	// AllowPrivate lets the URL be on an internal address (the demo, tests,
	// an installation whose Backstage is deliberately internal).
	AllowPrivate bool
}

// PullOnce imports the catalog at p.URL, as the system.
func (s *Service) PullOnce(ctx context.Context, p Pull) (Report, error) {
	u, err := url.Parse(p.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Report{}, fmt.Errorf("the Backstage URL %s is not an http:// or https:// URL", redacted(p.URL))
	}
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	dir := *u
	dir.Path, dir.RawPath, dir.RawQuery, dir.Fragment = path.Dir(u.Path)+"/", "", "", ""
	if dir.Path == "//" {
		dir.Path = "/"
	}
	name := path.Base(u.Path)
	if name == "/" || name == "." {
		return Report{}, fmt.Errorf("the Backstage URL %s names no file", redacted(p.URL))
	}
	dialer := &net.Dialer{Timeout: timeout}
	if !p.AllowPrivate {
		dialer.Control = notify.RefuseInternal
	}
	client := &http.Client{Timeout: timeout, Transport: &http.Transport{Proxy: nil, DialContext: dialer.DialContext,
		TLSHandshakeTimeout: timeout},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Scheme != u.Scheme || req.URL.Host != u.Host || !strings.HasPrefix(path.Clean(req.URL.Path), dir.Path) || len(via) > 5 {
				return errors.New("redirected away from the Backstage URL's directory")
			}
			return nil
		}}
	set, err := Read(&httpFS{ctx: ctx, client: client, dir: &dir, query: u.RawQuery, first: name}, name)
	if err != nil {
		return Report{}, err
	}
	return s.Import(ctx, access.System("Backstage pull"), set, false)
}

// redacted is a URL as it may be shown: without its password and its query,
// either of which may hold a token.
func redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(a URL that cannot be read)"
	}
	if u.RawQuery != "" || u.ForceQuery {
		u.RawQuery, u.ForceQuery = "xxxxx", false
	}
	return u.Redacted()
}

// Schedule pulls the catalog now and then every p.Interval until ctx ends,
// logging what each pull did (the URL without its password).
func (s *Service) Schedule(ctx context.Context, p Pull, logger *slog.Logger) {
	where := redacted(p.URL)
	for {
		rep, err := s.PullOnce(ctx, p)
		if err != nil && ctx.Err() == nil {
			logger.Warn("pulling the Backstage catalog", "url", where, "err", err)
		} else if err == nil {
			logger.Info("pulled the Backstage catalog", "url", where, "files", rep.Files, "created", rep.Created, "changed", rep.Changed,
				"warnings", len(rep.Warnings))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(p.Interval):
		}
	}
}

// httpFS reads files below one directory of a web server.
type httpFS struct {
	ctx    context.Context
	client *http.Client
	dir    *url.URL
	// query is sent with the first file only (a signed URL's).
	query, first string
}

func (h *httpFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	u := h.dir.ResolveReference(&url.URL{Path: strings.TrimPrefix(name, "/")})
	if name == h.first {
		u.RawQuery = h.query
	}
	req, err := http.NewRequestWithContext(h.ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	res, err := h.client.Do(req)
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		err = ue.Err // it names the URL, query and all
	}
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", name, err)
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotFound:
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	case res.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("fetching %s: %s", name, res.Status)
	}
	// One byte over the limit is enough for the reader to refuse the file.
	src, err := io.ReadAll(io.LimitReader(res.Body, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", name, err)
	}
	return &memFile{Reader: bytes.NewReader(src), name: name, size: int64(len(src))}, nil
}
