package awsrest

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// CloudFront is a CloudFront client for CreateInvalidation (CloudFront is global: it signs
// for us-east-1 whatever the function's region).
type CloudFront struct {
	Caller
	// Endpoint is a custom endpoint (moto's); "" for https://cloudfront.amazonaws.com.
	Endpoint string
}

// NewCloudFront returns the CloudFront client of a function's AWS configuration, at endpoint
// when that is not nil.
func NewCloudFront(cfg aws.Config, endpoint *string) *CloudFront {
	c := &CloudFront{Caller: Caller{HTTP: cfg.HTTPClient, Credentials: cfg.Credentials, Service: "cloudfront", Region: "us-east-1"}}
	if endpoint != nil {
		c.Endpoint = strings.TrimSuffix(*endpoint, "/")
	}
	return c
}

// CreateInvalidation asks the distribution to forget paths ("/media/x.jpg"); callerReference
// makes a retried call one invalidation, not two. It returns the invalidation's id.
func (c *CloudFront) CreateInvalidation(ctx context.Context, distribution, callerReference string, paths []string) (string, error) {
	if distribution == "" || len(paths) == 0 {
		return "", fmt.Errorf("cloudfront: an invalidation needs a distribution and paths")
	}
	type batch struct {
		XMLName xml.Name `xml:"http://cloudfront.amazonaws.com/doc/2020-05-31/ InvalidationBatch"`
		Paths   struct {
			Quantity int      `xml:"Quantity"`
			Items    []string `xml:"Items>Path"`
		} `xml:"Paths"`
		CallerReference string `xml:"CallerReference"`
	}
	var in batch
	in.Paths.Quantity, in.Paths.Items, in.CallerReference = len(paths), paths, callerReference
	var body bytes.Buffer
	body.WriteString(xml.Header)
	if err := xml.NewEncoder(&body).Encode(in); err != nil {
		return "", err
	}
	base := c.Endpoint
	if base == "" {
		base = "https://cloudfront.amazonaws.com"
	}
	u := base + "/2020-05-31/distribution/" + url.PathEscape(distribution) + "/invalidation"
	a, err := c.Do(ctx, Request{Method: http.MethodPost, URL: u, Header: http.Header{"Content-Type": {"application/xml"}}, Body: body.Bytes()})
	if err != nil {
		return "", err
	}
	var out struct {
		ID string `xml:"Id"`
	}
	if err := xml.Unmarshal(a.Body, &out); err != nil {
		return "", fmt.Errorf("cloudfront invalidation answer (%s): %w", strconv.Itoa(a.StatusCode), err)
	}
	return out.ID, nil
}
