// Process, file and apt plumbing shared by the service definitions in scripts/services.ts.
import { spawn } from 'node:child_process';
import { access, mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

// Outside git so that jars, broker data and pid files survive `git clean` and never get committed.
export const cacheDir = process.env.SLEEPSOCIAL_CACHE_DIR ?? path.join(homedir(), '.cache', 'sleepsocial');

/** A failure worth reporting to the user: what went wrong and where to read more. */
export class Failure extends Error {
  /** `logPath` false: no log of ours can explain it (the service is not ours, or it refused us). */
  constructor(
    message: string,
    readonly logPath?: string | false,
  ) {
    super(message);
  }
}

/** What `up` needs to know about a process it just launched while waiting for it to serve. */
export interface Launch {
  /** Resolves to a description once the process is known to have died, else undefined. */
  exited(): Promise<string | undefined>;
}

export const say = (service: string, message: string): void => console.log(`${service}: ${message}`);

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const elapsed = (sinceMs: number): string => `${((Date.now() - sinceMs) / 1000).toFixed(1)} s`;

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

export async function onPath(binary: string): Promise<boolean> {
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  for (const dir of [...dirs, '/usr/sbin', '/usr/bin']) {
    const ok = await access(path.join(dir, binary), constants.X_OK).then(
      () => true,
      () => false,
    );
    if (ok) return true;
  }
  return false;
}

export async function lookupUser(name: string): Promise<{ uid: number; gid: number } | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  const fields = passwd
    .split('\n')
    .map((line) => line.split(':'))
    .find((entry) => entry[0] === name);
  return fields ? { uid: Number(fields[2]), gid: Number(fields[3]) } : undefined;
}

// ---------------------------------------------------------------- processes

/** Zombies count as dead: nobody may reap a daemon whose parent was a previous run of this script. */
export async function isAlive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return false;
  const state = stat.charAt(stat.lastIndexOf(')') + 2);
  return state !== 'Z' && state !== 'X';
}

/**
 * The pid in `pidFile` if that process is alive and still looks like ours; the command-line check
 * keeps a recycled pid from making `down` kill an unrelated process.
 */
export async function readOwnedPid(pidFile: string, marker: string): Promise<number | undefined> {
  const pid = Number.parseInt((await readFile(pidFile, 'utf8').catch(() => '')).trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0 || !(await isAlive(pid))) return undefined;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.replaceAll('\0', ' ').includes(marker) ? pid : undefined;
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isAlive(pid))) return true;
    await sleep(200);
  }
  return !(await isAlive(pid));
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone between the liveness check and the signal: that is the outcome we wanted.
  }
}

/** SIGTERM, then SIGKILL if the process ignores it for `graceMs`. */
export async function stopProcess(pid: number, graceMs = 20_000): Promise<'SIGTERM' | 'SIGKILL'> {
  signal(pid, 'SIGTERM');
  if (await waitForExit(pid, graceMs)) return 'SIGTERM';
  signal(pid, 'SIGKILL');
  if (await waitForExit(pid, 5_000)) return 'SIGKILL';
  throw new Error(`pid ${pid} is still alive after SIGKILL`);
}

/** Watches a daemon that writes its own pid file (it forks away from us, so no exit event). */
export function pidFileLaunch(command: string, pidFile: string): Launch {
  return {
    async exited() {
      const pid = Number.parseInt((await readFile(pidFile, 'utf8').catch(() => '')).trim(), 10);
      if (!Number.isInteger(pid)) return undefined; // not written yet
      return (await isAlive(pid)) ? undefined : `${command} (pid ${pid}) exited`;
    },
  };
}

/**
 * Runs a command to completion with its output appended to `logPath`; returns its stdout when
 * `captureStdout` is set (the output then also lands in the log, after the fact).
 */
export async function run(command: string, args: string[], logPath: string, captureStdout = false): Promise<string> {
  await mkdir(path.dirname(logPath), { recursive: true });
  const log = await open(logPath, 'a');
  try {
    await log.write(`\n--- ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, {
      stdio: ['ignore', captureStdout ? 'pipe' : log.fd, log.fd],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const outcome = await new Promise<string | undefined>((resolve) => {
      child.on('error', (error) => resolve(`could not run ${command}: ${error.message}`));
      child.on('close', (code, sig) => resolve(code === 0 ? undefined : `${command} failed (${sig ?? `exit code ${code}`})`));
    });
    if (captureStdout) await log.write(stdout);
    if (outcome !== undefined) throw new Failure(outcome, logPath);
    return stdout;
  } finally {
    await log.close();
  }
}

/**
 * Starts a long-running process in its own session so it outlives this script, with output to
 * `logPath`, and records its pid for `down`/`status`.
 */
export async function spawnDetached(
  command: string,
  args: string[],
  options: { logPath: string; pidFile: string; cwd?: string },
): Promise<Launch> {
  await mkdir(path.dirname(options.logPath), { recursive: true });
  const log = await open(options.logPath, 'a');
  try {
    await log.write(`\n--- ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { detached: true, stdio: ['ignore', log.fd, log.fd], cwd: options.cwd });
    let death: string | undefined;
    child.on('error', (error) => (death = `could not run ${command}: ${error.message}`));
    child.on('exit', (code, sig) => (death = `${command} exited (${sig ?? `exit code ${code}`})`));
    child.unref();
    if (child.pid === undefined) {
      await sleep(0); // the spawn error is emitted on the next tick
      throw new Failure(death ?? `could not run ${command}`, options.logPath);
    }
    await writeFile(options.pidFile, `${child.pid}\n`);
    return { exited: () => Promise.resolve(death) };
  } finally {
    await log.close();
  }
}

/**
 * Serialises `up`/`down` runs: `npm test` and `npm start` both call `up`, and two runs racing
 * would start two brokers on one data dir and leave the pid file naming the one that lost.
 * A lock left by a dead run is taken over (a narrow race between two takers is accepted).
 */
export async function withLock<T>(lockFile: string, body: () => Promise<T>): Promise<T> {
  await mkdir(path.dirname(lockFile), { recursive: true });
  const deadline = Date.now() + 300_000;
  let announced = false;
  for (;;) {
    const taken = await writeFile(lockFile, `${process.pid}\n`, { flag: 'wx' }).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') return false;
        throw error;
      },
    );
    if (taken) break;
    const holder = Number.parseInt((await readFile(lockFile, 'utf8').catch(() => '')).trim(), 10);
    if (!Number.isInteger(holder) || !(await isAlive(holder))) {
      await rm(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`another run (pid ${holder}) still holds ${lockFile}`);
    if (!announced) say('services', `waiting for another run (pid ${holder}) to finish…`);
    announced = true;
    await sleep(250);
  }
  try {
    return await body();
  } finally {
    await rm(lockFile, { force: true });
  }
}

// ---------------------------------------------------------------- apt

const aptLog = path.join(cacheDir, 'apt.log');
let aptQueue: Promise<unknown> = Promise.resolve();
let aptUpdated = false;

/** Serialised because services start in parallel and dpkg holds a global lock. */
export function aptInstall(service: string, packages: string[]): Promise<void> {
  const job = aptQueue.then(async () => {
    if (!aptUpdated) {
      say(service, 'apt-get update…');
      await run('apt-get', ['update'], aptLog);
      aptUpdated = true;
    }
    const started = Date.now();
    say(service, `installing Debian package ${packages.join(' ')}…`);
    await run('apt-get', ['install', '-y', ...packages], aptLog);
    say(service, `installed ${packages.join(' ')} (${elapsed(started)})`);
  });
  aptQueue = job.catch(() => undefined);
  return job;
}

/**
 * Installs `pkg` when `binary` is missing, and checks that the install really provided it.
 * Resolves true when it had to install.
 */
export async function ensureBinary(service: string, binary: string, pkg: string): Promise<boolean> {
  const present = (): Promise<boolean> => (binary.startsWith('/') ? exists(binary) : onPath(binary));
  if (await present()) return false;
  await aptInstall(service, [pkg]);
  if (!(await present())) throw new Failure(`installed ${pkg} but ${binary} is still missing`, aptLog);
  return true;
}

export async function removeFile(file: string): Promise<void> {
  await rm(file, { force: true });
}

export async function sizeOf(file: string): Promise<number> {
  return stat(file).then(
    (info) => info.size,
    () => 0,
  );
}

/**
 * This run's part of a log (past `offset`, or else past the last header that run() and
 * spawnDetached() write), reduced to what explains a failure: the first error lines with the line
 * after each (usually the exception's message), then the tail.
 */
export async function excerptSince(file: string, offset: number | undefined): Promise<string[]> {
  const text = await readFile(file).then(
    (buffer) => buffer.subarray(offset ?? 0).toString('utf8'),
    () => '',
  );
  const fresh = offset === undefined ? text.slice(text.lastIndexOf('\n--- ') + 1) : text;
  const lines = fresh.split('\n').filter((line) => line.trim() !== '');
  const errors = lines.flatMap((line, i) => (/\b(ERROR|FATAL)\b/.test(line) ? [line, lines[i + 1] ?? ''] : []));
  const tail = lines.slice(-6);
  const head = errors.slice(0, 4).filter((line) => line !== '' && !tail.includes(line));
  return head.length > 0 ? [...head, '…', ...tail] : tail;
}
