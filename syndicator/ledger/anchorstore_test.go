package ledger_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// errNoObject is memAnchors' answer for a key it does not hold.
var errNoObject = errors.New("no such object")

// memAnchors is an in-memory archive for anchors: write-once objects as
// ledger.AnchorStore and ledger.AnchorGetter want them. The core's tests
// use it instead of sinks/blob, which the core does not import.
type memAnchors struct {
	mu   sync.Mutex
	objs map[string][]byte
}

func newMemAnchors() *memAnchors { return &memAnchors{objs: map[string][]byte{}} }

// PutNew stores data under a new key; the same bytes again are a repeat
// (created=false), other bytes a conflict, as in the real archive.
func (m *memAnchors) PutNew(_ context.Context, key string, data []byte, _ string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.objs[key]; ok {
		if bytes.Equal(old, data) {
			return false, nil
		}
		return false, fmt.Errorf("put %s: object exists with other bytes", key)
	}
	m.objs[key] = bytes.Clone(data)
	return true, nil
}

func (m *memAnchors) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	data, ok := m.objs[key]
	if !ok {
		return nil, fmt.Errorf("get %s: %w", key, errNoObject)
	}
	return bytes.Clone(data), nil
}

// keys lists the objects under prefix, sorted.
func (m *memAnchors) keys(prefix string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for k := range m.objs {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// remove deletes an object, as an operator tampering with the archive would.
func (m *memAnchors) remove(key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.objs, key)
}
