import type { TaskResponse } from '@tasks/adapters-http';

/** A response body as the given type; the tests then assert on what it really holds. */
export async function readJson<T = TaskResponse>(response: Response): Promise<T> {
  return (await response.json()) as T;
}
