import { describe, expect, it } from 'vitest';
import { type PostgresSources, providePostgres } from './provide-postgres.js';

function sources(overrides: Partial<PostgresSources> & { calls?: string[] }): PostgresSources & { calls: string[] } {
  const calls = overrides.calls ?? [];
  return {
    env: {},
    calls,
    containerRuntimeAnswers: async () => {
      calls.push('probe');
      return false;
    },
    imageUnavailable: async () => {
      calls.push('image');
      return undefined;
    },
    startContainer: async () => {
      calls.push('container');
      return { adminUrl: 'postgres://container', stop: async () => {} };
    },
    startEmbedded: async () => {
      calls.push('embedded');
      return { adminUrl: 'postgres://embedded', stop: async () => {} };
    },
    ...overrides,
  };
}

describe('providePostgres', () => {
  it('uses TEST_DATABASE_URL without probing for anything else', async () => {
    const s = sources({ env: { TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' } });
    const provided = await providePostgres(s);
    expect(provided).toMatchObject({ adminUrl: 'postgres://postgres@127.0.0.1:5432/test', source: 'TEST_DATABASE_URL' });
    expect(s.calls).toEqual([]);
  });

  it('starts a container when a container runtime answers', async () => {
    const s = sources({ containerRuntimeAnswers: async () => true });
    expect(await providePostgres(s)).toMatchObject({ adminUrl: 'postgres://container', source: 'testcontainers' });
    expect(s.calls).toEqual(['image', 'container']);
  });

  it('falls back to the embedded server when no container runtime answers', async () => {
    const s = sources({});
    expect(await providePostgres(s)).toMatchObject({
      adminUrl: 'postgres://embedded',
      source: 'embedded-postgres',
      reason: 'no container runtime answers',
    });
    expect(s.calls).toEqual(['probe', 'embedded']);
  });

  it('falls back to the embedded server, saying why, when the runtime has no image and cannot pull one', async () => {
    const s = sources({
      containerRuntimeAnswers: async () => true,
      imageUnavailable: async () => 'the image postgres:17-alpine is not on the container runtime and cannot be pulled',
    });
    expect(await providePostgres(s)).toMatchObject({
      adminUrl: 'postgres://embedded',
      source: 'embedded-postgres',
      reason: expect.stringContaining('cannot be pulled'),
    });
    expect(s.calls).toEqual(['embedded']);
  });

  it('treats a blank TEST_DATABASE_URL as unset', async () => {
    const s = sources({ env: { TEST_DATABASE_URL: '  ' } });
    expect((await providePostgres(s)).source).toBe('embedded-postgres');
  });

  it('reports a container that fails to start instead of hiding it behind the fallback', async () => {
    const s = sources({
      containerRuntimeAnswers: async () => true,
      startContainer: async () => {
        throw new Error('image pull failed');
      },
    });
    await expect(providePostgres(s)).rejects.toThrow('image pull failed');
    expect(s.calls).not.toContain('embedded');
  });

  it('with TEST_CONTAINERS_REQUIRED=1, starts a container even when TEST_DATABASE_URL is set', async () => {
    const s = sources({ env: { TEST_CONTAINERS_REQUIRED: '1', TEST_DATABASE_URL: 'postgres://x' }, containerRuntimeAnswers: async () => true });
    expect(await providePostgres(s)).toMatchObject({ adminUrl: 'postgres://container', source: 'testcontainers' });
  });

  it('with TEST_CONTAINERS_REQUIRED=1, fails instead of falling back when the image cannot be had', async () => {
    const s = sources({
      env: { TEST_CONTAINERS_REQUIRED: '1' },
      containerRuntimeAnswers: async () => true,
      imageUnavailable: async () => 'the image postgres:17-alpine is not on the container runtime and cannot be pulled',
    });
    await expect(providePostgres(s)).rejects.toThrow(/TEST_CONTAINERS_REQUIRED=1 but the image postgres:17-alpine/);
    expect(s.calls).not.toContain('embedded');
  });

  it('with TEST_CONTAINERS_REQUIRED=1, fails instead of falling back when no container runtime answers', async () => {
    const s = sources({ env: { TEST_CONTAINERS_REQUIRED: '1' } });
    await expect(providePostgres(s)).rejects.toThrow(/no container runtime answers/);
    expect(s.calls).toEqual(['probe']);
  });
});
