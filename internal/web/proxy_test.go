package web

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

// TestClientIP: the client address is the peer's unless a proxy is
// trusted, and then the one the trusted proxies saw, never what the client
// wrote at the left of X-Forwarded-For.
func TestClientIP(t *testing.T) {
	nets := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32")}
	for _, c := range []struct {
		name  string
		trust ProxyTrust
		peer  string
		xff   []string
		want  string
	}{
		{"no proxy trusted", ProxyTrust{}, "192.0.2.1:5000", []string{"198.51.100.9"}, "192.0.2.1"},
		{"one hop: the proxy's entry", ProxyTrust{Hops: 1}, "10.0.0.2:5000", []string{"198.51.100.9, 203.0.113.7"}, "203.0.113.7"},
		{"one hop, headers on two lines", ProxyTrust{Hops: 1}, "10.0.0.2:5000", []string{"198.51.100.9", "203.0.113.7"}, "203.0.113.7"},
		{"two hops", ProxyTrust{Hops: 2}, "10.0.0.2:5000", []string{"198.51.100.9, 203.0.113.7, 10.0.0.3"}, "203.0.113.7"},
		{"fewer entries than hops", ProxyTrust{Hops: 2}, "10.0.0.2:5000", []string{"203.0.113.7"}, "203.0.113.7"},
		{"one hop, no header", ProxyTrust{Hops: 1}, "10.0.0.2:5000", nil, "10.0.0.2"},
		{"one hop, an entry with a port", ProxyTrust{Hops: 1}, "10.0.0.2:5000", []string{"[2001:db8::1]:4711"}, "2001:db8::1"},
		{"garbage written by the client", ProxyTrust{Hops: 1}, "10.0.0.2:5000", []string{"<script>, 203.0.113.7"}, "203.0.113.7"},
		{"garbage in the proxy's place", ProxyTrust{Hops: 1}, "10.0.0.2:5000", []string{"203.0.113.7, nonsense"}, "10.0.0.2"},
		{"networks: trusted proxies skipped", ProxyTrust{Networks: nets}, "127.0.0.1:5000", []string{"198.51.100.9, 203.0.113.7, 10.1.2.3"}, "203.0.113.7"},
		{"networks: an untrusted peer's header ignored", ProxyTrust{Networks: nets, Hops: 1}, "192.0.2.1:5000", []string{"203.0.113.7"}, "192.0.2.1"},
		{"networks: all trusted", ProxyTrust{Networks: nets}, "10.0.0.2:5000", []string{"10.9.9.9"}, "10.9.9.9"},
	} {
		r := httptest.NewRequest("POST", "/signin", nil)
		r.RemoteAddr = c.peer
		for _, h := range c.xff {
			r.Header.Add("X-Forwarded-For", h)
		}
		if got := c.trust.ClientIP(r); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// TestScheme: X-Forwarded-Proto is believed only from a trusted proxy.
func TestScheme(t *testing.T) {
	nets := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	for _, c := range []struct {
		trust ProxyTrust
		peer  string
		want  string
	}{
		{ProxyTrust{}, "192.0.2.1:5000", "http"},
		{ProxyTrust{Hops: 1}, "10.0.0.2:5000", "https"},
		{ProxyTrust{Networks: nets}, "10.0.0.2:5000", "https"},
		{ProxyTrust{Networks: nets}, "192.0.2.1:5000", "http"},
	} {
		r := httptest.NewRequest("GET", "/feed", nil)
		r.RemoteAddr = c.peer
		r.Header.Set("X-Forwarded-Proto", "https")
		if got := c.trust.Scheme(r); got != c.want {
			t.Errorf("%+v from %s: %s, want %s", c.trust, c.peer, got, c.want)
		}
	}
}
