import { readFileSync } from 'node:fs';
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';

/**
 * `tsx bench/tools/hotspots.ts <file.cpuprofile> [top]`: self time per function and per package
 * from a V8 CPU profile (`node --cpu-prof`), to name what limits a scenario.
 */
const Node = t.type({
  id: t.number,
  callFrame: t.type({ functionName: t.string, url: t.string, lineNumber: t.number, columnNumber: t.number }),
  children: t.union([t.array(t.number), t.undefined]),
});
const Profile = t.type({ nodes: t.array(Node), samples: t.array(t.number), timeDeltas: t.array(t.number) });

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: tsx bench/tools/hotspots.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const decoded = Profile.decode(JSON.parse(readFileSync(file, 'utf8')));
if (E.isLeft(decoded)) {
  console.error(`${file} is not a V8 CPU profile`);
  process.exit(2);
}
const profile = decoded.right;
const top = Number(topArg ?? '25');
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);

/** node_modules/<pkg> (or <@scope/pkg>), our own folder, or node's internals. */
const where = (url: string): string => {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.startsWith('node:')) return 'node:internal';
  const own = /\/work\/[^/]+\/([^/]+\/)/.exec(url)?.[1];
  if (own) return own;
  return url === '' ? '(native/gc/idle)' : url;
};

type ProfileNode = t.TypeOf<typeof Node>;
const keyOf = (node: ProfileNode): string => {
  const { functionName, url, lineNumber, columnNumber } = node.callFrame;
  const short = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/work\/[^/]+\//, '');
  return `${functionName || '(anonymous)'} ${short}${url ? `:${lineNumber + 1}:${columnNumber + 1}` : ''}`;
};

const functions = new Map<string, number>();
const packages = new Map<string, number>();
for (const [id, us] of self) {
  const node = byId.get(id);
  if (!node) continue;
  functions.set(keyOf(node), (functions.get(keyOf(node)) ?? 0) + us);
  packages.set(where(node.callFrame.url), (packages.get(where(node.callFrame.url)) ?? 0) + us);
}

/** Inclusive time: a function's own samples plus its callees', counted once per stack. */
const inclusive = new Map<string, number>();
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
for (const [id, us] of self) {
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const node = byId.get(at);
    if (!node || !node.callFrame.url || node.callFrame.url.startsWith('node:')) continue;
    const key = keyOf(node);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  }
}
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
show('self time by package/folder', packages);
show('self time by function', functions);
show('inclusive time by function (our code and packages)', inclusive);
