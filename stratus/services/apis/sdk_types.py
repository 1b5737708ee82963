"""The SDK types API Gateway generates client SDKs for (GetSdkTypes, GetSdkType), and the
checks GetSdk makes before generating one.

Stratus lists AWS's SDK types with their configuration properties (the ``parameters``
GetSdk takes: "Generate an SDK for a REST API in API Gateway") but generates no SDK: a
GetSdk that passes AWS's checks is refused as unsupported.
"""

from __future__ import annotations

from dataclasses import dataclass

from stratus.services.apis.errors import BadRequest, NotFound, Unsupported

__all__ = ["SDK_TYPES", "SdkProperty", "SdkType", "check_sdk_request", "sdk_type"]


@dataclass(frozen=True, slots=True)
class SdkProperty:
    name: str
    friendly_name: str
    description: str
    required: bool = False
    default_value: str | None = None


@dataclass(frozen=True, slots=True)
class SdkType:
    id: str
    friendly_name: str
    description: str
    configuration_properties: tuple[SdkProperty, ...] = ()


_PREFIX = SdkProperty(
    "classPrefix", "Prefix", "The prefix of the generated classes (e.g. CLI)", required=True
)

SDK_TYPES: dict[str, SdkType] = {
    sdk.id: sdk
    for sdk in (
        SdkType(
            "android",
            "Android",
            "Android SDK",
            (
                SdkProperty(
                    "groupId", "Group ID", "The group ID in pom.xml (e.g. com.mycompany)", True
                ),
                SdkProperty(
                    "invokerPackage",
                    "Invoker package",
                    "The namespace of the generated client classes",
                    True,
                ),
                SdkProperty(
                    "artifactId",
                    "Artifact ID",
                    "The name of the compiled .jar file, without its version",
                    True,
                ),
                SdkProperty(
                    "artifactVersion",
                    "Artifact version",
                    "The version of the artifact (major.minor.patch)",
                    True,
                ),
            ),
        ),
        SdkType("javascript", "JavaScript", "JavaScript SDK"),
        SdkType("objectivec", "iOS (Objective-C)", "iOS SDK (Objective-C)", (_PREFIX,)),
        SdkType("swift", "iOS (Swift)", "iOS SDK (Swift)", (_PREFIX,)),
        SdkType(
            "java",
            "Java SDK",
            "Java SDK",
            (
                SdkProperty("serviceName", "Service name", "The name of the SDK", True),
                SdkProperty(
                    "javaPackageName",
                    "Java package name",
                    "The namespace of the generated classes (e.g. com.mycompany)",
                    True,
                ),
                SdkProperty(
                    "javaBuildSystem", "Java build system", "maven or gradle", False, "maven"
                ),
                SdkProperty("javaGroupId", "Java group ID", "The group ID in pom.xml"),
                SdkProperty("javaArtifactId", "Java artifact ID", "The artifact ID in pom.xml"),
                SdkProperty(
                    "javaArtifactVersion",
                    "Java artifact version",
                    "The artifact version in pom.xml",
                    False,
                    "1.0.0",
                ),
                SdkProperty("licenseText", "Source code license text", "The license text"),
            ),
        ),
        SdkType(
            "ruby",
            "Ruby",
            "Ruby SDK",
            (
                SdkProperty("service.name", "Service name", "The name of the SDK", True),
                SdkProperty("ruby.gem-name", "Ruby gem name", "The name of the gem"),
                SdkProperty(
                    "ruby.gem-version", "Ruby gem version", "The version of the gem", False, "1.0.0"
                ),
            ),
        ),
    )
}


def sdk_type(type_id: str) -> SdkType:
    found = SDK_TYPES.get(type_id)
    if found is None:
        raise NotFound(f"Invalid SDK type specified: {type_id}")
    return found


def check_sdk_request(type_id: str, parameters: dict[str, str]) -> None:
    """GetSdk's checks once the API and stage are known: the type, then its required
    parameters; a request that passes them is unsupported (no SDK generator here)."""
    sdk = SDK_TYPES.get(type_id)
    if sdk is None:
        raise BadRequest(
            f"Invalid SDK type specified: {type_id}. Valid values are [{', '.join(SDK_TYPES)}]"
        )
    missing = [
        p.name for p in sdk.configuration_properties if p.required and not parameters.get(p.name)
    ]
    if missing:
        raise BadRequest(f"Missing required SDK parameters: [{', '.join(missing)}]")
    raise Unsupported(f"Stratus does not generate SDKs ({sdk.friendly_name} requested)")
