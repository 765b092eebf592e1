/**
 * React's JSX runtime as the `react-jsx-runtime` script handle, for WordPress versions that do not
 * register it (before 6.6). Uses the page's React (`wp_register_script` dependency `react`).
 */
import * as runtime from 'spp-bundled-jsx-runtime';

window.ReactJSXRuntime = window.ReactJSXRuntime || runtime;
