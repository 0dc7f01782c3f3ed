// Command feed-builder is the Lambda function on the table's stream that rebuilds the Atom feeds a
// batch touches and writes them to the feed bucket (see package feedbuilder).
package main

import (
	"context"
	"errors"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/civicworks/open311/pkg/feed/bucket"
	"github.com/civicworks/open311/pkg/feedbuilder"
	"github.com/civicworks/open311/pkg/store/dynamo"
)

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	c, err := feedbuilder.FromEnv(os.Getenv)
	aws, awsErr := config.LoadDefaultConfig(context.Background()) // AWS_ENDPOINT_URL_DYNAMODB, _S3 honoured
	if err := errors.Join(err, awsErr); err != nil {
		slog.Error("configure feed-builder", "err", err)
		os.Exit(1)
	}
	h := &feedbuilder.Handler{
		Store:     dynamo.New(dynamodb.NewFromConfig(aws), c.Table),
		Publisher: &bucket.Publisher{Client: s3.NewFromConfig(aws), Bucket: c.Bucket},
		Options:   c.Options(),
	}
	lambda.Start(h.Handle)
}
