"""The SAM transform (``Transform: AWS::Serverless-2016-10-31``), by AWS's own translator.

``aws-sam-translator`` is the library CloudFormation's SAM macro runs; using it means a
template expands here exactly as it does on AWS. It is CPU work, so callers run it in a
thread. Managed policy names (``AWSLambdaBasicExecutionRole``) resolve from the map the
library bundles, never from a network call.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from stratus.services.stacks.errors import TemplateError

__all__ = ["SAM_TRANSFORM", "has_sam_transform", "transform_sam"]

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"

logging.getLogger("samtranslator").setLevel(logging.ERROR)


def transforms(document: dict[str, Any]) -> list[str]:
    declared = document.get("Transform")
    if declared is None:
        return []
    return [declared] if isinstance(declared, str) else [str(t) for t in declared]


def has_sam_transform(document: dict[str, Any]) -> bool:
    return SAM_TRANSFORM in transforms(document)


def transform_sam(
    document: dict[str, Any], parameter_values: dict[str, Any], region: str
) -> dict[str, Any]:
    """The CloudFormation template the SAM template expands to (``document`` untouched)."""
    import boto3
    from samtranslator.internal.managed_policies import get_bundled_managed_policy_map
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    session = boto3.session.Session(region_name=region)
    partition = "aws-cn" if region.startswith("cn-") else "aws"
    translator = Translator(None, Parser(), boto_session=session)
    try:
        translated: dict[str, Any] = translator.translate(
            copy.deepcopy(document),
            parameter_values=dict(parameter_values),
            get_managed_policy_map=lambda: get_bundled_managed_policy_map(partition) or {},
        )
        return translated
    except InvalidDocumentException as exc:
        raise TemplateError(f"Transform {SAM_TRANSFORM} failed with: {exc}") from exc
    except Exception as exc:  # the library's own failures read as the macro's
        raise TemplateError(f"Transform {SAM_TRANSFORM} failed with: {exc}") from exc
