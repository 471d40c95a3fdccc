package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/decide"
	"github.com/gyeco/syndicator/syndicator/natsbus"
)

// actorSIGHUP is the actor the ledger records for a reload asked for by
// signal: no one signed in.
const actorSIGHUP = "SIGHUP（信号）"

// recordTimeout bounds publishing a reload's ledger event, so a NATS
// server gone silent does not hold the console's request or the signal
// handler.
const recordTimeout = 10 * time.Second

// loadConfig reads and checks a configuration file exactly as every
// command does, `config check` and a reload included. The extractor checks
// the sources' rules: their selectors mean something only to it, and
// config imports no crawler.
func loadConfig(path string) (*config.Config, error) {
	return config.Load(path, config.WithRuleValidator(extract.Validator{}))
}

// current is the configuration in force: the one the process started
// with until a reload replaces it.
func (a *App) current() *config.Config {
	if c := a.live.Load(); c != nil {
		return c
	}
	return a.Config
}

// Reload reads the configuration file the process started with again and
// applies it: sources added, removed or changed take effect at once (their
// crawlers start, stop or restart), as do the relevance rules, identity
// settings and the server's sources, tokens and columns. A file that
// `config check` refuses, or a change to a setting the running roles built
// at start (startOnly), changes nothing and is returned as the error. The
// summary says in Chinese what changed. Every attempt is recorded in the
// audit ledger when NATS is connected; a success is logged here, a refusal
// is the caller's to log or show.
func (a *App) Reload(ctx context.Context, actor string) (summary string, err error) {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	summary, err = a.reload()
	outcome := summary
	if err != nil {
		outcome = err.Error()
	}
	a.recordReload(ctx, actor, outcome, err != nil)
	if err != nil {
		return "", err
	}
	a.Log.Info().Str("actor", actor).Str("summary", summary).Msg("configuration reloaded")
	return summary, nil
}

func (a *App) reload() (string, error) {
	file := a.Config.File
	if file == "" {
		return "", errors.New("本进程使用内置默认配置启动（未给 --config），没有可重新读取的配置文件；" +
			"要修改配置，请写一个配置文件并用 --config 文件 重新启动")
	}
	a.running.mu.Lock()
	roles := a.running.roles
	a.running.mu.Unlock()
	if roles == nil {
		return "", errors.New("进程尚未开始运行，无法重新加载配置；请稍后再试")
	}
	next, err := loadConfig(file)
	if err != nil {
		return "", fmt.Errorf("配置文件有误，未做任何更改（正在使用的配置不变）：\n%w", err)
	}
	// What prepare checks beyond Load: the rules compile into one set.
	if _, err := next.RuleSet(); err != nil {
		return "", fmt.Errorf("配置文件 %s 有误，未做任何更改（正在使用的配置不变）：rules: %w", file, err)
	}
	d := config.Compare(a.current(), next)
	if keys := startOnlyChanges(d.Keys, a.startOnly(roles)); len(keys) > 0 {
		return "", fmt.Errorf("配置文件 %s 修改了以下设置，需要重启才能生效：%s。本次未做任何更改；"+
			"请重启进程，或把这些设置改回原值后再重新加载", file, strings.Join(keys, "、"))
	}
	if d.Empty() {
		return "配置无变化", nil
	}
	if err := a.apply(next); err != nil {
		return "", err
	}
	for _, w := range configWarnings(next) {
		a.Log.Warn().Str("warning", w).Msg("reloaded configuration will still give a wrong result")
	}
	return summarize(d), nil
}

// apply makes next the configuration in force for everything that reads
// it live. The crawlers are reconciled last and waited for, so when a
// reload answers no crawler of a removed source is still polling.
func (a *App) apply(next *config.Config) error {
	a.running.mu.Lock()
	if bus := a.running.bus; bus != nil {
		dec, err := a.deciderOf(bus, next)
		if err != nil {
			a.running.mu.Unlock()
			return fmt.Errorf("配置文件 %s 有误，未做任何更改：%w", next.File, err)
		}
		a.dec.Store(dec)
		if a.running.ref != nil {
			a.running.ref.set(bus, dec)
		}
	}
	a.live.Store(next)
	srv, crawl := a.running.srv, a.running.crawl
	a.running.mu.Unlock()
	if srv != nil {
		srv.UseConfig(next)
	}
	if crawl != nil {
		crawl.reconcile()
	}
	return nil
}

// startOnly are the settings (config.Diff keys, or a prefix of them) that
// roles build into their parts once (App.Run, prepare, the components):
// a change to one takes effect only after a restart. Settings no running
// role uses may change freely: a restart reads them anyway.
func (a *App) startOnly(roles []Role) []string {
	// data_dir: the lock, the instance id, the read model; nats: the
	// embedded server, the connection and its consumers' ack wait.
	keys := []string{"data_dir", "nats"}
	for _, r := range roles {
		switch r {
		case RoleCrawl:
			keys = append(keys, "crawler") // the fetcher and the crawlers' shared settings
		case RoleArchive:
			keys = append(keys, "archive") // the store, the ledger's anchors
		case RoleSite:
			keys = append(keys, "archive", "site") // the stores and the renderer
		case RoleServe:
			// The listener and the site store are opened once; the audit
			// reports read sla and calendar from the start configuration.
			keys = append(keys, "http.listen", "http.max_conns_per_client", "site.backend", "site.dir", "site.s3", "sla", "calendar")
		case RoleWebhook:
			keys = append(keys, "webhook")
		}
	}
	// `run` adds the webhook role only when webhook.url is set at start.
	if a.Embedded {
		keys = append(keys, "webhook.url")
	}
	return keys
}

// startOnlyChanges are the changed keys that fall under startOnly.
func startOnlyChanges(changed, startOnly []string) []string {
	var out []string
	for _, k := range changed {
		for _, p := range startOnly {
			if k == p || strings.HasPrefix(k, p+".") {
				out = append(out, k)
				break
			}
		}
	}
	return out
}

// summarize says what a reload changed, e.g. "新增来源 a、b；删除来源 c；
// 修改来源 d；更新设置 rules".
func summarize(d config.Diff) string {
	var parts []string
	for _, p := range []struct {
		label string
		ids   []string
	}{{"新增来源 ", d.Added}, {"删除来源 ", d.Removed}, {"修改来源 ", d.Changed}, {"更新设置 ", d.Keys}} {
		if len(p.ids) > 0 {
			parts = append(parts, p.label+strings.Join(p.ids, "、"))
		}
	}
	if len(parts) == 0 {
		return "配置无变化"
	}
	return strings.Join(parts, "；")
}

// recordReload publishes the attempt to the audit ledger. It cannot undo
// the reload, so a failure to record is logged, not returned.
func (a *App) recordReload(ctx context.Context, actor, outcome string, failed bool) {
	a.running.mu.Lock()
	ref := a.running.ref
	a.running.mu.Unlock()
	if ref == nil {
		return // this process uses no NATS: there is no ledger to write to
	}
	bus, _, err := ref.get()
	if err == nil {
		ev := syndicator.NewActionEvent(syndicator.Action{
			Name: syndicator.ActionReload, Actor: actor, Outcome: outcome, Failed: failed,
		}, "", "", a.now())
		pctx, cancel := context.WithTimeout(ctx, recordTimeout)
		_, err = bus.Publish(pctx, ev)
		cancel()
	}
	if err != nil {
		a.Log.Warn().Err(err).Str("actor", actor).Bool("failed", failed).
			Msg("configuration reload attempt not recorded in the audit ledger")
	}
}

// useBus makes bus the connection a reload applies to, with a decider
// built from the configuration in force; runBus calls it before it starts
// the components on bus.
func (a *App) useBus(bus *natsbus.Bus) error {
	a.running.mu.Lock()
	defer a.running.mu.Unlock()
	dec, err := a.deciderOf(bus, a.current())
	if err != nil {
		return err
	}
	a.dec.Store(dec)
	a.running.bus = bus
	if a.running.ref != nil {
		a.running.ref.set(bus, dec)
	}
	return nil
}

// dropBus forgets the connection once its components have stopped.
func (a *App) dropBus() {
	a.running.mu.Lock()
	defer a.running.mu.Unlock()
	a.dec.Store(nil)
	a.running.bus = nil
	if a.running.ref != nil {
		a.running.ref.set(nil, nil)
	}
}

// registerCrawlers makes set the crawlers a reload reconciles, while it
// runs (crawlerSet.Run).
func (a *App) registerCrawlers(set *crawlerSet) (unregister func()) {
	a.running.mu.Lock()
	a.running.crawl = set
	a.running.mu.Unlock()
	return func() {
		a.running.mu.Lock()
		if a.running.crawl == set {
			a.running.crawl = nil
		}
		a.running.mu.Unlock()
	}
}

// decideLive handles each event with the decider in force, which a
// reload may replace between two events; fallback (the connection's own)
// serves until runBus has set one.
func (a *App) decideLive(fallback *decide.Decider) natsbus.Handler {
	return func(ctx context.Context, ev *syndicator.Event, attempt int) error {
		if d := a.dec.Load(); d != nil {
			return d.Handle(ctx, ev, attempt)
		}
		return fallback.Handle(ctx, ev, attempt)
	}
}

// deciderOf is App.decider for a given configuration: the rules, the
// watched levels and the wait for the origin are the parts a reload
// changes.
func (a *App) deciderOf(bus *natsbus.Bus, cfg *config.Config) (*decide.Decider, error) {
	set, err := cfg.RuleSet()
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	levels := make([]syndicator.Level, 0, len(cfg.Sources))
	for _, src := range cfg.Sources {
		levels = append(levels, syndicator.Level(src.Level))
	}
	return decide.New(decide.Options{
		Rules: set, Levels: levels, WaitForOrigin: cfg.Identity.WaitForOrigin, Now: a.now,
	}, bus, bus, a.Log), nil
}

// reloadOnSIGHUP reloads the configuration at every SIGHUP until stop is
// called (or ctx ends); stop returns once the handler has. A SIGHUP never
// stops the process: a refused reload is logged and the configuration in
// force stays.
func (a *App) reloadOnSIGHUP(ctx context.Context) (stop func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGHUP)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.reloadOnSignal(ctx, sig)
	}()
	return func() {
		signal.Stop(sig)
		cancel()
		<-done
	}
}

// reloadOnSignal reloads once per value received on sig until ctx ends.
func (a *App) reloadOnSignal(ctx context.Context, sig <-chan os.Signal) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-sig:
			if _, err := a.Reload(ctx, actorSIGHUP); err != nil {
				a.Log.Error().Err(err).Str("actor", actorSIGHUP).
					Msg("configuration reload refused; the configuration in force is unchanged")
			}
		}
	}
}
