/**
 * POST /local/retrain (admin key): a local convenience, answered by the local server itself. It
 * stands in for starting the retrain state machine (in the stack, the schedule or an operator
 * starts an execution with {trigger}): it runs the same job handlers in the same order
 * (local/retrain-pipeline.ts) with {trigger: "manual"}, waits for the run, and answers it as its
 * last step recorded it. The stack has no such route.
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
