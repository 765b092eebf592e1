/** The interleaving table in HTTP mode against the simulator in PVE 9.1 mode (see simulator-table.ts). */
import { simulatorTable } from './simulator-table';

simulatorTable('9.1');
