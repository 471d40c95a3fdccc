// Command syndicator keeps the committee site's republished policy column
// in step with its source sites. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/gyeco/syndicator/config"
	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
)

const usage = `syndicator — 政策文件转载同步

usage:
  syndicator run      [--config FILE]   all roles in one process (embedded NATS when nats.url is empty)
  syndicator crawl    [--config FILE]   crawler role only (needs nats.url)
  syndicator sink NAME [--config FILE]  one sink role: archive | site (needs nats.url)
  syndicator serve    [--config FILE]   committee site, /healthz, /readyz
  syndicator config check [--config FILE]
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the exit, so tests can drive it.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, args := args[0], args[1:]
	var sinkName string
	switch cmd {
	case "config":
		if len(args) == 0 || args[0] != "check" {
			fmt.Fprintln(stderr, "usage: syndicator config check [--config FILE]")
			return 2
		}
		args = args[1:]
	case "sink":
		if len(args) == 0 || args[0] == "" || args[0][0] == '-' {
			fmt.Fprintln(stderr, "usage: syndicator sink archive|site [--config FILE]")
			return 2
		}
		sinkName, args = args[0], args[1:]
	case "run", "crawl", "serve":
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "configuration file (YAML); default: the built-in configuration")
	logLevel := fs.String("log-level", "info", "debug | info | warn | error")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected arguments: %v\n", fs.Args())
		return 2
	}

	cfg, err := config.Load(*cfgPath)
	if cmd == "config" {
		if err != nil {
			fmt.Fprintf(stderr, "配置有误 (configuration invalid):\n%v\n", err)
			return 1
		}
		where := cfg.File
		if where == "" {
			where = "内置默认配置 (built-in default)"
		}
		fmt.Fprintf(stdout, "配置正确: %s — %d 个来源\n", where, len(cfg.Sources))
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "配置有误 (configuration invalid):\n%v\n", err)
		return 1
	}
	log := newLogger(stderr, *logLevel)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app := &App{Config: cfg, Log: log}
	switch cmd {
	case "run":
		app.Embedded = true
		err = app.Run(ctx, RoleCrawl, RoleArchive, RoleSite, RoleServe)
	case "crawl":
		err = app.Run(ctx, RoleCrawl)
	case "sink":
		switch sinkName {
		case "archive":
			err = app.Run(ctx, RoleArchive)
		case "site":
			err = app.Run(ctx, RoleSite)
		default:
			fmt.Fprintf(stderr, "unknown sink %q: want archive or site\n", sinkName)
			return 2
		}
	case "serve":
		err = app.Run(ctx, RoleServe)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		log.Error().Err(err).Msg("stopped with an error")
		return 1
	}
	log.Info().Msg("stopped")
	return 0
}

func newLogger(w io.Writer, level string) zerolog.Logger {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil {
		lvl = zerolog.InfoLevel
	}
	out := w
	if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		out = zerolog.ConsoleWriter{Out: w, TimeFormat: "15:04:05"}
	}
	return zerolog.New(out).Level(lvl).With().Timestamp().Logger()
}
