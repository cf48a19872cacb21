import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEFAULT_STAGE } from './config';
import { SegmentationStack } from './segmentation-stack';

const app = new App();
const stage = String(app.node.tryGetContext('stage') ?? DEFAULT_STAGE);

// Stage in the stack name lets dev and prod share an account. No env: the stack stays
// environment-agnostic, so synth needs neither credentials nor network.
new SegmentationStack(app, `segmentation-${stage}`, {
  description: `E-commerce customer segmentation service (${stage})`,
});

// cdk-nag's AWS Solutions checks on every synth and deploy: an unacknowledged finding stops it
// (acknowledgements: infra/nag-acknowledgements.ts).
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
