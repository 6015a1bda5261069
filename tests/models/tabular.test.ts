import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Classifier, type ClassifierArtifact } from '../../src/lib/server/models/core/classifier.js';
import { loadModel } from '../../src/lib/server/models/store.js';
import { planColumns } from '../../src/lib/server/models/tabular/columns.js';
import { fitEncoder } from '../../src/lib/server/models/tabular/encode.js';
import { parseLabel } from '../../src/lib/server/models/tabular/label.js';
import { readTextTable } from '../../src/lib/server/models/tabular/read.js';
import { formatFeatureFileReport, trainOnFeatureFile, type FeatureFileReport } from '../../src/lib/server/models/tabular/train-file.js';
import { fixture, tempDir } from '../helpers.js';

const TELCO = fixture('telco', 'telco-customer-churn.csv');
// The final models go to a temporary models folder, never the project's.
const MODELS = tempDir();

describe('trainOnFeatureFile on the Telco churn file', () => {
	let report: FeatureFileReport;
	beforeAll(async () => {
		report = await trainOnFeatureFile({ file: TELCO, label: 'Churn', root: MODELS });
	}, 300_000);

	it('reaches the published logistic-regression AUC (0.836–0.858) in stratified 5-fold CV', () => {
		expect(report.auc).toBeGreaterThanOrEqual(0.84);
		expect(report.folds).toHaveLength(5);
		for (const f of report.folds) {
			expect(f.auc).toBeGreaterThan(0.82);
			expect(f.pr_auc).toBeGreaterThan(0.55);
			// Better than predicting the base rate (0.265 × 0.735 = 0.195).
			expect(f.brier).toBeLessThan(0.16);
		}
		expect(report.auc).toBeCloseTo(report.folds.reduce((s, f) => s + f.auc, 0) / 5, 12);
		expect(report.auc_sd).toBeGreaterThan(0);
		expect(report.auc_sd).toBeLessThan(0.03);
		expect(report.folds.reduce((s, f) => s + f.rows, 0)).toBe(7043);
		expect(report.folds.reduce((s, f) => s + f.positives, 0)).toBe(1869);
	});

	it('reads the label, drops customerID, imputes the blank TotalCharges, treats SeniorCitizen as boolean', () => {
		expect(report).toMatchObject({ rows: 7043, positives: 1869, rows_without_label: 0, label_values: { positive: 'Yes', negative: 'No' } });
		expect(report.dropped).toEqual([{ column: 'customerID', reason: 'name looks like an identifier' }]);
		expect(report.missing_imputed).toEqual([{ column: 'TotalCharges', count: 11 }]);
		const kind = (c: string) => report.encoded.find((e) => e.column === c);
		expect(kind('SeniorCitizen')).toEqual({ column: 'SeniorCitizen', kind: 'boolean' });
		expect(kind('Partner')?.kind).toBe('boolean');
		expect(kind('tenure')?.kind).toBe('numeric');
		expect(kind('TotalCharges')).toMatchObject({ kind: 'numeric', transform: 'log1p' });
		expect(kind('Contract')).toEqual({ column: 'Contract', kind: 'categorical', levels: ['Month-to-month', 'Two year', 'One year'] });
		expect(report.features).toContain('InternetService=Fiber optic');
		expect(report.features).not.toContain('customerID');
	});

	it('saves a model fitted on every row, with the cross-validation as its evaluation', () => {
		expect(report.saved.name).toBe('features-telco-customer-churn');
		const saved = loadModel(report.saved.name, 'latest', MODELS);
		expect(saved.version).toBe(report.saved.version);
		expect((saved.evaluation as FeatureFileReport).auc).toBe(report.auc);
		const model = new Classifier(saved.model as ClassifierArtifact);
		expect(model.artifact.features).toEqual(report.features);
	});

	it('prints a short summary with the AUC per fold and the dropped columns', () => {
		const text = formatFeatureFileReport(report);
		expect(text).toContain(`ROC AUC ${report.auc.toFixed(3)} ± ${report.auc_sd.toFixed(3)}`);
		expect(text).toMatch(/fold 5: AUC 0\.\d{3}/);
		expect(text).toContain('customerID (name looks like an identifier)');
		expect(text).toContain('TotalCharges (11 blank)');
	});
});

/** A small file exercising every typing rule; `status` depends on `score` and `flag`. */
function writeRulesFile(dir: string): string {
	const lines = ['row,account_id,email,plan,city,score,flag,senior,paid,const,status'];
	for (let i = 0; i < 300; i++) {
		// plan: five common levels (50 rows each) and 25 rare ones (2 rows each, 0.7 % < 1 %).
		const plan = i < 250 ? `P${i % 5}` : `R${i % 25}`;
		const city = `C${String(i % 25).padStart(2, '0')}`; // 25 levels of 12 rows: only 20 are kept.
		const score = i % 30 === 0 ? (i % 60 === 0 ? '' : '  ') : String((i * 37) % 100);
		const flag = i % 3 === 0 ? 'Yes' : 'No';
		const churned = ((i * 37) % 100) + (flag === 'Yes' ? 30 : 0) > 70;
		lines.push([i + 1, `A${1000 + i}`, `user${i}@example.com`, plan, city, score, flag, i % 2, (i * 7) % 13, 'x', churned ? 'churned' : 'active'].join(','));
	}
	const file = path.join(dir, 'rules.csv');
	fs.writeFileSync(file, lines.join('\n') + '\n');
	return file;
}

describe('typing and encoding rules', () => {
	const dir = tempDir('adoption-tabular-');
	const file = writeRulesFile(dir);

	it('drops identifier-like, row-number and constant columns; types the rest', async () => {
		const table = await readTextTable(file);
		const rows = [...Array(table.rows).keys()];
		const { plans, dropped } = planColumns(table, rows, 'status');
		expect(dropped).toEqual([
			{ column: 'row', reason: 'row number (1..n in file order)' },
			{ column: 'account_id', reason: 'name looks like an identifier' },
			{ column: 'email', reason: 'unique per row (identifier-like text)' },
			{ column: 'const', reason: 'constant' }
		]);
		expect(plans.map((p) => [p.column, p.kind])).toEqual([
			['plan', 'categorical'],
			['city', 'categorical'],
			['score', 'numeric'],
			['flag', 'boolean'],
			['senior', 'boolean'],
			['paid', 'numeric']
		]);
		expect(planColumns(table, rows, 'status', 'email').dropped).toContainEqual({ column: 'email', reason: 'the --id column' });
	});

	it('keeps the frequent levels (at most 20, each ≥ 1 % of rows) plus other; fits on the training rows only', async () => {
		const table = await readTextTable(file);
		const all = [...Array(table.rows).keys()];
		const { plans } = planColumns(table, all, 'status');
		const encoder = fitEncoder(table, plans, all);
		expect(encoder.encoded.find((e) => e.column === 'plan')?.levels).toEqual(['P0', 'P1', 'P2', 'P3', 'P4', 'other']);
		const city = encoder.encoded.find((e) => e.column === 'city')!.levels!;
		expect(city).toHaveLength(21);
		expect(city.slice(0, 2)).toEqual(['C00', 'C01']);
		expect(city.at(-1)).toBe('other');
		const { X, imputed } = encoder.transform(all);
		expect(X[0]).toHaveLength(encoder.features.length);
		expect(imputed.get('score')).toBe(10);
		// Row 250 is plan R0 (rare): it lands in plan=other.
		expect(X[250][encoder.features.indexOf('plan=other')]).toBe(1);
		expect(X[250][encoder.features.indexOf('plan=P0')]).toBe(0);
		expect(X[3][encoder.features.indexOf('flag')]).toBe(1);
		expect(X[4][encoder.features.indexOf('flag')]).toBe(0);

		// Fitted on rows 0–99 only: the blank score of row 0 gets those rows' median, whatever the others hold.
		const first = [...Array(100).keys()];
		const scores = first.filter((r) => r % 30 !== 0).map((r) => (r * 37) % 100).sort((a, b) => a - b);
		const median = (scores[scores.length / 2 - 1] + scores[scores.length / 2]) / 2;
		const partial = fitEncoder(table, plans, first);
		expect(partial.transform([0]).X[0][partial.features.indexOf('score')]).toBe(median);
		// No rare plans among rows 0–99, so no plan=other feature: an unseen level encodes as all zeros.
		expect(partial.features.filter((f) => f.startsWith('plan='))).toEqual(['plan=P0', 'plan=P1', 'plan=P2', 'plan=P3', 'plan=P4']);
		const row250 = partial.transform([250]).X[0];
		expect(partial.features.map((f, j) => (f.startsWith('plan=') ? row250[j] : 0))).toEqual(partial.features.map(() => 0));
	});

	it('trains on the file end to end, reading churned/active', async () => {
		const r = await trainOnFeatureFile({ file, label: 'status', folds: 3, seed: 5, root: MODELS });
		expect(r.label_values).toEqual({ positive: 'churned', negative: 'active' });
		expect(r.folds).toHaveLength(3);
		expect(r.auc).toBeGreaterThan(0.8);
		expect(r.missing_imputed).toEqual([{ column: 'score', count: 10 }]);
		const again = await trainOnFeatureFile({ file, label: 'status', folds: 3, seed: 5, root: MODELS });
		// The same evaluation and the same model, saved as a new version.
		const { saved, ...evaluation } = r;
		const { saved: savedAgain, ...evaluationAgain } = again;
		expect(evaluationAgain).toEqual(evaluation);
		expect(savedAgain.version).not.toBe(saved.version);
		expect(loadModel(saved.name, savedAgain.version, MODELS).model).toEqual(loadModel(saved.name, saved.version, MODELS).model);
	});

	it('reads Parquet (typed columns) like CSV', async () => {
		const parquet = path.join(dir, 'rules.parquet');
		const instance = await DuckDBInstance.create(':memory:');
		const conn = await instance.connect();
		await conn.run(`COPY (SELECT * FROM read_csv('${file}')) TO '${parquet}' (FORMAT parquet)`);
		conn.closeSync();
		instance.closeSync();
		const fromCsv = await trainOnFeatureFile({ file, label: 'status', folds: 3, seed: 5, root: MODELS });
		const fromParquet = await trainOnFeatureFile({ file: parquet, label: 'status', folds: 3, seed: 5 });
		expect(fromParquet.encoded).toEqual(fromCsv.encoded);
		expect(fromParquet.dropped).toEqual(fromCsv.dropped);
		expect(fromParquet.rows).toBe(300);
		expect(fromParquet.auc).toBeCloseTo(fromCsv.auc, 6);
	});
});

describe('labels', () => {
	it('understands yes/no, true/false, 1/0, y/n, churned/active in any case', () => {
		expect(parseLabel(['Yes', 'no', 'YES', null, ' '], 'c', 'f')).toEqual({ y: [1, 0, 1, null, null], positive: 'Yes', negative: 'no', missing: 2 });
		expect(parseLabel(['0', '1'], 'c', 'f')).toMatchObject({ y: [0, 1], positive: '1', negative: '0' });
		expect(parseLabel(['FALSE', 'TRUE'], 'c', 'f').positive).toBe('TRUE');
		expect(parseLabel(['n', 'y'], 'c', 'f').positive).toBe('y');
		expect(parseLabel(['active', 'Churned'], 'c', 'f').positive).toBe('Churned');
	});

	it('fails naming the column, the file and the values found', () => {
		expect(() => parseLabel(['yes', 'no', 'maybe', 'no'], 'Churn', 'x.csv')).toThrow('label column "Churn" in x.csv must have exactly two values, found 3: "yes", "no", "maybe"');
		expect(() => parseLabel(['yes', 'yes'], 'Churn', 'x.csv')).toThrow(/found 1: "yes"/);
		expect(() => parseLabel(['red', 'blue'], 'Churn', 'x.csv')).toThrow(/cannot tell which value of label column "Churn" in x\.csv is the positive one: "red", "blue"/);
	});
});

describe('file errors name the file and the column', () => {
	const dir = tempDir('adoption-tabular-');

	it('missing, empty and header-only files', async () => {
		const missing = path.join(dir, 'nope.csv');
		await expect(trainOnFeatureFile({ file: missing, label: 'Churn' })).rejects.toThrow(`feature file not found: ${missing}`);
		const empty = path.join(dir, 'empty.csv');
		fs.writeFileSync(empty, '');
		await expect(trainOnFeatureFile({ file: empty, label: 'Churn' })).rejects.toThrow(`feature file ${empty} is empty`);
		const header = path.join(dir, 'header.csv');
		fs.writeFileSync(header, 'a,b,Churn\n');
		await expect(trainOnFeatureFile({ file: header, label: 'Churn' })).rejects.toThrow(`feature file ${header} has no data rows`);
	});

	it('an unknown label or id column lists the columns; a bad label lists its values', async () => {
		await expect(trainOnFeatureFile({ file: TELCO, label: 'churn' })).rejects.toThrow(`label column "churn" is not in ${TELCO}; its columns are: customerID, gender, SeniorCitizen`);
		await expect(trainOnFeatureFile({ file: TELCO, label: 'Churn', id: 'cust' })).rejects.toThrow(`id column "cust" is not in ${TELCO}`);
		await expect(trainOnFeatureFile({ file: TELCO, label: 'InternetService' })).rejects.toThrow(
			`label column "InternetService" in ${TELCO} must have exactly two values, found 3: "DSL", "Fiber optic", "No"`
		);
	});

	it('too few rows of a class for the folds', async () => {
		const small = path.join(dir, 'small.csv');
		fs.writeFileSync(small, 'x,y\n' + [1, 2, 3, 4, 5, 6, 7, 8].map((v, i) => `${v},${i < 2 ? 'yes' : 'no'}`).join('\n') + '\n');
		await expect(trainOnFeatureFile({ file: small, label: 'y' })).rejects.toThrow(/5-fold cross-validation needs at least 5 rows of each label value, found 2 "yes" and 6 "no"/);
	});
});
