package config

import (
	"fmt"
	"math"
	"time"
)

// checkNumbers refuses numbers that mean nothing. It runs on the values
// of the file before fill, which puts a default in the place of every 0
// (and used to do so for negative values too): a negative size, duration,
// rate or count, NaN or an infinity, and a 0 written out where only a
// positive value makes sense, are errors naming file:line, never a
// silent default. Values that 0 legitimately means something for (nats.port,
// object_lock_days) only refuse the impossible. Bounds that hold after
// fill (missing_share ≤ 1, the SLA limits) are checked by resolve.
func (c *Config) checkNumbers(lines map[string]int) Problems {
	var probs Problems
	add := func(key, format string, args ...any) {
		probs = append(probs, Problem{File: c.File, Line: lineOf(lines, key), Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	given := func(key string) bool {
		_, ok := lines[key]
		return ok
	}
	count := func(key string, v int64, def string) {
		if v < 0 || v == 0 && given(key) {
			add(key, "%d：须为正整数（不写则为默认值 %s）", v, def)
		}
	}
	positive := func(key string, v float64, def string) {
		if math.IsNaN(v) || math.IsInf(v, -1) || v < 0 || v == 0 && given(key) {
			add(key, "%v：须为大于 0 的数（不写则为默认值 %s）", v, def)
		}
	}
	duration := func(key string, v time.Duration, def string) {
		if v < 0 || v == 0 && given(key) {
			add(key, "%s：须为正的时长，如 30s、15m、2h（不写则为默认值 %s）", v, def)
		}
	}

	if p := c.NATS.Port; p < 0 || p > 65535 {
		add("nats.port", "%d：端口须在 1..65535 之间（0 或不写：自动选一个空闲端口）", p)
	}
	for _, s := range []struct {
		key  string
		days int
	}{{"archive.s3.object_lock_days", c.Archive.S3.ObjectLockDays}, {"site.s3.object_lock_days", c.Site.S3.ObjectLockDays}} {
		if s.days < 0 {
			add(s.key, "%d：须为正整数天数（0 或不写：不锁定）", s.days)
		}
	}
	if n := c.HTTP.MaxConnsPerClient; n < -1 || n == 0 && given("http.max_conns_per_client") {
		add("http.max_conns_per_client", "%d：须为正整数（-1：不限；不写则为默认值 64）", n)
	}
	duration("nats.ack_wait", c.NATS.AckWait, "30s")
	count("nats.replicas", int64(c.NATS.Replicas), "1")
	switch r := c.NATS.Replicas; {
	case r > 5:
		add("nats.replicas", "%d：JetStream 最多 5 个副本（三节点集群写 3）", r)
	case r > 1 && !c.NATS.URL.IsSet():
		add("nats.replicas", "%d：内嵌的 NATS 只有一个节点；副本数大于 1 需要 nats.url 指向一个 JetStream 集群", r)
	}
	if w := c.NATS.AckWait; w > 0 && w < time.Second {
		add("nats.ack_wait", "%s：至少 1s（不写则为默认值 30s）", w)
	}
	duration("archive.anchor_every", c.Archive.AnchorEvery, "1h")
	count("site.page_size", int64(c.Site.PageSize), "20")
	positive("crawler.per_host_rps", c.Crawler.PerHostRPS, "1")
	count("crawler.max_body_bytes", c.Crawler.MaxBodyBytes, "20971520，即 20 MiB")
	count("crawler.max_attachment_bytes", c.Crawler.MaxAttachmentBytes, "104857600，即 100 MiB")
	duration("crawler.recheck", c.Crawler.Recheck, "1h")
	duration("crawler.timeout", c.Crawler.Timeout, "60s")
	positive("crawler.missing_share", c.Crawler.MissingShare, "0.2")
	duration("webhook.timeout", c.Webhook.Timeout, "30s")
	duration("identity.wait_for_origin", c.Identity.WaitForOrigin, "2h")
	for i, s := range c.Sources {
		key := fmt.Sprintf("sources[%d]", i)
		duration(key+".interval", s.Interval, "15m")
		duration(key+".jitter", s.Jitter, "interval 的 10%")
	}
	// The SLA: negative values are refused by checkSLA; a 0 written out
	// would only be replaced by the default limit.
	for _, l := range []struct {
		key string
		v   float64
	}{
		{"sla.timely.hours", c.SLA.Timely.Hours}, {"sla.timely.working_days", float64(c.SLA.Timely.WorkingDays)},
		{"sla.sync.hours", c.SLA.Sync.Hours}, {"sla.sync.working_days", float64(c.SLA.Sync.WorkingDays)},
		{"sla.sync.municipal_hours", c.SLA.Sync.MunicipalHours},
		{"sla.review.hours", c.SLA.Review.Hours}, {"sla.review.working_days", float64(c.SLA.Review.WorkingDays)},
		{"sla.stale_column_days", float64(c.SLA.StaleColumnDays)},
	} {
		if l.v == 0 && given(l.key) {
			add(l.key, "0：须为正数（0 不是时限；不写则为默认值）")
		}
	}
	return probs
}
