#!/usr/bin/env node
// The CLI runs the compiled code in dist/ (`npm run build`).
import { existsSync } from 'node:fs';
const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('muhafiz: dist/ is missing; run `npm run build` first (npm start does it for you).\n');
  process.exit(1);
}
const { main } = await import(entry.href);
await main(process.argv);
