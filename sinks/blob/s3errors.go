package blob

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"

	"github.com/minio/minio-go/v7"

	"github.com/gyeco/syndicator/syndicator"
)

// fail wraps err with the operation, the key (when there is one), the
// bucket and the endpoint, and classifies it: NoSuchKey wraps ErrNotFound;
// rejected credentials, denied access, a missing bucket and other 4xx
// answers no retry can change are permanent; network failures, timeouts,
// throttling and 5xx stay transient.
func (s *S3) fail(op, key string, err error) error {
	subject := fmt.Sprintf("%s bucket %q at %s", op, s.bucket, s.endpoint)
	if key != "" {
		subject = fmt.Sprintf("%s %q in bucket %q at %s", op, key, s.bucket, s.endpoint)
	}
	var resp minio.ErrorResponse
	isResp := errors.As(err, &resp)
	switch {
	case isResp && resp.Code == minio.NoSuchKey:
		return &kindError{msg: "blob: s3 " + subject, kind: ErrNotFound, cause: err}
	case isResp && credentialsRejected(resp.Code):
		return syndicator.Permanent(fmt.Errorf("blob: s3 %s: credentials rejected or access denied: %w", subject, err))
	case isResp && permanentResponse(resp):
		return syndicator.Permanent(fmt.Errorf("blob: s3 %s: %w", subject, err))
	case unreachable(err):
		return fmt.Errorf("blob: s3 %s: server unreachable: %w", subject, err)
	}
	return fmt.Errorf("blob: s3 %s: %w", subject, err)
}

func credentialsRejected(code string) bool {
	switch code {
	case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "AllAccessDisabled":
		return true
	}
	return false
}

// permanentResponse reports an error answer that a retry cannot change:
// any 4xx except timeouts, throttling, clock skew and conflicting
// concurrent operations.
func permanentResponse(resp minio.ErrorResponse) bool {
	switch resp.Code {
	case "RequestTimeout", "RequestTimeTooSkewed", "SlowDown", "OperationAborted",
		"ConditionalRequestConflict", "XMinioServerNotInitialized":
		return false
	case minio.NoSuchBucket, "InvalidBucketName", "InvalidRequest", "InvalidArgument",
		"MethodNotAllowed", "EntityTooLarge", "KeyTooLongError", "XMinioInvalidObjectName":
		return true
	}
	switch resp.StatusCode {
	case http.StatusRequestTimeout, http.StatusConflict, http.StatusTooManyRequests:
		return false
	}
	return resp.StatusCode >= 400 && resp.StatusCode < 500
}

// unreachable reports a failure to talk to the server at all.
func unreachable(err error) bool {
	var ue *url.Error
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded)
}
