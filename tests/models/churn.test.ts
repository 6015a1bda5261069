import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseConfig } from '../../src/lib/server/config/config.js';
import { openDatabase, type Database } from '../../src/lib/server/db/connection.js';
import { scoreAccounts } from '../../src/lib/server/models/churn/score.js';
import { trainChurn } from '../../src/lib/server/models/churn/train.js';
import { churnEvaluationSchema } from '../../src/lib/server/models/evaluations.js';
import { loadModel } from '../../src/lib/server/models/store.js';
import { tempDir } from '../helpers.js';

let db: Database;
let models: string;
let first: Awaited<ReturnType<typeof trainChurn>>;
const config = parseConfig({});

beforeAll(async () => {
	// Training writes feature snapshots and scores: work on a copy of the shared 20,000-account database.
	const dir = tempDir();
	fs.copyFileSync(inject('largeSampleDb'), path.join(dir, 'sample.duckdb'));
	db = await openDatabase(path.join(dir, 'sample.duckdb'), { threads: 2, memoryLimit: '2GB' });
	models = path.join(dir, 'models');
	first = await trainChurn(db, config, { root: models });
}, 240_000);
afterAll(() => db.close());

describe('churn model on 20,000 generated accounts', () => {
	it('ranks churners within 0.02 AUC of the oracle and beats the base rate on Brier, on a held-out later window', () => {
		expect(first.oracle_auc).not.toBeNull();
		expect(first.auc).toBeGreaterThanOrEqual(first.oracle_auc! - 0.02);
		// Every kind was tried and the evaluation says why the chosen one won.
		expect(first.candidates.map((c) => c.kind)).toEqual(['logistic', 'gbdt', 'mlp']);
		expect(first.selection).toMatch(/^(Logistic regression|Gradient-boosted trees|The neural network \(MLP\)) chosen\. /);
		expect(first.brier).toBeLessThan(first.brier_base_rate!);
		// Trained on snapshots whose labels all end by the test date.
		expect(first.training_as_of.every((t) => Date.parse(t) + 90 * 86_400_000 <= Date.parse(first.test_as_of))).toBe(true);
		expect(first.top_decile.lift).toBeGreaterThan(2);
		// The default health weights rank churners clearly better than chance, if less well than the model alone.
		expect(first.health_auc).toBeGreaterThan(0.6);
	});

	it('saves the evaluation with the model, and the same data and seed give the same model', async () => {
		const saved = loadModel('churn', 'latest', models);
		expect(saved.version).toBe(first.version);
		// The page reads it back with the schema the trainer's type comes from.
		const { version: _, ...written } = first;
		expect(churnEvaluationSchema.parse(saved.evaluation)).toEqual(JSON.parse(JSON.stringify(written)));
		const again = await trainChurn(db, config, { root: models });
		expect(again.version).not.toBe(first.version);
		expect(loadModel('churn', again.version, models).model).toEqual(saved.model);
		expect(again.auc).toBe(first.auc);
	}, 120_000);

	it('scores every live account from the saved model, with drivers in words, the same on every run', async () => {
		const a = await scoreAccounts(db, config, { root: models });
		const b = await scoreAccounts(db, config, { root: models });
		expect(a.scored).toBeGreaterThan(15_000);
		expect(a.bands.high).toBeCloseTo(a.scored / 10, -2);
		expect(b.top).toEqual(a.top);
		const rows = await db.query<{ n: number; with_drivers: number; health_ok: number }>(
			`SELECT count(*) AS n, count(*) FILTER (WHERE json_array_length(drivers) BETWEEN 1 AND 3) AS with_drivers,
				count(*) FILTER (WHERE health BETWEEN 0 AND 100) AS health_ok FROM account_scores`
		);
		expect(rows[0]).toEqual({ n: a.scored, with_drivers: a.scored, health_ok: a.scored });
		for (const d of a.top[0].drivers) expect(d.text).toMatch(/^[A-Z0-9][^_]*$/);
	}, 60_000);
});
