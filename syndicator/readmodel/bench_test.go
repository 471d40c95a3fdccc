package readmodel

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
)

// benchItems is how many items BenchmarkReadModel projects:
// $SYND_BENCH_ITEMS, default 100,000.
func benchItems(b *testing.B) int {
	if s := os.Getenv("SYND_BENCH_ITEMS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 100 {
			b.Fatalf("SYND_BENCH_ITEMS=%q: want a number ≥ 100", s)
		}
		return n
	}
	return 100_000
}

// phrases make bodies that read like policy text, so trigram postings
// have the spread of real ones.
var phrases = []string{
	"为深入贯彻落实党中央、国务院决策部署", "进一步加强生态环境保护", "全面推行河长制湖长制", "推动经济社会高质量发展",
	"各地区各部门要高度重视", "切实抓好贯彻落实", "统筹推进山水林田湖草沙一体化保护和系统治理", "持续深入打好污染防治攻坚战",
	"完善政策体系和体制机制", "加强组织领导", "强化督促检查", "本通知自印发之日起施行", "数字政府建设", "优化营商环境",
	"推进乡村全面振兴", "加快建设现代化产业体系", "深化行政审批制度改革", "保障和改善民生", "加强大气污染防治", "完善水资源刚性约束制度",
}

var benchSources = []string{"govcn-zuixin", "govcn-bumen", "guizhou-szfwj", "guizhou-szfbgt", "guiyang-szfwj", "guiyang-szfbgt"}

// syntheticEvents are the four events of item i: discovered, archived,
// decided, published (a tenth are review items, not published).
func syntheticEvents(b *testing.B, rng *rand.Rand, i int, seq *uint64) []Msg {
	id := fmt.Sprintf("%032x", i+1)
	src := benchSources[i%len(benchSources)]
	at := time.Date(2024, 1, 1, 9, 0, 0, 0, syndicator.Shanghai).Add(time.Duration(i) * 17 * time.Minute)
	var body strings.Builder
	for body.Len() < 3000 {
		if rng.IntN(20) == 0 {
			body.WriteString(phrases[rng.IntN(len(phrases))])
		} else {
			// A two-character filler word of a vocabulary where a few
			// words are common and most rare, as in real text.
			w := int(rng.ExpFloat64() * 400)
			body.WriteRune(rune(0x4E00 + w%2000))
			body.WriteRune(rune(0x4E00 + (w*7+3)%2000))
		}
		if rng.IntN(8) == 0 {
			body.WriteString("，")
		}
	}
	docNo := fmt.Sprintf("国发〔%d〕%d号", at.Year(), i%997+1)
	title := "关于" + phrases[rng.IntN(len(phrases))] + "的通知"
	it := &syndicator.Item{ID: id, Source: src, Level: syndicator.LevelNational, URL: "https://www.gov.cn/zhengce/" + id + ".htm",
		Title: title, DocNumber: docNo, DocKey: docNo, Issuer: "国务院办公厅", PublishedAt: at, PublishedPrecision: syndicator.PrecisionMinute,
		Validity: syndicator.ValidityEffective, BodyText: body.String(), ContentSHA256: id + id, Revision: 1, DiscoveredAt: at.Add(time.Minute)}
	class, publish := syndicator.ClassTimely, true
	if i%10 == 0 {
		class, publish = syndicator.ClassReview, false
	}
	evs := []syndicator.Event{
		{Kind: syndicator.KindDiscovered, ID: id, Revision: 1, Source: src, At: at.Add(time.Minute), Item: it},
		{Kind: syndicator.KindArchived, ID: id, Revision: 1, Source: src, Sink: "archive", At: at.Add(2 * time.Minute), ArchiveKeys: []string{src + "/" + id + "/r1/original.html"}},
		{Kind: syndicator.KindDecided, ID: id, Revision: 1, Source: src, At: at.Add(2 * time.Minute), Item: it,
			Decision: &syndicator.Decision{Step: syndicator.StepRules, Class: class, Rule: "规则", Publish: publish, Column: "zcwj", DocKey: docNo}},
	}
	if publish {
		evs = append(evs, syndicator.Event{Kind: syndicator.KindPublished, ID: id, Revision: 1, Source: src, Sink: "site", At: at.Add(3 * time.Minute), Location: "/zcwj/" + id + ".html"})
	}
	out := make([]Msg, 0, len(evs))
	for _, ev := range evs {
		data, err := json.Marshal(ev)
		if err != nil {
			b.Fatal(err)
		}
		*seq++
		out = append(out, Msg{Stream: natsbus.StreamEvents, Seq: *seq, Subject: ev.Subject(), Data: data})
	}
	return out
}

// BenchmarkReadModel projects $SYND_BENCH_ITEMS items (four events each,
// 3 KB of body text) into a fresh file in batches of 500, then runs item
// searches with filters and reports their latency percentiles:
//
//	SYND_BENCH_ITEMS=100000 go test -run '^$' -bench ReadModel -benchtime 1x ./syndicator/readmodel
func BenchmarkReadModel(b *testing.B) {
	n := benchItems(b)
	ctx := context.Background()
	for b.Loop() {
		dir := b.TempDir()
		st, err := Open(ctx, filepath.Join(dir, "index.db"))
		if err != nil {
			b.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		var seq uint64
		batch := make([]Msg, 0, 520)
		var applying time.Duration
		events := 0
		for i := range n {
			batch = append(batch, syntheticEvents(b, rng, i, &seq)...)
			if len(batch) >= 500 || i == n-1 {
				start := time.Now()
				if skipped, err := st.Apply(ctx, batch); err != nil || skipped != nil {
					b.Fatal(err, skipped)
				}
				applying += time.Since(start)
				events += len(batch)
				batch = batch[:0]
			}
		}
		b.ReportMetric(float64(n)/applying.Seconds(), "items/s")
		b.ReportMetric(float64(events)/applying.Seconds(), "events/s")
		if fi, err := os.Stat(st.Path()); err == nil {
			b.ReportMetric(float64(fi.Size())/(1<<20), "MiB")
		}

		from := time.Date(2024, 1, 1, 0, 0, 0, 0, syndicator.Shanghai).Add(time.Duration(n/2) * 17 * time.Minute) // mid-history
		queries := []Query{
			{Text: "河长制"},
			{Text: "生态环境保护", Source: "guizhou-szfwj"},
			{Text: "数字政府", State: StatePublished, Page: 5},
			{Text: "国发〔2024〕1"},
			{Text: "环境"},
			{Source: "guiyang-szfwj", State: StateReview},
			{Class: syndicator.ClassTimely, From: from, To: from.AddDate(0, 0, 7)},
			{Text: "污染防治", From: from, To: from.AddDate(0, 0, 14), Source: "govcn-zuixin"},
			{Page: 100},
			{Validity: syndicator.ValidityEffective, Text: "营商环境 行政审批"},
		}
		var took []time.Duration
		worst := make([]time.Duration, len(queries))
		for range 30 {
			for i, q := range queries {
				start := time.Now()
				p, err := st.Search(ctx, q)
				d := time.Since(start)
				took, worst[i] = append(took, d), max(worst[i], d)
				if err != nil {
					b.Fatal(err)
				}
				if p.Total == 0 && q.Page == 0 {
					b.Fatalf("search %+v found nothing", q)
				}
			}
		}
		for i, q := range queries {
			b.Logf("slowest of 30: %6.1f ms  %+v", float64(worst[i].Microseconds())/1000, q)
		}
		slices.Sort(took)
		pct := func(p float64) float64 {
			return float64(took[int(p*float64(len(took)-1))].Microseconds()) / 1000
		}
		b.ReportMetric(pct(0.5), "p50-ms")
		b.ReportMetric(pct(0.99), "p99-ms")
		b.ReportMetric(pct(1), "max-ms")
		st.Close()
	}
}
