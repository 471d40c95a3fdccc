package natsbus

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// govcnItem is shaped like a gov.cn policy release as extracted: metadata,
// two attachments, and a body of about 60 KB of markup (paragraphs and a
// table) with its text.
func govcnItem() *syndicator.Item {
	var html, text strings.Builder
	para := "为深入贯彻落实党中央、国务院关于生态文明建设的决策部署，进一步加强生态环境保护，推动经济社会发展全面绿色转型，现就有关事项通知如下。"
	for i := 0; html.Len() < 50<<10; i++ {
		fmt.Fprintf(&html, "<p style=\"text-indent: 2em; font-family: 宋体;\">（%d）%s</p>\n", i+1, para)
		fmt.Fprintf(&text, "（%d）%s\n", i+1, para)
	}
	html.WriteString("<table border=\"1\"><tbody>")
	for i := 0; html.Len() < 60<<10; i++ {
		fmt.Fprintf(&html, "<tr><td>%d</td><td>生态环境监测站点</td><td><a href=\"https://www.gov.cn/zhengce/%d.htm\">第%d项</a></td></tr>", i, i, i)
		fmt.Fprintf(&text, "%d 生态环境监测站点 第%d项\n", i, i)
	}
	html.WriteString("</tbody></table>")
	at := time.Date(2026, 9, 11, 16, 45, 0, 0, syndicator.Shanghai)
	url := "https://www.gov.cn/zhengce/content/202609/content_7012345.htm"
	return &syndicator.Item{
		ID: syndicator.ItemID(url), Source: "govcn-gwywj", Level: syndicator.LevelNational, URL: url,
		DocKey: "国办发〔2026〕47号", Title: "国务院办公厅关于进一步加强生态环境保护工作的通知", DocNumber: "国办发〔2026〕47号",
		IndexNumber: "000014349/2026-00110", Issuer: "国务院办公厅", Subject: "综合政务\\生态环境", DocType: "通知",
		WrittenAt: "2026-09-05", PublishedAt: at, PublishedPrecision: syndicator.PrecisionSecond, Validity: syndicator.ValidityEffective,
		BodyHTML: html.String(), BodyText: text.String(),
		Attachments: []syndicator.Attachment{
			{Name: "附件1.pdf", URL: "https://www.gov.cn/zhengce/content/202609/P020260911562108546193.pdf", SHA256: strings.Repeat("a", 64), Size: 482113, ContentType: "application/pdf"},
			{Name: "附件2.docx", URL: "https://www.gov.cn/zhengce/content/202609/P020260911562108546194.docx", SHA256: strings.Repeat("b", 64), Size: 38112, ContentType: "application/msword"},
		},
		ContentSHA256: strings.Repeat("c", 64), Revision: 1, FetchedAt: at, DiscoveredAt: at,
	}
}

func discovered(it *syndicator.Item) *syndicator.Event {
	return &syndicator.Event{
		V: syndicator.EventVersion, Kind: syndicator.KindDiscovered, ID: it.ID, Revision: 1, Source: it.Source, At: it.DiscoveredAt, Item: it,
		Capture: &syndicator.Capture{Ref: syndicator.CaptureRef(it.ID, 1, strings.Repeat("d", 64)), URL: it.URL, Status: 200,
			Header: map[string][]string{"Content-Type": {"text/html; charset=utf-8"}, "Etag": {`"66e1a2b3-f1c2"`}}, FetchedAt: it.FetchedAt,
			SHA256: strings.Repeat("d", 64), Size: 88211},
	}
}

// TestEncodeEventClaimsLargeBodies: a large body leaves the event for one
// body claim named by item and revision; the event keeps every other field
// of the item; a small body stays.
func TestEncodeEventClaimsLargeBodies(t *testing.T) {
	it := govcnItem()
	ev := discovered(it)
	data, claims, err := encodeEvent(ev, 4<<10, 256<<10)
	if err != nil {
		t.Fatal(err)
	}
	if len(claims) != 1 || !strings.HasPrefix(claims[0].name, "body/"+it.ID+"/r1/") {
		t.Fatalf("claims %v, want one body claim", claims)
	}
	if len(data) > 4<<10 {
		t.Errorf("event of %d bytes, want at most 4 KiB", len(data))
	}
	var got syndicator.Event
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	whole := *got.Item
	if whole.BodyHTML, whole.BodyText, err = decodeBody(claims[0].data); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(it)
	if back, _ := json.Marshal(&whole); string(back) != string(want) {
		t.Errorf("item and body claim do not give back the item:\n%s\nwant\n%s", back, want)
	}
	if got.BodyRef != claims[0].name || got.Item.BodyHTML != "" || ev.Item.BodyHTML == "" || ev.BodyRef != "" {
		t.Errorf("event names %q; item body %d bytes; caller's event changed: %v", got.BodyRef, len(got.Item.BodyHTML), ev.BodyRef != "")
	}
	again, claims2, _ := encodeEvent(ev, 4<<10, 256<<10)
	if string(again) != string(data) || string(claims2[0].data) != string(claims[0].data) {
		t.Error("encoding the same event twice gave different bytes")
	}

	small := discovered(&syndicator.Item{ID: it.ID, Title: "短", BodyHTML: "<p>短</p>", BodyText: "短", Revision: 1})
	data, claims, err = encodeEvent(small, 4<<10, 256<<10)
	if err != nil || len(claims) != 0 || !strings.Contains(string(data), `"body_text":"短"`) {
		t.Errorf("small body: claims %v, event %s, err %v", claims, data, err)
	}
}

// TestDecodeBody: a body claim gives back both fields, whatever they hold;
// bytes that are not one are an error.
func TestDecodeBody(t *testing.T) {
	for _, c := range [][2]string{{"", ""}, {"<p>正文\n</p>", ""}, {"", "正文\n"}, {"12\n<p>", "\n\n7\n"}} {
		html, text, err := decodeBody(encodeBody(&syndicator.Item{BodyHTML: c[0], BodyText: c[1]}))
		if err != nil || html != c[0] || text != c[1] {
			t.Errorf("%q: got %q, %q, %v", c, html, text, err)
		}
	}
	for _, bad := range []string{"", "\n", "x\nabc", "-1\nabc", "4\nabc", "12345678901\n"} {
		if _, _, err := decodeBody([]byte(bad)); err == nil {
			t.Errorf("%q decoded as a body claim", bad)
		}
	}
}

// BenchmarkEventDecode is what every reader of a discovered event of a
// gov.cn item (~60 KB body) pays to decode it, as consumers do
// (Bus.handle: the whole syndicator.Event): inline is the event carrying
// the body (before), body-claim the event naming its body claim (after).
// bytes/event is the event's size on the stream. BenchmarkBodyDecode is
// what a sink that needs the body pays on top, after reading its claim.
//
//	go test -run '^$' -bench EventDecode -benchmem ./syndicator/natsbus
func BenchmarkEventDecode(b *testing.B) {
	ev := discovered(govcnItem())
	for _, c := range []struct {
		name      string
		bodyLimit int
	}{{"inline", 1 << 30}, {"body-claim", 4 << 10}} {
		b.Run(c.name, func(b *testing.B) {
			data, _, err := encodeEvent(ev, c.bodyLimit, 1<<30)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				var got syndicator.Event
				if err := json.Unmarshal(data, &got); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(data)), "bytes/event")
		})
	}
}

func BenchmarkBodyDecode(b *testing.B) {
	data := encodeBody(govcnItem())
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := decodeBody(data); err != nil {
			b.Fatal(err)
		}
	}
}
