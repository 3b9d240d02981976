import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { publicOrigin } from './public-origin.js';

function requestFrom(remoteAddress: string, headers: Record<string, string>): IncomingMessage {
  return { socket: { remoteAddress }, headers } as unknown as IncomingMessage;
}

const forwarded = { host: 'internal:8000', 'x-forwarded-host': 'api.example.com', 'x-forwarded-proto': 'https' };

describe('publicOrigin', () => {
  it('uses the Host header and the connection when no proxy is trusted', () => {
    expect(publicOrigin(false)(requestFrom('10.0.0.5', forwarded))).toBe('http://internal:8000');
  });

  it('believes X-Forwarded-Proto and -Host from any peer when every proxy is trusted', () => {
    expect(publicOrigin(true)(requestFrom('10.0.0.5', forwarded))).toBe('https://api.example.com');
  });

  it('believes them from a hop count of at least one', () => {
    expect(publicOrigin(1)(requestFrom('10.0.0.5', forwarded))).toBe('https://api.example.com');
    expect(publicOrigin(0)(requestFrom('10.0.0.5', forwarded))).toBe('http://internal:8000');
  });

  it('believes them only from the listed addresses and ranges', () => {
    const trust = publicOrigin('loopback, 10.0.0.0/8');
    expect(trust(requestFrom('10.1.2.3', forwarded))).toBe('https://api.example.com');
    expect(trust(requestFrom('::ffff:127.0.0.1', forwarded))).toBe('https://api.example.com');
    expect(trust(requestFrom('192.168.1.9', forwarded))).toBe('http://internal:8000');
  });

  it('takes the first of several forwarded values', () => {
    const headers = { host: 'internal', 'x-forwarded-host': 'a.example, b.example', 'x-forwarded-proto': 'https, http' };
    expect(publicOrigin(true)(requestFrom('10.0.0.5', headers))).toBe('https://a.example');
  });

  it('gives no origin rather than one that is not a host or an http scheme', () => {
    expect(publicOrigin(false)(requestFrom('10.0.0.5', { host: 'evil.example>; rel="x"' }))).toBe('');
    expect(publicOrigin(false)(requestFrom('10.0.0.5', {}))).toBe('');
    expect(publicOrigin(true)(requestFrom('10.0.0.5', { host: 'a.example', 'x-forwarded-proto': 'javascript' }))).toBe('');
  });
});
