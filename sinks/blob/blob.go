// Package blob stores the objects behind the archive and the committee site
// (DESIGN §7, §8): in a directory tree (FS) or in a bucket of an
// S3-compatible server such as MinIO (S3). Both backends have the same
// method set, so a sink declares the small interface it needs and takes
// either:
//
//	PutNew(ctx, key, data, contentType) (created bool, err error) // write once
//	Put(ctx, key, data, contentType) error                        // atomic replace
//	Get(ctx, key) ([]byte, error)
//	Exists(ctx, key) (bool, error)
//
// Keys are slash-separated relative paths such as
// "govcn/2024/05/<id>/r1/original.html"; the same key names the same object
// in both backends. Keys come from source data, so every method validates
// them first (see ErrInvalidKey).
//
// Errors follow the syndicator error kinds: an invalid key, an existing
// object with different bytes, denied access or a missing or misnamed bucket
// are marked syndicator.Permanent; everything else (network, 5xx, a full
// disk) is transient and worth retrying.
package blob

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gyeco/syndicator/syndicator"
)

var (
	// ErrNotFound is in the chain of the error Get returns for a key that
	// names no object.
	ErrNotFound = errors.New("blob: object not found")

	// ErrConflict is in the chain of the (permanent) error PutNew returns
	// when the key already holds different bytes.
	ErrConflict = errors.New("blob: object exists with different content")

	// ErrInvalidKey is in the chain of the (permanent) error every method
	// returns for a key that fails validation.
	ErrInvalidKey = errors.New("blob: invalid key")
)

const (
	// maxKeyBytes is the S3 limit on object names.
	maxKeyBytes = 1024
	// maxSegmentBytes is the usual file-name limit (NAME_MAX).
	maxSegmentBytes = 255
	// tmpPrefix starts the names of FS temporary files; keys may not use it.
	tmpPrefix = ".blob-tmp-"
)

// validateKey accepts a non-empty, slash-separated, relative UTF-8 path
// whose segments are neither empty, "." nor "..", with no backslash and no
// control character (NUL included). It rejects the rest with a permanent
// error wrapping ErrInvalidKey.
func validateKey(key string) error {
	if reason := keyProblem(key); reason != "" {
		return syndicator.Permanent(&kindError{
			msg:  fmt.Sprintf("blob: invalid key %q: %s", key, reason),
			kind: ErrInvalidKey,
		})
	}
	return nil
}

func keyProblem(key string) string {
	switch {
	case key == "":
		return "empty"
	case len(key) > maxKeyBytes:
		return fmt.Sprintf("longer than %d bytes", maxKeyBytes)
	case !utf8.ValidString(key):
		return "not valid UTF-8"
	case strings.HasPrefix(key, "/"):
		return "absolute path"
	case strings.Contains(key, `\`):
		return "contains a backslash"
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f {
			return "contains a control character"
		}
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch {
		case seg == "":
			return "empty path segment"
		case seg == "." || seg == "..":
			return fmt.Sprintf("%q path segment", seg)
		case len(seg) > maxSegmentBytes:
			return fmt.Sprintf("path segment longer than %d bytes", maxSegmentBytes)
		case strings.HasPrefix(seg, tmpPrefix):
			return fmt.Sprintf("segment prefix %q is reserved", tmpPrefix)
		}
	}
	return ""
}

// compareExisting decides a PutNew that found the key taken: identical
// bytes (by sha256) are an idempotent redelivery, anything else a
// permanent refusal naming the key and both digests.
func compareExisting(key string, existing, data []byte) error {
	have, want := sha256.Sum256(existing), sha256.Sum256(data)
	if have == want {
		return nil
	}
	return syndicator.Permanent(&kindError{
		msg:  fmt.Sprintf("blob: refusing to overwrite %q: stored sha256 %x, new sha256 %x", key, have, want),
		kind: ErrConflict,
	})
}

// kindError is an error with a complete message that matches one of the
// package sentinels under errors.Is, so messages do not repeat the
// sentinel's text. cause, when set, is the backend error behind it.
type kindError struct {
	msg   string
	kind  error
	cause error
}

func (e *kindError) Error() string {
	if e.cause == nil {
		return e.msg
	}
	return e.msg + ": " + e.cause.Error()
}

func (e *kindError) Is(target error) bool { return target == e.kind }
func (e *kindError) Unwrap() error        { return e.cause }
