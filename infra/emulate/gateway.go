package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/civicworks/open311/pkg/e2e"
	"github.com/civicworks/open311/pkg/georeport"
	"github.com/civicworks/open311/pkg/media/bucket"
)

// What API Gateway itself enforces (HTTP API quotas): a payload of at most 10 MB, an
// integration answer within 30 seconds.
const (
	maxPayload         = 10 << 20
	integrationTimeout = 30 * time.Second
)

// gateway is the HTTP API of the emulated stack: API Gateway's part (routing, the payload 2.0
// event, its own error answers; CORS is pkg/gateway's Default around it) in front of the functions
// under their emulators, and CloudFront's part in front of the feed bucket.
type gateway struct {
	gw     *e2e.Gateway
	fns    map[string]*e2e.Emulator // by operation
	s3     *s3.Client
	bucket string
	log    *slog.Logger
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/feeds/") {
		g.feed(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxPayload)
	op, event, err := g.gw.Event(r)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		gatewayError(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	case err != nil:
		gatewayError(w, http.StatusBadRequest, "Bad Request")
		return
	}
	em, ok := g.fns[op]
	if !ok {
		g.log.Error("no function for the route", "op", op, "path", r.URL.Path)
		gatewayError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	payload, err := json.Marshal(event)
	if err != nil {
		gatewayError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), integrationTimeout)
	defer cancel()
	out, err := em.Invoke(ctx, payload)
	if err != nil {
		g.log.Error("invoke", "op", op, "err", err)
		if errors.Is(err, context.DeadlineExceeded) {
			gatewayError(w, http.StatusServiceUnavailable, "Service Unavailable")
			return
		}
		gatewayError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	status, header, body, err := e2e.Response(out)
	if err != nil {
		g.log.Error("function answer", "op", op, "err", err)
		gatewayError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	for k, vs := range header {
		w.Header()[k] = vs
	}
	w.Header().Set("Apigw-Requestid", event.RequestContext.RequestID)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// gatewayError is an answer of API Gateway itself: its JSON message, not the API's document.
func gatewayError(w http.ResponseWriter, status int, message string) {
	b, _ := json.Marshal(map[string]string{"message": message})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// feed serves an object of the feed bucket under /feeds/, as the CloudFront distribution does
// (which adds nothing to the object's own headers): feeds, and photos under /feeds/media/ (the
// stack's media base is its feed base), never the private ones. A missing feed or another method is the
// GeoReport error document, as on the local server.
func (g *gateway) feed(w http.ResponseWriter, r *http.Request) {
	f := georeport.GuessFormat(r.URL.Path)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		_ = georeport.Write(w, f, http.StatusMethodNotAllowed, georeport.NewErrors(http.StatusMethodNotAllowed, "The method "+r.Method+" is not allowed here: feeds are read with GET."))
		return
	}
	key := strings.TrimPrefix(r.URL.Path, "/feeds/")
	if strings.HasPrefix(key, bucket.DefaultPrivatePrefix) {
		// Private photos: the distribution's bucket policy denies it every such object.
		_ = georeport.Write(w, f, http.StatusNotFound, georeport.NewErrors(http.StatusNotFound, "There is no such feed: "+r.URL.Path))
		return
	}
	obj, err := g.s3.GetObject(r.Context(), &s3.GetObjectInput{Bucket: aws.String(g.bucket), Key: aws.String(key)})
	var noKey *s3types.NoSuchKey
	if errors.As(err, &noKey) || key == "" || strings.HasSuffix(key, "/") {
		_ = georeport.Write(w, f, http.StatusNotFound, georeport.NewErrors(http.StatusNotFound, "There is no such feed: "+r.URL.Path))
		return
	}
	if err != nil {
		g.log.Error("read feed", "key", key, "err", err)
		_ = georeport.Write(w, f, http.StatusBadGateway, georeport.NewErrors(http.StatusBadGateway, "The feed could not be read."))
		return
	}
	defer obj.Body.Close()
	h := w.Header()
	h.Set("Content-Type", aws.ToString(obj.ContentType))
	if obj.CacheControl != nil {
		h.Set("Cache-Control", *obj.CacheControl)
	}
	if obj.ETag != nil {
		h.Set("ETag", *obj.ETag)
	}
	if obj.LastModified != nil {
		h.Set("Last-Modified", obj.LastModified.UTC().Format(http.TimeFormat))
	}
	if obj.ContentLength != nil {
		h.Set("Content-Length", strconv.FormatInt(*obj.ContentLength, 10))
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = io.Copy(w, obj.Body)
	}
}
