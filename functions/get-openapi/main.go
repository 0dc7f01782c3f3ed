// Command get-openapi is the Lambda function of the get-openapi operation (GET /openapi.json): the pkg/api
// handler of that operation behind an API Gateway HTTP API (payload 2.0). It reads nothing from the
// table; configuration comes from the environment like every function's (see package lambdaconfig).
package main

import (
	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/lambdaconfig"
)

func main() { lambdaconfig.Main(api.GetOpenAPI) }
