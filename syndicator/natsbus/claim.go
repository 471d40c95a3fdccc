package natsbus

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/nats-io/nats.go/jetstream"
)

// PutClaim stores data under name in the claim-check object store. Storing
// the same bytes again is a no-op, so a crawler that restarts mid-item does
// not churn the store; different bytes replace the object (a claim check is
// a transport, the archive is the record).
func (b *Bus) PutClaim(ctx context.Context, name string, data []byte) error {
	if info, err := b.captures.GetInfo(ctx, name); err == nil && info.Digest == claimDigest(data) && !info.Deleted {
		return nil
	}
	if _, err := b.captures.Put(ctx, jetstream.ObjectMeta{Name: name}, bytes.NewReader(data)); err != nil {
		// Put reports a cancelled wait for its acks as nats.ErrTimeout.
		if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
			err = fmt.Errorf("%w (%w)", cause, err)
		}
		return fmt.Errorf("store claim %s (%d bytes): %w", name, len(data), err)
	}
	return nil
}

// KeepItem stores an item's JSON in the claim-check store under its
// content address and returns the name (syndicator.ItemRefName): a
// published event, a review entry or a site record can then point at it.
func (b *Bus) KeepItem(ctx context.Context, it *syndicator.Item) (string, error) {
	ref, data, err := itemClaim(it)
	if err != nil {
		return "", err
	}
	return ref, b.PutClaim(ctx, ref, data)
}

// GetClaim returns the bytes stored under name. A missing object is
// permanent: retrying cannot bring it back.
//
// Every step is a request bound to ctx, so cancelling ctx (a handler's
// shutdown grace running out) ends the read at once. jetstream's
// ObjectStore.Get cannot do that: it streams the chunks through a net.Pipe
// whose Read holds the result's lock while blocked and wakes only at ctx's
// deadline, so neither cancelling ctx nor closing the result interrupts it,
// and a worker reading from a server gone silent held shutdown for the
// whole handler timeout.
func (b *Bus) GetClaim(ctx context.Context, name string) ([]byte, error) {
	info, err := b.captures.GetInfo(ctx, name)
	if err != nil {
		if IsNotFound(err) {
			return nil, syndicator.Permanent(fmt.Errorf("claim %s is gone from %s (deleted once archived, expired, or never stored): %w: %w", name, syndicator.ObjectCaptures, syndicator.ErrClaimGone, err))
		}
		return nil, fmt.Errorf("read claim %s: %w", name, err)
	}
	data, err := b.readChunks(ctx, info)
	if err != nil {
		return nil, fmt.Errorf("read claim %s: %w", name, err)
	}
	return data, nil
}

// DeleteClaim removes the object stored under name, once every consumer
// that reads it is done with it. A claim already gone is no error.
func (b *Bus) DeleteClaim(ctx context.Context, name string) error {
	if err := b.captures.Delete(ctx, name); err != nil && !IsNotFound(err) {
		return fmt.Errorf("delete claim %s: %w", name, err)
	}
	return nil
}

// readChunks reads the object described by info from the object store's
// stream chunk by chunk (subject $O.<bucket>.C.<nuid>, ADR-20), each chunk
// one direct get with ctx, and checks the size and digest the meta records.
// A chunk missing in between means the object was replaced or expired
// while being read: a retry reads the new one.
func (b *Bus) readChunks(ctx context.Context, info *jetstream.ObjectInfo) ([]byte, error) {
	if info.Opts != nil && info.Opts.Link != nil {
		return nil, syndicator.Permanent(fmt.Errorf("object is a link to %s/%s; claims are never links", info.Opts.Link.Bucket, info.Opts.Link.Name))
	}
	var data []byte
	if info.Size > 0 {
		s := b.captureStream
		subject := fmt.Sprintf("$O.%s.C.%s", syndicator.ObjectCaptures, info.NUID)
		data = make([]byte, 0, min(info.Size, maxPrealloc))
		seq := uint64(1)
		for i := range info.Chunks {
			m, err := s.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(subject))
			if errors.Is(err, jetstream.ErrMsgNotFound) {
				return nil, fmt.Errorf("chunk %d of %d is missing (replaced or expired while read)", i+1, info.Chunks)
			}
			if err != nil {
				return nil, fmt.Errorf("chunk %d of %d: %w", i+1, info.Chunks, err)
			}
			if uint64(len(data))+uint64(len(m.Data)) > info.Size {
				return nil, fmt.Errorf("chunks exceed the recorded size %d", info.Size)
			}
			data = append(data, m.Data...)
			seq = m.Sequence + 1
		}
	}
	if uint64(len(data)) != info.Size {
		return nil, fmt.Errorf("read %d bytes, the object has %d", len(data), info.Size)
	}
	if digest := claimDigest(data); info.Size > 0 && digest != info.Digest {
		return nil, fmt.Errorf("digest %s, the object records %s", digest, info.Digest)
	}
	return data, nil
}

// claimDigest is the digest the object store records for data.
func claimDigest(data []byte) string {
	sum := sha256.Sum256(data)
	return "SHA-256=" + base64.URLEncoding.EncodeToString(sum[:])
}

// objectStream is the stream behind the claim-check store.
const objectStream = "OBJ_" + syndicator.ObjectCaptures

// maxPrealloc bounds what a claim's recorded size reserves up front.
const maxPrealloc = 64 << 20
