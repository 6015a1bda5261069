import type { DuckDBConnection } from '@duckdb/node-api';
import { FileError } from '../detect.js';
import type { Opened } from '../load.js';

export async function openSegment(_conn: DuckDBConnection, file: string, _loadId: number): Promise<Opened> {
	throw new FileError(`${file}: Segment loading is being written`);
}
