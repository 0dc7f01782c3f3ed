package slot_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/civicworks/open311/pkg/media/slot"
)

// TestSigningKey derives the signing key of AWS's documented example ("Examples of how to derive
// a signing key for Signature Version 4").
func TestSigningKey(t *testing.T) {
	got := hex.EncodeToString(slot.SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam"))
	if want := "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"; got != want {
		t.Errorf("SigningKey = %s, want %s", got, want)
	}
}

// TestForm checks the form of a slot: its fields, the policy's conditions (every field but the
// policy and the signature, the bucket, the length), the expiry, and the signature over the
// base64 policy with the day's signing key.
func TestForm(t *testing.T) {
	now := time.Date(2026, 12, 2, 4, 30, 0, 0, time.UTC)
	f := &slot.Forms{Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "SECRET", "TOKEN"), Region: "eu-west-1",
		Bucket: "feeds-bucket", Now: func() time.Time { return now }}
	form, err := f.Form(context.Background(), "ABC234", "image/png", 1000, now.Add(15*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if form.URL != "https://feeds-bucket.s3.eu-west-1.amazonaws.com/" {
		t.Errorf("URL = %s", form.URL)
	}
	fields := map[string]string{}
	var names []string
	for _, fl := range form.Fields {
		fields[fl.Name] = fl.Value
		names = append(names, fl.Name)
	}
	wantNames := []string{"key", "Content-Type", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-security-token", "policy", "x-amz-signature"}
	if !reflect.DeepEqual(names, wantNames) {
		t.Errorf("fields %v, want %v", names, wantNames)
	}
	if fields["key"] != "uploads/ABC234" || fields["x-amz-credential"] != "AKIDEXAMPLE/20261202/eu-west-1/s3/aws4_request" ||
		fields["x-amz-date"] != "20261202T043000Z" {
		t.Errorf("fields %v", fields)
	}
	doc, err := base64.StdEncoding.DecodeString(fields["policy"])
	if err != nil {
		t.Fatal(err)
	}
	var policy struct {
		Expiration string
		Conditions []any
	}
	if err := json.Unmarshal(doc, &policy); err != nil {
		t.Fatal(err)
	}
	if policy.Expiration != "2026-12-02T04:45:00.000Z" {
		t.Errorf("expiration %s", policy.Expiration)
	}
	want := []any{map[string]any{"bucket": "feeds-bucket"}, []any{"content-length-range", 1.0, 1000.0}}
	for _, n := range wantNames[:6] {
		want = append(want, map[string]any{n: fields[n]})
	}
	if !reflect.DeepEqual(policy.Conditions, want) {
		t.Errorf("conditions %v, want %v", policy.Conditions, want)
	}
	m := hmac.New(sha256.New, slot.SigningKey("SECRET", "20261202", "eu-west-1", "s3"))
	m.Write([]byte(fields["policy"]))
	if got := fields["x-amz-signature"]; got != hex.EncodeToString(m.Sum(nil)) {
		t.Errorf("signature %s is not the policy's", got)
	}

	// Long-term credentials (no session token), an endpoint of a stand-in.
	f.Endpoint, f.Credentials = "http://127.0.0.1:5055/", credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "SECRET", "")
	form, err = f.Form(context.Background(), "ABC234", "image/png", 1000, now)
	if err != nil || form.URL != "http://127.0.0.1:5055/feeds-bucket" || len(form.Fields) != len(wantNames)-1 {
		t.Errorf("with an endpoint and no session token: %+v, %v", form, err)
	}
	f.Credentials = aws.AnonymousCredentials{}
	if _, err := f.Form(context.Background(), "ABC234", "image/png", 1000, now); err == nil {
		t.Error("a form was signed without credentials")
	}
	if _, err := f.Form(context.Background(), "../x", "image/png", 1000, now); err == nil {
		t.Error("a slot id with a slash was signed")
	}
}
