#!/usr/bin/env node
// The CLI runs the compiled code in dist/ (`npm run build`).
import { existsSync } from 'node:fs';
const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('muhafiz: dist/ is missing; run `npm run build` first (npm start does it for you).\n');
  process.exit(1);
}
const { main, errorLine } = await import(entry.href);
try {
  await main(process.argv);
} catch (err) {
  // One line a person can act on, and a non-zero exit; the stack only with DEBUG set.
  process.stderr.write(`muhafiz: ${errorLine(err)}\n`);
  if (process.env.DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
  process.exit(1);
}
