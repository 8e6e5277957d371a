// Prints the README's configuration table: `npx tsx scripts/config-table.ts`.
import { configTable } from '../shared/config/table.js';

console.log(configTable());
