/** `npm run generate:php`: writes the plugin's generated copies of the contract (php-contract.ts). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PHP_CONTRACT_FILE, PHP_ROUTES_FILE, phpContractSource, phpRoutesSource } from './php-contract';

const root = join(__dirname, '..', '..', '..', '..');
for (const [file, source] of [[PHP_ROUTES_FILE, phpRoutesSource()], [PHP_CONTRACT_FILE, phpContractSource()]] as const) {
  writeFileSync(join(root, file), source);
  process.stdout.write(`wrote ${file}\n`);
}
