/** The `export:render` schemas live in the contract; re-exported here for the export service's modules. */
export { ExportFormat, ExportRenderInput, ExportResult } from '../../shared/contract';
