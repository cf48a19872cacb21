import { App } from 'aws-cdk-lib';
import { DEFAULT_STAGE } from './config';
import { SegmentationStack } from './segmentation-stack';

const app = new App();
const stage = String(app.node.tryGetContext('stage') ?? DEFAULT_STAGE);

// Stage in the stack name lets dev and prod share an account. No env: the stack stays
// environment-agnostic, so synth needs neither credentials nor network.
new SegmentationStack(app, `segmentation-${stage}`, {
  description: `E-commerce customer segmentation service (${stage})`,
});
