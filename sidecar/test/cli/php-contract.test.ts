/** The plugin's generated copies of the contract are current: routes and limits come from contract/src only. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PHP_CONTRACT_FILE, PHP_ROUTES_FILE, phpContractSource, phpRoutesSource, wordpressRoute } from '../../src/cli/php-contract';

const committed = (file: string) => readFileSync(join(__dirname, '..', '..', '..', file), 'utf8');

test.each([
  [PHP_ROUTES_FILE, phpRoutesSource],
  [PHP_CONTRACT_FILE, phpContractSource],
])('%s is what npm run generate:php writes', (file, source) => {
  expect(committed(file)).toBe(source());
});

test('route parameters become the named groups WordPress passes on', () => {
  expect(wordpressRoute('/deployments/:id/shares/:userId')).toBe('/deployments/(?P<id>\\d+)/shares/(?P<user_id>\\d+)');
  expect(wordpressRoute('/me')).toBe('/me');
});
