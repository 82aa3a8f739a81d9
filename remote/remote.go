// Package remote says who is at the other end of an HTTP request: the
// client's address, as the socket sees it or as a trusted reverse proxy
// reports it. The API and the pages count attempts per client address
// with it, so both read it the same way.
package remote

import (
	"net"
	"net/http"
	"strings"
)

// Address is the client's IP address: the socket's peer, or, when the peer
// is trustedProxy, the last address that proxy appended to
// X-Forwarded-For (the ones before it are the client's word).
func Address(r *http.Request, trustedProxy string) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if trustedProxy != "" && host == trustedProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	return host
}
