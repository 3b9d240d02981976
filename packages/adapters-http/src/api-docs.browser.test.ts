import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { taskUseCasesOn } from '@tasks/domain';
import { InMemoryTaskRepository } from '@tasks/domain/testing';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from './create-http-app.js';

// Runs with `npm run test:browser`, in Debian's Chromium (scripts/install-chromium.sh installs it).
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('the API reference page in a real browser', () => {
  let server: Server;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    const app = createHttpApp({ useCases: taskUseCasesOn(new InMemoryTaskRepository()), corsOrigins: [] });
    server = createServer(app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // The machine has no network beyond loopback: keep Chromium from reaching for it.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('lists every task operation, loaded from the service alone', async () => {
    const page = await browser.newPage();
    const outside: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(baseUrl) && !request.url().startsWith('data:')) outside.push(request.url());
    });
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });

    await page.goto(`${baseUrl}/docs/`);
    await page.locator('.opblock').first().waitFor({ timeout: 15_000 });
    const operations = await page.locator('.opblock-summary').allInnerTexts();
    const summary = operations.map((text) => text.replace(/\s+/g, ' ')).join('\n');

    for (const [method, path] of <const>[
      ['POST', '/api/{user_id}/tasks'],
      ['GET', '/api/{user_id}/tasks'],
      ['GET', '/api/{user_id}/tasks/{id}'],
      ['PUT', '/api/{user_id}/tasks/{id}'],
      ['DELETE', '/api/{user_id}/tasks/{id}'],
      ['PATCH', '/api/{user_id}/tasks/{id}/complete'],
    ]) {
      expect(summary).toMatch(new RegExp(`${method}\\s*${path.replace(/[{}/]/g, '\\$&')}(\\s|$)`, 'm'));
    }
    expect(outside).toEqual([]);
    expect(cspViolations).toEqual([]);
    await page.close();
  });
});
