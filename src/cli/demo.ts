import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../lib/server/db/connection.js';
import { generateCommand } from './generate.js';
import { loadCommand } from './load.js';
import type { Output } from './output.js';
import { serveCommand } from './serve.js';

/** Where the demo keeps its generated sample data. */
export const SAMPLE_DIR = 'data/sample';

/**
 * `adoption demo`: on an empty machine, generate the default sample data set (when `data/sample` has
 * none), load it (when the database has no accounts yet), and serve the app.
 */
export async function demoCommand(opts: { db: string; port: string; host: string }, out: Output) {
	const db = await openDatabase(opts.db);
	const [{ n }] = await db.query<{ n: number }>('SELECT count(*) AS n FROM accounts');
	db.close();
	if (n === 0) {
		const hasData = fs.existsSync(SAMPLE_DIR) && fs.readdirSync(SAMPLE_DIR).some((f) => f.endsWith('.csv'));
		if (!hasData) {
			out.info(`Generating the sample data set into ${SAMPLE_DIR}…`);
			await generateCommand({ out: SAMPLE_DIR }, out);
		}
		out.info(`Loading ${SAMPLE_DIR} into ${opts.db}…`);
		const files = fs.readdirSync(SAMPLE_DIR).sort().map((f) => path.join(SAMPLE_DIR, f));
		await loadCommand(files, { db: opts.db }, out);
	} else {
		out.info(`${opts.db} already holds ${n.toLocaleString('en-US')} accounts; serving it.`);
	}
	await serveCommand(opts, out);
}
