package blob

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"

	"github.com/gyeco/syndicator/syndicator"
)

// FS stores objects as files under a root directory; a key is the file's
// slash-separated path relative to the root. Every access goes through
// os.Root, so neither a key nor a symbolic link planted in the tree can
// reach outside the root.
//
// Writes are atomic and durable: the bytes go to a temporary file in the
// target directory, which is fsynced before it is linked (PutNew) or renamed
// (Put) into place, and the directories touched are fsynced afterwards.
// Readers never see a partial object. A crash may leave a temporary file
// named ".blob-tmp-*"; such names are reserved and never valid keys.
//
// PutNew needs a file system with hard links. A key cannot name a file and
// a directory at once: with "a/b" stored, PutNew("a") fails permanently and
// Get("a") reports ErrNotFound. The content type is ignored.
type FS struct {
	root string
}

// NewFS returns an FS rooted at root. It does no I/O: the root directory is
// created, with its parents, by the first write.
func NewFS(root string) *FS {
	return &FS{root: root}
}

// PutNew stores data under key if key names no object yet and reports
// created=true. If the object exists with the same bytes it returns
// created=false and no error (a redelivery); if its bytes differ it returns
// a permanent error wrapping ErrConflict and leaves the object untouched.
// The new file is read-only (mode 0444 before umask).
func (f *FS) PutNew(ctx context.Context, key string, data []byte, _ string) (bool, error) {
	if err := validateKey(key); err != nil {
		return false, err
	}
	if err := ctx.Err(); err != nil {
		return false, f.fail("put", key, err)
	}
	r, err := f.openRoot(true)
	if err != nil {
		return false, f.fail("put", key, err)
	}
	defer r.Close()

	// Redeliveries are common; answer them without writing anything.
	if existing, err := readObject(r, key); err == nil {
		return false, compareExisting(key, existing, data)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, f.fail("put", key, err)
	}

	dir := path.Dir(key)
	if err := ensureDir(r, dir); err != nil {
		return false, f.fail("put", key, err)
	}
	tmp, err := writeTemp(r, dir, data, 0o444)
	if err != nil {
		return false, f.fail("put", key, err)
	}
	// link(2) fails if key exists, so a concurrent writer is never replaced.
	linkErr := r.Link(tmp, key)
	_ = r.Remove(tmp)
	if errors.Is(linkErr, fs.ErrExist) {
		existing, err := readObject(r, key)
		if errors.Is(err, fs.ErrNotExist) {
			// Objects are never removed, so what blocks the link is a directory.
			return false, syndicator.Permanent(fmt.Errorf("blob: fs put %q under %s: a directory has that name", key, f.root))
		}
		if err != nil {
			return false, f.fail("put", key, err)
		}
		return false, compareExisting(key, existing, data)
	}
	if linkErr != nil {
		return false, f.fail("put", key, linkErr)
	}
	if err := syncDir(r, dir); err != nil {
		return false, f.fail("put", key, err)
	}
	return true, nil
}

// Put stores data under key, atomically replacing any object there.
func (f *FS) Put(ctx context.Context, key string, data []byte, _ string) error {
	if err := validateKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return f.fail("replace", key, err)
	}
	r, err := f.openRoot(true)
	if err != nil {
		return f.fail("replace", key, err)
	}
	defer r.Close()

	dir := path.Dir(key)
	if err := ensureDir(r, dir); err != nil {
		return f.fail("replace", key, err)
	}
	tmp, err := writeTemp(r, dir, data, 0o644)
	if err != nil {
		return f.fail("replace", key, err)
	}
	if err := r.Rename(tmp, key); err != nil {
		_ = r.Remove(tmp)
		if errors.Is(err, fs.ErrExist) || errors.Is(err, syscall.ENOTEMPTY) {
			// Renaming a file over a file always works: a directory is in the way.
			return syndicator.Permanent(fmt.Errorf("blob: fs replace %q under %s: a directory has that name: %w", key, f.root, err))
		}
		return f.fail("replace", key, err)
	}
	if err := syncDir(r, dir); err != nil {
		return f.fail("replace", key, err)
	}
	return nil
}

// Get returns the bytes stored under key, or an error wrapping ErrNotFound.
func (f *FS) Get(ctx context.Context, key string) ([]byte, error) {
	if err := validateKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, f.fail("get", key, err)
	}
	r, err := f.openRoot(false)
	if err == nil {
		defer r.Close()
		var data []byte
		if data, err = readObject(r, key); err == nil {
			return data, nil
		}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &kindError{msg: fmt.Sprintf("blob: fs get %q under %s", key, f.root), kind: ErrNotFound, cause: err}
	}
	return nil, f.fail("get", key, err)
}

// Exists reports whether key names an object.
func (f *FS) Exists(ctx context.Context, key string) (bool, error) {
	if err := validateKey(key); err != nil {
		return false, err
	}
	if err := ctx.Err(); err != nil {
		return false, f.fail("stat", key, err)
	}
	r, err := f.openRoot(false)
	if err == nil {
		defer r.Close()
		var fi fs.FileInfo
		if fi, err = r.Stat(key); err == nil {
			return fi.Mode().IsRegular(), nil
		}
	}
	if isNotExist(err) {
		return false, nil
	}
	return false, f.fail("stat", key, err)
}

// openRoot opens the root directory, creating it first when create is set.
func (f *FS) openRoot(create bool) (*os.Root, error) {
	if create {
		if err := os.MkdirAll(f.root, 0o755); err != nil {
			return nil, err
		}
	}
	return os.OpenRoot(f.root)
}

// fail wraps err with the operation, key and root, marking the failures no
// retry can fix (denied access, a path blocked by a file or directory, an
// escape through a symbolic link) as permanent.
func (f *FS) fail(op, key string, err error) error {
	err = fmt.Errorf("blob: fs %s %q under %s: %w", op, key, f.root, err)
	if fsPermanent(err) {
		return syndicator.Permanent(err)
	}
	return err
}

func fsPermanent(err error) bool {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.Is(err, fs.ErrPermission),
		errors.Is(err, syscall.ENOTDIR),
		errors.Is(err, syscall.EISDIR),
		errors.Is(err, syscall.ENAMETOOLONG):
		return true
	case errors.As(err, &pe):
		return isEscape(pe.Err)
	case errors.As(err, &le):
		return isEscape(le.Err)
	}
	return false
}

// isEscape recognizes os.Root's refusal to follow a path out of the root.
// The os package does not export that error, so its text is compared.
func isEscape(err error) bool {
	return err != nil && err.Error() == "path escapes from parent"
}

// isNotExist reports a missing object: no such file, or a path component
// that is a file ("a/b" while "a" is an object).
func isNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// readObject reads the regular file at key; a directory or a blocked path
// reads as fs.ErrNotExist.
func readObject(r *os.Root, key string) ([]byte, error) {
	data, err := r.ReadFile(key)
	if errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.ENOTDIR) {
		return nil, fmt.Errorf("%s: not a file: %w", key, fs.ErrNotExist)
	}
	return data, err
}

// ensureDir creates dir and its missing parents inside r, fsyncing the
// parent of every directory it creates so the new entries survive a crash.
func ensureDir(r *os.Root, dir string) error {
	if dir == "." {
		return nil
	}
	if fi, err := r.Stat(dir); err == nil && fi.IsDir() {
		return nil
	}
	var created []string
	cur := "."
	for seg := range strings.SplitSeq(dir, "/") {
		next := path.Join(cur, seg)
		err := r.Mkdir(next, 0o755)
		switch {
		case err == nil:
			created = append(created, cur)
		case errors.Is(err, fs.ErrExist):
			fi, serr := r.Stat(next)
			if serr != nil {
				return serr
			}
			if !fi.IsDir() {
				return &fs.PathError{Op: "mkdir", Path: next, Err: syscall.ENOTDIR}
			}
		default:
			return err
		}
		cur = next
	}
	for _, parent := range created {
		if err := syncDir(r, parent); err != nil {
			return err
		}
	}
	return nil
}

// writeTemp writes data to a new temporary file in dir, fsyncs and closes
// it, and returns its name relative to r.
func writeTemp(r *os.Root, dir string, data []byte, perm fs.FileMode) (string, error) {
	name := path.Join(dir, tmpPrefix+rand.Text())
	file, err := r.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return "", err
	}
	_, err = file.Write(data)
	if err == nil {
		err = file.Sync()
	}
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = r.Remove(name)
		return "", err
	}
	return name, nil
}

// syncDir fsyncs directory dir inside r.
func syncDir(r *os.Root, dir string) error {
	d, err := r.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
