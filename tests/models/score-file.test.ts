import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stratifiedSplit } from '../../src/lib/server/models/core/random.js';
import { rocAuc } from '../../src/lib/server/models/evaluate.js';
import { riskBand } from '../../src/lib/server/models/health.js';
import { loadModel, saveModel } from '../../src/lib/server/models/store.js';
import { readTextTable, type TextTable } from '../../src/lib/server/models/tabular/read.js';
import { scoreFeatureFile, type ScoreFileReport } from '../../src/lib/server/models/tabular/score-file.js';
import { trainOnFeatureFile, type FeatureFileReport, type FeatureModelMetadata } from '../../src/lib/server/models/tabular/train-file.js';
import { adoption, fixture, tempDir } from '../helpers.js';

const TELCO = fixture('telco', 'telco-customer-churn.csv');
// Models go to a temporary folder, never the project's.
const MODELS = tempDir('adoption-score-models-');
const DIR = tempDir('adoption-score-');

// The Telco file quotes no field, so splitting on commas reads it; its lines end in CRLF.
const [HEADER, ...ROWS] = fs
	.readFileSync(TELCO, 'utf8')
	.trim()
	.split(/\r?\n/)
	.map((line) => line.split(','));
const col = (name: string) => HEADER.indexOf(name);
const Y = ROWS.map((r) => (r[col('Churn')] === 'Yes' ? 1 : 0));
// 80 % to train on, 20 % held out, each with Telco's churn rate.
const [TRAIN, HELD] = stratifiedSplit(Y, 0.2, 7);

/** Writes the given Telco rows with the given columns (all by default) as CSV in the temp folder. */
function writeTelco(name: string, rows: number[], columns = HEADER, edit?: (row: string[], k: number) => void): string {
	const file = path.join(DIR, name);
	const lines = rows.map((r, k) => {
		const row = [...ROWS[r]];
		edit?.(row, k);
		return columns.map((c) => row[col(c)]).join(',');
	});
	fs.writeFileSync(file, [columns.join(','), ...lines].join('\n') + '\n');
	return file;
}

const cell = (t: TextTable, column: string, r: number) => t.values[t.columns.indexOf(column)][r]!;

describe('scoreFeatureFile on held-out Telco rows', () => {
	const withoutLabel = HEADER.filter((c) => c !== 'Churn');
	let trained: FeatureFileReport;
	let report: ScoreFileReport;
	let labelled: ScoreFileReport;
	let scores: TextTable;
	const csvOut = path.join(DIR, 'scores.csv');
	const parquetOut = path.join(DIR, 'scores.parquet');

	beforeAll(async () => {
		trained = await trainOnFeatureFile({ file: writeTelco('telco-train.csv', TRAIN), label: 'Churn', id: 'customerID', root: MODELS });
		const model = trained.saved.name;
		report = await scoreFeatureFile({ file: writeTelco('held.csv', HELD, withoutLabel), model, root: MODELS, out: csvOut });
		labelled = await scoreFeatureFile({ file: writeTelco('held-labelled.csv', HELD), model, root: MODELS, out: parquetOut });
		scores = await readTextTable(csvOut);
	}, 120_000);

	it('saves the encoding and a reference of held-out probabilities', () => {
		const metadata = loadModel(trained.saved.name, 'latest', MODELS).metadata as FeatureModelMetadata;
		const tenures = TRAIN.map((r) => Number(ROWS[r][col('tenure')]));
		expect(metadata.encoding.find((e) => e.column === 'tenure')).toMatchObject({
			kind: 'numeric',
			min: Math.min(...tenures),
			max: Math.max(...tenures)
		});
		expect(metadata.encoding.find((e) => e.column === 'Contract')).toEqual({
			column: 'Contract',
			kind: 'categorical',
			levels: ['Month-to-month', 'Two year', 'One year'],
			other: false
		});
		expect(metadata.encoded).toEqual(trained.encoded);
		// 5,634 training rows thinned to 1,001 quantiles, sorted.
		expect(metadata.reference).toHaveLength(1001);
		expect(metadata.reference.every((p, k) => p >= 0 && p <= 1 && (k === 0 || p >= metadata.reference[k - 1]))).toBe(true);
	});

	it('ranks held-out rows as well as the cross-validation promised, without the label column', () => {
		expect(scores.columns).toEqual(['id', 'probability', 'percentile', 'band', 'drivers']);
		expect(scores.rows).toBe(HELD.length);
		const probabilities = HELD.map((_, k) => Number(cell(scores, 'probability', k)));
		const auc = rocAuc(
			HELD.map((r) => Y[r]),
			probabilities
		);
		expect(auc).toBeGreaterThanOrEqual(0.82);
		expect(Math.abs(auc - trained.auc)).toBeLessThanOrEqual(0.03);
		expect(report.auc).toBeUndefined();
		expect(labelled.auc).toBeCloseTo(auc, 12);
	});

	it('gives every row its id, percentile, band and 1–3 drivers with the row’s own values', () => {
		const bands = new Set<string>();
		HELD.forEach((r, k) => {
			expect(cell(scores, 'id', k)).toBe(ROWS[r][col('customerID')]);
			const percentile = Number(cell(scores, 'percentile', k));
			expect(percentile).toBeGreaterThanOrEqual(0);
			expect(percentile).toBeLessThanOrEqual(100);
			expect(cell(scores, 'band', k)).toBe(riskBand(percentile / 100));
			bands.add(cell(scores, 'band', k));
			const drivers = cell(scores, 'drivers', k).split('; ');
			expect(drivers.length).toBeGreaterThanOrEqual(1);
			expect(drivers.length).toBeLessThanOrEqual(3);
			for (const d of drivers) {
				const [column, value] = d.split(': ');
				expect(withoutLabel).toContain(column);
				expect(value).toBe(ROWS[r][col(column)].trim() || '(missing)');
			}
		});
		expect([...bands].sort()).toEqual(['high', 'low', 'medium']);
	});

	it('reports the counts, the columns it ignored and the riskiest rows', () => {
		const blanks = HELD.filter((r) => ROWS[r][col('TotalCharges')].trim() === '').length;
		expect(report).toMatchObject({
			model: 'features-telco-train',
			version: trained.saved.version,
			scored: HELD.length,
			id_column: 'customerID',
			ignored: ['customerID'],
			imputed: blanks ? [{ column: 'TotalCharges', blank: blanks, unparsable: 0 }] : [],
			out: csvOut
		});
		expect(report.bands.high + report.bands.medium + report.bands.low).toBe(HELD.length);
		expect(labelled.ignored).toEqual(['customerID', 'Churn']);
		expect(labelled.bands).toEqual(report.bands);
		expect(report.top).toHaveLength(10);
		const highest = Math.max(...HELD.map((_, k) => Number(cell(scores, 'probability', k))));
		expect(report.top[0].probability).toBe(highest);
		expect(report.top[0].band).toBe('high');
		expect(labelled.top).toEqual(report.top);
	});

	it('writes Parquet with the same rows as the CSV', async () => {
		const instance = await DuckDBInstance.create(':memory:');
		const conn = await instance.connect();
		const read = await conn.runAndReadAll(`SELECT id, probability, percentile, band, drivers FROM read_parquet('${parquetOut}')`);
		const [ids, probabilities, percentiles, bands, drivers] = read.getColumnsJS();
		conn.closeSync();
		instance.closeSync();
		expect(ids).toEqual(scores.values[0]);
		expect(probabilities).toEqual(scores.values[1].map(Number));
		expect(percentiles).toEqual(scores.values[2].map(Number));
		expect(bands).toEqual(scores.values[3]);
		expect(drivers).toEqual(scores.values[4]);
	});

	it('clips numbers to the training range; imputes text in a numeric column, naming its row; numbers rows without an id', async () => {
		const tenureMax = Math.max(...TRAIN.map((r) => Number(ROWS[r][col('tenure')])));
		const tenures = [String(tenureMax), '100000', 'twelve', ''];
		const file = writeTelco(
			'odd.csv',
			tenures.map(() => HELD[0]),
			withoutLabel.filter((c) => c !== 'customerID'),
			(row, k) => (row[col('tenure')] = tenures[k])
		);
		const r = await scoreFeatureFile({ file, model: 'features-telco-train', root: MODELS, top: 4 });
		const p = (id: string) => r.top.find((s) => s.id === id)!.probability;
		expect(r.id_column).toBeNull();
		expect(r.top.map((s) => s.id).sort()).toEqual(['1', '2', '3', '4']);
		expect(p('2')).toBe(p('1'));
		expect(p('3')).toBe(p('4'));
		expect(r.imputed).toEqual([{ column: 'tenure', blank: 1, unparsable: 1, first_unparsable: { row: 3, value: 'twelve' } }]);
	});

	it('refuses a file missing model columns, naming the file and each column', async () => {
		const file = writeTelco(
			'short.csv',
			HELD.slice(0, 5),
			withoutLabel.filter((c) => c !== 'tenure' && c !== 'Contract')
		);
		await expect(scoreFeatureFile({ file, model: 'features-telco-train', root: MODELS })).rejects.toThrow(
			`${file} lacks 2 columns the model uses: "tenure", "Contract"; its columns are: customerID, gender,`
		);
	});

	it('refuses an unknown model, a model without an encoding and an --out that is not .csv or .parquet', async () => {
		const file = path.join(DIR, 'held.csv');
		await expect(scoreFeatureFile({ file, model: 'features-nope', root: MODELS })).rejects.toThrow(
			`no model features-nope in ${MODELS}: train it with \`adoption train --features FILE --label COLUMN\` (models there: features-telco-train)`
		);
		await expect(scoreFeatureFile({ file, model: 'churn', root: MODELS })).rejects.toThrow(/model churn was not trained on a feature file/);
		const saved = loadModel('features-telco-train', 'latest', MODELS);
		const { encoding: _encoding, reference: _reference, ...older } = saved.metadata as FeatureModelMetadata;
		saveModel('features-older', { model: saved.model, features: saved.features, metadata: older, evaluation: saved.evaluation }, MODELS);
		await expect(scoreFeatureFile({ file, model: 'features-older', root: MODELS })).rejects.toThrow(
			/model features-older version \S+ \(.+\) cannot score new rows: it was saved before scoring existed, without its encoding; retrain it/
		);
		const xlsx = path.join(DIR, 'scores.xlsx');
		await expect(scoreFeatureFile({ file, model: 'features-telco-train', root: MODELS, out: xlsx })).rejects.toThrow(
			`cannot write scores to ${xlsx}: the file name must end in .csv or .parquet`
		);
		expect(fs.existsSync(xlsx)).toBe(false);
	});

	it('runs from the CLI without a database; usage errors exit 2', () => {
		const env = { ADOPTION_MODELS: MODELS, ADOPTION_DB: path.join(DIR, 'none.duckdb') };
		const held = path.join(DIR, 'held.csv');
		const ok = adoption(['score', '--features', held, '--model', 'features-telco-train', '--json'], env);
		expect(ok.code).toBe(0);
		expect(JSON.parse(ok.stdout)).toMatchObject({ scored: HELD.length, bands: report.bands, top: report.top });
		expect(fs.existsSync(env.ADOPTION_DB)).toBe(false);
		const usage = adoption(['score', '--features', held], env);
		expect(usage.code).toBe(2);
		expect(usage.stderr).toContain('--features needs --model features-NAME');
	});
});
