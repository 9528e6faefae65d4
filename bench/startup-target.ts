/** Starts the server (`serve` path) and prints {readyMs, rss} once /readyz answers. */
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/server/app.js';
import { openRuntime } from '../src/server/runtime.js';

const t0 = performance.now();
const withDemo = process.argv.includes('--demo');
const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', PORT: '0' });
const rt = await openRuntime(config, { log: pino({ level: 'silent' }), createAdmin: !withDemo });
if (withDemo) {
  const { loadDemo } = await import('../src/demo/load.js');
  await loadDemo(rt, { print: false });
}
const app = await buildApp(rt);
await app.listen({ port: 0, host: '127.0.0.1' });
const port = (app.server.address() as { port: number }).port;
const res = await fetch(`http://127.0.0.1:${port}/readyz`);
if (!res.ok) throw new Error(`readyz answered ${res.status}`);
const readyMs = performance.now() - t0;
console.log(JSON.stringify({ readyMs, rss: process.memoryUsage().rss }));
await app.close();
await rt.close();
process.exit(0);
