import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { SegmentationConfigOverrides } from '#infra/config';
import { SegmentationStack } from '#infra/segmentation-stack';
import type { TableDefinition } from '#shared/contract/tables';

/** Synthesises the stack without bundling: the template, not the handler code, is under test. */
export const synth = (config: SegmentationConfigOverrides = {}, context: Record<string, unknown> = {}) => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new SegmentationStack(app, 'Test', { config });
  return { stack, template: Template.fromStack(stack) };
};

type Resource = { Properties: Record<string, unknown> };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

/** The one resource of a type whose properties match, with its logical id. */
export const single = (template: Template, type: string, props: Record<string, unknown> = {}) => {
  const found = Object.entries(template.findResources(type, { Properties: props }));
  if (found.length !== 1) throw new Error(`expected one ${type} matching, found ${found.length}`);
  const [id, resource] = found[0] as [string, Resource];
  return { id, props: resource.Properties };
};

/** The data bucket (snapshots, models, runs): the one with lifecycle rules; the dashboard's site bucket has none. */
export const dataBucket = (template: Template) =>
  single(template, 'AWS::S3::Bucket', { LifecycleConfiguration: Match.anyValue() });

/** The logical id of the table built from a shared definition (construct id plus CDK's hash). */
export const tableId = (template: Template, def: TableDefinition): string => {
  const ids = Object.keys(template.findResources('AWS::DynamoDB::Table')).filter((id) =>
    new RegExp(`^${def.id}[0-9A-F]{8}$`).test(id),
  );
  if (ids.length !== 1) throw new Error(`expected one table for ${def.id}, found ${ids.length}`);
  return ids[0] as string;
};

export const functionByDescription = (template: Template, description: string) =>
  single(template, 'AWS::Lambda::Function', { Description: description });

/** Every statement of every inline policy attached to a role, given the role's logical id. */
export const statementsOfRole = (template: Template, roleId: string): Statement[] =>
  Object.values(template.findResources('AWS::IAM::Policy'))
    .map((policy) => (policy as Resource).Properties)
    .filter((props) =>
      (props.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })),
    )
    .flatMap((props) => (props.PolicyDocument as { Statement: Statement[] }).Statement);

export const actionsOf = (statements: Statement[]): string[] =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

/** The logical id a `{ 'Fn::GetAtt': [id, attr] }` or `{ Ref: id }` points at. */
export const referencedId = (value: unknown): string => {
  const v = value as { 'Fn::GetAtt'?: [string, string]; Ref?: string };
  const id = v['Fn::GetAtt']?.[0] ?? v.Ref;
  if (!id) throw new Error(`not a reference: ${JSON.stringify(value)}`);
  return id;
};

/** Every statement of every policy document in the template: IAM policies, role inline policies, resource policies. */
export const allStatements = (template: Template): Statement[] => {
  const found: Statement[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
    } else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (Array.isArray(record.Statement)) found.push(...(record.Statement as Statement[]));
      for (const v of Object.values(record)) visit(v);
    }
  };
  visit(template.toJSON().Resources);
  return found;
};

/**
 * Which bucket key patterns each S3 action is allowed on, e.g. { 's3:PutObject': ['snapshots/*'] };
 * the bucket itself appears as '<bucket>'.
 */
export const s3Grants = (template: Template, roleId: string, bucketId: string): Record<string, string[]> => {
  const grants: Record<string, string[]> = {};
  for (const statement of statementsOfRole(template, roleId)) {
    if (statement.Effect !== 'Allow') continue;
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    for (const action of actionsOf([statement]).filter((a) => a.startsWith('s3:'))) {
      for (const resource of resources) {
        const json = JSON.stringify(resource);
        let target: string;
        if (json === JSON.stringify({ 'Fn::GetAtt': [bucketId, 'Arn'] })) target = '<bucket>';
        else {
          const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
          const [head, suffix] = join?.[1] ?? [];
          if (JSON.stringify(head) !== JSON.stringify({ 'Fn::GetAtt': [bucketId, 'Arn'] }))
            throw new Error(`unexpected S3 resource ${json}`);
          target = String(suffix).replace(/^\//, '');
        }
        grants[action] = [...(grants[action] ?? []), target].sort();
      }
    }
  }
  return grants;
};

/** The one resource of a type whose logical id is `<prefix><CDK's 8-character hash>`. */
export const byIdPrefix = (template: Template, type: string, prefix: string) => {
  const found = Object.entries(template.findResources(type)).filter(([id]) =>
    new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id),
  );
  if (found.length !== 1) throw new Error(`expected one ${type} ${prefix}, found ${found.length}`);
  const [id, resource] = found[0] as [string, Resource];
  return { id, props: resource.Properties };
};

export const retrainMachine = (template: Template) =>
  byIdPrefix(template, 'AWS::StepFunctions::StateMachine', 'RetrainStateMachine');
export const driftCheckMachine = (template: Template) =>
  byIdPrefix(template, 'AWS::StepFunctions::StateMachine', 'DriftCheckStateMachine');
export const retrainSchedule = (template: Template) =>
  single(template, 'AWS::Scheduler::Schedule', { Description: 'Starts the retrain state machine' });
export const driftCheckSchedule = (template: Template) =>
  single(template, 'AWS::Scheduler::Schedule', { Description: 'Starts the drift check state machine' });

export type AslState = Record<string, unknown> & { Type: string };
export type Asl = { StartAt: string; States: Record<string, AslState>; TimeoutSeconds?: number };

/**
 * A state machine's definition as an object. CloudFormation references inside it are
 * replaced by `<logicalId>` (Ref) or `<logicalId>.<attribute>` (GetAtt), so tests can check
 * which function each task calls.
 */
export const definitionOf = (props: Record<string, unknown>): Asl => {
  const body = props.DefinitionString as { 'Fn::Join': [string, unknown[]] } | string;
  const parts = typeof body === 'string' ? [body] : body['Fn::Join'][1];
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const ref = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      if (ref.Ref) return `<${ref.Ref}>`;
      if (ref['Fn::GetAtt']) return `<${ref['Fn::GetAtt'].join('.')}>`;
      throw new Error(`unexpected token in definition: ${JSON.stringify(part)}`);
    })
    .join('');
  return JSON.parse(text) as Asl;
};

/** The state a state hands over to. */
export const nextOf = (states: Record<string, AslState>, name: string): AslState => {
  const next = states[name]?.Next as string | undefined;
  const state = next ? states[next] : undefined;
  if (!state) throw new Error(`${name} has no next state`);
  return state;
};

export const invokedFunction = (state: AslState): unknown =>
  (state.Parameters as { FunctionName: unknown }).FunctionName;
