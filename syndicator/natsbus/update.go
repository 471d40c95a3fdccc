package natsbus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/nats-io/nats.go/jetstream"
)

// maxUpdateTries bounds the compare-and-set loop of UpdateState; each
// conflict means another worker changed the key in between.
const maxUpdateTries = 20

// UpdateState reads key in bucket into v (left as is when the key is
// missing), calls change, and writes v back only if nobody wrote the key
// in between; on a conflict it reads again and repeats. change reports
// whether there is anything to write. Several workers may update the same
// record (two sightings of one document) without losing either change.
//
// A leader election on the way is retried over, the read and the write
// each. A write attempt whose answer was lost may have been stored, and its
// retry then conflicts with it: after a failed attempt, a key holding the
// very bytes written, at a later revision than the one read, counts as
// written by this call, so change is not applied twice (writeOnce says
// when that cannot be told).
func (b *Bus) UpdateState(ctx context.Context, bucket, key string, v any, change func(found bool) (bool, error)) error {
	kv, err := b.bucket(bucket)
	if err != nil {
		return err
	}
	for range maxUpdateTries {
		var rev uint64
		// A fresh value each round: a field missing from the stored JSON
		// must not keep what the previous round set.
		reflect.ValueOf(v).Elem().SetZero()
		var e jetstream.KeyValueEntry
		err := b.retry(ctx, "read "+bucket+"/"+key, func(ctx context.Context) (err error) {
			e, err = kv.Get(ctx, key)
			return err
		})
		found := err == nil
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
		case err != nil:
			return fmt.Errorf("read %s/%s: %w", bucket, key, err)
		default:
			rev = e.Revision()
			if err := json.Unmarshal(e.Value(), v); err != nil {
				return fmt.Errorf("decode %s/%s: %w", bucket, key, err)
			}
		}
		write, err := change(found)
		if err != nil || !write {
			return err
		}
		data, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode %s/%s: %w", bucket, key, err)
		}
		_, err = b.kvWrite(ctx, kv, "write "+bucket+"/"+key, key, data, rev)
		if err == nil {
			return nil
		}
		if !conflict(err) {
			return fmt.Errorf("write %s/%s: %w", bucket, key, err)
		}
	}
	return fmt.Errorf("write %s/%s: still conflicting after %d tries", bucket, key, maxUpdateTries)
}
