package config

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// AllowPrivate is crawler.allow_private read: the targets that may be
// fetched although not public. The grammar lives here, with the key, so
// that validation needs no crawler; crawler/fetch builds its address guard
// from the parsed entries, so both read them alike.
type AllowPrivate struct {
	HostPorts []string       // exact host:port pairs, lower-cased as net.JoinHostPort writes them
	Prefixes  []netip.Prefix // CIDR prefixes, masked
}

// ParseAllowPrivate reads allow_private entries. Each is "host:port" or a CIDR.
func ParseAllowPrivate(entries []string) (AllowPrivate, error) {
	var a AllowPrivate
	for _, e := range entries {
		e = strings.TrimSpace(e)
		if p, err := netip.ParsePrefix(e); err == nil {
			a.Prefixes = append(a.Prefixes, p.Masked())
			continue
		}
		host, port, err := net.SplitHostPort(e)
		if err != nil || host == "" || port == "" {
			return AllowPrivate{}, fmt.Errorf("allow_private entry %q: want host:port or a CIDR such as 10.1.0.0/16", e)
		}
		a.HostPorts = append(a.HostPorts, strings.ToLower(net.JoinHostPort(host, port)))
	}
	return a, nil
}
