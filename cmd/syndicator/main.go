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
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/syndicator/audit"
	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
)

const usage = `syndicator — 政策文件转载同步

usage:
  syndicator run      [--config FILE]   all roles in one process (embedded NATS when nats.url is empty)
  syndicator crawl    [--config FILE]   crawler role only (needs nats.url)
  syndicator sink NAME [--config FILE]  one sink role: archive | site | webhook (needs nats.url)
  syndicator serve    [--config FILE]   committee site, API, /healthz, /readyz
  syndicator config check [--config FILE]
  syndicator source test ID [--config FILE] [--json] [--limit N]
                                        dry run of one source: nothing is published or written
  syndicator source suggest URL [--detail URL] [--id ID] [--config FILE] [--limit N]
                                        infer a source from its list page: prints its YAML, then
                                        dry-runs it as source test does
  syndicator backfill ID [--config FILE] [--pages N]
                                        import the history of one source, with progress
  syndicator audit report --from D --to D [--format html|csv|json] [--out FILE]
                                        timeliness report for auditors (dates YYYY-MM-DD, Beijing time)
  syndicator audit export [--from D --to D] > ledger.jsonl
                                        the audit ledger, one entry a line
  syndicator audit verify [--file ledger.jsonl [--anchors]]
                                        check the hash chain (live ledger, or an export;
                                        --anchors: also against the archive's anchors)
  syndicator index rebuild [--config FILE]
                                        rebuild serve's item index (data_dir/readmodel.db) from the streams
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// invocation is a parsed command line.
type invocation struct {
	cmd      string   // run, crawl, sink, serve, config check, source test, backfill
	args     []string // positional arguments after the command words
	cfgPath  string
	logLevel string
	json     bool
	limit    int
	pages    int
	from, to string // audit: YYYY-MM-DD
	format   string // audit report: html | csv | json
	file     string // audit verify: an export; audit report: --out
	anchors  bool   // audit verify --file: check against the archive's anchors too
	detail   string // source suggest: a detail page to infer the detail rule from
	id       string // source suggest: the new source's id
}

// command is one command: its words and how many positional arguments
// it takes.
type command struct {
	name  string
	words []string
	nargs int
	help  string
}

func commandTable() []command {
	return []command{
		{"run", []string{"run"}, 0, "syndicator run [--config FILE]"},
		{"crawl", []string{"crawl"}, 0, "syndicator crawl [--config FILE]"},
		{"serve", []string{"serve"}, 0, "syndicator serve [--config FILE]"},
		{"sink", []string{"sink"}, 1, "syndicator sink archive|site [--config FILE]"},
		{"config check", []string{"config", "check"}, 0, "syndicator config check [--config FILE]"},
		{"source test", []string{"source", "test"}, 1, "syndicator source test ID [--json] [--limit N]"},
		{"source suggest", []string{"source", "suggest"}, 1, "syndicator source suggest URL [--detail URL] [--id ID] [--limit N]"},
		{"backfill", []string{"backfill"}, 1, "syndicator backfill ID [--pages N]"},
		{"audit report", []string{"audit", "report"}, 0, "syndicator audit report --from YYYY-MM-DD --to YYYY-MM-DD [--format html|csv|json] [--out FILE]"},
		{"audit export", []string{"audit", "export"}, 0, "syndicator audit export [--from YYYY-MM-DD --to YYYY-MM-DD] > ledger.jsonl"},
		{"audit verify", []string{"audit", "verify"}, 0, "syndicator audit verify [--file ledger.jsonl [--anchors]]"},
		{"index rebuild", []string{"index", "rebuild"}, 0, "syndicator index rebuild [--config FILE]"},
	}
}

func parse(args []string, stderr io.Writer) (*invocation, bool) {
	inv := &invocation{}
	var c command
	for _, cand := range commandTable() {
		if len(args) >= len(cand.words) && equal(args[:len(cand.words)], cand.words) {
			c, inv.cmd, args = cand, cand.name, args[len(cand.words):]
			break
		}
	}
	if inv.cmd == "" {
		if len(args) > 0 && args[0] != "-h" && args[0] != "--help" && args[0] != "help" {
			fmt.Fprintf(stderr, "unknown command %q\n\n", args[0])
		}
		fmt.Fprint(stderr, usage)
		return nil, false
	}
	fs := flag.NewFlagSet(inv.cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&inv.cfgPath, "config", "", "configuration file (YAML); default: the built-in configuration")
	fs.StringVar(&inv.logLevel, "log-level", "info", "debug | info | warn | error")
	if inv.cmd == "source test" {
		fs.BoolVar(&inv.json, "json", false, "print the JSON report of DESIGN §3")
	}
	if inv.cmd == "source test" || inv.cmd == "source suggest" {
		fs.IntVar(&inv.limit, "limit", 5, "detail pages to read")
	}
	if inv.cmd == "source suggest" {
		fs.StringVar(&inv.detail, "detail", "", "a detail page of the source (default: the first the list links)")
		fs.StringVar(&inv.id, "id", "new-source", "the id to give the source")
	}
	if inv.cmd == "backfill" {
		fs.IntVar(&inv.pages, "pages", 10, "list pages to read (a JSON or feed list without page_param is one URL)")
	}
	switch inv.cmd {
	case "audit report", "audit export":
		fs.StringVar(&inv.from, "from", "", "first day, YYYY-MM-DD (Beijing time)")
		fs.StringVar(&inv.to, "to", "", "last day, YYYY-MM-DD (Beijing time), included")
	}
	switch inv.cmd {
	case "audit report":
		fs.StringVar(&inv.format, "format", "html", "html | csv | json")
		fs.StringVar(&inv.file, "out", "", "write the report to FILE instead of stdout")
	case "audit verify":
		fs.StringVar(&inv.file, "file", "", "an exported ledger (JSON lines); default: the live ledger over NATS")
		fs.BoolVar(&inv.anchors, "anchors", false, "with --file: also check the export against the anchors in the archive (needs NATS and the archive)")
	}
	// Flags may come before or after the positional arguments.
	for {
		if err := fs.Parse(args); err != nil {
			return nil, false
		}
		if fs.NArg() == 0 {
			break
		}
		inv.args = append(inv.args, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(inv.args) != c.nargs {
		fmt.Fprintf(stderr, "usage: %s\n", c.help)
		return nil, false
	}
	if msg := inv.check(); msg != "" {
		fmt.Fprintln(stderr, msg)
		return nil, false
	}
	return inv, true
}

// logLevels are the values of --log-level.
func logLevels() []string { return []string{"debug", "info", "warn", "error"} }

// check refuses flag values that mean nothing, saying in Chinese what is
// allowed; "" when all are fine.
func (inv *invocation) check() string {
	if !slices.Contains(logLevels(), strings.ToLower(inv.logLevel)) {
		return fmt.Sprintf("--log-level %q：无效的日志级别，可选 %s", inv.logLevel, strings.Join(logLevels(), "、"))
	}
	if (inv.cmd == "source test" || inv.cmd == "source suggest") && inv.limit < 0 {
		return fmt.Sprintf("--limit %d：详情页数不能为负，可为 0（只读列表）或正整数", inv.limit)
	}
	if inv.cmd == "backfill" && inv.pages < 1 {
		return fmt.Sprintf("--pages %d：列表页数须为正整数（至少 1）", inv.pages)
	}
	return ""
}

// configWarnings are what `config check` points out in a valid
// configuration that will still give a wrong result.
func configWarnings(cfg *config.Config) []string {
	var ws []string
	if strings.TrimSpace(cfg.Site.BaseURL) == "" {
		ws = append(ws, "site.base_url 未设置：站点地图 sitemap.xml 的 <loc> 和 Atom 订阅的链接将是相对地址（如 /zcwj/…），"+
			"而站点地图协议要求完整网址，搜索引擎会拒收。请在配置文件中写明站点的公开地址，"+
			"如 site: {base_url: https://www.example.gov.cn/}。")
	}
	return ws
}

// run is main without the exit, so tests can drive it.
func run(args []string, stdout, stderr io.Writer) int {
	inv, ok := parse(args, stderr)
	if !ok {
		return 2
	}
	// The same check as a reload's (reload.go).
	cfg, err := loadConfig(inv.cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "配置有误 (configuration invalid):\n%v\n", err)
		return 1
	}
	if inv.cmd == "config check" {
		where := cfg.File
		if where == "" {
			where = "内置默认配置 (built-in default)"
		}
		fmt.Fprintf(stdout, "配置正确: %s — %d 个来源\n", where, len(cfg.Sources))
		for _, w := range configWarnings(cfg) {
			fmt.Fprintf(stderr, "警告：%s\n", w)
		}
		return 0
	}
	log := newLogger(stderr, inv.logLevel)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app := &App{Config: cfg, Log: log}
	switch inv.cmd {
	case "run", "crawl", "serve", "sink":
		// SIGHUP reloads the configuration file instead of ending the
		// process (its default).
		defer app.reloadOnSIGHUP(ctx)()
	}

	switch inv.cmd {
	case "source test":
		return app.SourceTest(ctx, inv.args[0], inv.limit, inv.json, stdout, stderr)
	case "source suggest":
		return app.SourceSuggest(ctx, inv.args[0], inv.detail, inv.id, inv.limit, stdout, stderr)
	case "backfill":
		return app.Backfill(ctx, inv.args[0], inv.pages, stderr)
	case "audit report":
		return app.AuditReport(ctx, inv.from, inv.to, inv.format, inv.file, stdout, stderr)
	case "audit export":
		from, to, err := audit.ParsePeriod(inv.from, inv.to, time.Now())
		if err != nil {
			fmt.Fprintln(stderr, "audit export:", err)
			return 2
		}
		if inv.from == "" && inv.to == "" {
			from, to = time.Time{}, time.Time{} // the whole ledger
		}
		return app.AuditExport(ctx, from, to, stdout, stderr)
	case "audit verify":
		return app.AuditVerify(ctx, inv.file, inv.anchors, stdout, stderr)
	case "index rebuild":
		return app.IndexRebuild(ctx, stderr)
	case "run":
		app.Embedded = true
		softMemoryLimit(log)
		roles := []Role{RoleCrawl, RoleArchive, RoleSite, RoleServe}
		if app.Config.Webhook.URL != "" {
			roles = append(roles, RoleWebhook)
		}
		err = app.Run(ctx, roles...)
	case "crawl":
		err = app.Run(ctx, RoleCrawl)
	case "sink":
		switch inv.args[0] {
		case "archive":
			err = app.Run(ctx, RoleArchive)
		case "site":
			err = app.Run(ctx, RoleSite)
		case "webhook":
			if app.Config.Webhook.URL == "" {
				fmt.Fprintln(stderr, "sink webhook: webhook.url is not configured; set webhook.url and webhook.secret in the config file")
				return 2
			}
			err = app.Run(ctx, RoleWebhook)
		default:
			fmt.Fprintf(stderr, "unknown sink %q: want archive, site or webhook\n", inv.args[0])
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

func equal(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
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
