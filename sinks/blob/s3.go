package blob

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"

	"github.com/gyeco/syndicator/syndicator"
)

// S3Config locates a bucket on an S3-compatible server (DESIGN §4,
// archive.s3 and site). The zero value is not usable: Endpoint and Bucket
// are required.
type S3Config struct {
	// Endpoint is the server's host:port, without scheme, e.g. "minio:9000".
	Endpoint string
	// Bucket holds the objects; Ensure creates it when missing.
	Bucket string
	// Region of the bucket. Empty asks the server once per bucket (MinIO's
	// default is us-east-1).
	Region string
	// AccessKey and SecretKey are static credentials; both empty means
	// anonymous requests.
	AccessKey, SecretKey string
	// Secure selects HTTPS.
	Secure bool
	// Prefix, when set, is prepended with a "/" to every key, so several
	// stores can share one bucket. It must be a valid key itself; leading and
	// trailing slashes are ignored.
	Prefix string
	// ObjectLockDays > 0 makes Ensure create the bucket with S3 object lock
	// (and refuse an existing bucket without it), and makes PutNew store
	// every new object under GOVERNANCE retention for that many days.
	// Governance, not compliance, mode: the objects are write-once for
	// every ordinary credential, yet an administrator holding
	// s3:BypassGovernanceRetention can still remove an object archived by
	// mistake (a court order, personal data). Compliance mode would make
	// that impossible, even for the root user, until the period ends.
	// 0 disables retention.
	ObjectLockDays int
}

// S3 stores objects in a bucket of an S3-compatible server (MinIO, or AWS
// S3 since it supports conditional writes). Keys map to object names, below
// Prefix when set. Objects are written with one PUT each (no multipart
// upload) and carry a Content-MD5, which object-lock buckets require.
//
// Every call blocks on the network; bound it with ctx. The client retries a
// failed request a few times (network errors, 5xx) within ctx before
// returning a transient error.
type S3 struct {
	client   *minio.Client
	endpoint string
	bucket   string
	region   string
	prefix   string
	lockDays int
}

// maxRetries bounds minio-go's own retries of one request; the sink's
// consumer retries the rest with its backoff.
const maxRetries = 3

// NewS3 checks cfg and builds the client; it does no I/O (see Ensure).
// A bad configuration is a permanent error.
func NewS3(cfg S3Config) (*S3, error) {
	invalid := func(format string, args ...any) error {
		return syndicator.Permanent(fmt.Errorf("blob: s3 config: "+format, args...))
	}
	if cfg.Endpoint == "" {
		return nil, invalid("endpoint is empty")
	}
	if strings.Contains(cfg.Endpoint, "://") {
		return nil, invalid("endpoint %q: give host:port without scheme (set secure for https)", cfg.Endpoint)
	}
	if err := s3utils.CheckValidBucketNameStrict(cfg.Bucket); err != nil {
		return nil, invalid("bucket %q: %w", cfg.Bucket, err)
	}
	if cfg.ObjectLockDays < 0 {
		return nil, invalid("object_lock_days is %d, want 0 or more", cfg.ObjectLockDays)
	}
	prefix := strings.Trim(cfg.Prefix, "/")
	if prefix != "" {
		if problem := keyProblem(prefix); problem != "" {
			return nil, invalid("prefix %q: %s", cfg.Prefix, problem)
		}
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:      credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:     cfg.Secure,
		Region:     cfg.Region,
		MaxRetries: maxRetries,
	})
	if err != nil {
		return nil, invalid("endpoint %q: %w", cfg.Endpoint, err)
	}
	return &S3{
		client:   client,
		endpoint: cfg.Endpoint,
		bucket:   cfg.Bucket,
		region:   cfg.Region,
		prefix:   prefix,
		lockDays: cfg.ObjectLockDays,
	}, nil
}

// Ensure creates the bucket if it is missing, with object lock enabled when
// ObjectLockDays > 0, and with ObjectLockDays > 0 checks that an existing
// bucket has object lock (it cannot be added later: a permanent error).
// It is idempotent and safe to run from several processes at once.
// An unreachable server is a transient error, rejected credentials a
// permanent one; both name the endpoint and the bucket.
func (s *S3) Ensure(ctx context.Context) error {
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return s.fail("check", "", err)
	}
	if !exists {
		err := s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{
			Region:        s.region,
			ObjectLocking: s.lockDays > 0,
		})
		if err == nil {
			return nil
		}
		// BucketAlreadyOwnedByYou: another instance created it first;
		// check it below like any existing bucket.
		if minio.ToErrorResponse(err).Code != "BucketAlreadyOwnedByYou" {
			return s.fail("create", "", err)
		}
	}
	if s.lockDays == 0 {
		return nil
	}
	enabled, _, _, _, err := s.client.GetObjectLockConfig(ctx, s.bucket)
	if minio.ToErrorResponse(err).Code == "ObjectLockConfigurationNotFoundError" || (err == nil && enabled != "Enabled") {
		return syndicator.Permanent(fmt.Errorf("blob: s3 bucket %q at %s has no object lock: "+
			"object_lock_days needs a bucket created with it (it cannot be enabled later)", s.bucket, s.endpoint))
	}
	if err != nil {
		return s.fail("check object lock of", "", err)
	}
	return nil
}

// PutNew stores data under key if key names no object yet and reports
// created=true. It sends a conditional PUT (If-None-Match: *), which the
// server refuses with 412 Precondition Failed when the object exists; the
// existing object is then fetched and compared: the same bytes give
// created=false and no error (a redelivery), different bytes a permanent
// error wrapping ErrConflict. With ObjectLockDays > 0 the PUT itself sets
// GOVERNANCE retention until now + ObjectLockDays.
//
// When a PUT succeeds but its response is lost, the client's retry meets
// the object it wrote and PutNew reports created=false, nil.
func (s *S3) PutNew(ctx context.Context, key string, data []byte, contentType string) (bool, error) {
	name, err := s.objectName(key)
	if err != nil {
		return false, err
	}
	opts := putOptions(contentType)
	opts.SetMatchETagExcept("*")
	if s.lockDays > 0 {
		opts.Mode = minio.Governance
		opts.RetainUntilDate = time.Now().UTC().Add(time.Duration(s.lockDays) * 24 * time.Hour)
	}
	_, err = s.client.PutObject(ctx, s.bucket, name, bytes.NewReader(data), int64(len(data)), opts)
	if err == nil {
		return true, nil
	}
	if !objectExists(err) {
		return false, s.fail("put", key, err)
	}
	existing, err := s.get(ctx, name)
	if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
		// Objects are never deleted; only a delete marker or a racing
		// delete gets here, and a retry will see the new state.
		return false, fmt.Errorf("blob: s3 put %q in bucket %q at %s: the server refused the write as existing but has no such object", key, s.bucket, s.endpoint)
	}
	if err != nil {
		return false, s.fail("put", key, fmt.Errorf("read the object that blocked the write: %w", err))
	}
	return false, compareExisting(key, existing, data)
}

// Put stores data under key, replacing any object there. A PUT is atomic:
// readers see the old or the new object, never a mix.
func (s *S3) Put(ctx context.Context, key string, data []byte, contentType string) error {
	name, err := s.objectName(key)
	if err != nil {
		return err
	}
	_, err = s.client.PutObject(ctx, s.bucket, name, bytes.NewReader(data), int64(len(data)), putOptions(contentType))
	if err != nil {
		return s.fail("replace", key, err)
	}
	return nil
}

// Get returns the bytes stored under key, or an error wrapping ErrNotFound.
func (s *S3) Get(ctx context.Context, key string) ([]byte, error) {
	name, err := s.objectName(key)
	if err != nil {
		return nil, err
	}
	data, err := s.get(ctx, name)
	if err != nil {
		return nil, s.fail("get", key, err)
	}
	return data, nil
}

// Exists reports whether key names an object.
func (s *S3) Exists(ctx context.Context, key string) (bool, error) {
	name, err := s.objectName(key)
	if err != nil {
		return false, err
	}
	info, err := s.client.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{})
	if err == nil {
		return true, nil
	}
	if info.IsDeleteMarker || minio.ToErrorResponse(err).Code == minio.NoSuchKey {
		return false, nil
	}
	return false, s.fail("stat", key, err)
}

func (s *S3) get(ctx context.Context, name string) ([]byte, error) {
	obj, err := s.client.GetObject(ctx, s.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	return io.ReadAll(obj)
}

// objectName validates key and returns its object name.
func (s *S3) objectName(key string) (string, error) {
	if err := validateKey(key); err != nil {
		return "", err
	}
	if s.prefix == "" {
		return key, nil
	}
	return s.prefix + "/" + key, nil
}

func putOptions(contentType string) minio.PutObjectOptions {
	return minio.PutObjectOptions{
		ContentType: contentType,
		// One PUT carries the object and its conditions; the objects are
		// in memory already, well below the single-PUT limit.
		DisableMultipart: true,
		// Object-lock buckets refuse a PUT without an integrity header.
		SendContentMd5: true,
	}
}

// objectExists recognizes the refusal of a conditional PUT.
func objectExists(err error) bool {
	resp := minio.ToErrorResponse(err)
	return resp.Code == minio.PreconditionFailed || resp.StatusCode == http.StatusPreconditionFailed
}
