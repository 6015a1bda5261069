import type { DuckDBConnection } from '@duckdb/node-api';
import { FileError, type ZendeskKind } from '../detect.js';
import type { Opened } from '../load.js';

export async function openZendesk(_conn: DuckDBConnection, file: string, _kind: ZendeskKind, _loadId: number): Promise<Opened> {
	throw new FileError(`${file}: Zendesk loading is being written`);
}
