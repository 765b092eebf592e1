/** The plugin registers exactly the routes of the one table: its generated copy is current. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PHP_ROUTES_FILE, phpRoutesSource, wordpressRoute } from '../../src/api/php-routes';

test('plugin/includes/generated-routes.php is what npm run generate:php-routes writes from api/routes.ts', () => {
  const committed = readFileSync(join(__dirname, '..', '..', '..', PHP_ROUTES_FILE), 'utf8');
  expect(committed).toBe(phpRoutesSource());
});

test('route parameters become the named groups WordPress passes on', () => {
  expect(wordpressRoute('/deployments/:id/shares/:userId')).toBe('/deployments/(?P<id>\\d+)/shares/(?P<user_id>\\d+)');
  expect(wordpressRoute('/me')).toBe('/me');
});
