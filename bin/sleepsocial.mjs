#!/usr/bin/env -S node --max-semi-space-size=64
// The `sleepsocial` command (package.json "bin"): registers tsx so that the TypeScript CLI runs
// as is, then hands over to cli/main.ts.
// A young generation of up to 64 MiB per semi-space (V8's default is 16): a rebuild reads
// millions of short-lived rows and events, and with the default a quarter of its time went to
// scavenges; measured on a 1M-event leaderboards rebuild, 5-15% more events/s. It must be given at
// start-up (v8.setFlagsFromString then has no effect), hence here; `npm run bench` uses the same.
/* global process, URL */
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import(new URL('../cli/main.ts', import.meta.url).href);
process.exitCode = await runCli(process.argv.slice(2), { out: process.stdout, err: process.stderr, env: process.env, interactive: Boolean(process.stderr.isTTY) });
