package fetch

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gyeco/syndicator/syndicator"
)

// ssrfSetup is a canary listener on loopback and a Fetcher whose every
// dial, other than to the allowed front server, lands on the canary. If the
// guard let anything through, the canary would count a connection; no
// packet ever leaves the machine.
type ssrfSetup struct {
	canaryConns atomic.Int32
	canaryPort  string
	front       *httptest.Server
	f           *Fetcher
}

func newSSRFSetup(t *testing.T, allow ...string) *ssrfSetup {
	s := &ssrfSetup{}
	canary := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("canary"))
	}))
	canary.Config.ConnState = func(c net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.canaryConns.Add(1)
		}
	}
	canary.Start()
	t.Cleanup(canary.Close)
	_, s.canaryPort, _ = net.SplitHostPort(hostOf(canary))

	// The front server is allowed; /go?to=URL redirects there.
	s.front = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/go" {
			http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(s.front.Close)
	frontAddr := hostOf(s.front)

	names := map[string][]netip.Addr{
		"evil.test":     {netip.MustParseAddr("10.0.0.1")},
		"metadata.test": {netip.MustParseAddr("169.254.169.254")},
		"localhost":     {netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")},
		"mixed.test":    {netip.MustParseAddr("10.1.1.1"), netip.MustParseAddr("192.168.0.1"), netip.MustParseAddr("fd00::2")},
	}
	s.f = newTestFetcher(t, Options{
		AllowPrivate: append([]string{frontAddr}, allow...),
		dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			var d net.Dialer
			if addr == frontAddr {
				return d.DialContext(ctx, network, addr)
			}
			return d.DialContext(ctx, "tcp", hostOf(canary))
		},
	}, names)
	return s
}

func TestGuardNeverConnectsToForbiddenAddresses(t *testing.T) {
	s := newSSRFSetup(t)
	p := s.canaryPort
	tests := []struct {
		url  string
		want string // the refused address the error must name
	}{
		{"http://127.0.0.1:" + p + "/", "127.0.0.1"},
		{"http://[::1]:" + p + "/", "::1"},
		{"http://localhost:" + p + "/", "127.0.0.1"},
		{"http://10.0.0.1/", "10.0.0.1"},
		{"http://10.255.255.254:8080/", "10.255.255.254"},
		{"http://172.16.5.4/", "172.16.5.4"},
		{"http://192.168.1.1/", "192.168.1.1"},
		{"http://169.254.169.254/latest/meta-data/", "169.254.169.254"},
		{"http://100.64.0.1/", "100.64.0.1"},
		{"http://100.127.255.254/", "100.127.255.254"},
		{"http://[fd00::1]/", "fd00::1"},
		{"http://[fe80::1]/", "fe80::1"},
		{"http://224.0.0.1/", "224.0.0.1"},
		{"http://239.255.255.250:1900/", "239.255.255.250"},
		{"http://[ff02::1]/", "ff02::1"},
		{"http://0.0.0.0:" + p + "/", "0.0.0.0"},
		{"http://[::]:" + p + "/", "::"},
		{"http://[::ffff:127.0.0.1]:" + p + "/", "127.0.0.1"},
		{"http://[::ffff:a00:1]/", "10.0.0.1"},
		{"http://[64:ff9b::a00:1]/", "64:ff9b::a00:1"},     // NAT64 of 10.0.0.1
		{"http://[2002:7f00:1::1]/", "2002:7f00:1::1"},     // 6to4 of 127.0.0.1
		{"http://2130706433:" + p + "/", "127.0.0.1"},      // decimal
		{"http://0x7f.1:" + p + "/", "127.0.0.1"},          // hex and short
		{"http://0x7F000001:" + p + "/", "127.0.0.1"},      // hex
		{"http://0177.0.0.1:" + p + "/", "127.0.0.1"},      // octal
		{"http://0177.1:" + p + "/", "127.0.0.1"},          // octal, short
		{"http://127.1:" + p + "/", "127.0.0.1"},           // short
		{"http://127.0.0.1.:" + p + "/", "127.0.0.1"},      // trailing dot
		{"http://167772161/", "10.0.0.1"},                  // decimal
		{"http://0xa9.0xfe.0xa9.0xfe/", "169.254.169.254"}, // hex parts
		{"http://evil.test/", "10.0.0.1"},
		{"http://EVIL.test:8080/", "10.0.0.1"},
		{"http://metadata.test/", "169.254.169.254"},
		{"http://mixed.test/", "10.1.1.1, 192.168.0.1, fd00::2"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			check := func(how string, err error) {
				t.Helper()
				if !errors.Is(err, ErrPrivateAddress) || !syndicator.IsPermanent(err) {
					t.Fatalf("%s: err = %v, want a permanent ErrPrivateAddress", how, err)
				}
				if !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%s: error %q does not name the refused address %s", how, err, tt.want)
				}
			}
			_, err := s.f.Get(context.Background(), tt.url)
			check("direct", err)
			_, err = s.f.Get(context.Background(), s.front.URL+"/go?to="+url.QueryEscape(tt.url))
			check("via redirect", err)
			// The same with robots.txt ignored: the page request itself is refused.
			_, err = s.f.Do(context.Background(), Request{URL: tt.url, IgnoreRobots: "test"})
			check("direct, robots ignored", err)
			_, err = s.f.Do(context.Background(), Request{URL: s.front.URL + "/go?to=" + url.QueryEscape(tt.url), IgnoreRobots: "test"})
			check("via redirect, robots ignored", err)
			if n := s.canaryConns.Load(); n != 0 {
				t.Fatalf("canary received %d connections", n)
			}
		})
	}
}

func TestGuardRefusesMalformedNumericHosts(t *testing.T) {
	s := newSSRFSetup(t)
	for _, u := range []string{
		"http://256.0.0.1/", "http://1.2.3.4.5/", "http://0x100000000/", "http://4294967296/",
		"http://1.2.3.08/", "http://1..2/",
	} {
		t.Run(u, func(t *testing.T) {
			_, err := s.f.Get(context.Background(), u)
			if !errors.Is(err, ErrInvalidURL) || !syndicator.IsPermanent(err) {
				t.Errorf("err = %v, want a permanent ErrInvalidURL", err)
			}
			if s.canaryConns.Load() != 0 {
				t.Fatal("canary reached")
			}
		})
	}
	// Not a number: a name, which the (test) resolver does not know.
	_, err := s.f.Get(context.Background(), "http://foo.0x7g/")
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !strings.Contains(err.Error(), "host foo.0x7g not found") {
		t.Errorf("foo.0x7g: err = %v, want host not found", err)
	}
}

func TestAllowlistLetsListedTargetsThrough(t *testing.T) {
	for _, allow := range []string{"10.0.0.0/8", "evil.test:80", "10.0.0.1:80"} {
		t.Run(allow, func(t *testing.T) {
			s := newSSRFSetup(t, allow)
			resp, err := s.f.Get(context.Background(), "http://evil.test/")
			if err != nil || string(resp.Body) != "canary" {
				t.Fatalf("allowed fetch: %v", err)
			}
			if _, err := s.f.Get(context.Background(), "http://192.168.0.1/"); !errors.Is(err, ErrPrivateAddress) {
				t.Errorf("unlisted private address: err = %v, want ErrPrivateAddress", err)
			}
		})
	}
}

func TestParseIPv4Host(t *testing.T) {
	tests := []struct {
		host     string
		want     string // "" = not a number (a name); "!" = invalid
		isNumber bool
	}{
		{"2130706433", "127.0.0.1", true},
		{"0x7f.1", "127.0.0.1", true},
		{"0x7f000001", "127.0.0.1", true},
		{"0177.0.0.1", "127.0.0.1", true},
		{"127.1", "127.0.0.1", true},
		{"127.0.1", "127.0.0.1", true},
		{"010.0.0.1", "8.0.0.1", true}, // octal, as a browser reads it
		{"0x", "0.0.0.0", true},
		{"1.2.3.4.", "1.2.3.4", true},
		{"256.1.1.1", "!", true},
		{"1.2.3.4.5", "!", true},
		{"4294967296", "!", true},
		{"09", "!", true},
		{"1..1", "!", true},
		{"example.com", "", false},
		{"gov.cn", "", false},
		{"1.2.3.x", "", false},
		{"0x7g", "", false},
	}
	for _, tt := range tests {
		ip, isNumber, err := parseIPv4Host(tt.host)
		got := ""
		switch {
		case err != nil:
			got = "!"
		case isNumber:
			got = ip.String()
		}
		if got != tt.want || isNumber != tt.isNumber {
			t.Errorf("parseIPv4Host(%q) = %q, %v, %v; want %q, %v", tt.host, got, isNumber, err, tt.want, tt.isNumber)
		}
	}
}

func TestPublicSpecialRanges(t *testing.T) {
	for addr, want := range map[string]bool{
		"0.1.2.3": false, "198.18.0.1": false, "240.0.0.1": false, "255.255.255.255": false,
		"192.0.2.1": false, "::7f00:1": false, "64:ff9b::a00:1": false, "64:ff9b::808:808": true,
		"2002:7f00:1::1": false, "2002:808:808::1": true, "2001:db8::1": false, "ff05::1": false,
		"1.1.1.1": true, "240e::1": true,
	} {
		if got := Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}
