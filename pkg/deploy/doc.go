// Package deploy holds no code: its tests check that what is deployed to AWS agrees with the Go
// code it deploys. template.yaml must have one function per operation of pkg/api's route table
// with one HttpApi event per route, and the feed builder on the table's stream, each built from
// functions/<name> by the Makefile's build-<LogicalId> target, each running as a role of its
// own with inline statements of the right shape (pkg/e2e checks them against the calls each
// function makes), the feed builder's stream settings (filter,
// partial batch responses, bisection, bounded retries, on-failure queue), its private bucket
// behind CloudFront, and the table schema of pkg/store/dynamo; every events/*.json must be a
// real-shaped HTTP API event that its operation answers, or a DynamoDB stream batch that the
// feed builder applies; an HTTP API function must link neither the S3 SDK nor the feed builder,
// and the feed builder not pkg/api; cfn-lint and sam validate --lint must find no error.
package deploy
