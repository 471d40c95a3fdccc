// Command govsim serves simulated government policy sites (a gov.cn-like
// JSON list and a Guizhou-like TRS site) for demos and manual tests of
// syndicator, and publishes a new release at a fixed interval.
//
//	govsim --addr 127.0.0.1:8090 [--seed N] [--items N] [--publish-every 5s]
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
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}

	site := sim.New(sim.Options{
		Seed:         *seed,
		Items:        *items,
		PublishEvery: *every,
		Start:        time.Now(), // history ends now, new releases carry real times
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
	log.Printf("serving %s/govcn/zhengce/zuixin/ZUIXINZHENGCE.json", base)
	log.Printf("serving %s/guizhou/zwgk/zcfg/szfwj/qff/ and %s/guizhou/zwgk/zcfg/szfwj/qfbf/", base, base)
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
