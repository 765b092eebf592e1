/**
 * The contract, defined once: the API's objects (wire.ts), the catalog (rights, statuses and their named
 * sets, error codes, limits) and the route table. No runtime dependencies; the sidecar, the UI (types
 * only), the generated PHP and the tests all read it from here.
 */
export * from './wire';
export * from './rights';
export * from './statuses';
export * from './error-codes';
export * from './limits';
export * from './routes';
