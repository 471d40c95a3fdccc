// Command govsim serves simulated government policy sites (gov.cn-like JSON
// lists, Guizhou- and Guiyang-like TRS sites, a GB18030 county site) for
// demos and manual tests of syndicator, and publishes a new release at a
// fixed interval.
//
//	govsim --addr 127.0.0.1:8090 [--seed N] [--items N] [--publish-every 5s]
//	       [--sites govcn-all,guizhou-all,guiyang,county]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		log.Printf("govsim: %v", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("govsim", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8090", "listen address")
	seed := fs.Int64("seed", 1, "seed of the simulated history")
	items := fs.Int("items", 30, "historical releases per site")
	every := fs.Duration("publish-every", 30*time.Second, "interval between new releases")
	large := fs.Int("large-every", 10, "every n-th release of a site has a body of about 1.5 MB (-1: none)")
	sitesFlag := fs.String("sites", strings.Join(sim.AllSites(), ","),
		"comma-separated sites to serve: govcn, govcn-all, guizhou, guizhou-all, guiyang, county")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	sites := strings.Split(*sitesFlag, ",")
	if err := sim.CheckSites(sites); err != nil {
		return fmt.Errorf("--sites: %w", err)
	}

	site := sim.New(sim.Options{
		Seed:         *seed,
		Items:        *items,
		PublishEvery: *every,
		LargeEvery:   *large,
		Start:        time.Now(), // history ends now, new releases carry real times
		Sites:        sites,
		OnPublish: func(r sim.Release) {
			log.Printf("published %s %s %s %s", r.Site, r.DocNumber, r.Path, r.Title)
		},
	})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: site, ReadHeaderTimeout: 10 * time.Second}
	base := "http://" + ln.Addr().String()
	for _, l := range site.Lists() {
		log.Printf("serving %s%s", base, l)
	}
	log.Printf("publishing a release every %s", *every)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	ran := make(chan error, 1)
	go func() { ran <- site.Run(ctx) }()

	select {
	case err := <-errc:
		stop()
		<-ran
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Printf("shutting down")
	if err := <-ran; err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
