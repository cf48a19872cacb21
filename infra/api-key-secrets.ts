import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { KEY_ROLES, type KeyRole, keyVariables } from '#shared/contract/index';

/**
 * One Secrets Manager secret per API key role, generated at deploy time, so no key ever sits in the
 * template, the CDK context or a function's environment. Functions read the secrets at cold start
 * and every few minutes (shared/adapters/secrets-manager-api-keys.ts), accepting the current and
 * the previous version so that a rotation never fails a client mid-way (docs/deploying.md: rotating keys).
 */
export class ApiKeySecrets extends Construct {
  readonly secrets: Record<KeyRole, secretsmanager.Secret>;

  constructor(scope: Construct, id: string, props: { stage: string; removalPolicy: RemovalPolicy }) {
    super(scope, id);
    const secret = (role: KeyRole) =>
      new secretsmanager.Secret(this, `${role[0]?.toUpperCase()}${role.slice(1)}Key`, {
        secretName: `segmentation/${props.stage}/${role}-key`,
        description: `The ${role} API key of the segmentation service (${props.stage})`,
        // Letters and digits only: a key goes into basic-auth headers, URLs of tools and shell lines.
        generateSecretString: { passwordLength: 40, excludePunctuation: true, includeSpace: false },
        removalPolicy: props.removalPolicy,
      });
    this.secrets = Object.fromEntries(KEY_ROLES.map((role) => [role, secret(role)])) as Record<
      KeyRole,
      secretsmanager.Secret
    >;
  }

  /** Tells the function where the given roles' keys are, and lets it read exactly those. */
  grant(fn: lambda.Function, roles: readonly KeyRole[]): void {
    for (const role of roles) {
      this.secrets[role].grantRead(fn);
      fn.addEnvironment(keyVariables[role].secretArn, this.secrets[role].secretArn);
    }
  }
}
