// Package deploy holds no code: its tests check that what is deployed to AWS agrees with the Go
// code it deploys. template.yaml must have one function per operation of pkg/api's route table
// with one HttpApi event per route, built from functions/<operation> by the Makefile's
// build-<LogicalId> target, with read-only DynamoDB permissions for GET operations and the
// table schema of pkg/store/dynamo; every events/*.json must be a real-shaped HTTP API event
// that its operation answers; cfn-lint and sam validate --lint must find no error.
package deploy
