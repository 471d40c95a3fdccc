package console

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/audit"
	"github.com/gyeco/syndicator/syndicator/readmodel"
)

// sourceRow is one source as the console lists it.
type sourceRow struct {
	ID, Name, Level, Preset, Column string
	Interval                        time.Duration
	State                           *crawler.SourceState // nil until its first poll
	Control                         syndicator.SourceControl
	LastNew                         time.Time
	NextPoll                        time.Time
	// Fallback counts the source's items the generic readers read (its
	// selectors matched nothing on their pages); Counted says the read
	// model was there to count them.
	Fallback int
	Counted  bool
}

// Health is the row's health word: ok, degraded, failing, or new.
func (s sourceRow) Health() string {
	if s.State == nil {
		return "new"
	}
	return s.State.State
}

// HealthLabel is Health in Chinese.
func (s sourceRow) HealthLabel() string {
	if s.State == nil {
		return "尚未抓取"
	}
	return healthLabel(s.Health())
}

// sourceRows reads every configured source's crawl state and controls.
func (c *Console) sourceRows(ctx context.Context) ([]sourceRow, error) {
	live := c.d.Live()
	var last map[string]time.Time
	var fallback map[string]int
	if c.d.Index != nil {
		var err error
		if last, err = c.d.Index.LastNew(ctx); err != nil {
			return nil, err
		}
		if fallback, err = c.d.Index.FallbackCounts(ctx); err != nil {
			return nil, err
		}
	}
	// One pass over each bucket, not two reads per source: the pages
	// list every source on each request.
	states := map[string]*crawler.SourceState{}
	controls := map[string]syndicator.SourceControl{}
	if c.d.KV != nil {
		var err error
		if states, err = crawler.States(ctx, c.d.KV); err != nil {
			return nil, err
		}
		err = c.d.KV.EachState(ctx, syndicator.BucketControl, ">", func(key string, value []byte) error {
			var sc syndicator.SourceControl
			if err := json.Unmarshal(value, &sc); err != nil {
				return fmt.Errorf("controls of %s: %w", key, err)
			}
			controls[key] = sc
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]sourceRow, 0, len(live.Sources))
	for _, s := range live.Sources {
		row := sourceRow{ID: s.ID, Name: s.Name, Level: string(s.Level), Preset: s.Preset, Column: s.Column, Interval: s.Interval,
			LastNew: last[s.ID], State: states[s.ID], Control: controls[s.ID], Fallback: fallback[s.ID], Counted: fallback != nil}
		if row.State != nil {
			row.NextPoll = row.State.LastPoll.Add(s.Interval)
		}
		out = append(out, row)
	}
	return out, nil
}

// slaRow is an open item and where it stands against its deadline.
type slaRow struct {
	Item     *readmodel.Row
	Deadline time.Time
	Left     time.Duration
	Status   string // ontime | risk | late
}

// StatusLabel is the status in Chinese.
func (s slaRow) StatusLabel() string {
	switch s.Status {
	case "late":
		return "已超时"
	case "risk":
		return "即将超时"
	}
	return "按时"
}

// judgeOpen places an open item against its class's deadline: at risk
// in the last quarter of its window (and always in the last two hours).
func judgeOpen(r *readmodel.Row, p audit.Policy, cal audit.Calendar, now time.Time) slaRow {
	start, limit := r.PublishedAt, p.Timely
	switch r.Class {
	case syndicator.ClassSync:
		limit = p.Sync
	case syndicator.ClassReview:
		start, limit = r.DiscoveredAt, p.Review
	}
	if start.IsZero() {
		start = r.DiscoveredAt
	}
	dl := limit.Deadline(start, cal)
	out := slaRow{Item: r, Deadline: dl, Left: dl.Sub(now), Status: "ontime"}
	switch window := dl.Sub(start); {
	case !now.Before(dl):
		out.Status = "late"
	case out.Left < window/4 || out.Left < 2*time.Hour:
		out.Status = "risk"
	}
	return out
}

// Overview is 总览.
func (c *Console) Overview(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := timeout(r)
	defer cancel()
	now := c.now()
	data := map[string]any{"Now": now, "SLA": map[string]int{}}
	var problems []string
	sources, err := c.sourceRows(ctx)
	if err != nil {
		problems = append(problems, "读取来源状态失败："+err.Error())
	}
	health := map[string]int{}
	paused := 0
	for _, s := range sources {
		health[s.Health()]++
		if s.Control.Paused {
			paused++
		}
	}
	data["Health"], data["Paused"], data["SourceCount"] = health, paused, len(sources)
	// Sources needing attention first.
	attention := slices.DeleteFunc(slices.Clone(sources), func(s sourceRow) bool { return s.Health() == crawler.HealthOK })
	data["Attention"] = attention

	if c.d.Backlog != nil {
		st, err := c.d.Backlog.Stats(ctx, c.d.Consumers...)
		if err != nil {
			problems = append(problems, "读取积压失败："+err.Error())
		}
		type backlog struct {
			Consumer string
			Pending  uint64
			Known    bool
		}
		var rows []backlog
		for _, name := range c.d.Consumers {
			n, ok := st.Pending[name]
			rows = append(rows, backlog{name, n, ok})
		}
		if c.d.Followers != nil {
			f, err := c.d.Followers(ctx)
			if err != nil {
				problems = append(problems, "读取账本与只读模型进度失败："+err.Error())
			}
			for _, name := range []string{"ledger", "readmodel"} {
				if n, ok := f[name]; ok {
					rows = append(rows, backlog{name, n, true})
				}
			}
		}
		data["Backlog"] = rows
	}
	if c.d.Index != nil {
		if c.d.Current != nil {
			if err := c.d.Current(ctx); err != nil {
				problems = append(problems, "只读模型尚未跟上事件流，以下数字可能略旧："+err.Error())
			}
		}
		if n, err := c.d.Index.CountOpenDead(ctx); err == nil {
			data["Dead"] = n
		} else {
			problems = append(problems, err.Error())
		}
		today := startOfDay(now)
		if counts, err := c.d.Index.ClassCountsSince(ctx, today); err == nil {
			type classCount struct {
				Class syndicator.Class
				N     int
			}
			var rows []classCount
			most := 0
			for _, cl := range []syndicator.Class{syndicator.ClassTimely, syndicator.ClassSync, syndicator.ClassReview, syndicator.ClassIgnore, ""} {
				rows = append(rows, classCount{cl, counts[cl]})
				most = max(most, counts[cl])
			}
			data["Classes"], data["ClassMost"] = rows, most
		} else {
			problems = append(problems, err.Error())
		}
		if open, err := c.d.Index.Open(ctx, 500); err == nil {
			sla := map[string]int{}
			var urgent []slaRow
			for _, it := range open {
				j := judgeOpen(it, c.d.Policy, c.d.Calendar, now)
				sla[j.Status]++
				if j.Status != "ontime" {
					urgent = append(urgent, j)
				}
			}
			slices.SortFunc(urgent, func(a, b slaRow) int { return a.Deadline.Compare(b.Deadline) })
			data["SLA"], data["Urgent"], data["Open"] = sla, urgent, len(open)
		} else {
			problems = append(problems, err.Error())
		}
		if latest, err := c.d.Index.ColumnLatest(ctx); err == nil {
			type fresh struct {
				ID, Name string
				Last     time.Time
				Stale    bool
			}
			var rows []fresh
			for _, col := range c.d.Live().Columns {
				l := latest[col.ID]
				rows = append(rows, fresh{col.ID, col.Name, l, l.IsZero() || now.Sub(l) > time.Duration(max(c.d.Policy.StaleDays, 1))*24*time.Hour})
			}
			data["Columns"], data["StaleDays"] = rows, c.d.Policy.StaleDays
		} else {
			problems = append(problems, err.Error())
		}
	} else {
		problems = append(problems, "未连接 NATS：条目、死信与审计需要为 serve 配置 nats.url。")
	}
	data["Problems"] = problems
	c.render(w, r, http.StatusOK, "overview", "总览", data)
}

// startOfDay is midnight Beijing time of t's day.
func startOfDay(t time.Time) time.Time {
	y, m, d := t.In(beijing).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, beijing)
}
