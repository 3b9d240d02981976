import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/**
 * The process environment with `.env` (when present) underneath it: a variable set in the real
 * environment always wins over the file.
 */
export function environmentWithDotEnv(path = '.env'): Record<string, string | undefined> {
  let fromFile: Record<string, string> = {};
  try {
    fromFile = parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return { ...fromFile, ...process.env };
}
