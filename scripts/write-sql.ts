/**
 * `npm run sql`: writes the SQL the code compiles (see `src/lib/server/sql-files.ts`) into the committed
 * `sql/` folders, removing files of metrics or tables that no longer exist.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../src/lib/server/db/connection.js';
import { SQL_DIRS, sqlFiles } from '../src/lib/server/sql-files.js';

const db = await openDatabase(':memory:');
try {
	const files = sqlFiles(db.kysely);
	for (const dir of Object.values(SQL_DIRS)) {
		fs.mkdirSync(dir, { recursive: true });
		for (const f of fs.readdirSync(dir)) if (!files.has(`${dir}/${f}`)) fs.rmSync(path.join(dir, f));
	}
	let changed = 0;
	for (const [file, text] of files) {
		if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) continue;
		fs.writeFileSync(file, text);
		changed++;
	}
	console.log(`${files.size} SQL files, ${changed} written`);
} finally {
	db.close();
}
