import { describe, expect, it } from 'vitest';
import { serveConfig } from './serve.js';

describe('serve -p', () => {
  it('moves the public URL (links, mail, CSRF origin) with the port', () => {
    const c = serveConfig({ MUHAFIZ_SECRET_KEY: 'x'.repeat(40) }, '18931');
    expect(c.port).toBe(18931);
    expect(c.publicUrl).toBe('http://127.0.0.1:18931');
  });
  it('keeps an explicit MUHAFIZ_PUBLIC_URL and rejects a bad port by name', () => {
    expect(serveConfig({ MUHAFIZ_PUBLIC_URL: 'https://muhafiz.example' }, '9000').publicUrl).toBe('https://muhafiz.example');
    expect(serveConfig({}).port).toBe(8080);
    expect(() => serveConfig({}, 'abc')).toThrow(/PORT/);
  });
});
