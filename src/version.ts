import { readFileSync } from 'node:fs';

/** The package's version, from the package.json that ships beside dist/. */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
