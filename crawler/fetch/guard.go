package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// ErrPrivateAddress is returned when a URL resolves to an address the
// fetcher must not reach (loopback, private, link-local, ...).
var ErrPrivateAddress = errors.New("fetch: refusing to access private network address")

// Allowlist holds the crawler.allow_private entries: exact host:port pairs
// or CIDR prefixes that may be fetched although not public.
type Allowlist struct {
	hostPorts map[string]bool
	prefixes  []netip.Prefix
}

// ParseAllowlist reads allow_private entries. Each is "host:port" or a CIDR.
func ParseAllowlist(entries []string) (Allowlist, error) {
	a := Allowlist{hostPorts: map[string]bool{}}
	for _, e := range entries {
		e = strings.TrimSpace(e)
		if p, err := netip.ParsePrefix(e); err == nil {
			a.prefixes = append(a.prefixes, p.Masked())
			continue
		}
		host, port, err := net.SplitHostPort(e)
		if err != nil || host == "" || port == "" {
			return Allowlist{}, fmt.Errorf("allow_private entry %q: want host:port or a CIDR such as 10.1.0.0/16", e)
		}
		a.hostPorts[strings.ToLower(net.JoinHostPort(host, port))] = true
	}
	return a, nil
}

// allows reports whether a connection to ip:port, asked for as
// hostPort, may be made.
func (a Allowlist) allows(hostPort string, ip netip.Addr, port string) bool {
	if a.hostPorts[strings.ToLower(hostPort)] || a.hostPorts[net.JoinHostPort(ip.String(), port)] {
		return true
	}
	for _, p := range a.prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// cgnat is the carrier-grade NAT range, 100.64.0.0/10, not covered by
// netip.Addr.IsPrivate.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// Public reports whether ip is an ordinary internet address. IPv4-mapped
// IPv6 forms are judged as the IPv4 address they carry.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid(), ip.IsUnspecified(), ip.IsLoopback(), ip.IsPrivate(),
		ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast(),
		ip.IsMulticast(), cgnat.Contains(ip):
		return false
	}
	return true
}

// guardedDialer resolves the host itself, checks every address, and dials
// the checked address, so a DNS answer cannot change between the check and
// the connection. It runs for every connection, including after redirects.
type guardedDialer struct {
	dialer   *net.Dialer
	resolver *net.Resolver
	allow    Allowlist
}

func (g *guardedDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		ips, err = g.resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", host, err)
		}
	}
	var lastErr error
	for _, ip := range ips {
		ip = ip.Unmap()
		if !Public(ip) && !g.allow.allows(addr, ip, port) {
			lastErr = fmt.Errorf("%w: %s resolves to %s (add %q to crawler.allow_private if this is intended)",
				ErrPrivateAddress, host, ip, net.JoinHostPort(host, port))
			continue
		}
		conn, err := g.dialer.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return conn, nil
		}
		lastErr = err
	}
	if lastErr == nil {
		lastErr = fmt.Errorf("resolve %s: no addresses", host)
	}
	return nil, lastErr
}
