#!/usr/bin/env node
// The `sleepsocial` command (package.json "bin"): registers tsx so that the TypeScript CLI runs
// as is, then hands over to cli/main.ts.
/* global process, URL */
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import(new URL('../cli/main.ts', import.meta.url).href);
process.exitCode = await runCli(process.argv.slice(2), { out: process.stdout, err: process.stderr, env: process.env, interactive: Boolean(process.stderr.isTTY) });
