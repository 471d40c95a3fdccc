// Command serve serves a directory written by bench/gen over HTTP on
// loopback, as a static web server does: Last-Modified from the file's
// mtime and an ETag from its size and mtime, so conditional GETs answer 304;
// with --gzip, bodies are gzipped for clients that accept it.
//
//	serve --root DIR/site [--addr 127.0.0.1:0] [--addr-file F] [--gzip]
//	      [--grow PATH --grow-start K --grow-rate R]
//
// With --grow, the JSON list at PATH starts with its K oldest rows and
// gains R rows a second from its first request on, newest first as on
// gov.cn: a site publishing at a steady rate, for latency measurements.
//
// It prints the address it listens on (and writes it to --addr-file), and
// on SIGINT/SIGTERM the counts of responses by status.
package main

import (
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	root := flag.String("root", "", "docroot (required)")
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	addrFile := flag.String("addr-file", "", "write the address listened on to this file")
	gz := flag.Bool("gzip", false, "gzip responses for clients that accept it")
	growPath := flag.String("grow", "", "URL path of a JSON list that grows")
	growStart := flag.Int("grow-start", 1, "rows of the growing list shown at first")
	growRate := flag.Float64("grow-rate", 100, "rows added per second to the growing list")
	flag.Parse()
	if *root == "" {
		fmt.Fprintln(os.Stderr, "用法：serve --root 目录 [--addr 127.0.0.1:0] [--addr-file 文件] [--gzip]")
		os.Exit(2)
	}
	var g *grower
	if *growPath != "" {
		var err error
		if g, err = newGrower(*root, *growPath, *growStart, *growRate); err != nil {
			fmt.Fprintln(os.Stderr, "serve:", err)
			os.Exit(1)
		}
	}
	if err := run(*root, *addr, *addrFile, *gz, g); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}

func run(root, addr, addrFile string, gz bool, g *grower) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr().String())
	if addrFile != "" {
		if err := os.WriteFile(addrFile, []byte(ln.Addr().String()+"\n"), 0o644); err != nil {
			return err
		}
	}
	h := &handler{root: root, gzip: gz, grow: g, counts: map[int]int{}}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		return err
	}
	fmt.Fprintln(os.Stderr, "serve: responses by status:", h.summary())
	return nil
}

// handler serves files under root. It keeps no cache: every request opens
// the file, as a static server with a cold-ish page cache would.
type handler struct {
	root string
	gzip bool
	grow *grower // nil: no list grows

	mu     sync.Mutex
	counts map[int]int
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	defer func() { h.count(sw.status) }()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(sw, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if h.grow != nil && r.URL.Path == h.grow.path {
		h.grow.serve(sw, r)
		return
	}
	name := filepath.Join(h.root, filepath.FromSlash(path.Clean("/"+r.URL.Path)))
	f, err := os.Open(name)
	if err != nil {
		http.NotFound(sw, r)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		http.NotFound(sw, r)
		return
	}
	sw.Header().Set("ETag", fmt.Sprintf(`"%x-%x"`, st.ModTime().Unix(), st.Size()))
	if h.gzip && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") && r.Header.Get("Range") == "" {
		h.serveGzip(sw, r, f, st)
		return
	}
	http.ServeContent(sw, r, st.Name(), st.ModTime(), f)
}

// serveGzip answers conditional requests like ServeContent and otherwise
// streams the file gzipped; the ETag is weak, as the bytes differ.
func (h *handler) serveGzip(w http.ResponseWriter, r *http.Request, f *os.File, st os.FileInfo) {
	etag := "W/" + w.Header().Get("ETag")
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", st.ModTime().UTC().Format(http.TimeFormat))
	w.Header().Set("Vary", "Accept-Encoding")
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		if strings.Contains(inm, strings.TrimPrefix(etag, "W/")) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	} else if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !st.ModTime().Truncate(time.Second).After(ims) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if ct := contentType(st.Name()); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.Header().Set("Content-Encoding", "gzip")
	if r.Method == http.MethodHead {
		return
	}
	zw := gzip.NewWriter(w)
	buf := make([]byte, 32<<10)
	for {
		n, err := f.Read(buf)
		if n > 0 {
			if _, werr := zw.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			break
		}
	}
	_ = zw.Close()
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".htm", ".html":
		return "text/html; charset=utf-8"
	case ".json":
		return "application/json; charset=utf-8"
	case ".pdf":
		return "application/pdf"
	case ".txt":
		return "text/plain; charset=utf-8"
	}
	return ""
}

func (h *handler) count(status int) {
	h.mu.Lock()
	h.counts[status]++
	h.mu.Unlock()
}

func (h *handler) summary() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return fmt.Sprint(h.counts)
}

// statusWriter remembers the status written, for the counts.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
