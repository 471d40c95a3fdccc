package natstest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Cluster is a JetStream cluster of nats-server processes on loopback,
// each with its own store, killed when the test ends.
type Cluster struct {
	t     testing.TB
	bin   string
	dir   string
	Nodes []*Node
}

// Node is one server of a Cluster.
type Node struct {
	Name string
	Port int // client port
	conf string
	log  string
	cmd  *exec.Cmd
}

// URL is the node's client URL.
func (n *Node) URL() string { return fmt.Sprintf("nats://127.0.0.1:%d", n.Port) }

// NewCluster starts n nats-server processes (the binary of Binary) routed
// to each other as one JetStream cluster, and waits until every one
// listens. Streams need a meta leader before they can be created:
// natsbus.Connect waits for one with its retries.
func NewCluster(t testing.TB, n int) *Cluster {
	t.Helper()
	c := &Cluster{t: t, bin: Binary(t), dir: t.TempDir()}
	routes := make([]string, n)
	clusterPorts := make([]int, n)
	for i := range n {
		clusterPorts[i] = FreePort(t)
		routes[i] = fmt.Sprintf("nats://127.0.0.1:%d", clusterPorts[i])
	}
	for i := range n {
		node := &Node{Name: fmt.Sprintf("n%d", i+1), Port: FreePort(t)}
		store := filepath.Join(c.dir, node.Name)
		node.conf = filepath.Join(c.dir, node.Name+".conf")
		node.log = filepath.Join(c.dir, node.Name+".log")
		conf := fmt.Sprintf(`server_name: %s
listen: 127.0.0.1:%d
jetstream { store_dir: %q }
cluster {
  name: synd
  listen: 127.0.0.1:%d
  routes: [%s]
}
`, node.Name, node.Port, store, clusterPorts[i], strings.Join(routes, ", "))
		if err := os.WriteFile(node.conf, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		c.Nodes = append(c.Nodes, node)
		c.Start(node)
	}
	t.Cleanup(func() {
		for _, node := range c.Nodes {
			c.Kill(node)
		}
	})
	return c
}

// URL lists every node's client URL, as a client's server list.
func (c *Cluster) URL() string {
	urls := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		urls[i] = n.URL()
	}
	return strings.Join(urls, ",")
}

// Node returns the node named name (a server_name, as in a stream's
// cluster info).
func (c *Cluster) Node(name string) *Node {
	for _, n := range c.Nodes {
		if n.Name == name {
			return n
		}
	}
	c.t.Fatalf("no node %q in the cluster", name)
	return nil
}

// Start starts node (again, after Kill) on its store and waits until it
// listens.
func (c *Cluster) Start(node *Node) {
	c.t.Helper()
	logf, err := os.OpenFile(node.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(c.bin, "-c", node.conf)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("start %s: %v", c.bin, err)
	}
	go func() { _ = cmd.Wait(); _ = logf.Close() }()
	node.cmd = cmd
	waitListen(c.t, node.Name, node.Port, node.log)
}

// Kill kills node with SIGKILL, as a crash would.
func (c *Cluster) Kill(node *Node) {
	if node.cmd != nil && node.cmd.Process != nil {
		_ = node.cmd.Process.Kill()
	}
	node.cmd = nil
}
