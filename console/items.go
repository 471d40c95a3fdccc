package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/audit"
	"github.com/gyeco/syndicator/syndicator/readmodel"
)

// Items is 条目: full-text search with filters, paginated.
func (c *Console) Items(w http.ResponseWriter, r *http.Request) {
	if c.d.Index == nil {
		c.fail(w, r, http.StatusServiceUnavailable, "未连接 NATS：条目检索需要为 serve 配置 nats.url。")
		return
	}
	ctx, cancel := timeout(r)
	defer cancel()
	qs := r.URL.Query()
	q := readmodel.Query{
		Text: strings.TrimSpace(qs.Get("q")), Source: qs.Get("source"), Class: syndicator.Class(qs.Get("class")),
		State: readmodel.State(qs.Get("state")), Validity: syndicator.Validity(qs.Get("validity")), PerPage: 50,
	}
	q.Page, _ = strconv.Atoi(qs.Get("page"))
	var problems []string
	switch v := qs.Get("extracted_by"); v {
	case "":
	case syndicator.ExtractedByFallback: // 仅看通用识别读取的条目
		q.ExtractedBy = v
	default:
		problems = append(problems, "提取方式只能筛选 fallback（通用识别读取的条目）")
	}
	if v := qs.Get("from"); v != "" {
		t, err := time.ParseInLocation("2006-01-02", v, beijing)
		if err != nil {
			problems = append(problems, "起始日期应为 YYYY-MM-DD")
		}
		q.From = t
	}
	if v := qs.Get("to"); v != "" {
		t, err := time.ParseInLocation("2006-01-02", v, beijing)
		if err != nil {
			problems = append(problems, "截止日期应为 YYYY-MM-DD")
		}
		q.To = t.AddDate(0, 0, 1)
	}
	data := map[string]any{"Q": qs, "States": readmodel.States(), "Sources": c.d.Live().Sources,
		"Classes":    []syndicator.Class{syndicator.ClassTimely, syndicator.ClassSync, syndicator.ClassReview, syndicator.ClassIgnore},
		"Validities": []syndicator.Validity{syndicator.ValidityEffective, syndicator.ValidityAmended, syndicator.ValidityRepealed, syndicator.ValidityExpired, syndicator.ValidityUnknown}}
	if len(problems) == 0 {
		if c.d.Current != nil {
			if err := c.d.Current(ctx); err != nil {
				problems = append(problems, "只读模型尚未跟上事件流，结果可能略旧。")
			}
		}
		page, err := c.d.Index.Search(ctx, q)
		if err != nil {
			problems = append(problems, "检索失败："+err.Error())
		}
		data["Page"] = page
		data["Prev"], data["Next"] = pageLink(qs, page.Page-1), ""
		if page.Page*page.PerPage < page.Total || page.More {
			data["Next"] = pageLink(qs, page.Page+1)
		}
		if page.Page <= 1 {
			data["Prev"] = ""
		}
	}
	data["Problems"] = problems
	c.render(w, r, http.StatusOK, "items", "条目", data)
}

func pageLink(qs url.Values, page int) string {
	v := url.Values{}
	for k, vals := range qs {
		v[k] = slices.Clone(vals)
	}
	v.Set("page", strconv.Itoa(page))
	return "/console/items?" + v.Encode()
}

// step is one line of an item's timeline.
type step struct {
	At     time.Time
	What   string
	Detail string
	Seq    uint64 // ledger entry
	Link   string
}

// timelineSteps lays a document's timeline out in time order.
func timelineSteps(tl *audit.Timeline, actions []readmodel.Action) []step {
	var out []step
	if !tl.Upstream.At.IsZero() {
		out = append(out, step{At: tl.Upstream.At, What: "上游发布", Detail: "精确到" + tl.Upstream.Precision.Label()})
	}
	for _, s := range tl.Sightings {
		d := s.Source
		if s.Baseline {
			d += "（基线）"
		}
		out = append(out, step{At: s.At, What: "发现", Detail: d, Seq: s.Seq, Link: s.URL})
	}
	if d := tl.Decided; d != nil {
		det := d.Class.Label() + "，规则 " + d.Rule
		if d.DuplicateOf != "" {
			det += "，与 " + d.DuplicateOf + " 重复"
		}
		if d.Column != "" {
			det += "，栏目 " + d.Column
		}
		out = append(out, step{At: d.At, What: "判定", Detail: det, Seq: d.Seq})
	}
	if v := tl.Reviewed; v != nil {
		out = append(out, step{At: v.At, What: "审核：" + v.Outcome.Label(), Detail: v.Reviewer + " " + v.Comment, Seq: v.Seq})
	}
	for _, a := range tl.Archived {
		det := fmt.Sprintf("第 %d 版，%d 个对象", a.Revision, len(a.Keys))
		if a.WARC != "" {
			det += "，WARC " + a.WARC
		}
		out = append(out, step{At: a.At, What: "归档", Detail: det, Seq: a.Seq})
	}
	for _, p := range tl.Published {
		link := ""
		if p.Sink == "site" && p.Location != "" {
			link = "/" + strings.TrimPrefix(p.Location, "/")
		}
		out = append(out, step{At: p.At, What: "转载（" + p.Sink + "）", Detail: p.Location, Seq: p.Seq, Link: link})
	}
	for _, v := range tl.Validity {
		det := v.To.Label()
		if v.Gone {
			det = "源页面失效"
		}
		if v.BasisDocNumber != "" {
			det += "，依据 " + v.BasisDocNumber
		}
		out = append(out, step{At: v.At, What: "有效性变化", Detail: det, Seq: v.Seq})
	}
	if x := tl.Withdrawn; x != nil {
		out = append(out, step{At: x.At, What: "撤下", Detail: x.Reason, Seq: x.Seq})
	}
	for _, a := range actions {
		out = append(out, step{At: a.At, What: a.Name.Label(), Detail: a.Actor + " " + a.Reason, Seq: a.Seq})
	}
	slices.SortStableFunc(out, func(a, b step) int { return a.At.Compare(b.At) })
	return out
}

// Item is one item: its fields, timeline with ledger seqs, decision,
// sightings on other sites, revisions side by side, evidence.
func (c *Console) Item(w http.ResponseWriter, r *http.Request) {
	if c.d.Index == nil {
		c.fail(w, r, http.StatusServiceUnavailable, "未连接 NATS：条目需要为 serve 配置 nats.url。")
		return
	}
	ctx, cancel := timeout(r)
	defer cancel()
	id := r.PathValue("id")
	if c.d.Current != nil {
		_ = c.d.Current(ctx) // a stale page beats none; the search page says so
	}
	it, err := c.d.Index.Item(ctx, id)
	if errors.Is(err, readmodel.ErrNotFound) {
		c.fail(w, r, http.StatusNotFound, "没有条目 "+id+"。")
		return
	}
	if err != nil {
		c.fail(w, r, http.StatusServiceUnavailable, "读取条目失败："+err.Error())
		return
	}
	live := c.d.Live()
	names := map[string]string{}
	for _, col := range live.Columns {
		names[col.ID] = col.Name
	}
	source := it.Source // its name, while the configuration has it
	for _, s := range live.Sources {
		if s.ID == it.Source && s.Name != "" {
			source = s.Name
		}
	}
	data := map[string]any{"It": it, "CanDownload": c.d.Archive != nil, "ColNames": names, "SourceName": source}
	var problems []string
	actions, err := c.d.Index.Actions(ctx, id, 50)
	if err != nil {
		problems = append(problems, err.Error())
	}
	if c.d.Audit != nil {
		tl, err := c.d.Audit.Timeline(ctx, id)
		if err != nil {
			problems = append(problems, "时间线："+err.Error())
		} else if tl != nil {
			data["Timeline"], data["Steps"] = tl, timelineSteps(tl, actions)
		}
	}
	if sights, err := c.d.Index.Sightings(ctx, id); err == nil {
		data["Sightings"] = sights
	} else {
		problems = append(problems, err.Error())
	}
	revs, err := c.d.Index.Revisions(ctx, id)
	if err != nil {
		problems = append(problems, err.Error())
	}
	data["Revisions"] = revs
	// Revisions the generic readers read: the page says so even when the
	// source's rules read the latest one again.
	var fallback []int
	for _, rev := range revs {
		if rev.Fallback() {
			fallback = append(fallback, rev.Revision)
		}
	}
	data["FallbackRevs"] = fallback
	if len(revs) >= 2 {
		a, b := revisionPick(revs, r.URL.Query().Get("a"), len(revs)-2), revisionPick(revs, r.URL.Query().Get("b"), len(revs)-1)
		data["DiffA"], data["DiffB"] = revs[a], revs[b]
		data["Diff"] = Fold(Diff(revs[a].Title+"\n"+revs[a].BodyText, revs[b].Title+"\n"+revs[b].BodyText), 2)
	}
	data["Problems"] = problems
	c.render(w, r, http.StatusOK, "item", it.Title, data)
}

// revisionPick is the index of the revision numbered v, else def.
func revisionPick(revs []readmodel.Revision, v string, def int) int {
	n, err := strconv.Atoi(v)
	if err != nil {
		return def
	}
	for i, r := range revs {
		if r.Revision == n {
			return i
		}
	}
	return def
}
