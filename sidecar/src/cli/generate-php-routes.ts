/** `npm run generate:php-routes`: writes the plugin's copy of the route table (api/php-routes.ts). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PHP_ROUTES_FILE, phpRoutesSource } from '../api/php-routes';

const file = join(__dirname, '..', '..', '..', '..', PHP_ROUTES_FILE);
writeFileSync(file, phpRoutesSource());
process.stdout.write(`wrote ${PHP_ROUTES_FILE}\n`);
