// Package awsrest makes the few REST calls to S3 and CloudFront that the photo functions need,
// signed with Signature Version 4 by the AWS SDK's own signer (aws/signer/v4, which every
// function links already for DynamoDB), over net/http.
//
// It exists for the size of the functions: the SDK's S3 client links its endpoint rules,
// checksums, SigV4a, presigning and every operation's serializers, about 1 MB of a binary that
// makes one PUT, and CloudFront's a quarter MB more for one invalidation (docs/benchmarks.md).
// What this package does not do, it does not claim to: no streaming bodies (a photo is in
// memory already), no multipart uploads, no checksum trailers. Its tests run against moto, as
// do the end-to-end tests of the functions that use it.
package awsrest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Caller signs and sends requests to one AWS service in one region.
type Caller struct {
	// HTTP sends the requests; a client with a 30-second timeout when nil.
	HTTP aws.HTTPClient
	// Credentials sign them (a function's aws.Config.Credentials, a cache already).
	Credentials aws.CredentialsProvider
	// Service and Region name the signing scope ("s3", "us-east-1").
	Service, Region string
	// Attempts is how many times a call is tried when it fails in a way worth trying again
	// (no answer, 500, 502, 503, 504, 429, S3's RequestTimeout and SlowDown); 3 when 0.
	Attempts int
	// Now gives the signing time; time.Now when nil.
	Now func() time.Time
}

// signer is safe for concurrent use (its derived keys are cached under a lock).
var signer = v4.NewSigner()

// MaxAnswer is the most of an answer's body a call reads: the answers of the calls made here
// are small XML documents, or an object its caller bounds itself.
const MaxAnswer = 32 << 20

var defaultHTTP = &http.Client{Timeout: 30 * time.Second}

// Error is what AWS answered to a call that failed: its HTTP status and the error document's
// code and message (S3's <Error>, CloudFront's <ErrorResponse><Error>).
type Error struct {
	Method, URL string
	StatusCode  int
	Code        string
	Message     string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s %s: %d %s: %s", e.Method, e.URL, e.StatusCode, e.Code, e.Message)
}

// ErrorCode returns the AWS error code of err ("PreconditionFailed", "NoSuchKey"), or "".
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Request is one call: its method, its URL (path already escaped as it is to be signed), the
// headers it sends beside the signature's, and its body (nil for none).
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// Answer is a successful call's status, headers and body.
type Answer struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// Do signs and sends r, trying again with back-off when the failure is one worth retrying, and
// returns the answer of a 2xx status, or an *Error. The payload is signed (its SHA-256 in
// X-Amz-Content-Sha256, which S3 requires), so a body altered in transit is refused.
func (c *Caller) Do(ctx context.Context, r Request) (Answer, error) {
	attempts := c.Attempts
	if attempts <= 0 {
		attempts = 3
	}
	var err error
	for i := range attempts {
		if i > 0 {
			// 50 ms then 200 ms (× 0.5 to 1.5): short, as a request is waiting.
			d := time.Duration(float64(50*time.Millisecond<<(2*(i-1))) * (0.5 + rand.Float64()))
			select {
			case <-ctx.Done():
				return Answer{}, errors.Join(err, ctx.Err())
			case <-time.After(d):
			}
		}
		var a Answer
		var retry bool
		a, retry, err = c.once(ctx, r)
		if err == nil {
			return a, nil
		}
		if !retry || ctx.Err() != nil {
			break
		}
	}
	return Answer{}, err
}

func (c *Caller) once(ctx context.Context, r Request) (Answer, bool, error) {
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return Answer{}, false, err
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	req.ContentLength = int64(len(r.Body))
	if r.Body == nil {
		req.Body, req.GetBody = http.NoBody, nil
	}
	sum := sha256.Sum256(r.Body)
	payload := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", payload)
	creds, err := c.Credentials.Retrieve(ctx)
	if err != nil {
		return Answer{}, false, fmt.Errorf("%s credentials: %w", c.Service, err)
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	err = signer.SignHTTP(ctx, creds, req, payload, c.Service, c.Region, now().UTC(), func(o *v4.SignerOptions) {
		o.DisableURIPathEscaping = c.Service == "s3" // S3 signs its path as sent, not escaped twice
	})
	if err != nil {
		return Answer{}, false, err
	}
	client := c.HTTP
	if client == nil {
		client = defaultHTTP
	}
	resp, err := client.Do(req)
	if err != nil {
		return Answer{}, ctx.Err() == nil, fmt.Errorf("%s %s: %w", r.Method, redact(r.URL), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxAnswer))
	if err != nil {
		return Answer{}, true, fmt.Errorf("%s %s: reading the answer: %w", r.Method, redact(r.URL), err)
	}
	if resp.StatusCode/100 == 2 {
		return Answer{StatusCode: resp.StatusCode, Header: resp.Header, Body: body}, false, nil
	}
	e := &Error{Method: r.Method, URL: redact(r.URL), StatusCode: resp.StatusCode}
	e.Code, e.Message = errorDocument(body)
	if e.Code == "" {
		e.Code = strconv.Itoa(resp.StatusCode)
	}
	return Answer{}, retryable(resp.StatusCode, e.Code), e
}

// retryable tells the failures that another try may cure.
func retryable(status int, code string) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	switch code {
	case "RequestTimeout", "SlowDown", "Throttling", "ThrottlingException", "InternalError":
		return true
	}
	return false
}

// errorDocument reads the code and message of S3's <Error> or CloudFront's
// <ErrorResponse><Error>.
func errorDocument(body []byte) (code, message string) {
	var doc struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
		Error   struct {
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		} `xml:"Error"`
	}
	if xml.Unmarshal(body, &doc) != nil {
		return "", ""
	}
	if doc.Code != "" {
		return doc.Code, doc.Message
	}
	return doc.Error.Code, doc.Error.Message
}

// redact drops a URL's query (none of the calls here carries a secret in it, but an error
// message is no place for one).
func redact(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}
