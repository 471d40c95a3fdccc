package console

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gyeco/syndicator/syndicator"
)

// beijing is the time zone every time is shown in.
var beijing = time.FixedZone("CST", 8*3600)

// parsePages parses every page with the layout around it.
func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"when":     showTime,
		"day":      func(t time.Time) string { return dayOf(t) },
		"ago":      ago,
		"dur":      showDuration,
		"pct":      func(f float64) string { return fmt.Sprintf("%.1f%%", f*100) },
		"class":    syndicator.Class.Label,
		"validity": syndicator.Validity.Label,
		"action":   func(a syndicator.ActionName) string { return a.Label() },
		"add":      func(a, b int) int { return a + b },
		"runes":    utf8.RuneCountInString,
		"level":    func(l string) string { return syndicator.Level(l).Label() },
		"health":   healthLabel,
		"outcome":  syndicator.Outcome.Label,
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("console template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// view is what the layout reads.
type view struct {
	Title string
	Nav   string
	User  User
	CSRF  string
	Flash string
	Data  any
}

// render writes page with the layout; data is the page's own.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, page, title string, data any) {
	t, ok := c.pages[page]
	if !ok {
		http.Error(w, "no such console page: "+page, http.StatusInternalServerError)
		return
	}
	u := userOf(r)
	v := view{Title: title, Nav: page, User: u, CSRF: u.csrf, Data: data}
	if ck, err := r.Cookie(sessionCookie); err == nil && u.Name != "" {
		v.Flash = c.ses.takeFlash(ck.Value)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		c.d.Log.Error().Err(err).Str("page", page).Msg("console page failed to render")
		http.Error(w, "页面生成失败："+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", SecurityPolicy)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// SecurityPolicy is the console's CSP: its own style sheet and script
// only, forms posting to itself, no frames.
const SecurityPolicy = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// fail shows an error page.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	c.render(w, r, status, "error", "出错了", map[string]any{"Status": status, "Message": msg})
}

// done records what a change did for the next page and goes there.
func (c *Console) done(w http.ResponseWriter, r *http.Request, to, msg string) {
	if ck, err := r.Cookie(sessionCookie); err == nil {
		c.ses.setFlash(ck.Value, msg)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func showTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(beijing).Format("2006-01-02 15:04:05")
}

func dayOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(beijing).Format("2006-01-02")
}

func showDuration(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		s = fmt.Sprintf("%d 秒", int(d.Seconds()))
	case d < time.Hour:
		s = fmt.Sprintf("%d 分钟", int(d.Minutes()))
	case d < 48*time.Hour:
		s = fmt.Sprintf("%.1f 小时", d.Hours())
	default:
		s = fmt.Sprintf("%.1f 天", d.Hours()/24)
	}
	if neg {
		return "超出 " + s
	}
	return s
}

// ago is how long before now t was, for "last poll 3 分钟前".
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "从未"
	}
	if t.After(now) {
		return showDuration(t.Sub(now)) + "后"
	}
	return showDuration(now.Sub(t)) + "前"
}

func healthLabel(state string) string {
	switch state {
	case "ok":
		return "正常"
	case "degraded":
		return "降级"
	case "failing":
		return "失败"
	}
	return state
}
