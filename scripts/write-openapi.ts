// Writes the service's OpenAPI document to the given file, for linting and for clients' code generators.
import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument } from '@tasks/adapters-http';

const target = process.argv[2] ?? 'openapi.json';
writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${target}`);
