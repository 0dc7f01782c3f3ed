package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/awstest"
)

// runWith runs the command with getenv standing for the environment.
func runWith(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	c := &cli{stdout: &stdout, stderr: &stderr, now: time.Now, getenv: func(k string) string { return env[k] }}
	code := c.run(context.Background(), args)
	return result{code, stdout.String(), stderr.String()}
}

// metadataServer stands for the EC2 instance metadata service (and the process environment
// points the SDK at it): it counts the requests it gets and has no role to give.
func metadataServer(t *testing.T) *atomic.Int64 {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	// What a laptop without AWS configuration has: no credentials, no region, no files.
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_REGION": "", "AWS_DEFAULT_REGION": "", "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
		"AWS_EC2_METADATA_DISABLED": "", "AWS_EC2_METADATA_SERVICE_ENDPOINT": srv.URL,
		"AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_WEB_IDENTITY_TOKEN_FILE": "",
	} {
		t.Setenv(k, v)
	}
	return &hits
}

// TestMotoNeedsNoAWSConfiguration runs the moto walkthrough with nothing of AWS configured: no
// region, no credentials, the endpoint from AWS_ENDPOINT_URL_DYNAMODB (as start.sh's output is
// exported). It works, and the SDK never asks the instance metadata service for a role.
func TestMotoNeedsNoAWSConfiguration(t *testing.T) {
	endpoint := motoEndpoint(t) // started with the tests' environment, before it is emptied
	hits := metadataServer(t)
	env := map[string]string{"AWS_ENDPOINT_URL_DYNAMODB": endpoint, "TABLE_NAME": fmt.Sprintf("admin-noconf-%d", time.Now().UnixNano())}
	for _, args := range [][]string{
		{"table", "create"},
		{"catalog", "load", demoCatalog},
		{"keys", "create", "-role", "reporter", "-label", "City app"},
		{"catalog", "show"},
		{"keys", "list"},
	} {
		r := runWith(t, env, append([]string{"-store", "dynamo"}, args...)...)
		if r.code != 0 {
			t.Fatalf("admin %v: exit %d: %s", args, r.code, r.stderr)
		}
		if args[0] == "keys" && args[1] == "list" && !regexp.MustCompile(`\n[0-9a-f]{12} +reporter +\(every\) .* no +never +City app\n$`).MatchString(r.stdout) {
			t.Errorf("keys list on DynamoDB:\n%s", r.stdout)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the SDK asked the instance metadata service %d times", n)
	}
}

// TestOperatorMistakes checks the one-line errors of the mistakes an operator makes with
// DynamoDB (none needs a server).
func TestOperatorMistakes(t *testing.T) {
	hits := metadataServer(t)
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"endpoint without a scheme", nil, []string{"-store", "dynamo", "-table", "t", "-endpoint", "127.0.0.1:5055", "catalog", "show"}, 2,
			`the DynamoDB endpoint is "127.0.0.1:5055": want a URL such as http://127.0.0.1:5055`},
		{"nothing at the endpoint", nil, []string{"-store", "dynamo", "-table", "t", "-endpoint", "http://127.0.0.1:1", "catalog", "show"}, 1,
			"nothing answers at http://127.0.0.1:1: is the server running? (infra/moto/start.sh starts moto on http://127.0.0.1:5055)"},
		{"nothing at the endpoint of the environment", map[string]string{"AWS_ENDPOINT_URL": "http://localhost:1"},
			[]string{"-store", "dynamo", "-table", "t", "table", "create"}, 1, "nothing answers at http://localhost:1"},
		{"AWS without a region", nil, []string{"-store", "dynamo", "-table", "t", "catalog", "show"}, 1, "no AWS region: set AWS_REGION"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runWith(t, tc.env, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, tc.code, tc.want)
			}
			if lines := strings.Count(r.stderr, "\n"); tc.code == 1 && lines != 1 {
				t.Errorf("%d lines of error: %q", lines, r.stderr)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the SDK asked the instance metadata service %d times before the credentials check", n)
	}

	// Real AWS with a region and no credentials: the SDK's chain ends at the instance metadata
	// service (here the stand-in, which has no role), and the tool says so in one line.
	t.Setenv("AWS_REGION", "us-east-1")
	r := runWith(t, nil, "-store", "dynamo", "-table", "t", "catalog", "show")
	if r.code != 1 || !strings.HasPrefix(r.stderr, "admin: no AWS credentials (aws configure, AWS_PROFILE or AWS_ACCESS_KEY_ID set them; for a moto server give -endpoint http://127.0.0.1:5055)") ||
		strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("AWS without credentials: exit %d, stderr %q", r.code, r.stderr)
	}
}

// motoEndpoint is the moto server of the tests (awstest's: skipped without moto, failed under CI).
func motoEndpoint(t *testing.T) string {
	t.Helper()
	return awstest.Endpoint(t)
}
