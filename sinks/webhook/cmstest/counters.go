package cmstest

import "github.com/gyeco/syndicator/sinks/webhook"

// Doc returns a copy of the article for id.
func (c *CMS) Doc(id string) (Doc, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.docs[id]
	if !ok {
		return Doc{}, false
	}
	out := *d
	out.Applied = append([]Applied(nil), d.Applied...)
	return out, true
}

// count is how many times op was applied to id.
func (c *CMS) count(id, op string) int {
	d, _ := c.Doc(id)
	n := 0
	for _, a := range d.Applied {
		if a.Op == op {
			n++
		}
	}
	return n
}

// Creates counts the creates applied to id.
func (c *CMS) Creates(id string) int { return c.count(id, webhook.OpCreate) }

// Updates counts the updates applied to id.
func (c *CMS) Updates(id string) int { return c.count(id, webhook.OpUpdate) }

// ValidityChanges counts the validity changes applied to id.
func (c *CMS) ValidityChanges(id string) int { return c.count(id, webhook.OpValidity) }

// Withdrawals counts the withdrawals applied to id.
func (c *CMS) Withdrawals(id string) int { return c.count(id, webhook.OpWithdraw) }

// Validity is the validity the CMS shows for id ("" for no article).
func (c *CMS) Validity(id string) string { d, _ := c.Doc(id); return d.Validity }

// Revision is the revision the CMS shows for id (0 for no article).
func (c *CMS) Revision(id string) int { d, _ := c.Doc(id); return d.Revision }

// Requests counts every request received.
func (c *CMS) Requests() int { c.mu.Lock(); defer c.mu.Unlock(); return c.counts.requests }

// BadSignatures counts requests refused with 401.
func (c *CMS) BadSignatures() int { c.mu.Lock(); defer c.mu.Unlock(); return c.counts.badSig }

// Replays counts requests answered from the Idempotency-Key store.
func (c *CMS) Replays() int { c.mu.Lock(); defer c.mu.Unlock(); return c.counts.replays }

// KeyConflicts counts requests that reused a key with another body.
func (c *CMS) KeyConflicts() int { c.mu.Lock(); defer c.mu.Unlock(); return c.counts.conflicts }

// Regressions counts items refused because the CMS held a newer revision.
func (c *CMS) Regressions() int { c.mu.Lock(); defer c.mu.Unlock(); return c.counts.regressions }
