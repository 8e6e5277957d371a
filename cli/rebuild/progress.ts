/**
 * A progress bar on stderr: share of the positions covered, events applied, events/s and ETA.
 * On a terminal it redraws one line; otherwise (a log file, CI) it prints a line every few seconds.
 */
export const progressBar = (err: NodeJS.WritableStream, interactive: boolean, label: string, from: number, to: number, now: () => number = Date.now) => {
  const started = now();
  let lastDrawn = 0;
  let events = 0;
  const span = Math.max(1, to - from);

  const line = (position: number): string => {
    const done = Math.min(1, Math.max(0, (position - from) / span));
    const seconds = Math.max(0.001, (now() - started) / 1000);
    const rate = events / seconds;
    const eta = done > 0 ? (seconds / done) * (1 - done) : NaN;
    const width = 24;
    const bar = '#'.repeat(Math.round(done * width)).padEnd(width, '-');
    return `${label} [${bar}] ${(done * 100).toFixed(1).padStart(5)}%  position ${position}/${to}  ${events} events  ${Math.round(rate)} ev/s  ETA ${Number.isFinite(eta) ? `${Math.ceil(eta)}s` : '?'}`;
  };

  return {
    tick: (position: number, applied: number): void => {
      events += applied;
      const t = now();
      if (t - lastDrawn < (interactive ? 100 : 2_000)) return;
      lastDrawn = t;
      err.write(interactive ? `\r${line(position)}\x1b[K` : `${line(position)}\n`);
    },
    done: (position: number): { events: number; seconds: number; rate: number } => {
      err.write(interactive ? `\r${line(position)}\x1b[K\n` : `${line(position)}\n`);
      const seconds = (now() - started) / 1000;
      return { events, seconds, rate: events / Math.max(0.001, seconds) };
    },
  };
};
