/**
 * Node flags every app process starts with: `npm start`, the Dockerfile, docker-compose and the
 * bench (a test keeps them in step). A cap on V8's old space: without one, V8 lets garbage pile up
 * under load before it collects (the all-in-one process peaked above 300 MiB in S7 with ~55 MiB
 * live); with it, about 200 MiB. Live data stays far below the cap: every cache is bounded.
 */
export const APP_NODE_ARGS: readonly string[] = ['--max-old-space-size=192'];
