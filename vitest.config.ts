import { defineConfig } from 'vitest/config';

// Integration tests share one MariaDB, Redis, Kafka and Memcached; each test file uses its own
// database/key prefix/topic names, so files may run in parallel, bounded for a 2-core machine.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
    // The JSON report feeds .ci/run's closing "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: '.cache/vitest-report.json' }]],
  },
});
