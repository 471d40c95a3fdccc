package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gyeco/syndicator/config"
)

// ErrPrivateAddress is returned when a URL resolves to an address the
// fetcher must not reach (loopback, private, link-local, ...). Permanent.
var ErrPrivateAddress = errors.New("fetch: refusing to access private network address")

// Allowlist holds the crawler.allow_private entries: exact host:port pairs
// or CIDR prefixes that may be fetched although not public.
type Allowlist struct {
	hostPorts map[string]bool
	prefixes  []netip.Prefix
}

// ParseAllowlist reads allow_private entries. Each is "host:port" or a
// CIDR; the grammar is config's, which checks the key with it.
func ParseAllowlist(entries []string) (Allowlist, error) {
	parsed, err := config.ParseAllowPrivate(entries)
	if err != nil {
		return Allowlist{}, err
	}
	a := Allowlist{hostPorts: map[string]bool{}, prefixes: parsed.Prefixes}
	for _, hp := range parsed.HostPorts {
		a.hostPorts[hp] = true
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

// nat64 and sixToFour carry an IPv4 address inside an IPv6 one; they are
// judged by the address they carry.
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// reserved lists special-purpose ranges (RFC 6890 and successors) that
// the netip predicates do not cover and that no public site lives in.
var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"; 0.x.y.z reaches the local host on Linux
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and 255.255.255.255
	netip.MustParsePrefix("::/96"),           // IPv4-compatible (deprecated)
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2001::/32"),       // Teredo
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("fec0::/10"),       // site-local (deprecated)
}

// Public reports whether ip is an ordinary internet address. IPv4-mapped
// IPv6 forms are judged as the IPv4 address they carry, and so are NAT64
// (64:ff9b::/96) and 6to4 (2002::/16) addresses.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid(), ip.IsUnspecified(), ip.IsLoopback(), ip.IsPrivate(),
		ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast(),
		ip.IsMulticast(), cgnat.Contains(ip):
		return false
	}
	for _, p := range reserved {
		if p.Contains(ip) {
			return false
		}
	}
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64.Contains(ip):
			return Public(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFour.Contains(ip):
			return Public(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	return true
}

// guardedDialer resolves the host itself, checks every address, and dials
// the checked address, so a DNS answer cannot change between the check and
// the connection. It runs for every connection, including after redirects
// and for robots.txt.
type guardedDialer struct {
	// dial connects to a checked ip:port: a net.Dialer, or a test's
	// canary.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// lookup resolves a name: net.DefaultResolver.LookupNetIP, or a test's
	// table, so that tests never send a DNS query.
	lookup func(ctx context.Context, network, host string) ([]netip.Addr, error)
	allow  Allowlist
}

func (g *guardedDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	ips, literal, err := g.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	var refused []string
	var lastErr error
	for _, ip := range ips {
		ip = ip.Unmap()
		if !Public(ip) && !g.allow.allows(addr, ip, port) {
			refused = append(refused, ip.String())
			continue
		}
		conn, err := g.dial(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return conn, nil
		}
		lastErr = err
	}
	switch {
	case lastErr != nil:
		return nil, lastErr
	case len(refused) > 0:
		what := fmt.Sprintf("%s resolves to %s", host, strings.Join(refused, ", "))
		if literal {
			what = fmt.Sprintf("%s is the address %s", host, refused[0])
			if host == refused[0] {
				what = host
			}
		}
		return nil, fmt.Errorf("%w: %s (add %q to crawler.allow_private if this is intended)",
			ErrPrivateAddress, what, net.JoinHostPort(host, port))
	}
	return nil, fmt.Errorf("resolve %s: no addresses", host)
}

// resolve returns the addresses host stands for. IP literals, including
// the legacy IPv4 forms a URL may carry (2130706433, 0x7f.1, 0177.0.0.1,
// 127.1), are read here and never sent to a resolver, whose reading of
// them varies by platform; literal reports that host was such a literal.
func (g *guardedDialer) resolve(ctx context.Context, host string) (ips []netip.Addr, literal bool, err error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip}, true, nil
	}
	if ip, isNumber, err := parseIPv4Host(host); isNumber {
		if err != nil {
			return nil, true, fmt.Errorf("%w: host %q looks like an IPv4 address but is not one: %v", ErrInvalidURL, host, err)
		}
		return []netip.Addr{ip}, true, nil
	}
	ips, err = g.lookup(ctx, "ip", host)
	if err != nil {
		return nil, false, fmt.Errorf("resolve %s: %w", host, err)
	}
	return ips, false, nil
}

// parseIPv4Host reads host as the WHATWG URL standard's IPv4 parser (and
// inet_aton) does: when its last dot-separated label is a number, the host
// is an IPv4 address of one to four parts, each decimal, octal (leading 0)
// or hexadecimal (0x), the last part filling the remaining bytes.
// isNumber is false when host is a name to resolve.
func parseIPv4Host(host string) (ip netip.Addr, isNumber bool, err error) {
	parts := strings.Split(host, ".")
	if len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1] // a trailing dot: "127.0.0.1."
	}
	if !endsInNumber(parts[len(parts)-1]) {
		return netip.Addr{}, false, nil
	}
	if len(parts) > 4 {
		return netip.Addr{}, true, errors.New("more than four parts")
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, err := parseIPv4Number(p)
		if err != nil {
			return netip.Addr{}, true, fmt.Errorf("part %q: %w", p, err)
		}
		if i < len(parts)-1 && n > 255 {
			return netip.Addr{}, true, fmt.Errorf("part %q exceeds 255", p)
		}
		nums[i] = n
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return netip.Addr{}, true, fmt.Errorf("last part %q too large", parts[len(parts)-1])
	}
	v := uint32(last)
	for i, n := range nums[:len(nums)-1] {
		v += uint32(n) << (8 * (3 - i))
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true, nil
}

// endsInNumber reports whether a host's last label is a decimal or 0x
// number, which makes the whole host an IPv4 address in a browser.
func endsInNumber(label string) bool {
	if label == "" {
		return false
	}
	if strings.HasPrefix(label, "0x") || strings.HasPrefix(label, "0X") {
		return strings.Trim(label[2:], "0123456789abcdefABCDEF") == ""
	}
	return strings.Trim(label, "0123456789") == ""
}

func parseIPv4Number(s string) (uint64, error) {
	base := 10
	switch {
	case s == "":
		return 0, errors.New("empty part")
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		s, base = s[2:], 16
		if s == "" {
			return 0, nil
		}
	case len(s) > 1 && s[0] == '0':
		s, base = s[1:], 8
	}
	return strconv.ParseUint(s, base, 32)
}
