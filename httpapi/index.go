package httpapi

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/audit"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/readmodel"
)

// streamEnds tells how far a stream goes (StreamHeads), so a request can wait
// for the read model to have applied what was there when it came.
type streamEnds interface {
	LastSeq(ctx context.Context, stream string) (uint64, error)
	LastSeqOf(ctx context.Context, stream, subject string) (uint64, error)
}

// indexWait bounds how long a request waits for the read model to catch
// up with the streams before it answers 503.
const indexWait = 10 * time.Second

// current waits until the read model has applied stream up to where it
// ended when the request came: an answer never misses what the ledger
// held at that moment.
func (s *Server) current(ctx context.Context, stream string) error {
	last, err := projectedEnd(ctx, s.streams, stream)
	if err != nil {
		return fmt.Errorf("读取 %s 位置失败：%w", stream, err)
	}
	ctx, cancel := context.WithTimeout(ctx, indexWait)
	defer cancel()
	for {
		pos, err := s.index.Positions(ctx)
		if err != nil {
			return fmt.Errorf("读取索引位置失败：%w", err)
		}
		if pos[stream] >= last {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("索引仍在追赶 %s（已应用至 %d，共 %d）：请稍后重试；若持续如此，见 serve 日志中的 readmodel 组件", stream, pos[stream], last)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// projectedStreams are the streams the read model projects.
var projectedStreams = [...]string{natsbus.StreamEvents, natsbus.StreamAudit, natsbus.StreamDead}

// projectedEnd is the last message of stream the read model projects:
// every subject of SYND_EVENTS and SYND_DEAD, but only the entries of
// SYND_AUDIT. An anchor last in the ledger must not make a request wait,
// or the backlog show, for a position nothing will reach.
func projectedEnd(ctx context.Context, ends streamEnds, stream string) (uint64, error) {
	if stream == natsbus.StreamAudit {
		return ends.LastSeqOf(ctx, stream, syndicator.SubjectAuditEntry)
	}
	return ends.LastSeq(ctx, stream)
}

// readModelLags is, per projected stream, how many messages the read
// model has still to apply.
func (s *Server) readModelLags(ctx context.Context, ends streamEnds) (map[string]uint64, error) {
	pos, err := s.index.Positions(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]uint64, len(projectedStreams))
	for _, stream := range projectedStreams {
		last, err := projectedEnd(ctx, ends, stream)
		if err != nil {
			return out, err
		}
		out[stream] = behind(last, pos[stream])
	}
	return out, nil
}

// itemView is one item in GET /api/v1/items.
type itemView struct {
	ID          string              `json:"id"`
	Source      string              `json:"source"`
	Title       string              `json:"title"`
	DocNumber   string              `json:"doc_number,omitempty"`
	URL         string              `json:"url"`
	PublishedAt time.Time           `json:"published_at,omitzero"`
	Class       syndicator.Class    `json:"class,omitempty"`
	Rule        string              `json:"rule,omitempty"`
	State       readmodel.State     `json:"state"`
	StateLabel  string              `json:"state_label"`
	Validity    syndicator.Validity `json:"validity,omitempty"`
	Revision    int                 `json:"revision"`
	Location    string              `json:"location,omitempty"`
}

// apiItems is the item search: ?q= full text (title, 发文字号, body),
// source, class, state, validity, from/to (YYYY-MM-DD, Beijing time, on
// the item's date), page, per_page.
func (s *Server) apiItems(w http.ResponseWriter, r *http.Request) {
	if s.index == nil {
		writeJSONError(w, http.StatusServiceUnavailable, "未连接 NATS，没有条目索引：请为 serve 配置 nats.url")
		return
	}
	q := r.URL.Query()
	query := readmodel.Query{Text: q.Get("q"), Source: q.Get("source"), Class: syndicator.Class(q.Get("class")),
		State: readmodel.State(q.Get("state")), Validity: syndicator.Validity(q.Get("validity"))}
	if len([]rune(query.Text)) > 200 {
		writeJSONError(w, http.StatusBadRequest, "检索词过长：最多 200 个字符")
		return
	}
	var err error
	if q.Get("from") != "" || q.Get("to") != "" {
		if query.From, query.To, err = audit.ParsePeriod(q.Get("from"), q.Get("to"), s.clock()); err != nil {
			writeJSONError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	for name, dst := range map[string]*int{"page": &query.Page, "per_page": &query.PerPage} {
		if v := q.Get(name); v != "" {
			if *dst, err = strconv.Atoi(v); err != nil || *dst < 1 {
				writeJSONError(w, http.StatusBadRequest, fmt.Sprintf("%s=%q：应为正整数", name, v))
				return
			}
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	page, err := s.index.Search(ctx, query)
	if err != nil {
		writeJSONError(w, http.StatusServiceUnavailable, "检索失败："+err.Error())
		return
	}
	out := make([]itemView, 0, len(page.Items))
	for _, it := range page.Items {
		out = append(out, itemView{ID: it.ID, Source: it.Source, Title: it.Title, DocNumber: it.DocNumber, URL: it.URL,
			PublishedAt: it.PublishedAt, Class: it.Class, Rule: it.Rule, State: it.State, StateLabel: it.State.Label(),
			Validity: it.Validity, Revision: it.Revision, Location: it.Location})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out, "total": page.Total, "more": page.More,
		"page": page.Page, "per_page": page.PerPage, "pages": page.Pages()})
}

// indexedTimeline is an item's document timeline from the read model.
func (s *Server) indexedTimeline(ctx context.Context, id string) (*audit.Timeline, error) {
	if err := s.current(ctx, natsbus.StreamAudit); err != nil {
		return nil, err
	}
	key, entries, err := s.index.DocumentEntries(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, tl := range audit.Timelines(entries) {
		if tl.DocKey == key {
			return &tl, nil
		}
	}
	return nil, fmt.Errorf("item %s: %w", id, readmodel.ErrNotFound)
}

// indexedReport is the report of [from, to) from the read model.
func (s *Server) indexedReport(ctx context.Context, from, to time.Time) (audit.Report, error) {
	if err := s.current(ctx, natsbus.StreamAudit); err != nil {
		return audit.Report{}, err
	}
	docs, err := s.index.PeriodEntries(ctx, from, to)
	if err != nil {
		return audit.Report{}, err
	}
	p := s.started.AuditPolicy()
	published, err := s.index.Publications(ctx, cmp.Or(p.Sink, "site"))
	if err != nil {
		return audit.Report{}, err
	}
	cal, err := s.started.AuditCalendar()
	if err != nil {
		return audit.Report{}, err
	}
	return audit.BuildFrom(docs, published, p, cal, from, to, s.clock())
}
