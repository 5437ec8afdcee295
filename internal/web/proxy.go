package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ProxyTrust says how far to believe X-Forwarded-For. Each proxy appends
// the address it received the request from, so only the entries on the
// right, written by proxies Engage trusts, are known to be true; whatever
// is further left the client wrote itself. The zero value trusts no proxy.
type ProxyTrust struct {
	// Hops is how many proxies stand in front of Engage: the client is
	// the Hops-th address from the right.
	Hops int
	// Networks, when set, are the addresses of trusted proxies, and
	// replace Hops: X-Forwarded-For is read only from a peer in them, and
	// the client is the rightmost address outside them.
	Networks []netip.Prefix
}

// ClientIP returns the address the request came from: the peer's, or the
// one the trusted proxies saw.
func (t ProxyTrust) ClientIP(r *http.Request) string {
	peer := r.RemoteAddr
	if host, _, err := net.SplitHostPort(peer); err == nil {
		peer = host
	}
	if t.Hops <= 0 && len(t.Networks) == 0 {
		return peer
	}
	var hops []netip.Addr
	for _, h := range r.Header.Values("X-Forwarded-For") {
		for entry := range strings.SplitSeq(h, ",") {
			a, ok := parseForwarded(entry)
			if !ok {
				// Unreadable: nothing to its left can be placed.
				hops = hops[:0]
				continue
			}
			hops = append(hops, a)
		}
	}
	if len(t.Networks) > 0 {
		if a, ok := parseForwarded(peer); !ok || !t.trusted(a) {
			return peer
		}
		for i := len(hops) - 1; i >= 0; i-- {
			if !t.trusted(hops[i]) {
				return hops[i].String()
			}
		}
		if len(hops) > 0 {
			return hops[0].String()
		}
		return peer
	}
	switch {
	case len(hops) >= t.Hops:
		return hops[len(hops)-t.Hops].String()
	case len(hops) > 0:
		// Fewer entries than proxies: the first was written by a proxy.
		return hops[0].String()
	}
	return peer
}

// Scheme returns the scheme the client used: https over TLS, or when a
// trusted proxy says so in X-Forwarded-Proto; a client's own header is
// not believed.
func (t ProxyTrust) Scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	fromProxy := t.Hops > 0
	if len(t.Networks) > 0 {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		a, ok := parseForwarded(host)
		fromProxy = err == nil && ok && t.trusted(a)
	}
	if fromProxy && strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https") {
		return "https"
	}
	return "http"
}

func (t ProxyTrust) trusted(a netip.Addr) bool {
	for _, n := range t.Networks {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// parseForwarded reads one X-Forwarded-For entry: an address, possibly
// with a port.
func parseForwarded(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}
