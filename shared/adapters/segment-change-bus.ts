// A module of its own so that functions that publish nothing never load @aws-sdk/client-eventbridge.
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ENV } from '#shared/contract/environment';
import { EventBridgePublisher } from './eventbridge-publisher';
import { type EnvironmentConfig, requiredKey } from './runtime-config';

const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The SDK client: AWS's defaults in Lambda, or the endpoint a test points it at. */
export const eventBridgeClient = (endpoints: EnvironmentConfig['endpoints'] = {}): EventBridgeClient =>
  new EventBridgeClient(
    endpoints.eventbridge
      ? {
          endpoint: endpoints.eventbridge,
          credentials: localCredentials,
          region: endpoints.region ?? 'us-east-1',
        }
      : {},
  );

/**
 * "Segment Changed" events on the stack's bus (`EVENT_BUS_NAME`): the publisher of the read API,
 * rescore and reassignment. A missing bus name is a deployment error, reported at cold start.
 */
export const segmentChangeBus = (
  config: Pick<EnvironmentConfig, 'eventBusName' | 'endpoints'>,
): EventBridgePublisher =>
  new EventBridgePublisher(
    eventBridgeClient(config.endpoints),
    requiredKey(config.eventBusName, ENV.eventBusName),
  );
