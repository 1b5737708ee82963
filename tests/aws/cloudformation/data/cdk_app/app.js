// A small CDK app deployed to Stratus by tests/aws/cloudformation/test_cdk.py:
// a Python function fed by an SQS queue, writing to a DynamoDB table and an S3 bucket.
const cdk = require("aws-cdk-lib");
const lambda = require("aws-cdk-lib/aws-lambda");
const sqs = require("aws-cdk-lib/aws-sqs");
const s3 = require("aws-cdk-lib/aws-s3");
const dynamodb = require("aws-cdk-lib/aws-dynamodb");
const sources = require("aws-cdk-lib/aws-lambda-event-sources");
const path = require("path");

const app = new cdk.App();
const stack = new cdk.Stack(app, process.env.CDK_STACK_NAME || "StratusCdkApp");

const table = new dynamodb.Table(stack, "Notes", {
  partitionKey: { name: "id", type: dynamodb.AttributeType.STRING },
  billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
  removalPolicy: cdk.RemovalPolicy.DESTROY,
});
const bucket = new s3.Bucket(stack, "Uploads", {
  removalPolicy: cdk.RemovalPolicy.DESTROY,
});
const queue = new sqs.Queue(stack, "Work", {
  visibilityTimeout: cdk.Duration.seconds(30),
});
const fn = new lambda.Function(stack, "Worker", {
  runtime: lambda.Runtime.PYTHON_3_12,
  handler: "worker.handler",
  code: lambda.Code.fromAsset(path.join(__dirname, "handler")),
  timeout: cdk.Duration.seconds(20),
  environment: { TABLE: table.tableName, BUCKET: bucket.bucketName },
});
table.grantReadWriteData(fn);
bucket.grantReadWrite(fn);
fn.addEventSource(new sources.SqsEventSource(queue, { batchSize: 1 }));

new cdk.CfnOutput(stack, "FunctionName", { value: fn.functionName });
new cdk.CfnOutput(stack, "QueueUrl", { value: queue.queueUrl });
new cdk.CfnOutput(stack, "TableName", { value: table.tableName });
new cdk.CfnOutput(stack, "BucketName", { value: bucket.bucketName });
