// Writes the service's OpenAPI document to the given file, for linting and for clients' code generators.
import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument } from '@tasks/adapters-http';

// --bearer: the document as served with AUTH_MODE=jwt (the bearer scheme declared).
const bearerAuth = process.argv.includes('--bearer');
const target = process.argv.slice(2).find((argument) => !argument.startsWith('--')) ?? 'openapi.json';
writeFileSync(target, `${JSON.stringify(buildOpenApiDocument({ bearerAuth }), null, 2)}\n`);
console.log(`wrote ${target}`);
