// Package slot hands out S3's browser-based uploads (a presigned POST, AWS Signature Version 4)
// for the upload slots of large photos: a form that puts one object, uploads/<slot id>, of one
// image type and a bounded size, until it expires. It signs the POST policy itself with the
// function's credentials, so that the function that hands out slots links no S3 SDK; S3 checks
// the policy and the signature when the client posts.
package slot

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/civicworks/open311/pkg/media"
)

// Forms signs upload forms for one bucket.
type Forms struct {
	Credentials aws.CredentialsProvider
	Region      string
	Bucket      string
	// Endpoint, when set, is the S3 endpoint the form posts to, path-style (<endpoint>/<bucket>:
	// a stand-in such as moto); otherwise the bucket's virtual-hosted address in Region.
	Endpoint string
	// Now is the clock of the signature's date (default time.Now).
	Now func() time.Time
}

var _ media.Forms = (*Forms)(nil)

const algorithm = "AWS4-HMAC-SHA256"

// Form signs the POST policy of slot id: the key uploads/<id>, the Content-Type, a length of
// 1 to maxBytes, and the expiry; the fields are those S3 wants with it, the policy and the
// signature last.
func (f *Forms) Form(ctx context.Context, id, contentType string, maxBytes int64, expires time.Time) (media.UploadForm, error) {
	if !media.ValidSlotID(id) {
		return media.UploadForm{}, fmt.Errorf("media/slot: %q is not a slot id", id)
	}
	creds, err := f.Credentials.Retrieve(ctx)
	if err != nil {
		return media.UploadForm{}, fmt.Errorf("media/slot: credentials: %w", err)
	}
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	t := now().UTC()
	day := t.Format("20060102")
	credential := creds.AccessKeyID + "/" + day + "/" + f.Region + "/s3/aws4_request"
	fields := []media.FormField{
		{Name: "key", Value: media.UploadPrefix + id},
		{Name: "Content-Type", Value: contentType},
		{Name: "x-amz-algorithm", Value: algorithm},
		{Name: "x-amz-credential", Value: credential},
		{Name: "x-amz-date", Value: t.Format("20060102T150405Z")},
	}
	if creds.SessionToken != "" {
		fields = append(fields, media.FormField{Name: "x-amz-security-token", Value: creds.SessionToken})
	}
	conditions := []any{map[string]string{"bucket": f.Bucket}, []any{"content-length-range", 1, maxBytes}}
	for _, fl := range fields {
		conditions = append(conditions, map[string]string{fl.Name: fl.Value})
	}
	doc, err := json.Marshal(struct {
		Expiration string `json:"expiration"`
		Conditions []any  `json:"conditions"`
	}{expires.UTC().Format("2006-01-02T15:04:05.000Z"), conditions})
	if err != nil {
		return media.UploadForm{}, fmt.Errorf("media/slot: policy: %w", err)
	}
	policy := base64.StdEncoding.EncodeToString(doc)
	signature := hex.EncodeToString(hmacSHA256(SigningKey(creds.SecretAccessKey, day, f.Region, "s3"), policy))
	fields = append(fields, media.FormField{Name: "policy", Value: policy}, media.FormField{Name: "x-amz-signature", Value: signature})
	return media.UploadForm{URL: f.url(), Fields: fields}, nil
}

// url is where the form posts: the bucket's virtual-hosted address, or Endpoint path-style.
func (f *Forms) url() string {
	if f.Endpoint != "" {
		return strings.TrimSuffix(f.Endpoint, "/") + "/" + url.PathEscape(f.Bucket)
	}
	return "https://" + f.Bucket + ".s3." + f.Region + ".amazonaws.com/"
}

// SigningKey is Signature Version 4's signing key of a secret, a day (YYYYMMDD), a region and
// a service: HMAC-SHA256 chained from "AWS4"+secret through each of them and "aws4_request".
func SigningKey(secret, day, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), day)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
