/**
 * `npm run bench -- alerts <accounts>`: the alert rules and the outbox at scale. On the sample loaded,
 * trained and scored (the serve bench's prepared database is copied when there is one), in this process:
 * - the first evaluation of every rule (opening every alert, with its messages written to the outbox);
 * - the evaluation after it, with no change in the data (what the hourly and after-every-job runs cost);
 * - the SLA clock tick;
 * - the outbox worker delivering every message to a webhook receiver on loopback (messages/s), caps lifted.
 *
 * Goal on a 2-core machine at 26,000 accounts: an evaluation of all rules ≤ 2 s.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { tickAlerts } from '../src/lib/server/alerts/clocks.js';
import { evaluateAlerts } from '../src/lib/server/alerts/evaluate.js';
import { parseConfig } from '../src/lib/server/config/config.js';
import { openDatabase } from '../src/lib/server/db/connection.js';
import { deliverDue } from '../src/lib/server/notify/worker.js';
import { adoption, log, out, sampleFiles } from './sample.js';

export async function alertsBench(accounts: number): Promise<void> {
	log(`alerts benchmark, ${accounts.toLocaleString('en-US')} accounts`);
	const dbFile = path.join(out, 'db', `alerts-${accounts}.duckdb`);
	fs.mkdirSync(path.dirname(dbFile), { recursive: true });
	for (const f of [dbFile, `${dbFile}.wal`]) fs.rmSync(f, { force: true });
	const prepared = path.join(out, 'db', `serve-${accounts}.base.duckdb`);
	if (fs.existsSync(`${prepared}.ready`)) {
		fs.copyFileSync(prepared, dbFile);
		log('  copied the serve bench’s loaded, trained and scored database');
	} else {
		const files = sampleFiles(accounts);
		log(`  load ${adoption(['load', ...files, '--db', dbFile]).seconds.toFixed(1)} s`);
		log(`  train ${adoption(['train', '--db', dbFile]).seconds.toFixed(1)} s`);
		log(`  score ${adoption(['score', '--db', dbFile]).seconds.toFixed(1)} s`);
	}

	let received = 0;
	const receiver = http.createServer((req, res) => {
		req.resume();
		req.on('end', () => {
			received++;
			res.end('ok');
		});
	});
	await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
	const config = parseConfig({
		notify: {
			webhook: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` },
			caps: { perRecipientPerDay: 1_000_000, perAccountPerDay: 1_000 }
		}
	});

	const db = await openDatabase(dbFile);
	const result: Record<string, unknown> = { bench: 'alerts', accounts };
	try {
		const time = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
			const t0 = performance.now();
			const r = await fn();
			return [r, (performance.now() - t0) / 1000];
		};
		const [first, firstS] = await time(() => evaluateAlerts(db, config, { trigger: 'bench' }));
		log(
			`  first evaluation: ${firstS.toFixed(2)} s, ${first.opened.length.toLocaleString('en-US')} alerts opened (${first.rules.map((r) => `${r.rule} ${r.matched} in ${r.ms} ms`).join(', ')})`
		);
		const [again, againS] = await time(() => evaluateAlerts(db, config, { trigger: 'bench' }));
		log(
			`  evaluation with no change: ${againS.toFixed(2)} s, ${again.opened.length} opened (${again.rules.map((r) => `${r.rule} ${r.ms} ms`).join(', ')})`
		);
		const [tick, tickS] = await time(() => tickAlerts(db, config));
		log(`  clock tick: ${tickS.toFixed(2)} s (${tick.breached.length} breached, ${tick.due_soon.length} due soon)`);
		const [queued] = await db.query<{ n: number }>(`SELECT count(*) AS n FROM outbox WHERE state = 'pending'`);
		const [run, deliverS] = await time(() => deliverDue(db, config));
		const rate = run.sent / deliverS;
		log(
			`  outbox: ${run.sent.toLocaleString('en-US')} of ${queued.n.toLocaleString('en-US')} messages delivered in ${deliverS.toFixed(2)} s (${Math.round(rate)} messages/s), received ${received}`
		);
		Object.assign(result, {
			first_evaluation_seconds: firstS,
			opened: first.opened.length,
			rules: first.rules,
			evaluation_seconds: againS,
			rules_again: again.rules,
			tick_seconds: tickS,
			messages: queued.n,
			delivered: run.sent,
			delivery_seconds: deliverS,
			messages_per_second: rate
		});
	} finally {
		db.close();
		receiver.close();
	}
	fs.writeFileSync(path.join(out, `alerts-${accounts}.json`), JSON.stringify(result, null, 2));
	process.stdout.write(JSON.stringify(result) + '\n');
}
