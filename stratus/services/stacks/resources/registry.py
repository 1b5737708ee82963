"""Resource type -> handler: the types a template may use on Stratus."""

from __future__ import annotations

from stratus.services.stacks.resources import (
    api_docs,
    api_models,
    apis,
    buckets,
    custom,
    data,
    dns,
    domains,
    iam,
    lambda_,
    logs,
    messaging,
    nested,
    orchestration,
    parameters,
    records,
    v2_apis,
)
from stratus.services.stacks.resources.base import Handler

__all__ = ["HANDLERS", "NAME_PROPERTIES"]


class _Handlers(dict[str, Handler]):
    """The handlers by type; any ``Custom::<Name>`` is a custom resource type."""

    def __contains__(self, kind: object) -> bool:
        return super().__contains__(kind) or (isinstance(kind, str) and custom.is_custom(kind))

    def __missing__(self, kind: str) -> Handler:
        if custom.is_custom(kind):
            return custom.CustomResourceHandler(kind)
        raise KeyError(kind)


HANDLERS: dict[str, Handler] = {
    "AWS::Lambda::Function": lambda_.FunctionHandler(),
    "AWS::Lambda::Version": lambda_.VersionHandler(),
    "AWS::Lambda::Alias": lambda_.AliasHandler(),
    "AWS::Lambda::Permission": lambda_.PermissionHandler(),
    "AWS::Lambda::EventSourceMapping": lambda_.EventSourceMappingHandler(),
    "AWS::Lambda::LayerVersion": lambda_.LayerVersionHandler(),
    "AWS::Lambda::Url": lambda_.UrlHandler(),
    "AWS::Lambda::EventInvokeConfig": lambda_.EventInvokeConfigHandler(),
    "AWS::IAM::Role": iam.RoleHandler(),
    "AWS::IAM::Policy": iam.PolicyHandler(),
    "AWS::IAM::ManagedPolicy": iam.ManagedPolicyHandler(),
    "AWS::SQS::Queue": messaging.QueueHandler(),
    "AWS::SQS::QueuePolicy": messaging.QueuePolicyHandler(),
    "AWS::SNS::Topic": messaging.TopicHandler(),
    "AWS::SNS::Subscription": messaging.SubscriptionHandler(),
    "AWS::SNS::TopicPolicy": messaging.TopicPolicyHandler(),
    "AWS::S3::Bucket": buckets.BucketHandler(),
    "AWS::S3::BucketPolicy": buckets.BucketPolicyHandler(),
    "AWS::DynamoDB::Table": data.TableHandler(),
    "AWS::DynamoDB::GlobalTable": data.GlobalTableHandler(),
    "AWS::Events::Rule": orchestration.RuleHandler(),
    "AWS::Events::EventBus": orchestration.EventBusHandler(),
    "AWS::Events::EventBusPolicy": orchestration.EventBusPolicyHandler(),
    "AWS::Scheduler::Schedule": orchestration.ScheduleHandler(),
    "AWS::StepFunctions::StateMachine": orchestration.StateMachineHandler(),
    "AWS::StepFunctions::StateMachineVersion": orchestration.StateMachineVersionHandler(),
    "AWS::StepFunctions::StateMachineAlias": orchestration.StateMachineAliasHandler(),
    "AWS::Logs::LogGroup": logs.LogGroupHandler(),
    "AWS::Logs::LogStream": logs.LogStreamHandler(),
    "AWS::Logs::SubscriptionFilter": logs.SubscriptionFilterHandler(),
    "AWS::Logs::MetricFilter": logs.MetricFilterHandler(),
    "AWS::Logs::QueryDefinition": logs.QueryDefinitionHandler(),
    "AWS::Logs::ResourcePolicy": logs.ResourcePolicyHandler(),
    "AWS::ApiGateway::RestApi": apis.RestApiHandler(),
    "AWS::ApiGateway::Resource": apis.ResourceHandler(),
    "AWS::ApiGateway::Method": apis.MethodHandler(),
    "AWS::ApiGateway::Deployment": apis.DeploymentHandler(),
    "AWS::ApiGateway::Stage": apis.StageHandler(),
    "AWS::ApiGateway::Model": api_models.ModelHandler(),
    "AWS::ApiGateway::RequestValidator": api_models.RequestValidatorHandler(),
    "AWS::ApiGateway::GatewayResponse": apis.GatewayResponseHandler(),
    "AWS::ApiGateway::Account": apis.AccountHandler(),
    "AWS::ApiGateway::DocumentationPart": api_docs.DocumentationPartHandler(),
    "AWS::ApiGateway::DocumentationVersion": api_docs.DocumentationVersionHandler(),
    "AWS::ApiGateway::ClientCertificate": api_docs.ClientCertificateHandler(),
    "AWS::ApiGateway::VpcLink": api_docs.VpcLinkHandler(),
    "AWS::ApiGatewayV2::Api": apis.HttpApiHandler(),
    "AWS::ApiGatewayV2::Route": apis.V2Handler("Route", "RouteId"),
    "AWS::ApiGatewayV2::Integration": apis.V2Handler("Integration", "IntegrationId"),
    "AWS::ApiGatewayV2::Stage": apis.V2Handler("Stage", "StageName"),
    "AWS::ApiGatewayV2::Deployment": apis.V2Handler("Deployment", "DeploymentId"),
    "AWS::ApiGatewayV2::RouteResponse": v2_apis.V2ChildHandler(
        "RouteResponse", "RouteResponseId", "RouteId"
    ),
    "AWS::ApiGatewayV2::IntegrationResponse": v2_apis.V2ChildHandler(
        "IntegrationResponse", "IntegrationResponseId", "IntegrationId"
    ),
    "AWS::ApiGatewayV2::Model": v2_apis.V2ChildHandler("Model", "ModelId"),
    "AWS::ApiGatewayV2::VpcLink": v2_apis.VpcLinkHandler(),
    "AWS::ApiGateway::DomainName": domains.DomainNameHandler(),
    "AWS::ApiGateway::BasePathMapping": domains.BasePathMappingHandler(),
    "AWS::ApiGatewayV2::DomainName": domains.V2DomainNameHandler(),
    "AWS::ApiGatewayV2::ApiMapping": domains.ApiMappingHandler(),
    "AWS::CertificateManager::Certificate": domains.CertificateHandler(),
    "AWS::SSM::Parameter": parameters.ParameterHandler(),
    "AWS::ECR::Repository": records.RepositoryHandler(),
    "AWS::Route53::HostedZone": dns.HostedZoneHandler(),
    "AWS::Route53::RecordSet": dns.RecordSetHandler(),
    "AWS::Route53::RecordSetGroup": dns.RecordSetGroupHandler(),
    "AWS::KMS::Key": records.KeyHandler(),
    "AWS::KMS::Alias": records.AliasHandler(),
    "AWS::CDK::Metadata": orchestration.NothingHandler(),
    "AWS::CloudFormation::WaitConditionHandle": orchestration.NothingHandler(),
    "AWS::CloudFormation::Stack": nested.NestedStackHandler(),
}
HANDLERS = _Handlers(HANDLERS)

#: The property that names a resource of each type: a resource named by the template
#: cannot be replaced (the new one would need the same name while the old one lives).
NAME_PROPERTIES: dict[str, str] = {
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Lambda::Alias": "Name",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::DynamoDB::GlobalTable": "TableName",
    "AWS::Events::Rule": "Name",
    "AWS::Events::EventBus": "Name",
    "AWS::Scheduler::Schedule": "Name",
    "AWS::StepFunctions::StateMachine": "StateMachineName",
    "AWS::StepFunctions::StateMachineAlias": "Name",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::Logs::LogStream": "LogStreamName",
    "AWS::Logs::SubscriptionFilter": "FilterName",
    "AWS::SSM::Parameter": "Name",
    "AWS::ECR::Repository": "RepositoryName",
    "AWS::KMS::Alias": "AliasName",
    "AWS::ApiGateway::DomainName": "DomainName",
    "AWS::ApiGatewayV2::DomainName": "DomainName",
}
