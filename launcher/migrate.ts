import { loadConfigOrExit } from '../shared/config/index.js';
import { prepare } from './infrastructure.js';

/** `npm run migrate`: the database, its tables and the Kafka topics, without starting any role. */
const config = loadConfigOrExit();
await prepare(config, (_level, message) => console.log(message));
console.log(`migrations applied to ${config.MYSQL_DATABASE}; topics ready on ${config.KAFKA_BROKERS.join(',')}`);
