package crawler

import "context"

// sourceLease is Run's lease on its source. With a leaseKeeper it is taken
// at the first poll and kept across polls until Run ends or it is lost, so
// an unchanged poll writes no lease record; while it is held, nobody else
// writes the source's state, and the state kept in memory is trusted
// instead of being read again. Other Leases are held around each poll.
type sourceLease struct {
	c    *Crawler
	key  string
	keep leaseKeeper     // nil: Hold around each poll
	lost <-chan struct{} // non-nil while held
}

func (c *Crawler) newSourceLease() *sourceLease {
	l := &sourceLease{c: c, key: "source." + c.src.ID}
	l.keep, _ = c.leases.(leaseKeeper)
	return l
}

// poll polls the source if this instance holds (or now takes) its lease;
// held is false when another instance holds it.
func (l *sourceLease) poll(ctx context.Context) (res PollResult, held bool, err error) {
	if l.keep == nil {
		held, err = l.c.leases.Hold(ctx, l.key, l.c.owner, func(ctx context.Context) error {
			res = l.c.poll(ctx, false)
			return nil
		})
		return res, held, err
	}
	trusted := l.lost != nil
	if !trusted {
		if l.lost, err = l.keep.Acquire(ctx, l.key, l.c.owner); err != nil || l.lost == nil {
			return res, false, err
		}
	}
	lost := l.lost
	pctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		select {
		case <-lost:
			cancel() // another instance may be polling from now on
		case <-done:
		}
	}()
	res = l.c.poll(pctx, trusted)
	close(done)
	cancel()
	select {
	case <-lost:
		l.lost = nil // taken again (and the state read again) next time
	default:
	}
	return res, true, nil
}

// release gives the lease up when Run ends, so another instance (or this
// source's next crawler after a reload) takes it at once.
func (l *sourceLease) release() {
	if l.keep != nil && l.lost != nil {
		l.keep.Release(l.key, l.c.owner)
		l.lost = nil
	}
}
