/** The interleaving table in HTTP mode against the simulator in PVE 8.4 mode (see simulator-table.ts). */
import { simulatorTable } from './simulator-table';

simulatorTable('8.4');
