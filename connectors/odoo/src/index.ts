/**
 * @workbench/odoo: Odoo as a source and a target.
 *
 * - `generateOdooDemo`: an Odoo 17 accounting database (a year, several
 *   companies and currencies, optional seeded faults) in an empty PostgreSQL database.
 * - `OdooClient`: Odoo's external API (JSON-RPC or XML-RPC `execute_kw`).
 * - `@workbench/odoo/testing`: a simulator of that API over the demo database.
 */
export { generateOdooDemo, type GenerateOdooDemoOptions, type DemoSummary, type DemoCompany } from './demo/generate';
export { FAULT_KINDS, isFaultKind, type FaultKind, type InjectedFault } from './demo/faults';
export { OdooClient, OdooSession, type OdooClientOptions, type OdooProtocol, type OdooValue, type OdooDomain, type OdooVersion, type CallOptions, type SearchReadOptions } from './odoo-client';
export { OdooError } from './odoo-error';
export { XmlRpcDouble, XmlRpcParseError, decodeMethodCall, decodeMethodResponse, encodeFault, encodeMethodCall, encodeMethodResponse, type XmlRpcFault, type XmlRpcValue } from './xmlrpc';
