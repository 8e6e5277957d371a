import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { APP_NODE_ARGS } from '../launcher/node-args.js';
import { APP_ROLES } from './compose-check.js';

// Every way the app is started passes the launcher's node flags (the heap cap): npm start, the
// image's default command, and each role in docker-compose.yml.
const file = (name: string) => readFileSync(new URL(`../${name}`, import.meta.url), 'utf8');
const launches = (tokens: readonly string[]) => {
  const script = tokens.indexOf('launcher/main.ts');
  return script > 0 && tokens[0] === 'node' && APP_NODE_ARGS.every((flag) => tokens.slice(1, script).includes(flag)) && tokens.slice(1, script).includes('tsx');
};

describe('app node flags', () => {
  it('npm start passes them', () => {
    const start = (JSON.parse(file('package.json')) as { scripts: Record<string, string> }).scripts['start'] ?? '';
    const launcher = start.split('&&').map((part) => part.trim().split(/\s+/)).find((tokens) => tokens.includes('launcher/main.ts'));
    expect(launcher && launches(launcher)).toBe(true);
  });

  it('the image’s default command passes them', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(file('Dockerfile'))?.[1];
    expect(cmd && launches(JSON.parse(cmd) as string[])).toBe(true);
  });

  it.each(APP_ROLES)('docker-compose role %s passes them', (role) => {
    const services = (parse(file('docker-compose.yml')) as { services: Record<string, { command?: unknown }> }).services;
    const commands = Object.values(services)
      .map((s) => s.command)
      .filter((c): c is string[] => Array.isArray(c) && c.includes('launcher/main.ts') && c.includes(role));
    expect(commands.length).toBe(1);
    expect(launches(commands[0] ?? [])).toBe(true);
  });
});
