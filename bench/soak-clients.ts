/**
 * The soak's clients, in a worker thread of their own: the shop's clients are other machines, so
 * their HTTP work must not land on the service's event loop and count against its latency.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runSoak, type SoakPlan, type SoakTarget } from './soak-run';

const { target, plan } = workerData as { target: SoakTarget; plan: SoakPlan };
parentPort?.postMessage(await runSoak(target, plan));
