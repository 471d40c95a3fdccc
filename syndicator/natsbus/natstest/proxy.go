package natstest

import (
	"bytes"
	"net"
	neturl "net/url"
	"sync"
	"testing"
)

// Proxy sits between NATS clients and a server and can freeze the
// server→client direction: the connections stay open, what the client
// sends still reaches the server, but nothing comes back. That is a server
// gone quiet mid-answer, the case where only a client's own contexts can
// end its calls. Cut then breaks the connections, so the answer held back
// is lost and the client reconnects: a write whose outcome its caller
// never learned.
type Proxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	marker []byte        // freeze when this passes server→client
	sent   []watch       // close when a marker passes client→server
	frozen chan struct{} // closed once frozen
	thawed chan struct{} // closed by Cut: the frozen copiers give up
	conns  map[net.Conn]struct{}
	closed bool

	done chan struct{} // closed by Close: frozen copiers give up
	wg   sync.WaitGroup
}

type watch struct {
	marker []byte
	seen   chan struct{}
}

// NewProxy listens on a loopback port and forwards every connection to the
// NATS server at serverURL (nats://host:port). It is closed, and every
// goroutine it started has returned, when the test ends.
func NewProxy(t testing.TB, serverURL string) *Proxy {
	t.Helper()
	u, err := neturl.Parse(serverURL)
	if err != nil || u.Host == "" {
		t.Fatalf("proxy: bad server url %q: %v", serverURL, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy: %v", err)
	}
	p := &Proxy{
		ln: ln, target: u.Host,
		frozen: make(chan struct{}),
		thawed: make(chan struct{}),
		conns:  map[net.Conn]struct{}{},
		done:   make(chan struct{}),
	}
	p.wg.Go(p.accept)
	t.Cleanup(p.Close)
	return p
}

// URL is what clients dial instead of the server.
func (p *Proxy) URL() string { return "nats://" + p.ln.Addr().String() }

// FreezeOn freezes the proxy as soon as marker shows up in what the server
// sends, before that read reaches the client (bytes of the marker split
// across two reads may pass in part: the message stays incomplete). The
// returned channel is closed once frozen.
func (p *Proxy) FreezeOn(marker string) <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.marker = []byte(marker)
	return p.frozen
}

// Freeze stops the server→client direction now.
func (p *Proxy) Freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.freezeLocked()
}

// Frozen is closed once the proxy has frozen.
func (p *Proxy) Frozen() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.frozen
}

// Sent returns a channel closed once marker has passed from a client to
// the server from now on: the call that sent it is waiting for an answer.
func (p *Proxy) Sent(marker string) <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	w := watch{marker: []byte(marker), seen: make(chan struct{})}
	p.sent = append(p.sent, w)
	return w.seen
}

// Cut closes every connection open now, as a network failure would, and
// thaws the proxy: clients reconnect through it and get their answers
// again. What a frozen connection held back is lost, as an answer is when
// the connection it travels on breaks: a call whose request reached the
// server never learns its outcome. A later FreezeOn or Freeze freezes the
// proxy anew.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		_ = c.Close()
		delete(p.conns, c)
	}
	close(p.thawed)
	p.thawed = make(chan struct{})
	p.marker = nil
	p.frozen = make(chan struct{})
}

func (p *Proxy) freezeLocked() {
	select {
	case <-p.frozen:
	default:
		close(p.frozen)
	}
}

// Close stops listening, closes every connection and waits for the
// forwarding goroutines.
func (p *Proxy) Close() {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.done)
		_ = p.ln.Close()
		for c := range p.conns {
			_ = c.Close()
		}
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		if !p.track(c, s) {
			return
		}
		p.wg.Go(func() {
			p.clientToServer(c, s)
			_ = s.Close()
			_ = c.Close()
		})
		p.wg.Go(func() {
			p.serverToClient(s, c)
			_ = s.Close()
			_ = c.Close()
		})
	}
}

// track registers the pair of connections, or closes them when the proxy
// is closing.
func (p *Proxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		for _, c := range conns {
			_ = c.Close()
		}
		return false
	}
	for _, c := range conns {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *Proxy) clientToServer(c, s net.Conn) {
	var carry []byte
	buf := make([]byte, 32<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			carry = p.noteSent(carry, buf[:n])
			if _, werr := s.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// noteSent closes the Sent channels whose marker is in carry+chunk and
// returns the tail to carry into the next read.
func (p *Proxy) noteSent(carry, chunk []byte) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.sent) == 0 {
		return nil
	}
	window := append(carry, chunk...)
	keep := p.sent[:0]
	longest := 0
	for _, w := range p.sent {
		if bytes.Contains(window, w.marker) {
			close(w.seen)
			continue
		}
		keep = append(keep, w)
		longest = max(longest, len(w.marker))
	}
	p.sent = keep
	return tail(window, longest)
}

func (p *Proxy) serverToClient(s, c net.Conn) {
	var carry []byte
	buf := make([]byte, 32<<10)
	for {
		n, err := s.Read(buf)
		if n > 0 {
			var thawed <-chan struct{}
			carry, thawed = p.checkFreeze(carry, buf[:n])
			if thawed != nil {
				// Hold everything from here on until the proxy closes
				// or the connection is cut.
				select {
				case <-p.done:
				case <-thawed:
				}
				return
			}
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// checkFreeze reports whether the proxy is frozen, with chunk or before
// it, by returning the channel Cut closes (nil: not frozen).
func (p *Proxy) checkFreeze(carry, chunk []byte) ([]byte, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.frozen:
		return nil, p.thawed
	default:
	}
	if len(p.marker) == 0 {
		return nil, nil
	}
	window := append(carry, chunk...)
	if bytes.Contains(window, p.marker) {
		p.freezeLocked()
		return nil, p.thawed
	}
	return tail(window, len(p.marker)), nil
}

// tail is a copy of the last n-1 bytes of b: enough to find a marker of
// length n that straddles two reads.
func tail(b []byte, n int) []byte {
	if n <= 1 {
		return nil
	}
	return append([]byte(nil), b[max(0, len(b)-(n-1)):]...)
}
