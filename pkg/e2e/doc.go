// Package e2e runs the Lambda functions of the API as AWS runs them, on the real parts that stand
// in for AWS here: each function's bootstrap, built for Linux, under the official Lambda Runtime
// Interface Emulator (aws-lambda-rie, version pinned in infra/rie/version), talking to a DynamoDB
// API server (moto, started by package awstest), with API Gateway's part played by Gateway, a
// small shim that routes an HTTP request the way an HTTP API does and turns it into the payload
// 2.0 event API Gateway would send.
//
// Its test (e2e_test.go) sends the golden cases of pkg/api/apitest and the events/ files through
// that chain and compares the answers with the golden files byte for byte; infra/bench uses
// Build and Emulator to measure binary sizes and cold starts.
package e2e
