/**
 * The PHP copy of the route table (plugin/includes/generated-routes.php): the routes WordPress forwards,
 * as register_rest_route takes them. Written by `npm run generate:php-routes`; a test keeps it current.
 */
import { ROUTES } from '@spp/contract';

export const PHP_ROUTES_FILE = 'plugin/includes/generated-routes.php';

/** `/deployments/:id/shares/:userId` → `/deployments/(?P<id>\d+)/shares/(?P<user_id>\d+)`. */
export function wordpressRoute(path: string): string {
  return path.replace(/:([a-zA-Z]+)/g, (_m, name: string) => `(?P<${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}>\\d+)`);
}

const php = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function phpRoutesSource(): string {
  const rows = ROUTES.filter((r) => r.wordpress).map((r) => `\tarray( ${[wordpressRoute(r.path), r.method, r.name, r.timeout].map(php).join(', ')} ),`);
  return [
    '<?php',
    '/**',
    ' * GENERATED from contract/src/routes.ts by `npm run generate:php-routes`: do not edit.',
    ' * The routes WordPress forwards: WordPress route, method, operation name, timeout class.',
    ' *',
    ' * @package SupportProvisioningPortal',
    ' */',
    '',
    "defined( 'ABSPATH' ) || exit;",
    '',
    'return array(',
    ...rows,
    ');',
    '',
  ].join('\n');
}
