/** The emulators' thread (see emulators.ts): starts them, says where, and stops them when asked. */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { startEmulatorServers } from './emulator-servers';

const control = parentPort as MessagePort;
const servers = await startEmulatorServers(workerData as { dataDir?: string; s3Dir: string });
control.once('message', async () => {
  await servers.close();
  control.postMessage('closed');
  control.close();
});
control.postMessage({ dynamodbEndpoint: servers.dynamodbEndpoint, s3Endpoint: servers.s3Endpoint });
