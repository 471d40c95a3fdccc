package httpapi

import (
	"net"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// connLimiter caps the connections the server holds: in all (Accept waits
// for a slot, so a flood queues in the kernel's backlog instead of using
// up file descriptors) and per remote address (extra ones are closed at
// once, so one client cannot take every slot).
type connLimiter struct {
	net.Listener
	slots     chan struct{}
	perClient int
	log       zerolog.Logger

	closed    chan struct{} // closed by Close: Accept stops waiting for a slot
	closeOnce sync.Once

	mu        sync.Mutex
	byClient  map[string]int
	lastNoted time.Time // when a refusal was last logged
}

// limitListener wraps ln; max or perClient ≤ 0 leaves that bound off.
func limitListener(ln net.Listener, max, perClient int, log zerolog.Logger) net.Listener {
	l := &connLimiter{Listener: ln, perClient: perClient, log: log, byClient: map[string]int{}, closed: make(chan struct{})}
	if max > 0 {
		l.slots = make(chan struct{}, max)
	}
	return l
}

// Accept returns the next connection within the bounds.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		if l.slots != nil {
			select {
			case l.slots <- struct{}{}:
			case <-l.closed:
				// http.Server waits for Serve to return before it closes
				// any connection: a full house must not hold shutdown.
				return nil, net.ErrClosed
			}
		}
		c, err := l.Listener.Accept()
		if err != nil {
			l.release()
			return nil, err
		}
		client := remoteHost(c)
		if l.admit(client) {
			return &limitedConn{Conn: c, release: func() { l.leave(client) }}, nil
		}
		_ = c.Close()
		l.release()
	}
}

// Close stops Accept, including one waiting for a slot.
func (l *connLimiter) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

func (l *connLimiter) release() {
	if l.slots != nil {
		<-l.slots
	}
}

// admit counts a connection of client, or refuses it over the cap.
func (l *connLimiter) admit(client string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.perClient > 0 && l.byClient[client] >= l.perClient {
		if now := time.Now(); now.Sub(l.lastNoted) > time.Minute {
			l.lastNoted = now
			l.log.Warn().Str("client", client).Int("limit", l.perClient).Msg("too many connections from one client; closing the extra ones")
		}
		return false
	}
	l.byClient[client]++
	return true
}

func (l *connLimiter) leave(client string) {
	l.mu.Lock()
	if l.byClient[client]--; l.byClient[client] <= 0 {
		delete(l.byClient, client)
	}
	l.mu.Unlock()
	l.release()
}

func remoteHost(c net.Conn) string {
	host, _, err := net.SplitHostPort(c.RemoteAddr().String())
	if err != nil {
		return c.RemoteAddr().String()
	}
	return host
}

// limitedConn gives its slot back once, on the first Close.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
