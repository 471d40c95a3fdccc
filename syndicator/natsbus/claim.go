package natsbus

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/nats-io/nats.go/jetstream"
)

// PutClaim stores data under name in the claim-check object store. Storing
// the same bytes again is a no-op, so a crawler that restarts mid-item does
// not churn the store; different bytes replace the object (a claim check is
// a transport, the archive is the record).
func (b *Bus) PutClaim(ctx context.Context, name string, data []byte) error {
	sum := sha256.Sum256(data)
	digest := "SHA-256=" + base64.URLEncoding.EncodeToString(sum[:])
	if info, err := b.captures.GetInfo(ctx, name); err == nil && info.Digest == digest && !info.Deleted {
		return nil
	}
	if _, err := b.captures.Put(ctx, jetstream.ObjectMeta{Name: name}, bytes.NewReader(data)); err != nil {
		return fmt.Errorf("store claim %s (%d bytes): %w", name, len(data), err)
	}
	return nil
}

// KeepItem stores an item's JSON in the claim-check store under its
// content address and returns the name (syndicator.ItemRefName): a
// published event, a review entry or a site record can then point at it.
func (b *Bus) KeepItem(ctx context.Context, it *syndicator.Item) (string, error) {
	data, err := json.Marshal(it)
	if err != nil {
		return "", fmt.Errorf("encode item %s: %w", it.ID, err)
	}
	sum := sha256.Sum256(data)
	ref := syndicator.ItemRefName(hex.EncodeToString(sum[:]))
	return ref, b.PutClaim(ctx, ref, data)
}

// GetClaim returns the bytes stored under name. A missing object is
// permanent: retrying cannot bring it back.
func (b *Bus) GetClaim(ctx context.Context, name string) ([]byte, error) {
	data, err := b.captures.GetBytes(ctx, name)
	if err != nil {
		if IsNotFound(err) {
			return nil, syndicator.Permanent(fmt.Errorf("claim %s is gone from %s (expired or never stored): %w", name, ObjectCaptures, err))
		}
		return nil, fmt.Errorf("read claim %s: %w", name, err)
	}
	return data, nil
}
