import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository root: children run from here so that `tsx` and relative paths resolve. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export type Child = {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
  /** Peak resident set size so far (VmHWM), in MiB; undefined where /proc is not there. */
  peakRssMiB(): number | undefined;
  stop(): Promise<void>;
};

const running = new Set<ChildProcess>();
// A bench that dies must not leave servers behind; only our own children are signalled.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });

export const peakRssMiB = (pid: number): number | undefined => {
  try {
    const kb = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined; // not Linux, or the process is gone
  }
};

/**
 * CPU seconds (user + system) a process has used so far, from /proc; undefined off Linux. On a
 * shared, noisy machine, CPU per request is steadier than requests per second.
 */
export const cpuSeconds = (pid: number): number | undefined => {
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / CLOCK_TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
};
// USER_HZ, 100 on every Linux architecture Node runs on.
const CLOCK_TICKS_PER_SECOND = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type ChildSpec = {
  readonly name: string;
  /** A TypeScript entry point, relative to the repository root; run as `node --import tsx <script>`. */
  readonly script: string;
  readonly args?: readonly string[];
  /** Flags for node itself, before the script (the launcher's APP_NODE_ARGS). */
  readonly nodeArgs?: readonly string[];
  readonly env?: Record<string, string>;
  readonly port: number;
  /** Ready when this path answers 200; without it, when the child prints a line starting BENCH_READY. */
  readonly readyPath?: string;
  readonly timeoutMs?: number;
};

/**
 * Starts a server in a process of its own (the load generator must not share its event loop), and
 * resolves once it serves. `node --import tsx` rather than the tsx CLI: the CLI would put a
 * supervisor process in front, and the pid whose memory we read must be the server's.
 */
export const startChild = async (spec: ChildSpec): Promise<Child> => {
  // BENCH_CPU_PROF=<dir> profiles every child (written when it exits) to name a scenario's hot spots.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, ...(spec.nodeArgs ?? []), '--import', 'tsx', spec.script, ...(spec.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let tail = '';
  let printedReady = false;
  const keep = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    if (text.includes('BENCH_READY')) printedReady = true;
    tail = (tail + text).slice(-4_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', (code) => {
      exited = code;
      running.delete(child);
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${spec.port}`;
  const deadline = Date.now() + (spec.timeoutMs ?? 60_000);
  for (;;) {
    if (exited !== undefined) throw new Error(`${spec.name} exited with ${String(exited)} before it was ready:\n${tail}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${spec.name} was not ready within ${spec.timeoutMs ?? 60_000} ms:\n${tail}`);
    }
    if (spec.readyPath === undefined ? printedReady : await answers(`${url}${spec.readyPath}`)) break;
    await sleep(100);
  }
  const pid = child.pid ?? -1;
  return {
    name: spec.name,
    pid,
    url,
    peakRssMiB: () => peakRssMiB(pid),
    stop: async () => {
      if (exited !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
};

const answers = async (url: string): Promise<boolean> => {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
};
