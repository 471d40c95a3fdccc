package natsbus

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/nats-io/nats.go/jetstream"
)

// PutClaim stores data under name in the claim-check object store. Storing
// the same bytes again is a no-op, so a crawler that restarts mid-item does
// not churn the store; different bytes replace the object (a claim check is
// a transport, the archive is the record). A leader election on the way
// is retried over: storing is idempotent, and an attempt that failed midway
// leaves no object behind (its chunks are purged or never get a meta).
func (b *Bus) PutClaim(ctx context.Context, name string, data []byte) error {
	// An attempt sends every chunk and waits for their acks: a large claim
	// gets a second per MiB on top of the usual bound, so it is not cut
	// off while it is still moving.
	plan := retryPlan{budget: retryBudget, warnAfter: retryWarnAfter,
		attempt: attemptTimeout + time.Duration(len(data)>>20)*time.Second}
	return b.retryWith(ctx, "store claim "+name, plan, func(ctx context.Context) error {
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
	})
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
	var info *jetstream.ObjectInfo
	err := b.retry(ctx, "read claim "+name, func(ctx context.Context) (err error) {
		info, err = b.captures.GetInfo(ctx, name)
		return err
	})
	if IsNotFound(err) {
		// Only the leader's word that it is missing counts.
		err = b.retry(ctx, "read claim "+name+" at the leader", func(ctx context.Context) (err error) {
			info, err = b.claimInfoAtLeader(ctx, name)
			return err
		})
	}
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
// that reads it is done with it. A claim already gone is no error — nor
// is one an attempt whose answer was lost deleted before the retry.
func (b *Bus) DeleteClaim(ctx context.Context, name string) error {
	err := b.retry(ctx, "delete claim "+name, func(ctx context.Context) error {
		return b.captures.Delete(ctx, name)
	})
	if err != nil && !IsNotFound(err) {
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
			// Each chunk is one request, retried on its own: a leader
			// election midway costs the wait, not the chunks read.
			var m *jetstream.RawStreamMsg
			err := b.retry(ctx, "read chunk of "+info.Name, func(ctx context.Context) (err error) {
				m, err = s.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(subject))
				return err
			})
			if errors.Is(err, jetstream.ErrMsgNotFound) {
				// A replica behind the leader (a direct get) lacks what
				// was stored a moment ago; only the leader's word counts.
				err = b.retry(ctx, "read chunk of "+info.Name+" at the leader", func(ctx context.Context) (err error) {
					m, err = b.msgAtLeader(ctx, objectStream, msgGetRequest{Seq: seq, NextBySubject: subject})
					return err
				})
			}
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

// claimInfoAtLeader reads name's meta from the leader of the claim store's
// stream. GetInfo may be answered by any replica (a direct get: object
// stores allow them), and one that has not applied the latest writes yet
// answers "not found" for a claim stored a moment ago: the chaos harness
// (cmd/chaos) saw the archive dead-letter three fresh items so after the
// cluster had lost its quorum and got it back. The leader has every
// acknowledged write.
func (b *Bus) claimInfoAtLeader(ctx context.Context, name string) (*jetstream.ObjectInfo, error) {
	meta := fmt.Sprintf("$O.%s.M.%s", syndicator.ObjectCaptures, base64.URLEncoding.EncodeToString([]byte(name)))
	m, err := b.msgAtLeader(ctx, objectStream, msgGetRequest{LastBySubject: meta})
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, jetstream.ErrObjectNotFound
	}
	if err != nil {
		return nil, err
	}
	var info jetstream.ObjectInfo
	if err := json.Unmarshal(m.Data, &info); err != nil {
		return nil, jetstream.ErrBadObjectMeta
	}
	if info.Deleted {
		return nil, jetstream.ErrObjectNotFound
	}
	info.ModTime = m.Time
	return &info, nil
}

// msgGetRequest is the body of a $JS.API.STREAM.MSG.GET request.
type msgGetRequest struct {
	Seq           uint64 `json:"seq,omitempty"`
	LastBySubject string `json:"last_by_subj,omitempty"`
	NextBySubject string `json:"next_by_subj,omitempty"`
}

// msgAtLeader gets a message from stream's leader: the stream API's
// message get, which only the leader answers, where jetstream's GetMsg and
// GetLastMsgForSubject send a direct get any replica answers when the
// stream allows them. ErrMsgNotFound when there is none.
func (b *Bus) msgAtLeader(ctx context.Context, stream string, req msgGetRequest) (*jetstream.RawStreamMsg, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	reply, err := b.nc.RequestWithContext(ctx, "$JS.API.STREAM.MSG.GET."+stream, body)
	if err != nil {
		return nil, err
	}
	var resp struct {
		Error   *jetstream.APIError `json:"error"`
		Message *struct {
			Subject string    `json:"subject"`
			Seq     uint64    `json:"seq"`
			Data    []byte    `json:"data"`
			Time    time.Time `json:"time"`
		} `json:"message"`
	}
	if err := json.Unmarshal(reply.Data, &resp); err != nil {
		return nil, fmt.Errorf("decode the answer of stream %s: %w", stream, err)
	}
	if resp.Error != nil {
		if resp.Error.ErrorCode == jetstream.JSErrCodeMessageNotFound {
			return nil, jetstream.ErrMsgNotFound
		}
		return nil, resp.Error
	}
	if resp.Message == nil {
		return nil, jetstream.ErrInvalidJetStreamResponse
	}
	return &jetstream.RawStreamMsg{Subject: resp.Message.Subject, Sequence: resp.Message.Seq, Data: resp.Message.Data, Time: resp.Message.Time}, nil
}
