/**
 * POST /local/retrain (admin key): the local on-demand trigger, answered by the local server
 * itself. In the stack the same job is a Step Functions execution started by the schedule.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, keyMatches } from '#shared/http/auth';
import type { RetrainRun } from '#shared/segmentation/domain/segment-model';

export const localRetrainRoute = async (
  req: IncomingMessage,
  res: ServerResponse,
  adminKey: string,
  retrain: (trigger: RetrainRun['trigger']) => Promise<RetrainRun>,
): Promise<void> => {
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  req.resume();
  if (!keyMatches(bearerToken({ authorization: req.headers.authorization }), adminKey))
    return send(401, {
      error: 'unauthorized',
      message: 'the admin key is required (Authorization: Bearer <admin key>)',
    });
  try {
    send(200, await retrain('manual'));
  } catch (error) {
    send(500, { error: 'retrain_failed', message: error instanceof Error ? error.message : String(error) });
  }
};
