"""Runs checkov (the version infra/checkov/requirements.txt pins) with one fix of its own.

    ~/.venvs/checkov/bin/python infra/checkov/run.py [checkov's arguments]

checkov 3.3.30 applies a SAM template's Globals to each function by merging the same global
objects into every one of them, and merges an intrinsic function of the Globals with the
function's own key by key ({"Ref": ...} and {"Fn::If": ...} become one map); then it replaces
each !Ref to a parameter that has a default by that default, in place, and fails on what those
merges made (TypeError: string indices must be integers): checkov cannot scan a template whose
Globals refer to a parameter, as template.yaml's do (and main's did). This applies the Globals as
SAM does (maps merged key by key, lists joined, an intrinsic function or a scalar of the function
replacing the global one), to a copy of them per resource; nothing else is changed.
"""

import copy
import sys

import checkov.cloudformation.cfn_utils as cfn_utils
from checkov.common.parsers.node import DictNode
from checkov.main import Checkov
from checkov.version import version

PINNED = "3.3.30"


def intrinsic(v):
    """Whether v is an intrinsic function, as SAM tells: a map of one key, Ref, Condition or Fn::*."""
    return isinstance(v, dict) and len(v) == 1 and next(iter(v)) in ("Ref", "Condition") or (
        isinstance(v, dict) and len(v) == 1 and str(next(iter(v))).startswith("Fn::"))


def merge(global_value, local):
    """SAM's Globals rule for one property."""
    if isinstance(global_value, dict) and isinstance(local, dict) and not intrinsic(global_value) and not intrinsic(local):
        out = copy.copy(local)
        for k, v in global_value.items():
            out[k] = merge(v, local[k]) if k in local else copy.deepcopy(v)
        return out
    if isinstance(global_value, list) and isinstance(local, list):
        return copy.deepcopy(global_value) + local
    return local


def enrich_resources_with_globals(original_template):
    """checkov's own, with the Globals copied for each resource."""
    template = copy.deepcopy(original_template)
    globals_ = template.get("Globals", {})
    for name, resource in template.get("Resources", {}).items():
        if name == "__file__" or not isinstance(resource, dict):
            continue
        kind = resource.get("Type", "")
        if not kind.startswith("AWS::Serverless::"):
            continue
        props = copy.deepcopy(globals_.get(kind.split("::")[2], {}))
        props.pop("Tags", None)
        resource["Properties"] = merge(props, resource.setdefault("Properties", DictNode({}, None, None)))
    return template


def main():
    if version != PINNED:
        sys.exit(f"infra/checkov/run.py patches checkov {PINNED}, not {version}: check that its Globals bug is still there, then change PINNED")
    if not hasattr(cfn_utils, "enrich_resources_with_globals"):
        sys.exit("checkov no longer has cfn_utils.enrich_resources_with_globals: see whether run.py is still needed")
    cfn_utils.enrich_resources_with_globals = enrich_resources_with_globals
    sys.exit(Checkov().run())


if __name__ == "__main__":
    main()
