/**
 * @workbench/odoo/testing: a simulator of Odoo's external API over a demo
 * database, the close checks each seeded fault is found by, and fresh
 * PostgreSQL databases for tests.
 */
export { OdooApiSimulator, SIMULATED_VERSION, type OdooApiSimulatorOptions } from './odoo-api-simulator';
export type { SimulatorUser } from './simulator-users';
export { bankVersusGl, changedAfterLock, duplicateBills, reconciliationErrors, sequenceGaps, subledgerGaps, unbalancedMoves } from './ledger-checks';
export { adminQuery, createTestDatabase, PG_TEST_SERVER, type TestDatabase } from './test-database';
