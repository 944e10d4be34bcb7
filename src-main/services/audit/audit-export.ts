// The CSV and JSON Lines text lives in shared/ so the Audit page's download is the CLI's --format text.
export { CSV_COLUMNS, auditCsv, auditJsonLines, csvField } from '../../shared/audit-export';
