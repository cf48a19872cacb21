import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** A caller-supplied x-correlation-id if it is sane, else the API Gateway request id. */
export const correlationIdOf = (event: APIGatewayProxyEventV2): string => {
  const given = event.headers?.['x-correlation-id'];
  if (given && /^[\w.:-]{1,100}$/.test(given)) return given;
  return event.requestContext?.requestId || randomUUID();
};
