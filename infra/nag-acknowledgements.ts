import { type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import {
  BUCKET_PREFIXES,
  indexPartPrefix,
  MAP_RESULTS_PREFIX,
  modelKey,
  POLICY_FLAGS_PREFIX,
  populationPrefix,
  recommendationsKey,
} from '#shared/contract/index';
import type { ApiKeySecrets } from './api-key-secrets';
import type { DriftCheck } from './drift-check';
import type { Retrain } from './retrain';

export interface NagScope {
  readonly api: HttpApi;
  readonly bucket: s3.Bucket;
  readonly profiles: dynamodb.Table;
  readonly apiKeys: ApiKeySecrets;
  readonly functions: Record<string, lambda.Function>;
  readonly rescore: lambda.Function;
  readonly deadLetterQueues: readonly sqs.IQueue[];
  readonly retrain: Retrain;
  readonly driftCheck: DriftCheck;
}

/** CDK's token for a resource's ARN as cdk-nag prints it in a finding id, e.g. `<Data666C94C7.Arn>`. */
const arnToken = (construct: IConstruct): string =>
  `<${Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnResource)}.Arn>`;

const ack = (construct: IConstruct, id: string, reason: string) =>
  Validations.of(construct).acknowledge({ id, reason });

const policyOf = (fn: lambda.Function): IConstruct => {
  const policy = fn.role?.node.tryFindChild('DefaultPolicy');
  if (!policy) throw new Error(`${fn.node.path} has no default policy`);
  return policy;
};

/**
 * The AwsSolutions findings this stack accepts, each on the one resource it concerns and with the
 * reason it is right for this service. test/infra/nag.test.ts runs the checks and fails on any other.
 */
export const acknowledgeNagFindings = (scope: NagScope): void => {
  const { bucket, api, apiKeys, retrain } = scope;

  ack(
    bucket,
    'AwsSolutions-S1',
    "Only this stack's function roles read or write the data bucket; access is audited with CloudTrail S3 data events where required, and a second log bucket would hold nothing else.",
  );
  for (const secret of Object.values(apiKeys.secrets))
    ack(
      secret,
      'AwsSolutions-SMG4',
      'An API key is configured in shop clients; rotation is an operator procedure (docs/deploying.md: rotating keys) during which the functions accept the current and the previous version, so an unattended rotation would cut clients off.',
    );
  for (const route of api.node.children.filter((c) => c.node.id.includes('--')))
    ack(
      route,
      'AwsSolutions-APIG4',
      'Authorised in the function with keys from Secrets Manager, compared in constant time: Segment and RudderStack clients may send the write key in the JSON body, which an API Gateway authorizer cannot see; /openapi.json is public on purpose.',
    );
  for (const queue of scope.deadLetterQueues)
    ack(queue, 'AwsSolutions-SQS3', 'This queue is itself a dead-letter queue; its depth raises an alarm.');

  for (const [name, fn] of Object.entries(scope.functions)) {
    ack(
      fn.role ?? fn,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      `${name} writes its logs with the AWS-managed basic execution policy (CloudWatch Logs only).`,
    );
  }

  const bucketArn = arnToken(bucket);
  const prefixReason = (prefix: string, what: string) =>
    `Object keys under ${prefix} are created at runtime (${what}), so the narrowest grant is that prefix.`;
  const prefixes: Record<keyof typeof BUCKET_PREFIXES, { fns: string[]; what: string }> = {
    snapshots: {
      fns: [
        'RetrainPlan',
        'RetrainSnapshot',
        'RetrainAssemble',
        'RetrainTrain',
        'RetrainIndex',
        'RetrainAssign',
        'RetrainDrift',
      ],
      what: 'one folder per snapshot run',
    },
    models: {
      fns: ['ReadApi', 'Rescore', 'RetrainTrain', 'RetrainPromote', 'RetrainAssign', 'RetrainDrift'],
      what: 'one folder per model version, and the current-model pointer',
    },
    runs: {
      fns: ['ReadApi', 'Rescore', 'RetrainTrain', 'RetrainPromote', 'RetrainRecord'],
      what: 'one record per retrain run',
    },
    policies: {
      fns: ['ReadApi', 'RetrainRecord'],
      what: 'one object per segment policy, its versions and its lift flag',
    },
  };
  for (const [kind, { fns, what }] of Object.entries(prefixes)) {
    const prefix = `${BUCKET_PREFIXES[kind as keyof typeof BUCKET_PREFIXES]}*`;
    for (const name of fns) {
      const fn = scope.functions[name];
      if (fn)
        ack(policyOf(fn), `AwsSolutions-IAM5[Resource::${bucketArn}/${prefix}]`, prefixReason(prefix, what));
    }
  }

  const populations = `${populationPrefix('*')}*`;
  ack(
    policyOf(retrain.recordFunction),
    `AwsSolutions-IAM5[Resource::${bucketArn}/${populations}]`,
    prefixReason(populations, 'one count object per snapshot part of each model version'),
  );
  const indexParts = `${indexPartPrefix('*')}*`;
  for (const fn of [retrain.indexFunction, retrain.promoteFunction])
    ack(
      policyOf(fn),
      `AwsSolutions-IAM5[Resource::${bucketArn}/${indexParts}]`,
      prefixReason(indexParts, 'one recommendation index partial per snapshot part of each model version'),
    );
  for (const fn of [retrain.trainFunction, retrain.indexFunction])
    ack(
      policyOf(fn),
      `AwsSolutions-IAM5[Resource::${bucketArn}/${modelKey('*')}]`,
      "Training writes the model it trains, the index step reads it; model versions are created at runtime, so the grant names every version's model object and nothing else under it.",
    );
  ack(
    policyOf(retrain.recordFunction),
    `AwsSolutions-IAM5[Resource::${bucketArn}/${modelKey('*')}]`,
    "The record step's lift check reads the promoted model's segments; model versions are created at runtime, so the grant names every version's model object and nothing else under it.",
  );
  ack(
    policyOf(retrain.recordFunction),
    `AwsSolutions-IAM5[Resource::${bucketArn}/${POLICY_FLAGS_PREFIX}*]`,
    prefixReason(
      `${POLICY_FLAGS_PREFIX}*`,
      "one lift flag per segment: the record step's lift check writes and clears them",
    ),
  );
  ack(
    policyOf(retrain.promoteFunction),
    `AwsSolutions-IAM5[Resource::${bucketArn}/${recommendationsKey('*')}]`,
    "The promote step writes the recommendation index of the model it promotes; model versions are created at runtime, so the grant names every version's index object and nothing else under it.",
  );

  ack(
    policyOf(scope.rescore),
    'AwsSolutions-IAM5[Resource::*]',
    'dynamodb:ListStreams, added by the stream event source, has no resource-level permissions; the stream reads themselves are on the profiles stream ARN.',
  );

  const snapshotFns = [retrain.planFunction, retrain.snapshotFunction, retrain.assembleFunction];
  const machines = [
    {
      machine: retrain.stateMachine,
      fns: [
        ...snapshotFns,
        retrain.trainFunction,
        retrain.indexFunction,
        retrain.promoteFunction,
        retrain.assignFunction,
        retrain.recordFunction,
      ],
      labels: ['Segments', 'Index', 'Reassign'],
    },
    {
      machine: scope.driftCheck.stateMachine,
      fns: [...snapshotFns, scope.driftCheck.function],
      labels: ['Segments'],
    },
  ];
  for (const { machine, fns, labels } of machines) {
    const machinePolicy = machine.role.node.tryFindChild('DefaultPolicy');
    if (!machinePolicy) continue;
    for (const fn of fns)
      ack(
        machinePolicy,
        `AwsSolutions-IAM5[Resource::${arnToken(fn)}:*]`,
        'Step Functions may invoke any version or alias of the functions it runs (the grant CDK makes for LambdaInvoke).',
      );
    ack(
      machinePolicy,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray tracing of the state machine: xray:PutTraceSegments and PutTelemetryRecords have no resource-level permissions.',
    );
    // The Distributed Maps' item readers and result writers (infra/snapshot-states.ts).
    ack(
      machinePolicy,
      `AwsSolutions-IAM5[Resource::${bucketArn}/${BUCKET_PREFIXES.snapshots}*]`,
      prefixReason(
        `${BUCKET_PREFIXES.snapshots}*`,
        "the Distributed Maps' items: each run's segments and parts lists",
      ),
    );
    ack(
      machinePolicy,
      `AwsSolutions-IAM5[Resource::${bucketArn}/${MAP_RESULTS_PREFIX}*]`,
      prefixReason(`${MAP_RESULTS_PREFIX}*`, "the Distributed Maps' results, one folder per map run"),
    );
    const mapPolicy = machine.node.tryFindChild('DistributedMapPolicy');
    if (mapPolicy)
      for (const finding of [':*]', ...labels.map((label) => `/${label}:*]`)])
        ack(
          mapPolicy,
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${Stack.of(
            machine,
          ).getLogicalId(machine.node.defaultChild as CfnResource)}"}]}]}${finding}`,
          'The Distributed Map starts and reads child executions of this state machine, whose names are generated per run.',
        );
  }
};
