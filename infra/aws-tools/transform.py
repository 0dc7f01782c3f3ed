"""Prints the CloudFormation template AWS SAM makes of a SAM template, offline.

    ~/.venvs/aws-tools/bin/python infra/aws-tools/transform.py template.yaml > transformed.json

It runs the SAM translator the SAM CLI ships (samtranslator), as CloudFormation's
AWS::Serverless-2016-10-31 transform does, so that tools that read plain CloudFormation (checkov)
see the roles, permissions, event source mappings and stages SAM generates. sam validate
translates too, but prints nothing of the result. No AWS call is made: the translator only asks
AWS for managed policies named by name in a function's Policies, which this template has none of
(every function has a Role of its own); such a name fails here instead of being looked up. Local
CodeUri folders become an S3 location, as sam deploy's upload makes them.
"""

import json
import os
import sys

# The translator takes the region from a boto3 session; it never needs credentials.
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    """A managed policy loader that knows none, so that nothing is looked up in IAM."""

    def load(self):
        return {}


def main(path):
    with open(path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    # sam deploy uploads the local code first and names the upload; so does this, by a name.
    for props in [template.get("Globals", {}).get("Function", {})] + [
            r.get("Properties", {}) for r in template.get("Resources", {}).values()
            if r.get("Type") == "AWS::Serverless::Function"]:
        if isinstance(props.get("CodeUri"), str) and not props["CodeUri"].startswith("s3://"):
            props["CodeUri"] = "s3://sam-artifacts/code.zip"
    # CloudFormation resolves pseudo parameters; the translator only needs their names to exist.
    params = {"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws",
              "AWS::StackName": "open311", "AWS::StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/open311/0",
              "AWS::URLSuffix": "amazonaws.com", "AWS::NotificationARNs": []}
    out = transform(template, params, NoManagedPolicies())
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: transform.py TEMPLATE")
    main(sys.argv[1])
