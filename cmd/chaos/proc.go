package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// proc is one child process of the harness, started again with the same
// command line, environment and log file after each kill.
type proc struct {
	Name string // e.g. crawl-1, nats-2, minio
	Kind string // the kill kind it counts under: crawl, archive, site, serve, nats, minio
	bin  string
	args []string
	env  []string
	log  string
	// port is the client port of a NATS node or MinIO; serverName a NATS
	// node's server_name, as stream leaders are named.
	port       int
	serverName string

	mu       sync.Mutex
	cmd      *exec.Cmd
	exited   chan struct{} // closed when the running cmd has exited
	starts   int
	unwanted int // exits the harness did not cause
	killing  bool
}

func newProc(name, kind, logDir, bin string, args, env []string) *proc {
	return &proc{Name: name, Kind: kind, bin: bin, args: args, env: env, log: filepath.Join(logDir, name+".log")}
}

// Start starts the process; its output is appended to its log file.
func (p *proc) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		return fmt.Errorf("%s already running", p.Name)
	}
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("log of %s: %w", p.Name, err)
	}
	fmt.Fprintf(f, "\n==== chaos: start %d of %s at %s\n", p.starts+1, p.Name, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(p.bin, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = f, f
	// Its own process group: a kill reaches nothing else, and a ^C to the
	// harness does not reach the children before the harness stops them.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("start %s: %w", p.Name, err)
	}
	p.cmd, p.starts = cmd, p.starts+1
	exited := make(chan struct{})
	p.exited = exited
	go func() {
		_ = cmd.Wait()
		f.Close()
		p.mu.Lock()
		if !p.killing {
			p.unwanted++
		}
		p.cmd = nil
		p.mu.Unlock()
		close(exited)
	}()
	return nil
}

// Kill sends SIGKILL and waits until the process is gone.
func (p *proc) Kill() { p.end(syscall.SIGKILL, 0) }

// Stop asks the process to end (SIGTERM), and kills it after grace.
func (p *proc) Stop(grace time.Duration) { p.end(syscall.SIGTERM, grace) }

// end sends sig and waits until the process is gone; after grace (0: no
// limit) it sends SIGKILL. The exit it causes is not counted as unwanted.
func (p *proc) end(sig syscall.Signal, grace time.Duration) {
	p.mu.Lock()
	cmd, exited := p.cmd, p.exited
	p.killing = true
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.killing = false
		p.mu.Unlock()
	}()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	var timeout <-chan time.Time
	if grace > 0 {
		t := time.NewTimer(grace)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-exited:
	case <-timeout:
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-exited
	}
}

// Unwanted counts the exits the harness did not cause: a role that ends
// by itself did not recover as it should.
func (p *proc) Unwanted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.unwanted
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// freePorts returns n distinct free ports.
func freePorts(n int) ([]int, error) {
	seen := map[int]bool{}
	var out []int
	for len(out) < n {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// waitListen waits until something accepts connections on port.
func waitListen(ctx context.Context, what string, port int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not listen on %s within %s: %w", what, addr, limit, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
