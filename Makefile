# Builds, checks, tests and deploys the Lambda functions of template.yaml.
#
#   make test                  go test ./... through infra/testrun: go test's output, then one line
#                              saying what was skipped and the command that installs what it needs
#   make aws-tools             installs the pinned cfn-lint and SAM CLI into $(AWS_TOOLS), a
#                              virtualenv of their own (never activate it: its python3 has no moto),
#                              and checkov into $(CHECKOV_TOOLS), each package pinned by hash
#   make contract              .ci/contract: pkg/api/openapi.json validated, and Schemathesis run
#                              against the local server from it (make contract-tools first)
#   make contract-tools        installs Schemathesis and openapi-spec-validator, pinned by hash,
#                              into $(CONTRACT_TOOLS)
#   make fuzz                  .ci/fuzz: every Go fuzz target for FUZZTIME (default 10s) each
#   make build                 sam build with that SAM CLI: stripped linux/arm64 bootstraps in .aws-sam/
#   make deploy                make build, then sam deploy --guided (make deploy SAM_DEPLOY_FLAGS=
#                              deploys with the answers samconfig.toml keeps, without asking)
#   make outputs               the stack's outputs (TableName, ApiUrl, ...)
#   make delete                deletes the stack (sam delete asks first; the table is kept)
#   make lint                  cfn-lint, sam validate --lint and checkov on template.yaml (checkov
#                              also on the template SAM transforms it into), offline
#   make requirements          pip-compile --generate-hashes of every infra/*/requirements.in
#   make bootstraps            builds every function into build/<operation>/bootstrap (linux/arm64);
#                              make bootstraps GOARCH=amd64 builds them for an amd64 host, to run
#                              under the Lambda Runtime Interface Emulator
#   sam build                  (what make build runs) runs one build-<LogicalId> target per function
#                              (BuildMethod: makefile), which writes $(ARTIFACTS_DIR)/bootstrap
#
# One function per operation of pkg/api's route table, and the feed builder on the table's stream;
# pkg/deploy's tests check that the targets below, template.yaml, functions/ and the route table
# agree.

OPERATIONS := get-discovery get-services get-service-definition post-request get-token get-requests get-request update-request get-request-updates post-request-update get-jurisdictions get-openapi post-hub post-media get-feeds fallback
# Functions that serve no route: an event source of template.yaml triggers them (the table's
# stream the feed builder, daily schedules the retention of personal data and the open data
# export, a deploy the publisher of the CDN's pages, the feed bucket's new photos the preview
# function).
STREAM_FUNCTIONS := feed-builder retention export-open-data publish-site preview

# The flags of every Lambda build: static, no RPC mode of aws-lambda-go (provided.al2023 uses the
# runtime API), reproducible paths, stripped.
GO_LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags "-s -w"
LAMBDA_BUILD := CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build $(GO_LAMBDA_FLAGS)

# Architecture of `make bootstraps`; the template deploys arm64.
GOARCH ?= arm64
BUILD_DIR ?= build

AWS_TOOLS ?= $(HOME)/.venvs/aws-tools
CONTRACT_TOOLS ?= $(HOME)/.venvs/contract
FUZZTIME ?= 10s
CFN_LINT ?= $(if $(wildcard $(AWS_TOOLS)/bin/cfn-lint),$(AWS_TOOLS)/bin/cfn-lint,cfn-lint)
SAM ?= $(if $(wildcard $(AWS_TOOLS)/bin/sam),$(AWS_TOOLS)/bin/sam,sam)
CHECKOV_TOOLS ?= $(HOME)/.venvs/checkov
# The pinned checkov with its fix for SAM Globals (infra/checkov/run.py says which).
CHECKOV ?= $(CHECKOV_TOOLS)/bin/python infra/checkov/run.py
# Offline (--skip-download: no guidelines fetched); findings are shown, not fatal here: those
# docs/security.md accepts are expected, and pkg/deploy's TestCheckov fails on any other.
CHECKOV_FLAGS := --quiet --compact --skip-download --framework cloudformation --soft-fail
TEMPLATE ?= template.yaml
STACK ?= open311
SAM_DEPLOY_FLAGS ?= --guided
# No usage data sent by the SAM CLI unless asked for.
export SAM_CLI_TELEMETRY ?= 0

.PHONY: test build deploy outputs delete need-sam bootstraps lint aws-tools requirements contract contract-tools fuzz clean FORCE

test:
	go run ./infra/testrun ./...

build: need-sam
	$(SAM) build --template $(TEMPLATE)

deploy: build
	$(SAM) deploy $(SAM_DEPLOY_FLAGS)

outputs: need-sam
	$(SAM) list stack-outputs --stack-name $(STACK)

delete: need-sam
	$(SAM) delete --stack-name $(STACK)

# The SAM CLI, or one line saying how to install it.
need-sam:
	@command -v $(SAM) >/dev/null 2>&1 || { echo "the SAM CLI is not installed: run make aws-tools (it goes into $(AWS_TOOLS))" >&2; exit 1; }

# SAM build targets: build-<LogicalId> -> functions/<operation>.
build-GetDiscoveryFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/get-discovery
build-GetServicesFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/get-services
build-GetServiceDefinitionFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/get-service-definition
build-PostRequestFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/post-request
build-PostMediaFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/post-media
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
build-GetFeedsFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/get-feeds
build-GetOpenAPIFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/get-openapi
build-PostHubFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/post-hub
build-FallbackFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/fallback
build-GetRequestsFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/get-requests
build-GetRequestFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/get-request
build-FeedBuilderFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/feed-builder
build-RetentionFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/retention
build-ExportOpenDataFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/export-open-data
build-PublishSiteFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/publish-site
build-PreviewFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/preview

bootstraps: $(addprefix $(BUILD_DIR)/,$(addsuffix /bootstrap,$(OPERATIONS) $(STREAM_FUNCTIONS)))

# Always handed to go build, which knows best what is out of date.
$(BUILD_DIR)/%/bootstrap: FORCE
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH) go build $(GO_LAMBDA_FLAGS) -o $@ ./functions/$*

lint:
	$(CFN_LINT) $(TEMPLATE)
	AWS_DEFAULT_REGION=us-east-1 $(SAM) validate --lint --template $(TEMPLATE) --region us-east-1
	$(CHECKOV) $(CHECKOV_FLAGS) --file $(TEMPLATE)
	mkdir -p $(BUILD_DIR)
	$(AWS_TOOLS)/bin/python infra/aws-tools/transform.py $(TEMPLATE) > $(BUILD_DIR)/transformed.json
	$(CHECKOV) $(CHECKOV_FLAGS) --file $(BUILD_DIR)/transformed.json

aws-tools:
	python3 -m venv $(AWS_TOOLS)
	$(AWS_TOOLS)/bin/pip install --require-hashes -r infra/aws-tools/requirements.txt
	python3 -m venv $(CHECKOV_TOOLS)
	$(CHECKOV_TOOLS)/bin/pip install --require-hashes -r infra/checkov/requirements.txt

# Pins every package of each tool by hash, from its requirements.in (pip-tools in a virtualenv
# of its own; PIP_FIND_LINKS emptied so that no local wheel folder enters the hashes).
requirements:
	python3 -m venv $(BUILD_DIR)/pip-tools
	$(BUILD_DIR)/pip-tools/bin/pip install --quiet pip-tools
	for d in infra/moto infra/aws-tools infra/checkov infra/schemathesis; do \
		(cd $$d && PIP_FIND_LINKS= $(CURDIR)/$(BUILD_DIR)/pip-tools/bin/pip-compile --quiet --generate-hashes \
			--allow-unsafe --no-strip-extras --no-emit-find-links --output-file requirements.txt requirements.in) || exit 1; \
	done

contract:
	CONTRACT_TOOLS=$(CONTRACT_TOOLS) .ci/contract

contract-tools:
	python3 -m venv $(CONTRACT_TOOLS)
	$(CONTRACT_TOOLS)/bin/pip install --require-hashes -r infra/schemathesis/requirements.txt

fuzz:
	.ci/fuzz $(FUZZTIME)

clean:
	rm -rf $(BUILD_DIR) .aws-sam
