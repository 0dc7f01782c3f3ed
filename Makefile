# Builds the Lambda functions of template.yaml and checks the template.
#
#   sam build                  runs one build-<LogicalId> target per function (BuildMethod: makefile),
#                              which writes $(ARTIFACTS_DIR)/bootstrap for linux/arm64
#   make bootstraps            builds every function into build/<operation>/bootstrap (linux/arm64);
#                              make bootstraps GOARCH=amd64 builds them for an amd64 host, to run
#                              under the Lambda Runtime Interface Emulator
#   make lint                  cfn-lint and sam validate --lint on template.yaml, offline
#   make aws-tools             installs the pinned cfn-lint and SAM CLI into $(AWS_TOOLS)
#
# One function per operation of pkg/api's route table, and the feed builder on the table's stream;
# pkg/deploy's tests check that the targets below, template.yaml, functions/ and the route table
# agree.

OPERATIONS := get-discovery get-services get-service-definition post-request get-token get-requests get-request update-request get-request-updates post-request-update get-jurisdictions fallback
# Functions that serve no route: they are triggered by an event source of template.yaml.
STREAM_FUNCTIONS := feed-builder

# The flags of every Lambda build: static, no RPC mode of aws-lambda-go (provided.al2023 uses the
# runtime API), reproducible paths, stripped.
GO_LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags "-s -w"
LAMBDA_BUILD := CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build $(GO_LAMBDA_FLAGS)

# Architecture of `make bootstraps`; the template deploys arm64.
GOARCH ?= arm64
BUILD_DIR ?= build

AWS_TOOLS ?= $(HOME)/.venvs/aws-tools
CFN_LINT ?= $(if $(wildcard $(AWS_TOOLS)/bin/cfn-lint),$(AWS_TOOLS)/bin/cfn-lint,cfn-lint)
SAM ?= $(if $(wildcard $(AWS_TOOLS)/bin/sam),$(AWS_TOOLS)/bin/sam,sam)
TEMPLATE ?= template.yaml

.PHONY: bootstraps lint aws-tools clean FORCE

# SAM build targets: build-<LogicalId> -> functions/<operation>.
build-GetDiscoveryFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/get-discovery
build-GetServicesFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/get-services
build-GetServiceDefinitionFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/get-service-definition
build-PostRequestFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/post-request
build-GetTokenFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/get-token
build-UpdateRequestFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/update-request
build-GetRequestUpdatesFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/get-request-updates
build-PostRequestUpdateFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/post-request-update
build-GetJurisdictionsFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/get-jurisdictions
build-FallbackFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/fallback
build-GetRequestsFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/get-requests
build-GetRequestFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/get-request
build-FeedBuilderFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/feed-builder

bootstraps: $(addprefix $(BUILD_DIR)/,$(addsuffix /bootstrap,$(OPERATIONS) $(STREAM_FUNCTIONS)))

# Always handed to go build, which knows best what is out of date.
$(BUILD_DIR)/%/bootstrap: FORCE
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH) go build $(GO_LAMBDA_FLAGS) -o $@ ./functions/$*

lint: export SAM_CLI_TELEMETRY = 0
lint:
	$(CFN_LINT) $(TEMPLATE)
	AWS_DEFAULT_REGION=us-east-1 $(SAM) validate --lint --template $(TEMPLATE) --region us-east-1

aws-tools:
	python3 -m venv $(AWS_TOOLS)
	$(AWS_TOOLS)/bin/pip install -r infra/aws-tools/requirements.txt

clean:
	rm -rf $(BUILD_DIR) .aws-sam
