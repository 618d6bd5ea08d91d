package console

import (
	"net/http"
	"net/netip"
	"strings"
)

// clientAddr is the address a request comes from: the peer, or, when the peer is one of
// [console] trusted_proxies, the nearest address in the forwarding chain that is not a trusted
// proxy. Addresses further left were written by the client and prove nothing.
func (s *Server) clientAddr(r *http.Request) string {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	ip := peer.Addr().Unmap()
	if !s.cfg.Console.Trusted(ip) {
		return ip.String()
	}
	hops := forwardedFor(r.Header)
	for i := len(hops) - 1; i >= 0; i-- {
		if !s.cfg.Console.Trusted(hops[i]) {
			return hops[i].String()
		}
	}
	return ip.String()
}

// forwardedFor reads the chain of client addresses a proxy passed on, nearest last: from
// X-Forwarded-For, or, only when there is none, from Forwarded's for= (RFC 7239). A proxy that
// sets Forwarded must therefore drop an X-Forwarded-For sent by the client. The chain stops at
// the first hop that is not an address (an obfuscated "_name", "unknown", garbage): what lies
// left of it cannot be placed.
func forwardedFor(h http.Header) []netip.Addr {
	var raw []string
	if xff := h.Values("X-Forwarded-For"); len(xff) > 0 {
		for _, v := range xff {
			raw = append(raw, strings.Split(v, ",")...)
		}
	} else {
		for _, v := range h.Values("Forwarded") {
			for elem := range strings.SplitSeq(v, ",") {
				for pair := range strings.SplitSeq(elem, ";") {
					k, val, ok := strings.Cut(strings.TrimSpace(pair), "=")
					if ok && strings.EqualFold(k, "for") {
						raw = append(raw, val)
					}
				}
			}
		}
	}
	var out []netip.Addr
	for i := len(raw) - 1; i >= 0; i-- {
		a, ok := parseHop(raw[i])
		if !ok {
			break
		}
		out = append(out, a)
	}
	// Reverse so the nearest hop is last, as in the headers.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// parseHop reads one hop: 192.0.2.1, "192.0.2.1:8080", "[2001:db8::1]:4711", 2001:db8::1.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.Trim(strings.TrimSpace(s), `"`)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// wellFormed tells whether a token has the shape token() gives (32 bytes, base64url): anything
// else is refused before the database is asked.
func wellFormed(tok string) bool {
	if len(tok) != 43 {
		return false
	}
	for _, c := range []byte(tok) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
