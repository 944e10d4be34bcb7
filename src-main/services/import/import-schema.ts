/** The `servers:import` schemas live in the contract; re-exported here for the import service's modules. */
export { ServersImportInput, ServersImportResult } from '../../shared/contract';
