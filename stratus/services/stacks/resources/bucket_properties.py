"""AWS::S3::Bucket's properties written as S3's API takes them: pure conversions, no calls.

CloudFormation names and nests a bucket's settings its own way (the resource reference,
``aws-resource-s3-bucket.html`` and its property pages): a lifecycle rule has flat
``ExpirationInDays``, a replication rule's filter a ``TagFilter``, an inventory's
destination a ``BucketArn``, logging a ``DestinationBucketName``. Each function here
takes one property's template value and answers the request member of the S3
operation that sets it, so the S3 API then checks it as it checks any client's.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "accelerate",
    "analytics",
    "canned_acl",
    "cors",
    "encryption",
    "intelligent_tiering",
    "inventory",
    "lifecycle",
    "logging",
    "metrics",
    "missing_key",
    "notifications",
    "object_lock",
    "public_access_block",
    "replication",
    "truthy",
    "website",
]


def truthy(value: Any) -> bool:
    """Template booleans arrive as booleans or as the strings "true" / "false"."""
    return value is True or str(value).lower() == "true"


def _tags(filters: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """CloudFormation's ``TagFilters`` (``[{Key, Value}]``) as S3's ``Tags``."""
    return [{"Key": t["Key"], "Value": t["Value"]} for t in filters or []]


def _filter(prefix: str | None, tags: list[dict[str, Any]], **more: Any) -> dict[str, Any] | None:
    """S3's filter of one condition, or ``And`` of several (a prefix, tags and any of
    ``more``, such as a metrics access point or a lifecycle size); ``None``: no filter."""
    extra = {k: v for k, v in more.items() if v is not None}
    count = (prefix is not None) + len(tags) + len(extra)
    if count == 0:
        return None
    if count == 1:
        if prefix is not None:
            return {"Prefix": prefix}
        if tags:
            return {"Tag": tags[0]}
        return extra
    both: dict[str, Any] = dict(extra)
    if prefix is not None:
        both["Prefix"] = prefix
    if tags:
        both["Tags"] = tags
    return {"And": both}


# -- the settings held in one document -------------------------------------------------
def accelerate(config: dict[str, Any]) -> dict[str, Any]:
    """``AccelerationStatus`` -> AccelerateConfiguration's ``Status``."""
    return {"Status": config.get("AccelerationStatus")}


def logging(config: dict[str, Any], bucket: str) -> dict[str, Any]:
    """LoggingConfiguration -> BucketLoggingStatus. Without ``DestinationBucketName`` the
    logs go to the bucket itself (the property's page says so); S3 wants a prefix."""
    enabled: dict[str, Any] = {
        "TargetBucket": config.get("DestinationBucketName") or bucket,
        "TargetPrefix": config.get("LogFilePrefix", ""),
    }
    if "TargetObjectKeyFormat" in config:
        enabled["TargetObjectKeyFormat"] = config["TargetObjectKeyFormat"]
    return {"LoggingEnabled": enabled}


def replication(config: dict[str, Any]) -> dict[str, Any]:
    """ReplicationConfiguration: a rule's ``Id`` is S3's ``ID``, its filter's
    ``TagFilter``/``TagFilters`` S3's ``Tag``/``Tags``; ``Destination.Bucket`` is already
    an ARN in both."""
    rules = []
    for given in config.get("Rules") or []:
        rule = {k: v for k, v in given.items() if k not in ("Id", "Filter")}
        if "Id" in given:
            rule["ID"] = given["Id"]
        if "Filter" in given:
            source = given["Filter"] or {}
            target: dict[str, Any] = {}
            if "Prefix" in source:
                target["Prefix"] = source["Prefix"]
            if "TagFilter" in source:
                target["Tag"] = _tags([source["TagFilter"]])[0]
            if "And" in source:
                both = source["And"] or {}
                target["And"] = {
                    **({"Prefix": both["Prefix"]} if "Prefix" in both else {}),
                    **({"Tags": _tags(both["TagFilters"])} if "TagFilters" in both else {}),
                }
            rule["Filter"] = target
        rules.append(rule)
    return {"Role": config.get("Role"), "Rules": rules}


def object_lock(config: dict[str, Any]) -> dict[str, Any]:
    """ObjectLockConfiguration has S3's own shape (``Rule.DefaultRetention``)."""
    out: dict[str, Any] = {"ObjectLockEnabled": config.get("ObjectLockEnabled", "Enabled")}
    if config.get("Rule"):
        out["Rule"] = config["Rule"]
    return out


def canned_acl(value: str) -> str:
    """CloudFormation's ``PublicRead`` -> S3's ``public-read``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", value).lower()


def public_access_block(config: dict[str, Any]) -> dict[str, Any]:
    return {k: truthy(v) for k, v in config.items()}


def encryption(config: dict[str, Any]) -> dict[str, Any]:
    """BucketEncryption's ``ServerSideEncryptionByDefault`` is S3's
    ``ApplyServerSideEncryptionByDefault``."""
    rules = []
    for entry in config.get("ServerSideEncryptionConfiguration") or []:
        rule: dict[str, Any] = {}
        if "ServerSideEncryptionByDefault" in entry:
            rule["ApplyServerSideEncryptionByDefault"] = entry["ServerSideEncryptionByDefault"]
        if "BucketKeyEnabled" in entry:
            rule["BucketKeyEnabled"] = truthy(entry["BucketKeyEnabled"])
        rules.append(rule)
    return {"Rules": rules}


def cors(config: dict[str, Any]) -> dict[str, Any]:
    """CorsConfiguration: ``Id``, ``ExposedHeaders`` and ``MaxAge`` are S3's ``ID``,
    ``ExposeHeaders`` and ``MaxAgeSeconds``."""
    renamed = {"Id": "ID", "ExposedHeaders": "ExposeHeaders", "MaxAge": "MaxAgeSeconds"}
    return {
        "CORSRules": [
            {renamed.get(k, k): v for k, v in rule.items()}
            for rule in config.get("CorsRules") or []
        ]
    }


def website(config: dict[str, Any]) -> dict[str, Any]:
    """WebsiteConfiguration: documents are plain strings, and a routing rule's
    ``RedirectRule``/``RoutingRuleCondition`` are S3's ``Redirect``/``Condition``."""
    out: dict[str, Any] = {}
    if "IndexDocument" in config:
        out["IndexDocument"] = {"Suffix": config["IndexDocument"]}
    if "ErrorDocument" in config:
        out["ErrorDocument"] = {"Key": config["ErrorDocument"]}
    if "RedirectAllRequestsTo" in config:
        out["RedirectAllRequestsTo"] = config["RedirectAllRequestsTo"]
    if config.get("RoutingRules"):
        rules = []
        for given in config["RoutingRules"]:
            rule: dict[str, Any] = {"Redirect": given.get("RedirectRule") or {}}
            if "RoutingRuleCondition" in given:
                rule["Condition"] = given["RoutingRuleCondition"]
            rules.append(rule)
        out["RoutingRules"] = rules
    return out


def notifications(config: dict[str, Any]) -> dict[str, Any]:
    """NotificationConfiguration: one event per entry (S3 takes a list) and the key
    filter under ``S3Key`` (S3's ``Key.FilterRules``)."""
    out: dict[str, Any] = {}
    kinds = (
        ("LambdaConfigurations", "LambdaFunctionConfigurations", "Function", "LambdaFunctionArn"),
        ("QueueConfigurations", "QueueConfigurations", "Queue", "QueueArn"),
        ("TopicConfigurations", "TopicConfigurations", "Topic", "TopicArn"),
    )
    for source, target, field, arn_name in kinds:
        entries = []
        for entry in config.get(source) or []:
            item: dict[str, Any] = {arn_name: entry[field], "Events": [entry["Event"]]}
            rules = ((entry.get("Filter") or {}).get("S3Key") or {}).get("Rules")
            if rules:
                item["Filter"] = {"Key": {"FilterRules": rules}}
            entries.append(item)
        if entries:
            out[target] = entries
    if truthy((config.get("EventBridgeConfiguration") or {}).get("EventBridgeEnabled")):
        out["EventBridgeConfiguration"] = {}
    return out


# -- lifecycle -------------------------------------------------------------------------
def _storage_class(value: Any) -> Any:
    """The template may write ``Glacier``; S3's enum is ``GLACIER``."""
    return value.upper() if isinstance(value, str) else value


def _transition(given: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"StorageClass": _storage_class(given.get("StorageClass"))}
    if "TransitionInDays" in given:
        out["Days"] = given["TransitionInDays"]
    if "TransitionDate" in given:
        out["Date"] = given["TransitionDate"]
    return out


def _noncurrent_transition(given: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "StorageClass": _storage_class(given.get("StorageClass")),
        "NoncurrentDays": given.get("TransitionInDays"),
    }
    if "NewerNoncurrentVersions" in given:
        out["NewerNoncurrentVersions"] = given["NewerNoncurrentVersions"]
    return out


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A CloudFormation lifecycle rule (flat days, single and listed transitions, a
    prefix, tags and sizes beside each other) as S3's LifecycleRule."""
    out: dict[str, Any] = {"Status": rule.get("Status", "Enabled")}
    if "Id" in rule:
        out["ID"] = rule["Id"]
    found = _filter(
        rule.get("Prefix"),
        _tags(rule.get("TagFilters")),
        ObjectSizeGreaterThan=rule.get("ObjectSizeGreaterThan"),
        ObjectSizeLessThan=rule.get("ObjectSizeLessThan"),
    )
    out["Filter"] = found if found is not None else {"Prefix": ""}
    expiration: dict[str, Any] = {}
    if "ExpirationInDays" in rule:
        expiration["Days"] = rule["ExpirationInDays"]
    if "ExpirationDate" in rule:
        expiration["Date"] = rule["ExpirationDate"]
    if "ExpiredObjectDeleteMarker" in rule:
        expiration["ExpiredObjectDeleteMarker"] = truthy(rule["ExpiredObjectDeleteMarker"])
    if expiration:
        out["Expiration"] = expiration
    transitions = [rule["Transition"]] if "Transition" in rule else []
    transitions += rule.get("Transitions") or []
    if transitions:
        out["Transitions"] = [_transition(t) for t in transitions]
    noncurrent = (
        [rule["NoncurrentVersionTransition"]] if "NoncurrentVersionTransition" in rule else []
    )
    noncurrent += rule.get("NoncurrentVersionTransitions") or []
    if noncurrent:
        out["NoncurrentVersionTransitions"] = [_noncurrent_transition(t) for t in noncurrent]
    if "NoncurrentVersionExpiration" in rule:
        spec = rule["NoncurrentVersionExpiration"]
        out["NoncurrentVersionExpiration"] = {"NoncurrentDays": spec.get("NoncurrentDays")}
        if "NewerNoncurrentVersions" in spec:
            out["NoncurrentVersionExpiration"]["NewerNoncurrentVersions"] = spec[
                "NewerNoncurrentVersions"
            ]
    if "NoncurrentVersionExpirationInDays" in rule:
        out["NoncurrentVersionExpiration"] = {
            "NoncurrentDays": rule["NoncurrentVersionExpirationInDays"]
        }
    if "AbortIncompleteMultipartUpload" in rule:
        days = rule["AbortIncompleteMultipartUpload"].get("DaysAfterInitiation")
        out["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": days}
    return out


def lifecycle(config: dict[str, Any]) -> dict[str, Any]:
    """LifecycleConfiguration -> PutBucketLifecycleConfiguration's parameters (its
    ``TransitionDefaultMinimumObjectSize`` is a parameter of its own in S3's API)."""
    params: dict[str, Any] = {
        "LifecycleConfiguration": {
            "Rules": [_lifecycle_rule(rule) for rule in config.get("Rules") or []]
        }
    }
    if "TransitionDefaultMinimumObjectSize" in config:
        params["TransitionDefaultMinimumObjectSize"] = config["TransitionDefaultMinimumObjectSize"]
    return params


# -- the configurations kept by id -----------------------------------------------------
def analytics(config: dict[str, Any]) -> dict[str, Any]:
    """AnalyticsConfiguration: ``Prefix``/``TagFilters`` make S3's ``Filter``; the export's
    ``Destination`` (``BucketArn``, ``BucketAccountId``) is S3's ``S3BucketDestination``."""
    out: dict[str, Any] = {"Id": config.get("Id")}
    found = _filter(config.get("Prefix"), _tags(config.get("TagFilters")))
    if found is not None:
        out["Filter"] = found
    analysis = config.get("StorageClassAnalysis") or {}
    export = analysis.get("DataExport")
    out["StorageClassAnalysis"] = {}
    if export:
        destination = export.get("Destination") or {}
        s3_destination: dict[str, Any] = {
            "Format": destination.get("Format"),
            "Bucket": destination.get("BucketArn"),
        }
        if "BucketAccountId" in destination:
            s3_destination["BucketAccountId"] = destination["BucketAccountId"]
        if "Prefix" in destination:
            s3_destination["Prefix"] = destination["Prefix"]
        out["StorageClassAnalysis"]["DataExport"] = {
            "OutputSchemaVersion": export.get("OutputSchemaVersion"),
            "Destination": {"S3BucketDestination": s3_destination},
        }
    return out


def inventory(config: dict[str, Any]) -> dict[str, Any]:
    """InventoryConfiguration: ``Enabled`` is ``IsEnabled``, ``ScheduleFrequency``
    ``Schedule.Frequency``, ``Prefix`` the filter's; the destination's ``BucketArn`` and
    ``BucketAccountId`` are S3's ``Bucket`` and ``AccountId``."""
    destination = config.get("Destination") or {}
    s3_destination: dict[str, Any] = {
        "Bucket": destination.get("BucketArn"),
        "Format": destination.get("Format"),
    }
    if "BucketAccountId" in destination:
        s3_destination["AccountId"] = destination["BucketAccountId"]
    if "Prefix" in destination:
        s3_destination["Prefix"] = destination["Prefix"]
    out: dict[str, Any] = {
        "Id": config.get("Id"),
        "IsEnabled": truthy(config.get("Enabled")),
        "Destination": {"S3BucketDestination": s3_destination},
        "IncludedObjectVersions": config.get("IncludedObjectVersions"),
        "Schedule": {"Frequency": config.get("ScheduleFrequency")},
    }
    if "Prefix" in config:
        out["Filter"] = {"Prefix": config["Prefix"]}
    if config.get("OptionalFields"):
        out["OptionalFields"] = config["OptionalFields"]
    return out


def metrics(config: dict[str, Any]) -> dict[str, Any]:
    """MetricsConfiguration: ``Prefix``, ``TagFilters`` and ``AccessPointArn`` make S3's
    ``Filter`` (one of them, or their ``And``)."""
    out: dict[str, Any] = {"Id": config.get("Id")}
    found = _filter(
        config.get("Prefix"),
        _tags(config.get("TagFilters")),
        AccessPointArn=config.get("AccessPointArn"),
    )
    if found is not None:
        out["Filter"] = found
    return out


def intelligent_tiering(config: dict[str, Any]) -> dict[str, Any]:
    """IntelligentTieringConfiguration: ``Prefix``/``TagFilters`` make S3's ``Filter``."""
    out: dict[str, Any] = {
        "Id": config.get("Id"),
        "Status": config.get("Status"),
        "Tierings": [
            {"AccessTier": t.get("AccessTier"), "Days": t.get("Days")}
            for t in config.get("Tierings") or []
        ],
    }
    found = _filter(config.get("Prefix"), _tags(config.get("TagFilters")))
    if found is not None:
        out["Filter"] = found
    return out


# -- the resource schema's required keys -------------------------------------------------
#: property -> (is a list, the keys each value must have, (member list, its keys) or None)
_REQUIRED: dict[str, tuple[bool, tuple[str, ...], tuple[str, tuple[str, ...]] | None]] = {
    "AccelerateConfiguration": (False, ("AccelerationStatus",), None),
    "AnalyticsConfigurations": (True, ("StorageClassAnalysis", "Id"), None),
    "BucketEncryption": (False, ("ServerSideEncryptionConfiguration",), None),
    "CorsConfiguration": (
        False,
        ("CorsRules",),
        ("CorsRules", ("AllowedMethods", "AllowedOrigins")),
    ),
    "IntelligentTieringConfigurations": (True, ("Id", "Status", "Tierings"), None),
    "InventoryConfigurations": (
        True,
        ("Destination", "Enabled", "Id", "IncludedObjectVersions", "ScheduleFrequency"),
        None,
    ),
    "LifecycleConfiguration": (False, ("Rules",), ("Rules", ("Status",))),
    "MetricsConfigurations": (True, ("Id",), None),
    "OwnershipControls": (False, ("Rules",), None),
    "ReplicationConfiguration": (False, ("Role", "Rules"), ("Rules", ("Destination", "Status"))),
    "VersioningConfiguration": (False, ("Status",), None),
}


def missing_key(props: dict[str, Any]) -> str | None:
    """The first required key the template leaves out, as CloudFormation's schema check
    reports it (``#/MetricsConfigurations/0: required key [Id] not found``), or None."""

    def absent(value: Any, keys: tuple[str, ...]) -> list[str]:
        return [k for k in keys if not isinstance(value, dict) or k not in value]

    for prop, (listed, keys, members) in _REQUIRED.items():
        if prop not in props:
            continue
        values = props[prop] if listed else [props[prop]]
        for index, value in enumerate(values or []):
            where = f"#/{prop}/{index}" if listed else f"#/{prop}"
            gone = absent(value, keys)
            if gone:
                return f"{where}: required key [{', '.join(gone)}] not found"
            if members is not None:
                member, member_keys = members
                for position, entry in enumerate(value.get(member) or []):
                    gone = absent(entry, member_keys)
                    if gone:
                        return (
                            f"{where}/{member}/{position}: required key "
                            f"[{', '.join(gone)}] not found"
                        )
    return None
