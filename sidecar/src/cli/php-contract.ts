/**
 * The plugin's generated copies of the contract: the routes WordPress forwards, as register_rest_route
 * takes them, and the limits it applies before forwarding. Written by `npm run generate:php`; a test
 * keeps them current, so the PHP never restates what the contract says.
 */
import { BODY_LIMITS, KEY_ID_PATTERN_SOURCE, MAX_BODY_DEPTH, ROUTES, USER_FIELD_LIMITS } from '@spp/contract';

export const PHP_ROUTES_FILE = 'plugin/includes/generated-routes.php';
export const PHP_CONTRACT_FILE = 'plugin/includes/class-spp-contract.php';

/** `/deployments/:id/shares/:userId` → `/deployments/(?P<id>\d+)/shares/(?P<user_id>\d+)`. */
export function wordpressRoute(path: string): string {
  return path.replace(/:([a-zA-Z]+)/g, (_m, name: string) => `(?P<${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}>\\d+)`);
}

const php = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

const header = (what: string[]): string[] => [
  '<?php',
  '/**',
  ' * GENERATED from contract/src by `npm run generate:php`: do not edit.',
  ...what.map((l) => ` * ${l}`),
  ' *',
  ' * @package SupportProvisioningPortal',
  ' */',
  '',
  "defined( 'ABSPATH' ) || exit;",
  '',
];

export function phpRoutesSource(): string {
  const rows = ROUTES.filter((r) => r.wordpress).map((r) => `\tarray( ${[wordpressRoute(r.path), r.method, r.name, r.timeout].map(php).join(', ')} ),`);
  return [...header(['The routes WordPress forwards: WordPress route, method, operation name, timeout class.']), 'return array(', ...rows, ');', ''].join('\n');
}

export function phpContractSource(): string {
  const constants: Array<[string, string, string]> = [
    ['MAX_LOGIN', String(USER_FIELD_LIMITS.login), "A user's login, e-mail and display name at most (WordPress's own column sizes)."],
    ['MAX_EMAIL', String(USER_FIELD_LIMITS.email), ''],
    ['MAX_NAME', String(USER_FIELD_LIMITS.name), ''],
    ['MAX_BODY_BYTES', String(BODY_LIMITS.other), 'The largest body forwarded: the sidecar reads at most this much on every route WordPress forwards.'],
    ['MAX_BODY_DEPTH', String(MAX_BODY_DEPTH), 'Arrays and objects nested at most in a body forwarded.'],
    ['KEY_ID_PATTERN', php(`/${KEY_ID_PATTERN_SOURCE}/`), 'The key ids SPP_SIDECAR_KEY_ID may name.'],
  ];
  const body = constants.flatMap(([name, value, doc]) => [...(doc ? ['', `\t/** ${doc} */`] : []), `\tconst ${name} = ${value};`]);
  return [
    ...header(['The limits of the contract the plugin applies before anything reaches the sidecar.']),
    '/**',
    ' * Contract limits.',
    ' */',
    'final class SPP_Contract {',
    ...body.slice(1),
    '}',
    '',
  ].join('\n');
}
