package natsbus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// GetState decodes the JSON value of key in bucket into v. found is false
// for a missing key. A leader election on the way is retried over.
func (b *Bus) GetState(ctx context.Context, bucket, key string, v any) (found bool, err error) {
	kv, err := b.bucket(bucket)
	if err != nil {
		return false, err
	}
	var e jetstream.KeyValueEntry
	err = b.retry(ctx, "read "+bucket+"/"+key, func(ctx context.Context) (err error) {
		e, err = kv.Get(ctx, key)
		return err
	})
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s/%s: %w", bucket, key, err)
	}
	if err := json.Unmarshal(e.Value(), v); err != nil {
		return false, fmt.Errorf("decode %s/%s: %w", bucket, key, err)
	}
	return true, nil
}

// PutState stores v as JSON under key in bucket. A put is idempotent, so a
// leader election on the way is retried over.
func (b *Bus) PutState(ctx context.Context, bucket, key string, v any) error {
	kv, err := b.bucket(bucket)
	if err != nil {
		return err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s/%s: %w", bucket, key, err)
	}
	err = b.retry(ctx, "write "+bucket+"/"+key, func(ctx context.Context) error {
		_, err := kv.Put(ctx, key, data)
		return err
	})
	if err != nil {
		return fmt.Errorf("write %s/%s: %w", bucket, key, err)
	}
	return nil
}

// CreateState stores v under key only if the key does not exist yet;
// created is false when it did.
//
// A leader election on the way is retried over. An attempt whose answer
// was lost may have created the key, and the retry then finds it
// existing: after a failed attempt, a key holding the very bytes of v
// counts as created by this call. (So does one another writer created
// with the same bytes meanwhile: both calls then report created, for the
// same value.)
func (b *Bus) CreateState(ctx context.Context, bucket, key string, v any) (created bool, err error) {
	kv, err := b.bucket(bucket)
	if err != nil {
		return false, err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return false, fmt.Errorf("encode %s/%s: %w", bucket, key, err)
	}
	_, err = b.kvWrite(ctx, kv, "create "+bucket+"/"+key, key, data, 0)
	if conflict(err) {
		// ErrKeyExists, or a wrong last sequence when another writer
		// recreated a deleted key first.
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("create %s/%s: %w", bucket, key, err)
	}
	return true, nil
}

// WatchState calls fn with every current value of bucket (matching the key
// pattern, e.g. ">") and then every change, until ctx ends. initialDone is
// called once when the current values have all been delivered.
func (b *Bus) WatchState(ctx context.Context, bucket, pattern string, fn func(key string, value []byte, deleted bool), initialDone func()) error {
	kv, err := b.bucket(bucket)
	if err != nil {
		return err
	}
	w, err := kv.Watch(ctx, pattern)
	if err != nil {
		return fmt.Errorf("watch %s/%s: %w", bucket, pattern, err)
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-w.Updates():
			if !ok {
				return fmt.Errorf("watch %s/%s: closed", bucket, pattern)
			}
			if e == nil {
				if initialDone != nil {
					initialDone()
				}
				continue
			}
			deleted := e.Operation() != jetstream.KeyValuePut
			fn(e.Key(), e.Value(), deleted)
		}
	}
}

func (b *Bus) bucket(name string) (jetstream.KeyValue, error) {
	kv, ok := b.kv[name]
	if !ok {
		return nil, fmt.Errorf("unknown kv bucket %q", name)
	}
	return kv, nil
}

// EachState calls fn with the key and JSON value of every entry of bucket
// whose key matches pattern (e.g. "i.*"), in no particular order.
func (b *Bus) EachState(ctx context.Context, bucket, pattern string, fn func(key string, value []byte) error) error {
	kv, err := b.bucket(bucket)
	if err != nil {
		return err
	}
	w, err := kv.Watch(ctx, pattern, jetstream.IgnoreDeletes())
	if err != nil {
		return fmt.Errorf("list %s/%s: %w", bucket, pattern, err)
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e, ok := <-w.Updates():
			if !ok {
				return fmt.Errorf("list %s/%s: closed", bucket, pattern)
			}
			if e == nil {
				return nil // every current value delivered
			}
			if err := fn(e.Key(), e.Value()); err != nil {
				return err
			}
		}
	}
}
