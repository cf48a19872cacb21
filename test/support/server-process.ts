/**
 * The real local server (`local/server.ts`, as `npm start` runs it) in a child process, for
 * crash tests: started on a chosen port and DATA_DIR, ready once its banner prints the URL,
 * and killed with SIGKILL (no shutdown hook runs, nothing is flushed).
 *
 * The child is `node --import tsx local/server.ts` rather than the tsx binary, which would run
 * the server in a grandchild that a SIGKILL to tsx leaves running. It is started in its own
 * process group, so a kill also takes esbuild's service processes with it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const canListen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

/**
 * A free loopback port below the kernel's ephemeral range (32768+ by default), so that while a
 * killed server restarts on it, no outgoing connection on this machine is given it.
 */
export const freePort = async (): Promise<number> => {
  for (let tries = 0; tries < 50; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
  throw new Error('no free port between 20000 and 32000');
};

export interface ServerProcessOptions {
  readonly port: number;
  readonly dataDir: string;
  /** Added to the child's environment (WRITE_KEY, NOW, …). */
  readonly env?: Readonly<Record<string, string>>;
  readonly readyTimeoutMs?: number;
}

export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  /** Everything the child printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** SIGKILL to the child's process group; resolves once the child has exited. */
  kill(): Promise<void>;
  readonly alive: boolean;
}

const live = new Set<ChildProcess>();

const killGroup = (child: ChildProcess) => {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
};

/** Kills every server this module started that is still running (afterAll, and at exit). */
export const killAllServerProcesses = async (): Promise<void> => {
  const children = [...live];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          killGroup(child);
        }),
    ),
  );
};

// A safety net should the test runner's worker exit without running afterAll.
process.once('exit', () => {
  for (const child of live) killGroup(child);
});

export const startServerProcess = async (options: ServerProcessOptions): Promise<ServerProcess> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/server.ts'], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TMPDIR: process.env.TMPDIR ?? '/tmp',
      NODE_OPTIONS: '--openssl-legacy-provider',
      PORT: String(options.port),
      DATA_DIR: options.dataDir,
      DEMO: '0',
      RETRAIN: '0',
      LOG_LEVEL: 'error',
      ...options.env,
    },
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      live.delete(child);
      resolve();
    });
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      killGroup(child);
      reject(new Error(`server did not start within ${options.readyTimeoutMs ?? 20_000} ms:\n${output}`));
    }, options.readyTimeoutMs ?? 20_000);
    const onData = () => {
      const match = /running at (http:\/\/[^\s]+)/.exec(output);
      if (match?.[1]) {
        cleanup();
        resolve(match[1]);
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`server exited before it was ready (code ${code}, signal ${signal}):\n${output}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });

  return {
    url,
    pid: child.pid as number,
    output: () => output,
    get alive() {
      return child.exitCode === null && child.signalCode === null;
    },
    kill: async () => {
      killGroup(child);
      await exited;
    },
  };
};

/**
 * Bytes in dynalite's LevelDB write-ahead logs (`<dataDir>/dynamodb/NNNNNN.log`): every item
 * write appends a record there before DynamoDB answers, so a change means the server has
 * written something. (LevelDB folds the log into a table file on open: compare only within
 * one server process.)
 */
export const dynamoLogBytes = async (dataDir: string): Promise<number> => {
  const dir = join(dataDir, 'dynamodb');
  let total = 0;
  for (const name of await readdir(dir)) {
    if (!/^\d+\.log$/.test(name)) continue;
    try {
      total += (await stat(join(dir, name))).size;
    } catch {
      // rotated away between readdir and stat
    }
  }
  return total;
};
