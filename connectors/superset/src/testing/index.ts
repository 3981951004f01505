export { SupersetApiSimulator, startSupersetApiSimulator } from './superset-api-simulator';
export type { SimDatabaseConfig, SimRequestRecord, SimUserConfig, SupersetApiSimulatorOptions } from './superset-api-simulator';
export type { PostgresConnectionConfig } from './sim-postgres';
